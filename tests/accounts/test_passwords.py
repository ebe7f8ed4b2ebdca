"""The password policy, everywhere a password is set, with its reasons in Chinese."""

from __future__ import annotations

import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.exceptions import ValidationError
from django.core.management import CommandError, call_command
from django.test import Client
from django.urls import reverse
from django.utils import translation

from kaohe.audit.models import AuditEvent
from kaohe.people.models import User

from .conftest import PASSWORD, World, password_login

GOOD = "Wq7-river-lantern-93"


def _reasons(password: str, user: User | None = None) -> list[str]:
    with translation.override("zh-hans"):
        try:
            validate_password(password, user)
        except ValidationError as exc:
            return list(exc.messages)
    return []


def test_kaohekaohe_and_other_weak_passwords_are_refused_in_chinese(world: World) -> None:
    user = world.users["unit_a"]
    short = _reasons("kaohekaohe", user)
    assert any("太短" in r and "12" in r for r in short), short  # Django's own zh-hans
    assert any("容易猜" in r for r in short), short
    assert any("常见" in r for r in _reasons("password1234", user))
    assert any("容易猜" in r for r in _reasons("aaaaaaaaaaaaaaaa", user))
    assert any("容易猜" in r for r in _reasons("unit-a-unit-a-1", user))  # the name is known
    assert _reasons(GOOD, user) == []


def test_a_password_like_the_unit_name_or_code_is_refused(world: World) -> None:
    user = world.users["unit_a"]  # 第1街道党工委, code S1
    assert any("单位" in r for r in _reasons("第1街道党工委2015年", user))
    assert any("单位" in r for r in _reasons("xq-S1-lantern-93", user))
    assessor = world.users["assessor_org"]  # 组织科, key org
    assert any("单位" in r or "部门" in r for r in _reasons("组织科组织科组织科2015", assessor))
    assert _reasons("xq-S1-lantern-93", assessor) == []  # not their unit


def test_a_password_over_150_characters_is_refused(world: World) -> None:
    assert _reasons("Zx9-" * 40, world.users["unit_a"])


def test_every_user_changes_their_own_password(world: World) -> None:
    for who in ("unit_a", "assessor_org", "leader", "office"):
        user = world.users[who]
        client = password_login(user.username)
        other = password_login(user.username)  # another browser of the same user
        response = client.post(
            reverse("account-password"),
            {"old_password": PASSWORD, "new_password1": GOOD, "new_password2": GOOD},
        )
        assert response.status_code == 302, who
        user.refresh_from_db()
        assert user.check_password(GOOD) and user.password_changed_at is not None
        assert client.get("/").status_code == 200  # this session stays
        assert other.get("/").status_code == 302  # the other one ended
        event = AuditEvent.objects.filter(action="user.password", object_id=str(user.pk)).get()
        assert event.actor_id == user.pk and GOOD not in str(event.after) + event.reason


def test_a_weak_new_password_is_refused_with_the_reason_in_chinese(world: World) -> None:
    client = password_login("unit-a")
    response = client.post(
        reverse("account-password"),
        {"old_password": PASSWORD, "new_password1": "kaohekaohe", "new_password2": "kaohekaohe"},
    )
    assert response.status_code == 200
    text = response.content.decode()
    assert "太短" in text and "容易猜" in text
    assert User.objects.get(username="unit-a").check_password(PASSWORD)
    assert not AuditEvent.objects.filter(action="user.password").exists()


def test_the_wrong_current_password_changes_nothing(world: World) -> None:
    client = password_login("unit-a")
    response = client.post(
        reverse("account-password"),
        {"old_password": "not-it-at-all", "new_password1": GOOD, "new_password2": GOOD},
    )
    assert response.status_code == 200
    assert User.objects.get(username="unit-a").check_password(PASSWORD)


def test_createsuperuser_cannot_bypass_the_rules(world: World, monkeypatch) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", "kaohekaohe")
    with pytest.raises(CommandError):
        call_command(
            "createsuperuser", "--noinput", "--username", "root2", "--email", "a@b.cn", verbosity=0
        )
    assert not User.objects.filter(username="root2").exists()
    monkeypatch.setenv("DJANGO_SUPERUSER_PASSWORD", GOOD)
    call_command(
        "createsuperuser", "--noinput", "--username", "root2", "--email", "a@b.cn", verbosity=0
    )
    assert User.objects.get(username="root2").is_superuser


def test_the_admin_applies_the_rules_and_its_password_must_be_changed(world: World) -> None:
    root = User.objects.create_superuser("root", "r@x.cn", GOOD)
    client = Client()
    client.force_login(root)
    target = world.users["unit_a"]
    url = reverse("admin:auth_user_password_change", args=[target.pk])
    weak = client.post(url, {"password1": "kaohekaohe", "password2": "kaohekaohe"})
    assert weak.status_code == 200 and b"errorlist" in weak.content
    target.refresh_from_db()
    assert target.check_password(PASSWORD) and not target.must_change_password
    done = client.post(url, {"password1": GOOD, "password2": GOOD})
    assert done.status_code == 302
    target.refresh_from_db()
    assert target.check_password(GOOD) and target.must_change_password
