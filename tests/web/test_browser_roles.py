"""Every role's day in Debian's headless Chromium (issue 10 "Done when"): each role starts on
its home page and works through its to-do items to done by clicking links and buttons only —
no URL is typed after logging in. Screenshots of each home page go to artifacts/."""

from __future__ import annotations

import re

import pytest

from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.people.models import User
from kaohe.yearend.services import closing_compute, closing_submit, window_set

from .closing_helpers import accept_months, close_evaluation
from .conftest import ARTIFACTS, PASSWORD, World, login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
OTHERS = ("cadre", "organs_committee", "talent", "office")


def open_as(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    """Log in; any confirmation the page asks for (a JavaScript dialog) is accepted."""
    page = login(browser, live_server, username)
    page.on("dialog", lambda dialog: dialog.accept())
    return page


def count(page, key: str) -> int:  # type: ignore[no-untyped-def]
    return int(page.inner_text(f"#todo-{key} .todo-count"))


def home(page) -> None:  # type: ignore[no-untyped-def]
    page.click("nav a.navbar-brand")


def shot(page, name: str) -> None:  # type: ignore[no-untyped-def]
    page.screenshot(path=str(ARTIFACTS / name), full_page=True)


def test_every_role_works_through_its_to_do_list_by_clicking_only(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    world = live_world
    office_user = world.users["office"]
    # set-up: the other four departments have sent month 1 in; the declaration window is open
    for key in OTHERS:
        sheet = world.sheet(key)
        who = User.objects.create_user(f"a-{key}", password=PASSWORD, department=sheet.department)
        mark_rest_clean(acting_user=who, sheet=sheet)
        sheet_submit(acting_user=who, sheet=sheet)
    window_set(acting_user=office_user, year=world.year, open_=True)

    # the unit: its deadline (the declaration window) → declare an achievement with evidence
    unit = open_as(browser, live_server, "unit-a")
    assert count(unit, "deadlines") == 1 and count(unit, "my-declarations") == 0
    shot(unit, "home-unit.png")
    unit.click("#todo-deadlines .todo-line a")
    unit.select_option("#award_level", "innovation:major")
    unit.fill("#content", "网格化党建")
    unit.fill("#document_no", "区组发〔2014〕30号")
    unit.fill("#a-description", "“网格化党建”获评区组织工作重大创新项目")
    evidence = tmp_path / "红头文件.pdf"
    evidence.write_bytes(PDF)
    unit.set_input_files("#a-evidence", str(evidence))
    unit.click("#declare-achievement")
    home(unit)
    assert count(unit, "my-declarations") == 1
    assert "待认定" in unit.inner_text("#todo-my-declarations")

    # the assessor: its open sheet → score the rest clean → submit; withdraw; submit again
    assessor = open_as(browser, live_server, "org")
    assert count(assessor, "open-sheets") == 1
    shot(assessor, "home-assessor.png")
    assessor.click("#todo-open-sheets .todo-line a")
    assessor.click("form[action$='/clean/'] button")
    assessor.click("#submit-sheet")
    home(assessor)
    assert count(assessor, "open-sheets") == 0 and count(assessor, "submitted-sheets") == 1
    assessor.click("#todo-submitted-sheets .withdraw-sheet")  # a colleague's second thoughts
    assert "草稿" in assessor.inner_text("h1")
    home(assessor)
    assert count(assessor, "open-sheets") == 1 and count(assessor, "submitted-sheets") == 0
    assessor.click("#todo-open-sheets .todo-line a")
    assessor.click("#submit-sheet")
    home(assessor)
    assert count(assessor, "open-sheets") == 0 and count(assessor, "submitted-sheets") == 1

    # the office: five sheets to accept → the month's page → accept each; the declaration
    office = open_as(browser, live_server, "office")
    assert count(office, "sheets-to-accept") == 5
    assert count(office, "declarations-to-verify") == 1
    shot(office, "home-office.png")
    office.click("#todo-sheets-to-accept .todo-line a")
    for _ in range(5):
        office.click("form[action$='/accept/'] button")
    assert office.locator("form[action$='/accept/']").count() == 0
    home(office)
    assert count(office, "sheets-to-accept") == 0
    office.click("#todo-declarations-to-verify .todo-line a")
    office.locator("tr", has_text="第1街道党工委").locator("a").first.click()
    office.click("#accept-declaration")
    home(office)
    assert count(office, "declarations-to-verify") == 0

    # the unit again: month 1 is settled and readable; the declaration is verified
    home(unit)
    assert "已认定" in unit.inner_text("#todo-my-declarations")
    assert count(unit, "monthly-results") == 1
    unit.click("#todo-monthly-results .todo-line a")
    assert "第1街道党工委" in unit.inner_text("h1")

    # set-up: the rest of the year is in, the window closed, the results go to the leaders
    window_set(acting_user=office_user, year=world.year, open_=False)
    accept_months(world, range(2, 13))
    close_evaluation(world)
    closing_compute(acting_user=office_user, year=world.year)
    closing_submit(acting_user=office_user, year=world.year)

    # the leader: results awaiting review → approve
    leader = open_as(browser, live_server, "leader")
    assert count(leader, "results-to-review") == 1
    shot(leader, "home-leader.png")
    leader.click("#todo-results-to-review .todo-line a")
    leader.click("#approve")
    home(leader)
    assert count(leader, "results-to-review") == 0

    # the office publishes from its home page's year-end card
    home(office)
    office.click("#readiness a.btn")
    office.click("#publish")

    # the unit: the notice's deadline → the notice says how and until when → its own lines
    home(unit)
    assert count(unit, "deadlines") == 1
    deadline = unit.inner_text("#todo-deadlines")
    ends = re.search(r"异议截止 (\d{4}-\d{2}-\d{2})", deadline)
    assert ends, deadline
    shot(unit, "home-unit-notice.png")
    unit.click("#todo-deadlines .todo-line a:has-text('公示')")
    how = unit.inner_text("#objection-how")
    assert f"请在公示期内({ends.group(1)}前)向区绩效办反映" in how
    unit.click("#own-explanation")
    assert "年度总分逐项说明" in unit.inner_text("h1")
    shot(unit, "unit-annual-explanation.png")
    home(unit)
    assert count(unit, "annual-results") == 1
