"""Logins: Argon2 hashes, throttling by username and address together, and every
authentication event in the audit chain."""

from __future__ import annotations

import json

from django.test import Client
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.audit.services import verify_chain
from kaohe.people.models import User

from .conftest import PASSWORD, World


def test_passwords_are_hashed_with_argon2(world: World) -> None:
    assert world.users["office"].password.startswith("argon2")


def test_login_is_throttled_after_five_failures(world: World) -> None:
    client = Client()
    for _ in range(5):
        client.post(reverse("login"), {"username": "office", "password": "wrong"})
    response = client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 429
    assert "_auth_user_id" not in client.session


def test_a_good_login_lands_on_the_home_page(world: World) -> None:
    client = Client()
    response = client.post(reverse("login"), {"username": "office", "password": PASSWORD})
    assert response.status_code == 302 and response["Location"] == "/"


# -- lockout by username and address together --------------------------------------------


def _fail(client: Client, username: str, ip: str = "10.0.0.1") -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": "wrong-guess-9"}, REMOTE_ADDR=ip
    )
    return response.status_code


def _login(client: Client, username: str, ip: str = "10.0.0.1") -> int:
    response = client.post(
        reverse("login"), {"username": username, "password": PASSWORD}, REMOTE_ADDR=ip
    )
    return response.status_code


def test_failures_under_five_usernames_from_one_address_lock_nobody_out(world: World) -> None:
    client = Client()
    for name in ("leader", "org", "cadre", "unit-a", "nobody"):
        assert _fail(client, name) == 200
    assert _login(client, "office") == 302 and "_auth_user_id" in client.session
    assert _login(Client(), "org") == 302


def test_five_failures_lock_that_username_from_that_address_only(world: World) -> None:
    for _ in range(5):
        _fail(Client(), "office")
    locked = Client()
    assert _login(locked, "office") == 429 and "_auth_user_id" not in locked.session
    assert _login(Client(), "org") == 302  # another account, same address
    assert _login(Client(), "office", ip="10.0.0.2") == 302  # the owner, elsewhere
    assert AuditEvent.objects.filter(action="auth.lockout", object_id="office").exists()


# -- authentication events in the audit chain ---------------------------------------------


def test_logins_failures_and_logouts_are_in_the_chain(world: World) -> None:
    client = Client()
    _fail(client, "office")
    _login(client, "office")
    client.post(reverse("logout"))
    failed = AuditEvent.objects.get(action="auth.login_failed")
    assert failed.after == {"username": "office", "ip": "10.0.0.1"} and failed.actor is None
    login = AuditEvent.objects.get(action="auth.login")
    assert login.actor == world.users["office"] and login.after == {"ip": "10.0.0.1"}
    assert AuditEvent.objects.get(action="auth.logout").actor == world.users["office"]
    every = json.dumps(list(AuditEvent.objects.values("before", "after", "reason")))
    assert "wrong-guess-9" not in every and PASSWORD not in every  # never a password
    assert verify_chain().ok


def test_a_password_change_is_in_the_chain_and_a_login_is_not_one(world: World) -> None:
    user = world.users["unit_a"]
    user.set_password("another-long-passphrase")
    user.save()
    event = AuditEvent.objects.get(action="user.password")
    assert event.object_id == str(user.pk) and "another" not in json.dumps(event.after)
    _login(Client(), "org")
    user.refresh_from_db()
    user.save()
    assert AuditEvent.objects.filter(action="user.password").count() == 1


def test_admin_edits_are_in_the_chain_with_their_message(world: World) -> None:
    admin = User.objects.create_superuser("root", password="x-very-long-pass", is_office=True)
    client = Client()
    client.force_login(admin)
    unit = world.units["S3"]
    url = reverse("admin:people_unit_change", args=[unit.pk])
    form = client.get(url).context["adminform"].form
    data = {k: v for k, v in form.initial.items() if v is not None and k != "member_of"}
    data.update({"name": "第3街道党工委(更名)", "member_of": []})
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:1500]
    event = AuditEvent.objects.get(action="admin.change", object_type="people.unit")
    assert event.actor == admin and event.object_id == str(unit.pk)
    assert "第3街道党工委(更名)" in event.after["object"] and event.reason
    assert verify_chain().ok


def test_an_overlong_username_is_a_form_error_before_authentication(world: World) -> None:
    from axes.models import AccessAttempt

    page = Client().post(reverse("login"), {"username": "9" * 100_000, "password": PASSWORD})
    assert page.status_code == 200
    assert "150" in page.content.decode()  # the field's message names its limit
    assert not AccessAttempt.objects.exists()  # authenticate() never ran
    assert not AuditEvent.objects.filter(action="auth.login_failed").exists()
