"""The office resets a password to a one-time one (shown once, changed at the next login) and
disables an account at once; the demo's and imports' accounts change theirs in production."""

from __future__ import annotations

import re

import pytest
from django.test import Client, override_settings
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.people.models import User
from kaohe.people.services import require_new_passwords

from .conftest import World, password_login

GOOD = "Wq7-river-lantern-93"


def _office(world: World) -> Client:
    return world.client("office")


def _one_time(response) -> str:  # type: ignore[no-untyped-def]
    match = re.search(r'id="one-time-password">([^<]+)<', response.content.decode())
    assert match, response.content[:300]
    return match.group(1)


def test_a_reset_gives_a_one_time_password_that_must_be_changed(world: World) -> None:
    before = password_login("unit-a")  # the user's own session, to be ended
    response = _office(world).post(reverse("account-reset", args=[world.users["unit_a"].pk]))
    assert response.status_code == 200 and "no-store" in response["Cache-Control"]
    one_time = _one_time(response)
    assert len(one_time) == 19
    assert before.get("/").status_code == 302  # their sessions ended
    event = AuditEvent.objects.get(action="user.password_reset")
    assert event.actor_id == world.users["office"].pk
    assert event.object_id == str(world.users["unit_a"].pk)
    assert one_time not in str(event.before) + str(event.after) + event.reason
    assert not AuditEvent.objects.filter(action="user.password").exists()  # not twice

    client = password_login("unit-a", one_time)
    for url in ("/", "/years/2014/units/S1/", "/account/"):
        response = client.get(url)
        assert response.status_code == 302 and response["Location"].startswith(
            "/account/password/"
        ), url
    page = client.get("/account/password/")
    assert page.status_code == 200 and 'id="forced"' in page.content.decode()
    done = client.post(
        "/account/password/",
        {"old_password": one_time, "new_password1": GOOD, "new_password2": GOOD},
    )
    assert done.status_code == 302
    assert client.get("/").status_code == 200
    user = User.objects.get(username="unit-a")
    assert not user.must_change_password and user.check_password(GOOD)
    assert AuditEvent.objects.get(action="user.password").after == {"forced": True}


def test_the_one_time_password_is_refused_as_the_new_one(world: World) -> None:
    one_time = _one_time(
        _office(world).post(reverse("account-reset", args=[world.users["unit_a"].pk]))
    )
    client = password_login("unit-a", one_time)
    same = client.post(
        "/account/password/",
        {"old_password": one_time, "new_password1": "short", "new_password2": "short"},
    )
    assert same.status_code == 200
    assert User.objects.get(username="unit-a").must_change_password


def test_disabling_ends_the_sessions_at_once_and_refuses_the_login(world: World) -> None:
    unit = password_login("unit-a")
    assert unit.get("/").status_code == 200
    response = _office(world).post(
        reverse("account-disable", args=[world.users["unit_a"].pk]), {"reason": "调离"}
    )
    assert response.status_code == 302
    assert unit.get("/").status_code == 302 and "_auth_user_id" not in unit.session
    refused = Client().post("/login/", {"username": "unit-a", "password": "correct-horse-battery"})
    assert refused.status_code == 200  # the form again, no session
    event = AuditEvent.objects.get(action="user.disable")
    assert event.reason == "调离" and event.after["sessions_ended"] == 1

    _office(world).post(reverse("account-enable", args=[world.users["unit_a"].pk]), {})
    assert AuditEvent.objects.filter(action="user.enable").exists()
    assert password_login("unit-a").get("/").status_code == 200


def test_the_office_cannot_disable_itself(world: World) -> None:
    office = world.users["office"]
    response = _office(world).post(reverse("account-disable", args=[office.pk]), {}, follow=True)
    assert "不能停用自己的账号" in response.content.decode()
    office.refresh_from_db()
    assert office.is_active and not AuditEvent.objects.filter(action="user.disable").exists()


def test_an_office_user_cannot_take_over_a_superuser(world: World) -> None:
    root = User.objects.create_superuser("root", "r@x.cn", GOOD)
    for name in ("account-reset", "account-disable", "account-2fa-reset"):
        assert _office(world).post(reverse(name, args=[root.pk])).status_code == 403, name
    root.refresh_from_db()
    assert root.check_password(GOOD) and root.is_active


def test_an_unknown_account_is_404(world: World) -> None:
    assert _office(world).post(reverse("account-reset", args=[999999])).status_code == 404


def test_disabling_in_the_admin_ends_the_sessions_too(world: World) -> None:
    from kaohe.people.services import end_sessions

    unit = password_login("unit-a")
    user = world.users["unit_a"]
    user.is_active = False
    user.save()
    assert end_sessions(user) == 1
    assert unit.get("/").status_code == 302


@pytest.mark.parametrize("keep", [True, False])
def test_accounts_the_demo_creates_change_their_password_in_production(
    world: World, keep: bool
) -> None:
    users = [world.users["leader"], world.users["unit_a"]]
    with override_settings(KAOHE_DEMO_KEEP_PASSWORDS=keep):
        marked = require_new_passwords(users)
    assert marked == (0 if keep else 2)
    client = password_login("leader")
    response = client.get("/")
    if keep:
        assert response.status_code == 200
    else:
        assert response["Location"].startswith("/account/password/")
    assert not User.objects.get(username="org").must_change_password


def test_a_new_account_from_the_admin_must_change_its_password(world: World) -> None:
    root = User.objects.create_superuser("root", "r@x.cn", GOOD)
    client = Client()
    client.force_login(root)
    response = client.post(
        reverse("admin:people_user_add"),
        {
            "username": "newbie",
            "usable_password": "true",
            "password1": "Zk4-harbor-violet-71",
            "password2": "Zk4-harbor-violet-71",
        },
    )
    assert response.status_code == 302, response.content.decode()[-2000:]
    assert User.objects.get(username="newbie").must_change_password
