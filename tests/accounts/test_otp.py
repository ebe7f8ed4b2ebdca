"""TOTP second factor (django-otp) with recovery codes; required for office and leader accounts
when KAOHE_REQUIRE_2FA is on."""

from __future__ import annotations

import re

from django.test import Client, override_settings
from django.urls import reverse
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaohe.audit.models import AuditEvent
from kaohe.people.models import User

from .conftest import World, password_login, totp


def _enrol(client: Client, username: str) -> list[str]:
    page = client.get("/account/2fa/")
    assert page.status_code == 200 and "<svg" in page.content.decode()
    device = TOTPDevice.objects.get(user__username=username, confirmed=False)
    secret = re.search(r'id="totp-secret">([^<]+)<', page.content.decode())
    assert secret is not None
    from base64 import b32encode

    assert secret.group(1).replace(" ", "") == b32encode(device.bin_key).decode()
    done = client.post("/account/2fa/", {"token": totp(device.bin_key)})
    assert done.status_code == 200, done.content.decode()[-1500:]
    codes = re.findall(r"<li>([a-z2-7]{8})</li>", done.content.decode())
    assert len(codes) == 10
    return codes


@override_settings(KAOHE_REQUIRE_2FA=True)
def test_office_and_leader_must_set_up_a_second_factor_others_need_not(world: World) -> None:
    for username in ("office", "leader"):
        client = password_login(username)
        response = client.get("/years/2014/")
        assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
        assert client.get("/account/").status_code == 302
        _enrol(client, username)
        assert client.get("/years/2014/").status_code == 200
    for username in ("org", "unit-a"):
        assert password_login(username).get("/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.enrol").count() == 2


def test_without_the_setting_nobody_is_forced(world: World) -> None:
    assert password_login("office").get("/").status_code == 200


def test_a_user_with_a_second_factor_gives_a_code_at_login(world: World) -> None:
    _enrol(password_login("org"), "org")
    key = TOTPDevice.objects.get(user__username="org").bin_key
    client = password_login("org")
    response = client.get("/years/2014/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/verify/")
    for url in ("/account/password/", "/account/2fa/", "/account/"):  # not before the code
        assert client.get(url).status_code == 302, url
    wrong = client.post("/account/2fa/verify/", {"token": "000000"})
    assert wrong.status_code == 200 and "验证码错误" in wrong.content.decode()
    assert AuditEvent.objects.filter(action="otp.failed").exists()
    TOTPDevice.objects.filter(user__username="org").update(throttling_failure_count=0)
    right = client.post(
        "/account/2fa/verify/", {"token": totp(key, steps_ahead=1), "next": "/account/"}
    )
    assert right.status_code == 302 and right["Location"] == "/account/"
    assert client.get("/account/").status_code == 200
    assert AuditEvent.objects.filter(action="otp.verify").count() == 1


def test_a_recovery_code_works_once(world: World) -> None:
    codes = _enrol(password_login("org"), "org")
    client = password_login("org")
    assert client.post("/account/2fa/verify/", {"token": codes[0].upper()}).status_code == 302
    assert client.get("/").status_code == 200
    event = AuditEvent.objects.get(action="otp.recovery_used")
    assert event.after == {"recovery_codes_left": 9}
    again = password_login("org")
    assert again.post("/account/2fa/verify/", {"token": codes[0]}).status_code == 200
    assert again.get("/").status_code == 302


def test_wrong_codes_are_throttled(world: World) -> None:
    _enrol(password_login("org"), "org")
    key = TOTPDevice.objects.get(user__username="org").bin_key
    client = password_login("org")
    client.post("/account/2fa/verify/", {"token": "000000"})
    # right away, even the right code waits for the delay
    assert (
        client.post("/account/2fa/verify/", {"token": totp(key, steps_ahead=1)}).status_code == 200
    )
    assert AuditEvent.objects.filter(action="otp.throttled").exists()


def test_new_recovery_codes_replace_the_old_ones(world: World) -> None:
    client = password_login("org")
    old = _enrol(client, "org")
    response = client.post("/account/2fa/recovery/")
    new = re.findall(r"<li>([a-z2-7]{8})</li>", response.content.decode())
    assert len(new) == 10 and not set(new) & set(old)
    assert AuditEvent.objects.filter(action="otp.recovery_renew").exists()
    fresh = password_login("org")
    assert fresh.post("/account/2fa/verify/", {"token": old[1]}).status_code == 200
    assert fresh.post("/account/2fa/verify/", {"token": new[1]}).status_code in (200, 302)


def test_the_office_removes_a_lost_second_factor(world: World) -> None:
    user_client = password_login("org")
    _enrol(user_client, "org")
    org = User.objects.get(username="org")
    response = world.client("office").post(reverse("account-2fa-reset", args=[org.pk]))
    assert response.status_code == 302
    assert not TOTPDevice.objects.filter(user=org).exists()
    assert user_client.get("/").status_code == 302  # their sessions ended
    assert password_login("org").get("/").status_code == 200  # no code asked any more
    assert AuditEvent.objects.get(action="otp.reset").actor_id == world.users["office"].pk


def test_a_wrong_code_at_set_up_confirms_nothing(world: World) -> None:
    client = password_login("org")
    client.get("/account/2fa/")
    response = client.post("/account/2fa/", {"token": "123456"})
    assert response.status_code == 200 and "验证码错误" in response.content.decode()
    assert not TOTPDevice.objects.filter(user__username="org", confirmed=True).exists()


def test_the_code_field_is_bounded(world: World) -> None:
    client = password_login("org")
    client.get("/account/2fa/")
    response = client.post("/account/2fa/", {"token": "1" * 5000})
    assert response.status_code == 200


@override_settings(KAOHE_REQUIRE_2FA=True)
def test_a_superuser_must_set_one_up_too(world: World) -> None:
    User.objects.create_superuser("root", "r@x.cn", "Wq7-river-lantern-93")
    response = password_login("root", "Wq7-river-lantern-93").get("/admin/")
    assert response.status_code == 302 and response["Location"].startswith("/account/2fa/")
