"""The monthly cycle: scoring, scope, submission, acceptance, locking, revisions, reminders."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core import mail
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Entry, EscalationCase, Notification, Sheet
from kaohe.monthly.selectors import sheet_grid, year_result
from kaohe.monthly.services import (
    CycleError,
    cycle_open,
    entry_save,
    mark_rest_clean,
    send_reminders,
    sheet_accept,
    sheet_return,
    sheet_submit,
)

from .conftest import World


def score(
    world: World,
    unit: str = "S1",
    item: str = "1",
    who: str = "assessor_org",
    department: str = "org",
    **kwargs,
) -> Entry | None:  # type: ignore[no-untyped-def]
    return entry_save(
        acting_user=world.users[who],
        sheet=world.sheet(department),
        unit=world.units[unit],
        item=item,
        **kwargs,
    )


def accept_everything(world: World, cycle_or_sheets) -> None:  # type: ignore[no-untyped-def]
    """Every department scores the rest clean and the office accepts every sheet (of a
    cycle, or the sheets given)."""
    from kaohe.people.models import User

    sheets = getattr(cycle_or_sheets, "sheets", None) or cycle_or_sheets
    for sheet in sheets.select_related("department"):
        user, _ = User.objects.get_or_create(
            username=f"a-{sheet.department.key}", defaults={"department": sheet.department}
        )
        mark_rest_clean(acting_user=user, sheet=sheet)
        sheet_submit(acting_user=user, sheet=sheet)
        sheet_accept(acting_user=world.users["office"], sheet=sheet)


def submit_and_accept(world: World, department: str = "org") -> None:
    who = f"assessor_{department}"
    sheet = world.sheet(department)
    mark_rest_clean(acting_user=world.users[who], sheet=sheet)
    sheet_submit(acting_user=world.users[who], sheet=sheet)
    confirm_large_deductions(world)
    sheet_accept(acting_user=world.users["office"], sheet=sheet)


def confirm_large_deductions(world: World) -> None:
    """The office's second confirmation of every large deduction waiting (tests/second)."""
    from kaohe.monthly.selectors import pending_cell_confirmations
    from kaohe.monthly.services import deduction_confirm

    for confirmation in pending_cell_confirmations(world.users["office"]):
        deduction_confirm(acting_user=world.users["office"], confirmation=confirmation)


def test_opening_a_month_gives_each_department_a_sheet_due_the_tenth(world: World) -> None:
    assert world.cycle.due_date == dt.date(2014, 2, 10)
    assert sorted(world.cycle.sheets.values_list("department__key", flat=True)) == [
        "cadre",
        "office",
        "org",
        "organs_committee",
        "talent",
    ]
    with pytest.raises(CycleError):
        cycle_open(acting_user=world.users["office"], year=world.year, month=1)


def test_a_deduction_needs_a_reason(world: World) -> None:
    with pytest.raises(CycleError, match="reason"):
        score(world, values={"checks": {"no_plan": 1}})
    assert score(world, values={"checks": {"no_plan": 1}}, reason="无培训计划") is not None


def test_inputs_must_fit_the_items_rule(world: World) -> None:
    with pytest.raises(CycleError, match="at most 10"):
        score(world, item="7", values={"checks": {"not_carried_out": 11}}, reason="x")
    # 等 keeps item 1's list of materials open: nine missing kinds are recorded as found
    assert score(world, values={"checks": {"missing_material": 9}}, reason="x") is not None
    with pytest.raises(CycleError, match="not used by a checks item"):
        score(world, values={"count": 2}, reason="x")


def test_an_assessor_scores_only_its_departments_items_and_units(world: World) -> None:
    with pytest.raises(CycleError, match="department"):
        score(world, who="assessor_cadre", values={}, reason="")  # org's sheet
    with pytest.raises(CycleError, match="scope"):
        score(world, item="11", values={}, reason="")  # 11 belongs to 干部科
    world.units["S3"].member_of.add(world.sheet("org").department)
    with pytest.raises(CycleError, match="scope"):
        score(world, unit="S3", values={}, reason="")  # a department never scores its own unit
    assert "S3" not in [u.code for u, _ in sheet_grid(world.sheet("org")).rows]


def test_corrections_never_overwrite_and_figures_can_be_shown_as_of_an_earlier_day(
    world: World,
) -> None:
    first = score(world, values={"checks": {"no_plan": 1}}, reason="无计划")
    assert first is not None
    between = timezone.now()
    second = score(world, values={"checks": {"missing_material": 1}}, reason="缺花名册")
    assert second is not None and second.replaces == first
    first.refresh_from_db()
    assert first.superseded_at is not None and first.values == {"checks": {"no_plan": 1}}
    submit_and_accept(world)
    now = year_result(world.year).units["S1"].months[1].score
    assert now == Decimal("99.5")
    # as of `between` the sheet was not accepted yet, so the month stood at full marks
    assert year_result(world.year, as_of=between).units["S1"].months[1].score == Decimal(100)


def test_submission_needs_every_cell_scored_and_is_flagged_late_after_the_due_date(
    world: World,
) -> None:
    sheet = world.sheet("org")
    with pytest.raises(CycleError, match="not scored"):
        sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    grid = sheet_grid(sheet)
    assert grid.scored == grid.cells > 0 and grid.with_findings == 0
    sheet = sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    assert sheet.status == Sheet.Status.SUBMITTED and sheet.late  # it is 2026, due 2014-02-10


def test_sheet_states_and_who_moves_them(world: World) -> None:
    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    with pytest.raises(CycleError):
        sheet_accept(acting_user=world.users["office"], sheet=sheet)  # still a draft
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    with pytest.raises(CycleError, match="submitted"):
        score(world, item="2", values={}, reason="")  # submitted: waits for the office
    with pytest.raises(CycleError):
        sheet_accept(acting_user=world.users["assessor_org"], sheet=sheet)
    with pytest.raises(CycleError, match="reason"):
        sheet_return(acting_user=world.users["office"], sheet=sheet, reason=" ")
    sheet = sheet_return(acting_user=world.users["office"], sheet=sheet, reason="第2项请复核")
    assert sheet.status == Sheet.Status.RETURNED and sheet.editable
    score(world, item="2", values={"count": 1}, reason="1个村未换届")
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet = sheet_accept(acting_user=world.users["office"], sheet=sheet)
    assert sheet.locked
    with pytest.raises(CycleError, match="locked"):
        score(world, item="2", values={"count": 2}, reason="2个村")
    revision = score(
        world, item="2", values={"count": 2}, reason="2个村", correction_reason="复核发现另一村"
    )
    assert revision is not None and revision.correction_reason == "复核发现另一村"
    actions = list(
        AuditEvent.objects.filter(object_type="monthly.sheet", object_id=str(sheet.pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == [
        "sheet.mark_clean",
        "sheet.submit",
        "sheet.return",
        "sheet.submit",
        "sheet.accept",
    ]
    assert AuditEvent.objects.filter(action="entry.correct", reason="复核发现另一村").exists()


def test_only_accepted_sheets_count_and_the_ranking_shows_the_change(world: World) -> None:
    score(world, unit="S2", item="3", values={"met": False}, reason="后进村未转化")
    client = world.client("office")
    page = client.get(reverse("ranking", args=[2014, 1])).content.decode()
    assert "98.00" not in page
    submit_and_accept(world)
    result = year_result(world.year)
    assert result.units["S2"].months[1].score == Decimal(98)
    assert result.monthly[1]["street"][-1].unit == "S2"
    page = client.get(reverse("ranking", args=[2014, 1])).content.decode()
    assert "98.00" in page


def test_a_cell_form_saves_all_or_nothing(world: World) -> None:
    client = world.client("assessor_org")
    url = reverse("cell", args=[world.sheet("org").pk, "S1", "1"])
    response = client.post(url, {"c0-check_no_plan": "1", "c0-check_missing_material": "abc"})
    assert response.status_code == 200 and "输入整数" in response.content.decode()
    assert not Entry.objects.exists()
    response = client.post(
        url,
        {
            "c0-check_no_plan": "1",
            "c0-check_missing_material": "3",
            "c0-reason": "无计划,缺3项资料",
        },
    )
    assert response.status_code == 302
    entry = Entry.objects.get()
    assert entry.values == {"checks": {"no_plan": 1, "missing_material": 3}}


def test_a_sub_rubric_cell_saves_each_sub_item(world: World) -> None:
    client = world.client("assessor_org")
    url = reverse("cell", args=[world.sheet("org").pk, "D2", "2"])  # affiliated: org's 20 points
    data = {f"c{i}-reason": "" for i in range(7)}
    data |= {"c1-check_no_plan": "1", "c1-reason": "无三会一课计划"}
    assert client.post(url, data).status_code == 302
    assert Entry.objects.filter(unit=world.units["D2"], item="2").count() == 7
    submit_and_accept(world)
    # (100 − 4) ÷ 100 × 20 + 20 = 39.2
    assert year_result(world.year).units["D2"].months[1].score == Decimal("99.2")


def test_escalations_are_listed_for_the_office(world: World) -> None:
    office = world.users["office"]
    for month in (2, 3):
        cycle_open(acting_user=office, year=world.year, month=month)
    from kaohe.monthly.models import Cycle

    for month in (1, 2):
        sheet = Cycle.objects.get(year=world.year, month=month).sheets.get(department__key="org")
        for unit in ("S3", "S4"):
            entry_save(
                acting_user=world.users["assessor_org"],
                sheet=sheet,
                unit=world.units[unit],
                item="8",
                values={"deduction": "2"},
                reason="工作不扎实",
            )
        accept_everything(world, sheet.cycle)
    cases = EscalationCase.objects.filter(year=world.year, action="talk")
    assert sorted(cases.values_list("unit__code", flat=True)) == ["S3", "S4"]
    case = cases.first()
    assert case is not None and case.months == [1, 2]
    response = world.client("office").post(
        reverse("escalations", args=[2014]), {"case": case.pk, "status": "done", "notes": "已约谈"}
    )
    assert response.status_code == 302
    case.refresh_from_db()
    assert (case.status, case.notes) == ("done", "已约谈")
    assert (
        world.client("leader")
        .post(reverse("escalations", args=[2014]), {"case": case.pk, "status": "pending"})
        .status_code
        == 403
    )


def test_reminders_go_before_the_due_date_once_a_day(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    world.sheet("org").department.__class__.objects.filter(key="org").update(
        email="org@example.org"
    )
    today = world.cycle.due_date - dt.timedelta(days=2)
    assert send_reminders(today=today) == 5
    assert send_reminders(today=today) == 0
    assert Notification.objects.count() == 5
    assert any("org@example.org" in m.to for m in mail.outbox)
    assert send_reminders(today=world.cycle.due_date + dt.timedelta(days=1)) == 0
    page = world.client("assessor_org").get(reverse("home")).content.decode()
    assert "2014-02-10" in page


def test_pages_show_figures_as_they_stood_on_an_earlier_day(world: World) -> None:
    score(world, unit="S2", item="3", values={"met": False}, reason="后进村未转化")
    submit_and_accept(world)
    client = world.client("office")
    now = client.get(reverse("ranking", args=[2014, 1])).content.decode()
    before = client.get(reverse("ranking", args=[2014, 1]) + "?as_of=2014-01-31").content.decode()
    assert "98.00" in now and "98.00" not in before
    assert "2014-01-31" in before
    # the banner counts the sheets still open on that day: all five then, four now

    response_now = client.get(reverse("ranking", args=[2014, 1]))
    response_before = client.get(reverse("ranking", args=[2014, 1]) + "?as_of=2014-01-31")
    assert (response_now.context["pending"], response_before.context["pending"]) == (4, 5)
    unit = world.client("office").get(reverse("unit", args=[2014, "S2"]) + "?as_of=2014-01-31")
    assert "100.00" in unit.content.decode()


def test_targets_show_the_sum_against_the_district_target(world: World) -> None:
    client = world.client("office")
    data = {f"t-{world.units[c].pk}-6": "20" for c in ("S1", "S2", "S3", "S4")}
    assert client.post(reverse("targets", args=[2014]), data).status_code == 302
    page = client.get(reverse("targets", args=[2014])).content.decode()
    assert "80 / 全区目标88" in page
    assert AuditEvent.objects.filter(action="target.set").count() == 4
    bad = client.post(
        reverse("targets", args=[2014]),
        {f"t-{world.units['S1'].pk}-6": "abc", f"t-{world.units['S2'].pk}-6": "7"},
    )
    assert bad.status_code == 200 and "输入整数" in bad.content.decode()
    from kaohe.years.models import Target

    assert Target.objects.get(unit=world.units["S2"], item="6").target == 20  # nothing saved


def test_the_month_ends_when_its_last_sheet_is_accepted(world: World) -> None:
    from kaohe.monthly.models import Cycle

    submit_and_accept(world, "org")
    world.cycle.refresh_from_db()
    assert world.cycle.status == Cycle.Status.OPEN  # four departments' sheets still to accept
    accept_everything(world, world.cycle.sheets.exclude(status="accepted"))
    world.cycle.refresh_from_db()
    assert world.cycle.status == Cycle.Status.CLOSED


def test_a_units_page_marks_a_month_with_open_sheets_provisional(world: World) -> None:
    from django.urls import reverse

    url = reverse("unit", args=[2014, "S1"])
    page = world.client("unit_a").get(url).content.decode()
    assert 'id="provisional"' in page and 'class="badge text-bg-warning provisional"' in page
    accept_everything(world, world.cycle)
    page = world.client("unit_a").get(url).content.decode()
    assert 'id="provisional"' not in page and 'provisional"' not in page
