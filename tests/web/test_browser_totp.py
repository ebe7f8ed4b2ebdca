"""A TOTP login end to end in Debian's Chromium: an office account (second factor required)
sets up its authenticator at the first login, then logs in again with a code. The codes are
computed here from the device's key, as an authenticator app would. (In tests/web: one
Playwright per process, from this folder's session fixture; the account tests are in
tests/accounts.)"""

from __future__ import annotations

import pytest
from django.test import override_settings
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaohe.audit.models import AuditEvent
from tests.accounts.helpers import totp

from .conftest import PASSWORD, World

pytestmark = pytest.mark.browser


def _password_step(browser, live_server, username: str):  # type: ignore[no-untyped-def]
    page = browser.new_page(viewport={"width": 1200, "height": 900}, locale="zh-CN")
    page.goto(f"{live_server.url}/login/")
    page.fill("#id_username", username)
    page.fill("#id_password", PASSWORD)
    page.click("form button.btn-danger")
    return page


@override_settings(KAOHE_REQUIRE_2FA=True)
def test_office_sets_up_totp_then_logs_in_with_a_code(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
) -> None:
    page = _password_step(browser, live_server, "office")
    page.wait_for_url("**/account/2fa/**")
    assert page.locator("#totp-qr svg").count() == 1
    key = TOTPDevice.objects.get(user__username="office", confirmed=False).bin_key
    page.fill("#id_token", totp(key))
    page.click("form button.btn-danger")
    page.wait_for_selector("#recovery-codes")
    codes = page.locator("#recovery-codes li").all_inner_texts()
    assert len(codes) == 10
    page.click("text=继续")
    page.wait_for_url(f"{live_server.url}/")
    page.goto(f"{live_server.url}/years/2014/")
    assert "2014" in page.inner_text("h1")
    page.click("nav form button.btn-outline-light")  # log out
    page.wait_for_url("**/login/**")

    again = _password_step(browser, live_server, "office")
    again.wait_for_url("**/account/2fa/verify/**")
    again.fill("#id_token", "000000")
    again.click("form button.btn-danger")
    assert "验证码错误" in again.inner_text("main")
    TOTPDevice.objects.filter(user__username="office").update(throttling_failure_count=0)
    device = TOTPDevice.objects.get(user__username="office", confirmed=True)
    again.fill("#id_token", totp(device.bin_key, steps_ahead=1))  # the next step: not reused
    again.click("form button.btn-danger")
    again.wait_for_url(f"{live_server.url}/")
    again.goto(f"{live_server.url}/audit/")
    assert again.url.endswith("/audit/")
    actions = list(AuditEvent.objects.values_list("action", flat=True))
    assert actions.count("otp.enrol") == 1 and actions.count("otp.verify") == 1
    assert "otp.failed" in actions
    again.close()
    page.close()
