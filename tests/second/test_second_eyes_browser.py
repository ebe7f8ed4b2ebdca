"""The large-deduction flow in Debian's headless Chromium, with screenshots to look at."""

from __future__ import annotations

import pytest

from tests.web.conftest import ARTIFACTS, World, login

pytestmark = pytest.mark.browser


def test_a_large_deduction_waits_in_the_grid_and_the_head_confirms_it_in_the_queue(
    browser,
    live_server,
    live_second_world: World,  # type: ignore[no-untyped-def]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sheet = live_second_world.sheet("org")
    assessor = login(browser, live_server, "org")
    assessor.goto(f"{live_server.url}/sheets/{sheet.pk}/cells/S1/10/")
    assessor.fill("#c0-deduction", "6")
    assessor.fill("#c0-reason", "其他基层组织建设工作未落实")
    assessor.click("#save-cell")
    row = assessor.locator("#u-S1")
    assert "待复核确认" in row.inner_text()
    assessor.screenshot(path=str(ARTIFACTS / "second-eyes-grid.png"), full_page=True)

    head = login(browser, live_server, "head-org")
    head.click("#confirmations-link")
    assert "其他基层组织建设工作未落实" in head.inner_text("#pending-cells")
    head.screenshot(path=str(ARTIFACTS / "second-eyes-queue.png"), full_page=True)
    head.click("#pending-cells form[action$='/confirm/'] button")
    assert "暂无待复核确认事项" in head.inner_text("#pending-cells")

    assessor.goto(f"{live_server.url}/sheets/{sheet.pk}/")
    assert "待复核确认" not in assessor.inner_text("#u-S1")
