"""The grid in Chromium, with JavaScript (arrow keys, editing in place, save and next, the
confirmation dialog) and without (the full-page forms and the confirmation page)."""

from __future__ import annotations

import pytest

from kaohe.monthly.models import Entry, Sheet
from tests.web.conftest import ARTIFACTS, PASSWORD, World

pytestmark = pytest.mark.browser


def signed_in(browser, live_server, *, javascript: bool = True):  # type: ignore[no-untyped-def]
    """The assessor of 组织科 logged in; no dialog handler (each test answers its own)."""
    context = browser.new_context(
        java_script_enabled=javascript, locale="zh-CN", viewport={"width": 1400, "height": 950}
    )
    page = context.new_page()
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", "org")
    page.fill("#id_password", PASSWORD)
    page.click("form button.btn-danger")
    page.wait_for_url(f"{live_server.url}/")
    return page


def focused(page) -> str:  # type: ignore[no-untyped-def]
    return str(page.evaluate("document.activeElement.getAttribute('href')"))


def test_arrow_keys_and_editing_in_place_with_save_and_next(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    sheet = live_world.sheet("org")
    grid_url = f"{live_server.url}/sheets/{sheet.pk}/"
    cell = f"/sheets/{sheet.pk}/cells"
    page = signed_in(browser, live_server)
    page.goto(grid_url)
    page.focus("#c-S1-1 a")
    page.keyboard.press("ArrowRight")
    assert focused(page) == f"{cell}/S1/2/"
    page.keyboard.press("ArrowDown")
    assert focused(page) == f"{cell}/S2/2/"
    page.keyboard.press("ArrowLeft")
    page.keyboard.press("ArrowUp")
    assert focused(page) == f"{cell}/S1/1/"
    page.keyboard.press("Enter")  # opens the cell in place, not as a page
    page.wait_for_selector("#cell-editor #save-next")
    assert page.url == grid_url
    page.check("#c0-check_no_plan")
    page.fill("#c0-reason", "无培训计划")
    page.click("#save-next")
    page.wait_for_selector("#saved-message")
    assert "−2" in page.inner_text("#c-S1-1")  # the grid cell, updated in place
    assert "村级换届" in page.inner_text("#cell-editor")  # the next cell, open
    page.fill("#c0-count", "1")
    page.fill("#c0-reason", "1村未按时换届")
    page.click("#save-cell")
    page.wait_for_selector("#cell-editor form", state="detached")
    assert "−1" in page.inner_text("#c-S1-2")
    assert "已评2个,其中有扣分2个" in page.inner_text("#grid-progress")
    assert page.url == grid_url
    page.click("#c-S1-3 a")
    page.wait_for_selector("#cell-editor form")
    page.screenshot(path=str(ARTIFACTS / "grid-in-place.png"), full_page=True)
    page.click("#cell-editor [data-close-editor]")
    assert page.inner_html("#cell-editor").strip() == ""
    assert Entry.objects.filter(sheet=sheet).count() == 2
    # the confirmation dialog names the consequence; dismissed, nothing is submitted
    said: list[str] = []
    page.once("dialog", lambda dialog: (said.append(dialog.message), dialog.dismiss()))
    page.click("#submit-sheet")
    assert said and "报送后评分表对本科室只读" in said[0]
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.DRAFT
    # accepted, it posts the sheet's version as updated in place: no conflict page, the
    # service's own answer (cells still unscored)
    page.once("dialog", lambda dialog: dialog.accept())
    page.click("#submit-sheet")
    page.wait_for_selector(".messages")
    assert "个单元格未评分" in page.inner_text(".messages")
    assert "已有他人作了更改" not in page.inner_text("body")


def test_without_javascript_full_pages_and_the_confirmation_page_work(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
) -> None:
    sheet = live_world.sheet("org")
    page = signed_in(browser, live_server, javascript=False)
    page.goto(f"{live_server.url}/sheets/{sheet.pk}/")
    page.click("#c-S1-1 a")  # a page of its own
    assert page.url.endswith(f"/sheets/{sheet.pk}/cells/S1/1/")
    page.check("#c0-check_no_plan")
    page.fill("#c0-reason", "无培训计划")
    page.click("#save-next")
    assert page.url.endswith(f"/sheets/{sheet.pk}/cells/S1/2/")
    assert "已保存" in page.inner_text("body")
    page.goto(f"{live_server.url}/sheets/{sheet.pk}/")
    page.click("#clean-sheet")
    assert "其余单元格全部记为已评分、无扣分?" in page.inner_text("h1")
    assert Entry.objects.filter(sheet=sheet).count() == 1  # nothing yet
    page.click("#confirm-action")
    page.click("#submit-sheet")
    assert "报送后评分表对本科室只读" in page.inner_text("#consequence")
    page.screenshot(path=str(ARTIFACTS / "confirm-submit.png"), full_page=True)
    page.click("#confirm-action")
    assert Sheet.objects.get(pk=sheet.pk).status == Sheet.Status.SUBMITTED
    page.context.close()
