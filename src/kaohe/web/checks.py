"""Deployment checks of Kaohe's own (`kaohe manage check --deploy`; `kaohe serve` runs them)."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.core.checks import Error, Tags, register

DEV_SECRET_KEY = "kaohe-development-key-not-for-production"  # noqa: S105 (public on purpose)


@register(Tags.security, deploy=True)
def development_keys(app_configs: Any, **kwargs: Any) -> list[Error]:
    errors = []
    if settings.SECRET_KEY == DEV_SECRET_KEY:
        errors.append(
            Error(
                "The public development secret key is in use.",
                hint="Set KAOHE_SECRET_KEY to a long random value (docs/deploy.md).",
                id="kaohe.E001",
            )
        )
    if getattr(settings, "KAOHE_AUDIT_DEV_KEY", False):
        errors.append(
            Error(
                "The public development audit key is in use.",
                hint="Set KAOHE_AUDIT_KEY before the first real record, and keep it.",
                id="kaohe.E002",
            )
        )
    return errors
