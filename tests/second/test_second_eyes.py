"""Second eyes (issue 9 point 6): a large deduction waits for a second person's
confirmation before it counts; the month cannot be accepted with one waiting."""

from __future__ import annotations

import hashlib
from decimal import Decimal

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent as Event
from kaohe.monthly.models import Confirmation, Entry, Sheet
from kaohe.monthly.selectors import pending_cell_confirmations
from kaohe.monthly.services import (
    CellInput,
    CycleError,
    Source,
    deduction_confirm,
    deduction_refuse,
    entry_save,
    mark_rest_clean,
    scores_save,
    sheet_accept,
    sheet_return,
    sheet_submit,
)
from kaohe.yearend.selectors import pending_confirmations, readiness
from kaohe.yearend.services import readiness_problems
from tests.web.conftest import World


def deduct(world: World, item: str, points: str, unit: str = "S1", who: str = "assessor_org"):
    """A discretionary deduction on the org sheet (items 8 and 9: 4 points; 10: 7 points)."""
    return entry_save(
        acting_user=world.users[who],
        sheet=world.sheet("org"),
        unit=world.units[unit],
        item=item,
        values={"deduction": points},
        reason="工作落实不到位",
    )


def waits(entry: Entry) -> bool:
    return Confirmation.objects.filter(entry=entry, status=Confirmation.Status.PENDING).exists()


def month_score(world: World, unit: str = "S1") -> Decimal:
    from kaohe.monthly.selectors import year_result

    return year_result(world.year).units[unit].months[1].score


# ---- threshold edges: the engine's own item score, ≥ 5 points or the whole weight ----------


def test_a_deduction_of_4_99_on_a_7_point_item_counts_at_once(world: World) -> None:
    assert not waits(deduct(world, "10", "4.99"))  # 7 − 4.99 = 2.01 left: below 5, not whole


def test_a_deduction_of_5_points_waits_for_a_second_person(world: World) -> None:
    entry = deduct(world, "10", "5")
    assert waits(entry)
    assert entry.confirmation.points == Decimal(5) and not entry.confirmation.whole


def test_the_whole_weight_of_a_4_point_item_waits_though_below_5(world: World) -> None:
    entry = deduct(world, "8", "4")
    assert waits(entry) and entry.confirmation.whole and entry.confirmation.weight == 4


def test_3_99_of_a_4_point_item_counts_at_once(world: World) -> None:
    assert not waits(deduct(world, "8", "3.99"))


def test_checks_adding_up_to_the_weight_wait_as_the_whole_weight(world: World) -> None:
    # item 1 (4 points): no plan −2, each missing material −0.5: 2 + 4 × 0.5 = 4, all of it
    entry = entry_save(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        unit=world.units["S1"],
        item="1",
        values={"checks": {"no_plan": 1, "missing_material": 4}},
        reason="无培训计划,缺资料",
    )
    assert waits(entry) and entry.confirmation.points == 4 and entry.confirmation.whole


def test_a_jointly_scored_item_waits_when_the_department_takes_its_whole_share(
    world: World,
) -> None:
    # item 22 (5 points) is shared org 2 + cadre 1 + talent 1 + office 1; org's 2 lost whole
    entry = entry_save(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        unit=world.units["S1"],
        item="22",
        values={"count": 2},
        reason="两项交办任务未完成",
    )
    assert waits(entry) and entry.confirmation.weight == 2 and entry.confirmation.points == 2


def test_a_sub_rubric_deduction_is_weighed_by_its_scaled_points(world: World) -> None:
    # affiliated D2, item 2: org's 20-point share of the 100-point organs sub-rubric; sub-item 7
    # (20 points, discretionary): 15 off → 15 × 20 / 100 = 3 points, not whole → counts; 20
    # off → the whole sub-item (4 points of the unit's score) → waits
    sheet = world.sheet("org")
    user, unit = world.users["assessor_org"], world.units["D2"]
    partial = entry_save(
        acting_user=user, sheet=sheet, unit=unit, item="2", sub_item="7",
        values={"deduction": "15"}, reason="理论学习不足",
    )  # fmt: skip
    assert not waits(partial)
    whole = entry_save(
        acting_user=user, sheet=sheet, unit=unit, item="2", sub_item="7",
        values={"deduction": "20"}, reason="理论学习未开展",
    )  # fmt: skip
    assert waits(whole) and whole.confirmation.points == 4 and whole.confirmation.whole


