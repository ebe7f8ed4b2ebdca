"""Issue 14: the office's buttons stay on one line at 1400 px (退回 on the month page, 保存 on
the escalations page), checked in Debian's headless Chromium with screenshots to look at."""

from __future__ import annotations

import pytest

from kaohe.monthly.models import EscalationCase
from kaohe.monthly.services import mark_rest_clean, sheet_submit

from .conftest import ARTIFACTS, World, login

pytestmark = pytest.mark.browser


def one_line(button) -> bool:  # type: ignore[no-untyped-def]
    """The button's text takes one line: its height is under two line heights."""
    return bool(
        button.evaluate(
            "b => b.getBoundingClientRect().height < 2 * parseFloat(getComputedStyle(b).lineHeight)"
        )
    )


def test_office_buttons_do_not_wrap_at_1400_px(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
) -> None:
    ARTIFACTS.mkdir(exist_ok=True)
    for department in ("org", "cadre", "talent"):
        sheet = live_world.sheet(department)
        user = live_world.users.get(f"assessor_{department}")
        if user is None:
            from kaohe.people.models import User

            user = User.objects.create_user(department, department=sheet.department)
        mark_rest_clean(acting_user=user, sheet=sheet)
        sheet_submit(acting_user=user, sheet=sheet)
    for code in ("S1", "S2", "S3"):
        EscalationCase.objects.create(
            year=live_world.year,
            unit=live_world.units[code],
            action="talk",
            month=2,
            months=[1, 2],
            notes="拟于下周由分管副部长约谈党工委书记,并形成谈话记录",
        )
    office = login(browser, live_server, "office")
    office.goto(f"{live_server.url}/years/2014/months/1/")
    office.screenshot(path=str(ARTIFACTS / "scores-cycle-1400.png"), full_page=True)
    returns = office.locator("form[action$='/return/'] button")
    assert returns.count() == 3
    for i in range(returns.count()):
        assert returns.nth(i).inner_text() == "退回"
        assert one_line(returns.nth(i))
    office.goto(f"{live_server.url}/years/2014/escalations/")
    office.screenshot(path=str(ARTIFACTS / "scores-escalations-1400.png"), full_page=True)
    saves = office.locator("form button.btn-outline-danger")
    assert saves.count() == 3
    for i in range(saves.count()):
        assert saves.nth(i).inner_text() == "保存"
        assert one_line(saves.nth(i))
    office.close()
