"""Idle and absolute session limits, and no-store on every response to a logged-in user."""

from __future__ import annotations

import time

from django.test import override_settings

from kaohe.audit.models import AuditEvent
from kaohe.web.session_policy import LOGIN_AT, SEEN_AT

from .conftest import World, password_login


def _age(client, **seconds_ago: float) -> None:  # type: ignore[no-untyped-def]
    session = client.session
    now = time.time()
    for key, ago in seconds_ago.items():
        session[{"login": LOGIN_AT, "seen": SEEN_AT}[key]] = now - ago
    session.save()


def test_a_session_idle_for_30_minutes_ends(world: World) -> None:
    client = password_login("org")
    _age(client, seen=29 * 60)
    assert client.get("/").status_code == 200  # 29 minutes: still in
    _age(client, seen=31 * 60)
    response = client.get("/years/2014/")
    assert response.status_code == 302 and response["Location"].startswith("/login/?next=")
    assert "_auth_user_id" not in client.session
    assert client.get("/").status_code == 302  # and stays out
    event = AuditEvent.objects.get(action="auth.session_expired")
    assert event.after["why"] == "idle" and event.actor_id == world.users["assessor_org"].pk
    assert not AuditEvent.objects.filter(action="auth.logout").exists()


def test_the_login_page_says_why_in_chinese(world: World) -> None:
    client = password_login("org")
    _age(client, seen=31 * 60)
    page = client.get("/", follow=True)
    assert "30 分钟" in page.content.decode()


def test_a_request_keeps_the_session_alive(world: World) -> None:
    client = password_login("org")
    _age(client, seen=20 * 60)
    client.get("/")
    assert time.time() - client.session[SEEN_AT] < 5
    _age(client, seen=0)  # not the first request: seen just now
    assert client.get("/").status_code == 200


def test_a_session_ends_12_hours_after_the_login_however_busy(world: World) -> None:
    client = password_login("org")
    _age(client, login=12 * 3600 + 60, seen=10)
    assert client.get("/").status_code == 302
    assert AuditEvent.objects.get(action="auth.session_expired").after["why"] == "max"


@override_settings(KAOHE_SESSION_IDLE_MINUTES=5, KAOHE_SESSION_MAX_HOURS=1)
def test_the_limits_are_settings(world: World) -> None:
    client = password_login("org")
    _age(client, seen=6 * 60)
    assert client.get("/").status_code == 302
    client = password_login("org")
    _age(client, login=61 * 60, seen=1)
    assert client.get("/").status_code == 302


def test_a_new_login_starts_the_clocks_again(world: World) -> None:
    client = password_login("org")
    _age(client, login=11 * 3600)
    client.post("/login/", {"username": "org", "password": "correct-horse-battery"})
    assert time.time() - client.session[LOGIN_AT] < 5


def test_logged_in_pages_are_never_stored(world: World) -> None:
    client = password_login("office")
    for url in ("/", "/years/2014/", "/account/", "/notices/", "/audit/"):
        response = client.get(url)
        assert response.status_code == 200, url
        assert "no-store" in response["Cache-Control"], url
        assert "private" in response["Cache-Control"], url
    logout = client.post("/logout/")
    assert "no-store" in logout["Cache-Control"]


def test_public_pages_to_anonymous_visitors_may_be_cached(world: World) -> None:
    from django.test import Client

    response = Client().get("/notices/")
    assert response.status_code == 200
    assert "no-store" not in response.get("Cache-Control", "")