def test_the_threshold_is_a_scheme_setting(world: World) -> None:
    text = world.year.scheme_text + "\nsecond_eyes: {min_points: 3, whole_weight: false}\n"
    digest = hashlib.sha256(text.encode()).hexdigest()
    type(world.year).objects.filter(pk=world.year.pk).update(scheme_text=text, scheme_sha256=digest)
    world.year.refresh_from_db()
    assert world.year.scheme.second_eyes.min_points == 3
    assert not waits(deduct(world, "8", "2.99"))
    assert waits(deduct(world, "9", "3"))


# ---- the flow: waits, confirmed, counts; refused, corrected; changed, waits again ----------


def submit_org(world: World) -> Sheet:
    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    return sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)


def test_a_large_deduction_waits_for_its_second_confirmation(world: World) -> None:
    entry = deduct(world, "10", "6")
    sheet = submit_org(world)
    with pytest.raises(CycleError, match="not confirmed yet") as refused:
        sheet_accept(acting_user=world.users["office"], sheet=sheet)
    assert "第1街道党工委" in str(refused.value)
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED
    with pytest.raises(CycleError, match="second person"):
        deduction_confirm(acting_user=world.users["assessor_org"], confirmation=entry.confirmation)
    deduction_confirm(acting_user=world.users["head_org"], confirmation=entry.confirmation)
    event = Event.objects.filter(action="deduction.confirm").get()
    assert event.actor_id == world.users["head_org"].pk
    sheet_accept(acting_user=world.users["office"], sheet=sheet)
    assert month_score(world) == 94  # 100 − 6, confirmed


def test_the_office_refuses_with_a_reason_and_the_department_corrects(world: World) -> None:
    entry = deduct(world, "10", "6")
    office = world.users["office"]
    with pytest.raises(CycleError, match="reason"):
        deduction_refuse(acting_user=office, confirmation=entry.confirmation, reason=" ")
    deduction_refuse(acting_user=office, confirmation=entry.confirmation, reason="依据不足")
    event = Event.objects.filter(action="deduction.refuse").get()
    assert event.reason == "依据不足"
    sheet = submit_org(world)
    with pytest.raises(CycleError, match="not confirmed yet"):
        sheet_accept(acting_user=office, sheet=sheet)  # refused and not corrected
    sheet_return(acting_user=office, sheet=sheet, reason="请更正被退回的扣分")
    corrected = deduct(world, "10", "2")
    assert not waits(corrected)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=world.sheet("org"))
    sheet_accept(acting_user=office, sheet=world.sheet("org"))
    assert month_score(world) == 98


def test_a_changed_cell_needs_confirmation_again(world: World) -> None:
    first = deduct(world, "10", "6")
    deduction_confirm(acting_user=world.users["office"], confirmation=first.confirmation)
    changed = deduct(world, "10", "7")
    assert waits(changed)  # confirmed 6 does not carry over to 7
    again = deduct(world, "10", "5")
    assert waits(again)
    with pytest.raises(CycleError, match="changed since"):
        # a confirmation of an entry replaced since confirms nothing that counts
        deduction_confirm(acting_user=world.users["office2"], confirmation=changed.confirmation)
    assert [c.entry_id for c in pending_cell_confirmations(world.users["office"])] == [again.pk]


def test_a_correction_of_an_accepted_sheet_counts_only_once_confirmed(world: World) -> None:
    office = world.users["office"]
    small = deduct(world, "10", "2")
    sheet = submit_org(world)
    sheet_accept(acting_user=office, sheet=sheet)
    assert month_score(world) == 98
    correction = entry_save(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        unit=world.units["S1"],
        item="10",
        values={"deduction": "7"},
        reason="复核发现未开展",
        correction_reason="复核更正",
    )
    assert correction.replaces_id == small.pk and waits(correction)
    assert month_score(world) == 98  # the entry it replaced still counts
    assert readiness(world.year).pending_cells == 1  # the year's results wait for it too
    assert any("large deductions" in p for p in readiness_problems(readiness(world.year)))
    deduction_confirm(acting_user=office, confirmation=correction.confirmation)
    assert month_score(world) == 93
    assert readiness(world.year).pending_cells == 0


