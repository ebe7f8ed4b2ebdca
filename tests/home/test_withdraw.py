"""An assessor takes the department's submitted sheet back until the office decides (撤回)."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Sheet
from kaohe.monthly.services import (
    CycleError,
    mark_rest_clean,
    sheet_accept,
    sheet_return,
    sheet_submit,
    sheet_withdraw,
)

from .conftest import World


def submitted(world: World, department: str = "org") -> Sheet:
    sheet = world.sheet(department)
    who = world.users[f"assessor_{department}"]
    mark_rest_clean(acting_user=who, sheet=sheet)
    return sheet_submit(acting_user=who, sheet=sheet)


def post_withdraw(world: World, who: str, sheet: Sheet, version: int | None = None):  # type: ignore[no-untyped-def]
    version = sheet.version if version is None else version
    return world.client(who).post(reverse("sheet-withdraw", args=[sheet.pk]), {"version": version})


def test_a_colleague_withdraws_the_departments_submitted_sheet_and_it_is_audited(
    world: World,
) -> None:
    sheet = submitted(world)
    response = post_withdraw(world, "colleague_org", sheet)
    assert response.status_code == 302
    assert response["Location"] == reverse("sheet", args=[sheet.pk])
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.DRAFT and sheet.submitted_at is None
    event = AuditEvent.objects.filter(action="sheet.withdraw").get()
    assert event.before == {"status": "submitted"}
    assert event.after == {"status": "draft", "late": False}
    assert event.actor == world.users["colleague_org"]
    # a draft again: the department scores and submits it anew
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)


def test_a_late_flag_goes_with_the_withdrawn_submission(world: World) -> None:
    sheet = submitted(world)
    Sheet.objects.filter(pk=sheet.pk).update(late=True)
    sheet.refresh_from_db()
    sheet = sheet_withdraw(acting_user=world.users["assessor_org"], sheet=sheet)
    assert sheet.late is False


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("assessor_cadre", 403),
        ("office", 403),
        ("leader", 403),
        ("unit_a", 403),
        ("anonymous", 302),
    ],
)
def test_no_one_outside_the_department_may_withdraw_its_sheet(
    world: World, who: str, status: int
) -> None:
    sheet = submitted(world)
    response = post_withdraw(world, who, sheet)
    assert response.status_code == status
    if status == 302:
        assert reverse("login") in response["Location"]
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.SUBMITTED
    assert not AuditEvent.objects.filter(action="sheet.withdraw").exists()


def test_the_service_refuses_another_department(world: World) -> None:
    sheet = submitted(world)
    with pytest.raises(CycleError, match="department"):
        sheet_withdraw(acting_user=world.users["assessor_cadre"], sheet=sheet)
    with pytest.raises(CycleError, match="department"):
        sheet_withdraw(acting_user=world.users["office"], sheet=sheet)


@pytest.mark.parametrize("decision", ["accept", "return", "draft"])
def test_only_a_submitted_sheet_not_yet_decided_can_be_withdrawn(
    world: World, decision: str
) -> None:
    if decision == "draft":
        sheet = world.sheet("org")
    else:
        sheet = submitted(world)
        office = world.users["office"]
        if decision == "accept":
            sheet = sheet_accept(acting_user=office, sheet=sheet)
        else:
            sheet = sheet_return(acting_user=office, sheet=sheet, reason="请补充第3项依据")
    before = sheet.status
    client = world.client("assessor_org")
    response = client.post(
        reverse("sheet-withdraw", args=[sheet.pk]), {"version": sheet.version}, follow=True
    )
    page = response.content.decode()
    assert "只有已报送、尚未被确认或退回的评分表可以撤回。" in page
    sheet.refresh_from_db()
    assert sheet.status == before
    assert not AuditEvent.objects.filter(action="sheet.withdraw").exists()


def test_a_withdrawal_based_on_an_older_version_is_a_conflict(world: World) -> None:
    sheet = submitted(world)
    response = post_withdraw(world, "assessor_org", sheet, version=sheet.version - 1)
    assert response.status_code == 409
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.SUBMITTED


def test_a_get_changes_nothing(world: World) -> None:
    sheet = submitted(world)
    response = world.client("assessor_org").get(reverse("sheet-withdraw", args=[sheet.pk]))
    assert response.status_code == 302
    sheet.refresh_from_db()
    assert sheet.status == Sheet.Status.SUBMITTED


def test_the_home_page_offers_the_withdrawal_until_the_office_accepts(world: World) -> None:
    sheet = submitted(world)
    action = reverse("sheet-withdraw", args=[sheet.pk])
    assert action in world.client("colleague_org").get(reverse("home")).content.decode()
    assert action not in world.client("assessor_cadre").get(reverse("home")).content.decode()
    sheet_accept(acting_user=world.users["office"], sheet=sheet)
    assert action not in world.client("assessor_org").get(reverse("home")).content.decode()
