"""The demo in production (debugging off, a real secret key): every account it creates must
change the printed password at its first login; the demo mode keeps it."""

from __future__ import annotations

import axes.attempts
import pytest
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.test import Client, override_settings
from django.utils import timezone

from kaohe.people.models import User
from kaohe.web.demo import DEMO_PASSWORD, load_demo


@pytest.mark.django_db
def test_the_demos_accounts_change_the_printed_password_in_production(
    capsys, monkeypatch: pytest.MonkeyPatch
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", timezone.now)  # the demo's clock: restored after
    monkeypatch.setattr(axes.attempts, "now", axes.attempts.now)
    with override_settings(KAOHE_DEMO_KEEP_PASSWORDS=False):
        call_command("load_demo")
    assert "must change it at its first login" in capsys.readouterr().out
    users = User.objects.all()
    assert users.count() >= 8 and all(u.must_change_password for u in users)
    client = Client()
    client.post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    response = client.get("/")
    assert response.status_code == 302 and response["Location"].startswith("/account/password/")


@pytest.mark.django_db
def test_the_demo_mode_keeps_its_printed_password() -> None:
    with override_settings(KAOHE_DEMO_KEEP_PASSWORDS=True):
        load_demo()
    assert not User.objects.filter(must_change_password=True).exists()
    for user in User.objects.all():  # the printed password passes the policy for each
        validate_password(DEMO_PASSWORD, user)
    client = Client()
    client.post("/login/", {"username": "office", "password": DEMO_PASSWORD})
    assert client.get("/account/").status_code == 200