def test_an_upload_saves_through_the_same_rule(world: World) -> None:
    sheet = world.sheet("org")
    cells = [
        CellInput(world.units["S1"], "10", "", {"deduction": "5"}, "未开展"),
        CellInput(world.units["S2"], "10", "", {"deduction": "1"}, "部分未开展"),
    ]
    saved = scores_save(world.users["assessor_org"], sheet, cells, source=Source.UPLOAD)
    assert [waits(e) for e in saved] == [True, False]
    after = Event.objects.filter(action="sheet.upload").get().after
    assert after["awaiting_confirmation"] == [saved[0].pk]


# ---- the role matrix: who may confirm, who is refused --------------------------------------


CONFIRMERS = {"office", "office2", "head_org"}
REFUSED = {"assessor_org", "assessor_cadre", "leader", "unit_a", "unit_b"}


@pytest.mark.parametrize("who", sorted(CONFIRMERS | REFUSED))
def test_who_may_confirm_a_deduction(world: World, who: str) -> None:
    entry = deduct(world, "10", "6")
    url = reverse("deduction-confirm", args=[entry.confirmation.pk])
    response = world.client(who).post(url)
    confirmed = Confirmation.objects.get(pk=entry.confirmation.pk).status == "confirmed"
    assert confirmed == (who in CONFIRMERS), who
    if who in CONFIRMERS:
        assert response.status_code == 302
    elif who == "assessor_org":
        # the one who entered it may not, whatever else they are
        assert response.status_code in (302, 403)
    else:
        assert response.status_code == 403, who


@pytest.mark.parametrize("who", sorted(CONFIRMERS | REFUSED))
def test_who_may_refuse_a_deduction(world: World, who: str) -> None:
    entry = deduct(world, "10", "6")
    url = reverse("deduction-refuse", args=[entry.confirmation.pk])
    response = world.client(who).post(url, {"reason": "依据不足"})
    refused = Confirmation.objects.get(pk=entry.confirmation.pk).status == "refused"
    assert refused == (who in CONFIRMERS), who
    if who not in CONFIRMERS:
        assert (
            response.status_code in (302, 403)
            and Event.objects.filter(action="deduction.refuse").count() == 0
        )


def test_the_head_who_entered_a_deduction_may_not_confirm_it(world: World) -> None:
    head = world.users["head_org"]
    entry = deduct(world, "10", "6", who="head_org")
    response = world.client("head_org").post(
        reverse("deduction-confirm", args=[entry.confirmation.pk]), follow=True
    )
    assert "须由另一人复核确认" in response.content.decode()  # pages speak Chinese by default
    assert waits(entry)
    with pytest.raises(CycleError, match=r"另一人|second person"):
        deduction_confirm(acting_user=head, confirmation=entry.confirmation)
    deduction_confirm(acting_user=world.users["office"], confirmation=entry.confirmation)
    assert not waits(entry)


def test_an_office_user_who_entered_nothing_confirms_and_a_confirmed_one_is_not_again(
    world: World,
) -> None:
    entry = deduct(world, "10", "6")
    deduction_confirm(acting_user=world.users["office"], confirmation=entry.confirmation)
    with pytest.raises(CycleError, match="already"):
        deduction_refuse(
            acting_user=world.users["office2"], confirmation=entry.confirmation, reason="晚了"
        )


def test_the_head_of_another_department_may_not_confirm(world: World) -> None:
    from kaohe.monthly.models import DepartmentHead

    cadre = world.users["assessor_cadre"]
    DepartmentHead.objects.create(department=cadre.department, user=cadre)
    entry = deduct(world, "10", "6")
    assert (
        world.client("assessor_cadre")
        .post(reverse("deduction-confirm", args=[entry.confirmation.pk]))
        .status_code
        == 403
    )
    with pytest.raises(CycleError, match=r"考核部门负责人|department's head"):
        deduction_confirm(acting_user=cadre, confirmation=entry.confirmation)
    assert waits(entry)


# ---- the queue, the grid and the coverage matrix -------------------------------------------


