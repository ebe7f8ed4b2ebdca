"""The monthly flow in Debian's headless Chromium (Playwright), with screenshots to look at."""

from __future__ import annotations

import pytest

from .conftest import ARTIFACTS, World, login

pytestmark = pytest.mark.browser


def test_assessor_scores_office_accepts_ranking_changes_unit_reads_its_own(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sheet = live_world.sheet("org")
    assessor = login(browser, live_server, "org")
    assessor.click(f"a[href='/sheets/{sheet.pk}/']")
    assessor.click(f"a[href='/sheets/{sheet.pk}/cells/S2/3/']")
    assessor.check("#c0-not_met")
    assessor.fill("#c0-reason", "后进村未实现转化")
    assessor.click("#save-cell")
    assessor.wait_for_selector("#cell-editor form", state="detached")  # saved in place
    assessor.click(f"a[href='/sheets/{sheet.pk}/cells/S1/1/']")
    assessor.check("#c0-check_no_plan")
    assessor.fill("#c0-check_missing_material", "1")
    assessor.fill("#c0-reason", "无培训计划,缺培训花名册")
    assessor.click("#save-cell")
    assessor.wait_for_selector("#cell-editor form", state="detached")  # saved in place
    assert "−2.5" in assessor.inner_text("#u-S1")
    assessor.click(f"form[action='/sheets/{sheet.pk}/clean/'] button")
    assessor.screenshot(path=str(ARTIFACTS / "scoring-grid.png"), full_page=True)
    assessor.click("#submit-sheet")
    assert assessor.locator(".badge.bg-primary").count() >= 1

    office = login(browser, live_server, "office")
    office.goto(f"{live_server.url}/years/2014/months/1/")
    assert office.locator(".cell-waiting").count() == 1  # item 3 lost whole: waits
    office.goto(f"{live_server.url}/confirmations/")
    office.screenshot(path=str(ARTIFACTS / "second-eyes-queue.png"), full_page=True)
    office.click("#pending-cells form[action$='/confirm/'] button")  # tests/second
    office.goto(f"{live_server.url}/years/2014/months/1/")
    office.click(f"form[action='/sheets/{sheet.pk}/accept/'] button")
    office.goto(f"{live_server.url}/years/2014/months/1/ranking/")
    streets = office.locator(".card").first
    rows = streets.locator("tbody tr")
    assert "第1街道党工委\t97.50" in rows.nth(3).inner_text()  # 100 − 2 − 0.5
    assert "第2街道党工委\t98.00" in rows.nth(2).inner_text()  # item 3 (2 points) lost
    assert rows.nth(0).inner_text().startswith("1\t")
    office.screenshot(path=str(ARTIFACTS / "monthly-ranking.png"), full_page=True)

    unit = login(browser, live_server, "unit-a")
    unit.goto(f"{live_server.url}/years/2014/units/S1/")
    body = unit.inner_text("body")
    assert "无培训计划,缺培训花名册" in body and "97.50" in body
    unit.screenshot(path=str(ARTIFACTS / "unit-page.png"), full_page=True)
    response = unit.goto(f"{live_server.url}/years/2014/units/S2/")
    assert response is not None and response.status == 403
