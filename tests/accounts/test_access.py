"""Who opens each account page (allowed and refused), for the whole cast."""

from __future__ import annotations

import pytest
from django.urls import reverse

from .conftest import CAST, World

EVERYONE = {"office", "leader", "assessor_org", "assessor_cadre", "unit_a", "unit_b"}
OFFICE = {"office"}


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize("name", ["account", "account-password", "account-2fa"])
def test_own_account_pages_open_for_every_logged_in_user(world: World, who: str, name: str) -> None:
    response = world.client(who).get(reverse(name))
    if who in EVERYONE:
        assert response.status_code == 200
    else:
        assert response.status_code == 302 and response["Location"].startswith("/login/")


@pytest.mark.parametrize("who", CAST)
def test_the_verify_page_sends_users_without_a_second_factor_on(world: World, who: str) -> None:
    response = world.client(who).get(reverse("account-verify"))
    assert response.status_code == 302
    expected = "/" if who in EVERYONE else "/login/"
    assert response["Location"].startswith(expected)


@pytest.mark.parametrize("who", CAST)
def test_recovery_codes_need_a_second_factor_and_a_post(world: World, who: str) -> None:
    client = world.client(who)
    assert client.get(reverse("account-recovery")).status_code == 405
    response = client.post(reverse("account-recovery"))
    assert response.status_code == (403 if who in EVERYONE else 302)


@pytest.mark.parametrize("who", CAST)
def test_the_account_list_is_the_offices(world: World, who: str) -> None:
    response = world.client(who).get(reverse("accounts"))
    if who in OFFICE:
        assert response.status_code == 200 and "unit-a" in response.content.decode()
    elif who == "anonymous":
        assert response.status_code == 302
    else:
        assert response.status_code == 403


@pytest.mark.parametrize("who", CAST)
@pytest.mark.parametrize(
    "name", ["account-reset", "account-disable", "account-enable", "account-2fa-reset"]
)
def test_only_the_office_resets_disables_and_removes_second_factors(
    world: World, who: str, name: str
) -> None:
    target = world.users["unit_b"]
    if name == "account-enable":
        target.is_active = False
        target.save()
    client = world.client(who)
    assert client.get(reverse(name, args=[target.pk])).status_code in (302, 405)
    response = client.post(reverse(name, args=[target.pk]), {"reason": "测试"})
    target.refresh_from_db()
    if who in OFFICE:
        assert response.status_code in (200, 302)
        assert target.is_active == (name != "account-disable")
    elif who == "anonymous" or (who == "unit_b" and name == "account-enable"):
        # (a disabled account is logged out: unit_b is the target of "enable")
        assert response.status_code == 302 and response["Location"].startswith("/login/")
    else:
        assert response.status_code == 403
        assert target.is_active == (name != "account-enable")
        assert not target.must_change_password
