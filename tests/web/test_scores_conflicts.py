"""No lost updates: a save based on an older version gets a conflict page (HTTP 409) that
shows the newer value, who saved it and when, and keeps the user's input."""

from __future__ import annotations

import re

from django.test import Client
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Entry, EscalationCase, Sheet
from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.people.models import User

from .conftest import World


def hidden(page: str, name: str) -> str:
    """The value of a hidden input (the version a form is based on)."""
    match = re.search(rf'<input type="hidden" name="{re.escape(name)}"[^>]*?value="([^"]*)"', page)
    if match is None:
        match = re.search(rf'name="{re.escape(name)}" value="([^"]*)"', page)
    assert match is not None, name
    return match.group(1)


def second_assessor(world: World) -> Client:
    colleague = User.objects.create_user("org-2", department=world.sheet("org").department)
    client = Client()
    client.force_login(colleague)
    return client


def test_two_sessions_saving_one_cell_the_second_gets_a_conflict(world: World) -> None:
    url = reverse("cell", args=[world.sheet("org").pk, "S1", "1"])
    first, second = world.client("assessor_org"), second_assessor(world)
    page_first = first.get(url).content.decode()
    page_second = second.get(url).content.decode()
    assert hidden(page_first, "c0-based_on") == hidden(page_second, "c0-based_on") == "0"
    saved = first.post(
        url,
        {"c0-based_on": "0", "c0-check_no_plan": "1", "c0-reason": "无培训计划"},
    )
    assert saved.status_code == 302
    events = AuditEvent.objects.count()
    stale = second.post(
        url,
        {"c0-based_on": "0", "c0-check_missing_material": "2", "c0-reason": "缺花名册两项"},
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    # the newer value, who saved it and when
    assert 'id="conflict"' in page and "−2" in page and "无培训计划" in page and "org" in page
    entry = Entry.objects.get(superseded_at__isnull=True)
    assert timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M:%S") in page
    # the user's input is kept, now based on the newer entry
    assert 'value="缺花名册两项"' in page and 'name="c0-check_missing_material"' in page
    assert 'value="2"' in page
    assert hidden(page, "c0-based_on") == str(entry.pk)
    # the first value stays; nothing of the second was saved
    assert entry.values == {"checks": {"no_plan": 1}} and entry.created_by.username == "org"
    assert Entry.objects.count() == 1 and AuditEvent.objects.count() == events
    # saving again from the conflict page, knowingly, replaces the newer value
    again = second.post(
        url,
        {
            "c0-based_on": str(entry.pk),
            "c0-check_missing_material": "2",
            "c0-reason": "缺花名册两项",
        },
    )
    assert again.status_code == 302
    now = Entry.objects.get(superseded_at__isnull=True)
    assert now.values == {"checks": {"missing_material": 2}} and now.replaces == entry


def test_a_sheet_decided_meanwhile_is_a_conflict_for_the_second_office_user(
    world: World,
) -> None:
    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    cycle_url = reverse("cycle", args=[2014, 1])
    office_a = world.client("office")
    office_b = Client()
    office_b.force_login(User.objects.create_user("office-2", is_office=True))
    version = hidden(office_a.get(cycle_url).content.decode(), "version")
    assert version == hidden(office_b.get(cycle_url).content.decode(), "version")
    returned = office_a.post(
        reverse("sheet-return", args=[sheet.pk]), {"version": version, "reason": "第2项请复核"}
    )
    assert returned.status_code == 302
    stale = office_b.post(
        reverse("sheet-accept", args=[sheet.pk]), {"version": version, "confirmed": "1"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert 'id="conflict"' in page and "office" in page and "第2项请复核" in page
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.RETURNED and sheet.return_reason == "第2项请复核"
    # a stale return keeps the typed reason in the form to send again
    stale_return = office_b.post(
        reverse("sheet-return", args=[sheet.pk]), {"version": version, "reason": "另一意见"}
    )
    assert stale_return.status_code == 409 and "另一意见" in stale_return.content.decode()
    assert Sheet.objects.get(pk=sheet.pk).return_reason == "第2项请复核"


def test_a_submission_based_on_an_older_sheet_is_a_conflict(world: World) -> None:
    sheet = world.sheet("org")
    client = world.client("assessor_org")
    version = hidden(client.get(reverse("sheet", args=[sheet.pk])).content.decode(), "version")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)  # a colleague
    response = client.post(
        reverse("sheet-submit", args=[sheet.pk]), {"version": version, "confirmed": "1"}
    )
    assert response.status_code == 409
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.DRAFT


def test_two_office_users_saving_one_escalation_the_second_gets_a_conflict(
    world: World,
) -> None:
    case = EscalationCase.objects.create(
        year=world.year, unit=world.units["S3"], action="talk", month=2, months=[1, 2]
    )
    url = reverse("escalations", args=[2014])
    office_a = world.client("office")
    office_b = Client()
    office_b.force_login(User.objects.create_user("office-2", is_office=True))
    version = hidden(office_a.get(url).content.decode(), "version")
    assert version == "0"
    assert (
        office_a.post(
            url, {"case": case.pk, "version": version, "status": "scheduled", "notes": "周五约谈"}
        ).status_code
        == 302
    )
    stale = office_b.post(
        url, {"case": case.pk, "version": version, "status": "done", "notes": "已谈"}
    )
    assert stale.status_code == 409
    page = stale.content.decode()
    assert "周五约谈" in page and "office" in page  # the newer notes and who saved them
    assert 'value="已谈"' in page  # the user's input kept
    case.refresh_from_db()
    assert (case.status, case.notes, case.version) == ("scheduled", "周五约谈", 1)
    assert hidden(page, "version") == "1"
