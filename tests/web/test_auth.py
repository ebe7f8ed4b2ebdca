"""Logins: Argon2 hashes, and throttling after repeated failures."""

from __future__ import annotations

from django.test import Client
from django.urls import reverse

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