def test_pending_confirmations_are_listed_for_whom_may_see_them(world: World) -> None:
    entry = deduct(world, "10", "6")
    users = world.users
    assert [c.pk for c in pending_cell_confirmations(users["office"])] == [entry.confirmation.pk]
    assert len(pending_confirmations(users["head_org"])) == 1
    assert len(pending_confirmations(users["assessor_cadre"])) == 0
    assert len(pending_confirmations(users["unit_a"])) == 0
    page = world.client("head_org").get(reverse("confirmations")).content.decode()
    assert (
        "工作落实不到位" in page
        and reverse("deduction-confirm", args=[entry.confirmation.pk]) in page
    )
    own = world.client("assessor_org").get(reverse("confirmations")).content.decode()
    assert "工作落实不到位" in own and "deduction-confirm" not in own
    assert reverse("deduction-confirm", args=[entry.confirmation.pk]) not in own
    for who, status in [("unit_a", 403), ("anonymous", 302), ("leader", 200)]:
        assert world.client(who).get(reverse("confirmations")).status_code == status, who


def test_the_home_page_links_the_queue(world: World) -> None:
    for who in ("office", "head_org", "assessor_org"):
        page = world.client(who).get(reverse("home")).content.decode()
        assert reverse("confirmations") in page, who
    assert (
        reverse("confirmations") not in world.client("unit_a").get(reverse("home")).content.decode()
    )


def test_the_grid_and_the_coverage_matrix_mark_a_waiting_cell(world: World) -> None:
    deduct(world, "10", "6")
    grid = world.client("assessor_org").get(reverse("sheet", args=[world.sheet("org").pk]))
    assert grid.content.decode().count("badge text-bg-warning cell-waiting") == 1
    month = world.client("office").get(reverse("cycle", args=[2014, 1])).content.decode()
    assert month.count("cell-waiting") == 1
    cell = world.client("assessor_org").get(
        reverse("cell", args=[world.sheet("org").pk, "S1", "10"])
    )
    assert "须经第二人复核确认后方计入" in cell.content.decode()


def test_the_queue_page_runs_a_fixed_number_of_queries(world: World) -> None:
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    def count(who: str) -> int:
        client = world.client(who)
        client.get(reverse("confirmations"))
        with CaptureQueriesContext(connection) as captured:
            assert client.get(reverse("confirmations")).status_code == 200
        return len(captured)

    from kaohe.yearend.services import fault_record

    def veto(unit: str) -> None:
        fault_record(
            acting_user=world.users["office"],
            year=world.year,
            unit=world.units[unit],
            fault_type="cadre_selection",
            occurrences=1,
            description="违规用人",
        )

    deduct(world, "10", "6", unit="S1")
    veto("S1")
    one = {who: count(who) for who in ("office", "office2", "head_org", "assessor_org")}
    for unit in ("S2", "S3", "S4"):
        deduct(world, "10", "6", unit=unit)
        veto(unit)
    deduct(world, "9", "4", unit="S1")
    many = {who: count(who) for who in ("office", "office2", "head_org", "assessor_org")}
    assert len(pending_confirmations(world.users["office"])) == 9
    assert one == many
    assert max(many.values()) <= 12


def test_the_office_names_a_head_in_the_admin_audited_and_only_of_the_department(
    world: World,
) -> None:
    from kaohe.monthly.models import DepartmentHead

    office = world.users["office"]
    office.is_staff = office.is_superuser = True
    office.save()
    client = world.client("office")
    url = reverse("admin:monthly_departmenthead_add")
    cadre = world.users["assessor_cadre"]
    wrong = {"department": world.users["assessor_org"].department_id, "user": cadre.pk}
    response = client.post(url, wrong | {"active": "on"})
    assert response.status_code == 200 and not DepartmentHead.objects.filter(user=cadre).exists()
    right = {"department": cadre.department_id, "user": cadre.pk, "active": "on"}
    assert client.post(url, right).status_code == 302
    assert DepartmentHead.objects.filter(user=cadre, active=True).exists()
    assert Event.objects.filter(action="department.head", actor=office).exists()


def test_the_office_is_told_in_chinese_why_the_sheet_cannot_be_accepted(world: World) -> None:
    deduct(world, "10", "6")
    sheet = submit_org(world)
    client = world.client("office")
    response = client.post(
        reverse("sheet-accept", args=[sheet.pk]),
        {"version": sheet.version, "confirmed": "1"},
        follow=True,
    )
    page = response.content.decode()
    assert response.status_code == 200
    assert "本表尚有1项较大扣分未经复核确认(第1街道党工委 第10项)" in page
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED
