"""Every role's home page lists what it has to do next, counted and linked (issue 10 point 1),
and sees nothing of another unit's or department's."""

from __future__ import annotations

import datetime as dt
import re

from django.urls import reverse

from kaohe.monthly.models import Sheet
from kaohe.monthly.services import mark_rest_clean, sheet_accept, sheet_return, sheet_submit
from kaohe.web.todo import todo_for
from kaohe.yearend.models import Closing, Declaration, Objection
from kaohe.yearend.services import closing_compute, closing_submit, window_set
from tests.web.closing_helpers import make_ready, publish

from .conftest import World


def home(world: World, who: str) -> str:
    response = world.client(who).get(reverse("home"))
    assert response.status_code == 200
    return response.content.decode()


def task(page: str, key: str) -> str:
    """The HTML of one to-do item of a home page."""
    match = re.search(
        rf'<li class="list-group-item todo-task" id="todo-{key}">(.*?)\n</li>', page, re.S
    )
    assert match, key
    return match.group(1)


def count(page: str, key: str) -> int:
    match = re.search(r'todo-count[^"]*">(\d+)</span>', task(page, key))
    assert match, key
    return int(match.group(1))


def submit(world: World, department: str = "org") -> Sheet:
    sheet = world.sheet(department)
    who = world.users[f"assessor_{department}"]
    mark_rest_clean(acting_user=who, sheet=sheet)
    return sheet_submit(acting_user=who, sheet=sheet)


def declare(world: World, unit: str, kind: str = "achievement", **fields: object) -> Declaration:
    values = {
        "achievement": {"award": "innovation", "level": "major", "content": f"{unit}创新项目"},
        "fault": {"fault_type": "meeting_absent", "occurrences": 1},
    }[kind]
    return Declaration.objects.create(
        year=world.year,
        unit=world.units[unit],
        kind=kind,
        description=f"{unit}的申报",
        created_by=world.users["office"],
        **{**values, **fields},
    )


def test_the_office_sees_sheets_to_accept_declarations_faults_and_readiness(
    world: World,
) -> None:
    sheet = submit(world)
    declare(world, "S1")
    declare(world, "S2", "fault")
    declare(world, "S3", "fault")
    page = home(world, "office")
    assert count(page, "sheets-to-accept") == 1
    cycle = reverse("cycle", args=[2014, 1])
    assert cycle in task(page, "sheets-to-accept") and "组织科" in task(page, "sheets-to-accept")
    assert count(page, "declarations-to-verify") == 1
    assert count(page, "faults-to-review") == 2
    assert reverse("declarations", args=[2014]) in task(page, "faults-to-review")
    assert count(page, "confirmations") == 0
    assert 'id="readiness"' in page
    assert "2月尚未开启考核。" in page and reverse("evaluation", args=[2014]) in page
    sheet_accept(acting_user=world.users["office"], sheet=sheet)
    assert count(home(world, "office"), "sheets-to-accept") == 0


def test_late_departments_are_those_past_the_due_date_without_a_submission(
    world: World,
) -> None:
    submit(world)  # 组织科 is in; the four other departments are not
    due = world.cycle.due_date
    office = world.users["office"]
    assert todo_for(office, world.year, today=due).office[1].count == 0
    late = todo_for(office, world.year, today=due + dt.timedelta(days=1)).office[1]
    assert late.key == "late-departments" and late.count == 4
    assert {line.text.split(" · ")[0] for line in late.lines} == {
        "干部科",
        "区直机关党工委",
        "人才科",
        "办公室",
    }


def test_the_office_sees_objections_to_answer_during_the_notice(world: World) -> None:
    make_ready(world)
    publish(world, today=dt.date(2015, 1, 20))
    Objection.objects.create(
        year=world.year, unit=world.units["S1"], text="第6项有误", created_by=world.users["unit_a"]
    )
    page = home(world, "office")
    assert count(page, "objections") == 1
    assert reverse("results", args=[2014]) in task(page, "objections")
    Objection.objects.update(answer="经复核无误")
    assert count(home(world, "office"), "objections") == 0


def test_the_leader_sees_results_awaiting_review_with_the_readiness_panel(
    world: World,
) -> None:
    page = home(world, "leader")
    assert count(page, "results-to-review") == 0
    assert 'id="readiness"' in page and "12月尚未开启考核。" in page
    make_ready(world)
    closing_compute(acting_user=world.users["office"], year=world.year)
    closing_submit(acting_user=world.users["office"], year=world.year)
    page = home(world, "leader")
    assert count(page, "results-to-review") == 1
    assert reverse("results", args=[2014]) in task(page, "results-to-review")
    assert "各项均已齐备,可以汇总年度成绩。" in page


def test_an_assessor_sees_open_sheets_with_due_dates_and_returned_ones_with_the_reason(
    world: World,
) -> None:
    page = home(world, "assessor_org")
    assert count(page, "open-sheets") == 1
    assert world.cycle.due_date.isoformat() in task(page, "open-sheets")
    assert reverse("sheet", args=[world.sheet("org").pk]) in task(page, "open-sheets")
    sheet = submit(world)
    page = home(world, "assessor_org")
    assert count(page, "open-sheets") == 0 and count(page, "submitted-sheets") == 1
    sheet_return(acting_user=world.users["office"], sheet=sheet, reason="第3项缺少依据")
    page = home(world, "assessor_org")
    assert count(page, "open-sheets") == 1 and "第3项缺少依据" in task(page, "open-sheets")
    # another department sees its own sheet only
    other = home(world, "assessor_cadre")
    assert reverse("sheet", args=[sheet.pk]) not in other
    assert reverse("sheet", args=[world.sheet("cadre").pk]) in task(other, "open-sheets")


def test_a_unit_sees_its_deadlines_declarations_and_results_once_visible(
    world: World,
) -> None:
    page = home(world, "unit_a")
    assert count(page, "deadlines") == 0
    assert count(page, "monthly-results") == 0 and count(page, "annual-results") == 0
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    mine = declare(world, "S1")
    theirs = declare(world, "S2", "fault")
    page = home(world, "unit_a")
    assert count(page, "deadlines") == 1
    assert reverse("declarations", args=[2014]) in task(page, "deadlines")
    assert count(page, "my-declarations") == 1
    assert reverse("declaration", args=[mine.pk]) in task(page, "my-declarations")
    assert reverse("declaration", args=[theirs.pk]) not in page
    # month 1 settles: its results are there to read
    for key in ("org", "cadre", "organs_committee", "talent", "office"):
        sheet_accept(
            acting_user=world.users["office"], sheet=submit_as_office_colleague(world, key)
        )
    page = home(world, "unit_a")
    assert count(page, "monthly-results") == 1
    assert reverse("unit", args=[2014, "S1"]) + "?month=1" in task(page, "monthly-results")


def submit_as_office_colleague(world: World, key: str) -> Sheet:
    """Any department's sheet, submitted by one of its assessors (created on the fly)."""
    from kaohe.people.models import User

    sheet = world.sheet(key)
    who = User.objects.filter(department=sheet.department).first() or User.objects.create_user(
        f"a-{key}", password="x", department=sheet.department
    )
    mark_rest_clean(acting_user=who, sheet=sheet)
    return sheet_submit(acting_user=who, sheet=sheet)


def test_a_unit_is_told_how_and_until_when_to_object_and_reads_its_annual_results(
    world: World,
) -> None:
    make_ready(world)
    closing = publish(world, today=dt.date(2015, 1, 20))
    ends = closing.notice_ends_on
    assert ends is not None
    unit = world.users["unit_a"]
    during = todo_for(unit, world.year, today=ends)
    deadline = next(t for t in during.unit if t.key == "deadlines")
    assert deadline.count == 1 and ends.isoformat() in deadline.lines[0].text
    assert deadline.lines[0].url == reverse("notice", args=[2014])
    after = todo_for(unit, world.year, today=ends + dt.timedelta(days=1))
    assert next(t for t in after.unit if t.key == "deadlines").count == 0
    annual = next(t for t in after.unit_info if t.key == "annual-results")
    assert annual.count == 1
    assert annual.lines[0].url == reverse("annual-unit", args=[2014, "S1"])
    # every cell clean (T 100), no declaration, no ballot (R 0): the published total
    assert annual.lines[0].text == "2014: total 100.00, rank 1"
    Closing.objects.update(stage=Closing.Stage.RETURNED)
    hidden = todo_for(unit, world.year).unit_info
    assert next(t for t in hidden if t.key == "annual-results").count == 0
