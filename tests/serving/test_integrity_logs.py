"""Integrity failures and login bursts are logged at error level (issue 11 point 4), besides
their audit events, so an operator watching the log sees them at once."""

from __future__ import annotations

import logging

import pytest
from django.db import transaction

from kaohe.audit.models import AuditEvent
from kaohe.audit.signals import on_locked_out
from kaohe.cli import main

from .conftest import World


def _errors(caplog: pytest.LogCaptureFixture, logger: str) -> list[logging.LogRecord]:
    return [r for r in caplog.records if r.name == logger and r.levelno == logging.ERROR]


def test_a_failed_audit_verification_is_an_error_in_the_log(
    world: World, caplog: pytest.LogCaptureFixture
) -> None:
    event = AuditEvent.objects.get(action="cycle.open")
    AuditEvent.objects.filter(pk=event.pk).update(reason="changed behind our back")
    with caplog.at_level(logging.INFO):
        assert main(["audit", "verify"]) == 1
    (error,) = _errors(caplog, "kaohe.integrity")
    assert f"#{event.pk}" in error.verdict  # type: ignore[attr-defined]


def test_an_intact_chain_logs_no_error(world: World, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO):
        assert main(["audit", "verify"]) == 0
    assert _errors(caplog, "kaohe.integrity") == []


def test_a_lockout_is_an_error_in_the_log(db: None, caplog: pytest.LogCaptureFixture) -> None:
    with caplog.at_level(logging.INFO), transaction.atomic():
        on_locked_out(sender=None, username="office", ip_address="10.0.0.7")
    (error,) = _errors(caplog, "kaohe.security")
    assert error.username == "office" and error.ip == "10.0.0.7"  # type: ignore[attr-defined]
    assert AuditEvent.objects.filter(action="auth.lockout").count() == 1
