"""Hostile values on the monthly pages: each gets a Chinese message next to its field (or is
ignored with a message, for query parameters), writes nothing and never answers 500."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Entry, EscalationCase, Sheet
from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.years.models import Target

from .conftest import World

HAN = "\u4e00-\u9fff"


def chinese_error(page: str) -> str:
    """The first field message on a page (Bootstrap's invalid-feedback)."""
    start = page.index('class="invalid-feedback d-block">') + len(
        'class="invalid-feedback d-block">'
    )
    return page[start : page.index("<", start)]


def has_han(text: str) -> bool:
    return any("\u4e00" <= ch <= "\u9fff" for ch in text)


# item 8 of a street is discretionary (0–4 points), item 2 counts, items 1 and 7 have checks
HOSTILE_CELLS = [
    ("8", "c0-deduction", "1e-400"),
    ("8", "c0-deduction", "9" * 100_000),
    ("8", "c0-deduction", "-1"),
    ("8", "c0-deduction", "NaN"),
    ("8", "c0-deduction", "Infinity"),
    ("8", "c0-deduction", "5"),
    ("8", "c0-deduction", "0.00001"),
    ("2", "c0-count", "1000001"),
    ("2", "c0-count", "-3"),
    ("2", "c0-count", "1e3"),
    ("2", "c0-count", "9" * 5000),
    ("1", "c0-check_missing_material", "1000001"),
    ("7", "c0-check_not_carried_out", "11"),  # 十件实事: at most ten
    ("8", "c0-reason", "扣分\x00原因"),
    ("8", "c0-reason", "\u202e因原分扣"),
    ("8", "c0-reason", "长" * 4001),
    ("8", "c0-evidence", "第一行\n第二行"),
    ("8", "c0-evidence", "证" * 201),
]


@pytest.mark.parametrize(("item", "field", "value"), HOSTILE_CELLS)
def test_a_hostile_cell_value_gets_a_chinese_message_and_writes_nothing(
    world: World, item: str, field: str, value: str
) -> None:
    url = reverse("cell", args=[world.sheet("org").pk, "S1", item])
    data = {"c0-reason": "原因", field: value}
    events = AuditEvent.objects.count()
    response = world.client("assessor_org").post(url, data)
    assert response.status_code == 200
    page = response.content.decode()
    assert has_han(chinese_error(page)), chinese_error(page)
    assert "未保存任何内容" in page
    assert not Entry.objects.exists() and AuditEvent.objects.count() == events
    if len(value) < 100 and "\x00" not in value:
        assert value in page  # input kept


def test_a_finding_without_a_reason_is_a_field_message(world: World) -> None:
    url = reverse("cell", args=[world.sheet("org").pk, "S1", "8"])
    response = world.client("assessor_org").post(url, {"c0-deduction": "1"})
    assert response.status_code == 200
    assert chinese_error(response.content.decode()) == "每一项扣分或加分都须写明原因。"
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    "query",
    [
        "month=abc",
        "month=13",
        "month=" + "9" * 5000,
        "as_of=garbage",
        "as_of=99999-01-01",
        "as_of=0001-01-01",
        "as_of=9999-12-31",
        "as_of=2014-02-30",
        "as_of=%00",
    ],
)
def test_bad_query_parameters_are_ignored_with_a_message(world: World, query: str) -> None:
    client = world.client("office")
    for name, args in (("unit", [2014, "S1"]), ("ranking", [2014, 1])):
        response = client.get(f"{reverse(name, args=args)}?{query}")
        assert response.status_code == 200, (name, query)
        page = response.content.decode()
        assert "已忽略" in page, (name, query)


def test_a_sheet_action_with_a_bad_version_or_reason_is_refused_with_a_message(
    world: World,
) -> None:
    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    office = world.client("office")
    for data in (
        {"version": "abc", "reason": "x"},
        {"version": "-1", "reason": "x"},
        {"version": "9" * 50, "reason": "x"},
        {"reason": "长" * 4001},
        {"reason": "退回\x00"},
        {"reason": ""},
    ):
        response = office.post(reverse("sheet-return", args=[sheet.pk]), data, follow=True)
        assert response.status_code == 200
        assert (
            "alert-danger" in response.content.decode()
            or "alert-error" in response.content.decode()
        )
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED


def test_hostile_escalation_posts_get_messages_or_404(world: World) -> None:
    case = EscalationCase.objects.create(
        year=world.year, unit=world.units["S3"], action="talk", month=2, months=[1, 2]
    )
    url = reverse("escalations", args=[2014])
    office = world.client("office")
    assert office.post(url, {"case": "abc", "status": "done"}).status_code == 404
    assert office.post(url, {"case": "9" * 40, "status": "done"}).status_code == 404
    for data in (
        {"status": "bogus"},
        {"status": "done", "notes": "约谈\x00"},
        {"status": "done", "notes": "长" * 4001},
        {"status": "done", "version": "x"},
    ):
        response = office.post(url, {"case": case.pk, **data})
        assert response.status_code == 200
        assert has_han(chinese_error(response.content.decode()))
    case.refresh_from_db()
    assert (case.status, case.notes, case.version) == ("pending", "", 0)


def test_hostile_targets_and_months_get_messages(world: World) -> None:
    office = world.client("office")
    pk = world.units["S1"].pk
    for value in ("abc", "-1", "1e3", "9" * 5000, "10000001"):
        response = office.post(reverse("targets", args=[2014]), {f"t-{pk}-6": value})
        assert response.status_code == 200
        assert has_han(chinese_error(response.content.decode()))
    assert not Target.objects.exists()
    for data in ({"month": "abc"}, {"month": "13"}, {"month": "2", "due_date": "99999-01-01"}):
        response = office.post(reverse("year", args=[2014]), data)
        assert response.status_code == 200
    assert world.year.cycles.count() == 1


def test_unknown_or_hostile_cell_addresses_are_404(world: World) -> None:
    client = world.client("assessor_org")
    sheet = world.sheet("org").pk
    for code, item in (("NOPE", "1"), ("S1", "999"), ("S1\x00", "1"), ("S1", "x" * 300)):
        assert client.get(reverse("cell", args=[sheet, code, item])).status_code == 404
    upload = client.post(reverse("sheet-xlsx", args=[sheet]), {}, follow=True)
    assert upload.status_code == 200 and "alert" in upload.content.decode()
