"""The office's calendar page (who may, who may not), and the calendar's notes on the pages
where the office opens a month and publishes the notice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.test import Client
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.engine.loader import read_scheme_text
from kaohe.workdays.models import CalendarDay
from kaohe.workdays.services import calendar_day_set
from kaohe.yearend.services import closing_compute, closing_review, closing_submit
from kaohe.years.services import year_create
from tests.web.closing_helpers import make_ready
from tests.web.conftest import CAST, World

D = dt.date
PAGE = reverse("workdays")


def english(client: Client) -> Client:
    """Pages speak Chinese unless English is chosen (the language cookie)."""
    client.cookies[settings.LANGUAGE_COOKIE_NAME] = "en"
    return client


@pytest.fixture
def district(shared_world: World, db: None) -> World:
    """One district for the matrix; each test's writes are rolled back after it."""
    return shared_world


@pytest.mark.parametrize("who", CAST)
def test_only_the_office_opens_the_calendar_page(district: World, who: str) -> None:
    response = district.client(who).get(PAGE)
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    else:
        assert response.status_code == (200 if who == "office" else 403), who


@pytest.mark.parametrize("who", CAST)
def test_only_the_office_enters_a_day(district: World, who: str) -> None:
    response = district.client(who).post(
        PAGE, {"date": "2027-01-01", "kind": "holiday", "note": "元旦"}
    )
    entered = CalendarDay.objects.filter(date=D(2027, 1, 1), kind="holiday").exists()
    if who == "office":
        assert response.status_code == 302 and entered
    else:
        assert response.status_code in (302, 403) and not entered, who
        assert who != "anonymous" or "login" in response["Location"]


@pytest.mark.parametrize("who", CAST)
def test_only_the_office_removes_a_day(district: World, who: str) -> None:
    day = calendar_day_set(acting_user=district.users["office"], date=D(2027, 1, 1), kind="holiday")
    response = district.client(who).post(
        reverse("workdays-remove"), {"entry": day.pk, "version": day.version}
    )
    day.refresh_from_db()
    assert response.status_code == (302 if who in ("office", "anonymous") else 403), who
    assert day.removed == (who == "office")
    assert CalendarDay.objects.filter(pk=day.pk).exists()  # never deleted


def test_the_office_enters_changes_and_removes_through_the_page(district: World) -> None:
    client = district.client("office")
    client.post(PAGE, {"date": "2027-10-01", "kind": "holiday", "note": "国庆节"})
    day = CalendarDay.objects.get(date=D(2027, 10, 1))
    page = client.get(PAGE, {"edit": day.pk}).content.decode()
    assert 'name="version" value="1"' in page and "国庆节" in page
    assert 'value="2027-10-01"' in page  # ISO, as a date input needs, in Chinese too
    client.post(PAGE, {"date": "2027-10-01", "kind": "workday", "note": "改", "version": 1})
    day.refresh_from_db()
    assert (day.kind, day.note, day.version) == ("workday", "改", 2)
    client.post(reverse("workdays-remove"), {"entry": day.pk, "version": 2})
    day.refresh_from_db()
    assert day.removed
    assert (
        AuditEvent.objects.filter(object_id=str(day.pk), action__startswith="calendar.").count()
        == 3
    )


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"date": "1999-12-31", "kind": "holiday"}, "between 2000 and 2100"),
        ({"date": "2027-02-30", "kind": "holiday"}, "valid date"),
        ({"date": "2027-01-01", "kind": "party"}, "valid choice"),
        ({"date": "2027-01-01", "kind": "holiday", "note": "a\u202eb"}, "U+202E"),
        ({"date": "2027-01-01", "kind": "holiday", "note": "x" * 201}, "at most 200"),
        ({"date": "2027-01-01", "kind": "holiday", "version": "0"}, "greater than"),
    ],
)
def test_bad_input_is_refused_with_a_message_and_saves_nothing(
    district: World, data: dict[str, str], message: str
) -> None:
    response = english(district.client("office")).post(PAGE, data)
    assert response.status_code == 400
    assert message in response.content.decode()
    assert not CalendarDay.objects.exists()


def test_a_second_entry_for_a_date_and_a_stale_change_are_refused(district: World) -> None:
    client = english(district.client("office"))
    client.post(PAGE, {"date": "2027-01-01", "kind": "holiday"})
    response = client.post(PAGE, {"date": "2027-01-01", "kind": "workday"})
    assert response.status_code == 400 and "already entered" in response.content.decode()
    client.post(PAGE, {"date": "2027-01-01", "kind": "workday", "version": 1})
    response = client.post(PAGE, {"date": "2027-01-01", "kind": "holiday", "version": 1})
    assert response.status_code == 400 and "since you opened it" in response.content.decode()
    assert CalendarDay.objects.get(date=D(2027, 1, 1)).kind == "workday"


def year_2026(world: World):  # type: ignore[no-untyped-def]
    source, text = read_scheme_text("district-2014")
    text = text.replace("\nyear: 2014\n", "\nyear: 2026\n", 1)
    return year_create(acting_user=world.users["office"], scheme_text=text, source=source)


def test_the_open_month_form_warns_when_a_due_date_falls_in_an_unknown_year(
    district: World,
) -> None:
    """December 2026's sheets are due on 2027-01-10, a Sunday; 2027 is past the package, so
    the date is guessed (Monday 01-11) and the page says so, naming 2027 and month 12."""
    year_2026(district)
    client = english(district.client("office"))
    page = client.get(reverse("year", args=[2026])).content.decode()
    assert 'id="calendar-warning"' in page
    assert "The holidays of 2027 are not known yet" in page and "month 12 (2027-01-11)" in page
    assert "month 1 is due on 2026-02-10" in page
    chinese = district.client("office").get(reverse("year", args=[2026])).content.decode()
    assert "2027年的节假日安排尚不可知" in chinese
    client.post(PAGE, {"date": "2027-01-01", "kind": "holiday", "note": "元旦"})
    page = client.get(reverse("year", args=[2026])).content.decode()
    assert 'id="calendar-warning"' not in page


def test_the_2014_year_page_has_no_warning(district: World) -> None:
    page = district.client("office").get(reverse("year", args=[2014])).content.decode()
    assert 'id="calendar-warning"' not in page and 'id="default-due"' in page


def test_the_publish_page_shows_the_notice_end_and_warns_for_an_unknown_year(
    district: World, monkeypatch: pytest.MonkeyPatch
) -> None:
    """Approved results published on 2025-09-28 would end on 2025-10-11 (see the service
    test); on 2027-03-01 the five days are guessed Monday to Friday: 03-02 … 03-08."""
    world = district
    make_ready(world)
    office = world.users["office"]
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=world.users["leader"], year=world.year, approve=True, comment="同意")
    today = "kaohe.workdays.templatetags.workdays.timezone.localdate"
    results = reverse("results", args=[2014])
    monkeypatch.setattr(today, lambda: D(2025, 9, 28))
    page = english(world.client("office")).get(results).content.decode()
    assert "ends on 2025-10-11" in page and 'id="calendar-warning"' not in page
    monkeypatch.setattr(today, lambda: D(2027, 3, 1))
    page = english(world.client("office")).get(results).content.decode()
    assert "ends on 2027-03-08" in page and "The holidays of 2027 are not known yet" in page
    leader = world.client("leader").get(results).content.decode()
    assert 'id="notice-preview"' not in leader
