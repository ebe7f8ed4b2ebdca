"""Authentication and set-up events in the chain. They happen outside the services (Django's
login views, axes, the admin), so each is recorded here in its own transaction (a savepoint
when the change already runs in one, as admin edits do, so it commits with the change).

Role changes are not recorded here: the user admin records them with before/after
(``user.roles`` in people/admin.py); its LogEntry adds the admin's own message."""

from __future__ import annotations

import logging
from typing import Any

from axes.signals import user_locked_out
from django.conf import settings
from django.contrib.admin.models import ADDITION, CHANGE, DELETION, LogEntry
from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.db import transaction
from django.db.models.signals import post_save
from django.http import HttpRequest

from .services import record

NAME_MAX = 150  # a username field's length; anything longer is cut before it is stored
ADMIN_ACTIONS = {ADDITION: "admin.add", CHANGE: "admin.change", DELETION: "admin.delete"}


security_log = logging.getLogger("kaohe.security")


def _clean(value: Any, limit: int = NAME_MAX) -> str:
    """Text an attacker typed, safe to store anywhere: no control characters (PostgreSQL
    refuses NUL in JSON), bounded."""
    return "".join(ch for ch in str(value or "") if ch.isprintable())[:limit]


def _address(request: HttpRequest | None) -> str:
    if request is None:
        return ""
    return _clean(getattr(request, "axes_ip_address", None) or request.META.get("REMOTE_ADDR"), 64)


def _record(**kwargs: Any) -> None:
    with transaction.atomic():
        record(**kwargs)


def on_login(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    _record(acting_user=user, action="auth.login", obj=user, after={"ip": _address(request)})


def on_logout(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    if getattr(user, "pk", None):
        _record(acting_user=user, action="auth.logout", obj=user, after={"ip": _address(request)})


def on_login_failed(
    sender: Any, credentials: dict[str, Any], request: HttpRequest | None = None, **kwargs: Any
) -> None:
    """The username tried and the address; never the password."""
    username = _clean(credentials.get("username"))
    _record(
        acting_user=None,
        action="auth.login_failed",
        obj=("auth.login", username[:64]),
        after={"username": username, "ip": _address(request)},
    )


def on_locked_out(
    sender: Any,
    request: HttpRequest | None = None,
    username: str | None = None,
    ip_address: str | None = None,
    **kwargs: Any,
) -> None:
    name = _clean(username)
    security_log.error(  # a burst of failed logins: the operators' log must show it at once
        "login lockout", extra={"username": name, "ip": _clean(ip_address, 64)}
    )
    _record(
        acting_user=None,
        action="auth.lockout",
        obj=("auth.login", name[:64]),
        after={"username": name, "ip": _clean(ip_address, 64)},
    )


def on_user_saved(sender: Any, instance: Any, created: bool, **kwargs: Any) -> None:
    """``set_password`` leaves the raw password in ``_password`` until the save that stores
    it; a hash upgrade at login clears it first, so only real changes are recorded."""
    if created or getattr(instance, "_password", None) is None:
        return
    if getattr(instance, "_password_audited", False):  # kaohe.people.services recorded it
        instance._password_audited = False
        return
    _record(acting_user=None, action="user.password", obj=instance, reason="password changed")


def on_admin_log(sender: Any, instance: LogEntry, created: bool, **kwargs: Any) -> None:
    if not created:
        return
    content_type = instance.content_type
    object_type = (
        f"{content_type.app_label}.{content_type.model}" if content_type else "admin.unknown"
    )
    _record(
        acting_user=instance.user,
        action=ADMIN_ACTIONS.get(instance.action_flag, "admin.change"),
        obj=(object_type, _clean(instance.object_id, 64)),
        after={"object": _clean(instance.object_repr, 200)},
        reason=str(instance.get_change_message())[:4000],
    )


DISPATCH_UID = "kaohe.audit"  # receivers are named f"{DISPATCH_UID}.<event>"


def connect() -> None:
    uid = DISPATCH_UID
    user_logged_in.connect(on_login, dispatch_uid=f"{uid}.login")
    user_logged_out.connect(on_logout, dispatch_uid=f"{uid}.logout")
    user_login_failed.connect(on_login_failed, dispatch_uid=f"{uid}.login_failed")
    user_locked_out.connect(on_locked_out, dispatch_uid=f"{uid}.lockout")
    post_save.connect(on_user_saved, sender=settings.AUTH_USER_MODEL, dispatch_uid=f"{uid}.pw")
    post_save.connect(on_admin_log, sender=LogEntry, dispatch_uid=f"{uid}.admin")
