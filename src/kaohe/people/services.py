"""Account changes: own password, the office's one-time reset, disabling, the second factor.
Each runs in one transaction with its audit event (nothing is hard-deleted: a disabled
account stays, with its history)."""

from __future__ import annotations

import secrets
from collections.abc import Iterable

from django.conf import settings
from django.contrib.auth.password_validation import validate_password
from django.contrib.sessions.models import Session
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext
from django_otp.models import Device
from django_otp.plugins.otp_static.models import StaticDevice, StaticToken
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaohe.audit.services import record

from .models import User

ONE_TIME_ALPHABET = "ABCDEFGHJKLMNPQRSTUVWXYZabcdefghijkmnpqrstuvwxyz23456789"  # no 0/O, 1/l/I
ONE_TIME_GROUPS = 4  # 4 groups of 4: about 93 bits
RECOVERY_CODES = 10
TOTP_DIGITS = 6
TOTP_NAME = "authenticator"
RECOVERY_NAME = "recovery"


# -- passwords -------------------------------------------------------------------------------


def _store_password(user: User, password: str, *, must_change: bool) -> None:
    user.set_password(password)
    user.must_change_password = must_change
    user.password_changed_at = timezone.now()
    user._password_audited = True  # type: ignore[attr-defined]  # the signal records nothing more
    user.save()


@transaction.atomic
def password_change_own(*, user: User, new_password: str) -> None:
    """The user sets their own password (validated by the form): any obligation to change it
    ends, and every other session of the account with it (Django's session hash)."""
    was_forced = user.must_change_password
    _store_password(user, new_password, must_change=False)
    record(
        acting_user=user,
        action="user.password",
        obj=user,
        after={"forced": was_forced},
        reason="own change",
    )


def one_time_password(user: User) -> str:
    """A random password the policy accepts (always, in practice: 93 bits)."""
    while True:
        groups = [
            "".join(secrets.choice(ONE_TIME_ALPHABET) for _ in range(4))
            for _ in range(ONE_TIME_GROUPS)
        ]
        password = "-".join(groups)
        try:
            validate_password(password, user)
        except ValidationError:  # pragma: no cover - astronomically rare
            continue
        return password


def _may_manage(acting_user: User, user: User) -> None:
    """The office manages accounts; only a superuser manages a superuser's (an office user
    cannot take over the set-up account by resetting its password)."""
    if not acting_user.is_office or (user.is_superuser and not acting_user.is_superuser):
        raise PermissionDenied


@transaction.atomic
def password_reset(*, acting_user: User, user: User) -> str:
    """The office gives ``user`` a one-time password, returned once (never stored in clear,
    never in the audit log); the user must replace it at the next login. Their sessions end."""
    _may_manage(acting_user, user)
    password = one_time_password(user)
    _store_password(user, password, must_change=True)
    ended = end_sessions(user)
    record(
        acting_user=acting_user,
        action="user.password_reset",
        obj=user,
        after={"sessions_ended": ended},
        reason="one-time password",
    )
    return password


def initial_passwords_kept() -> bool:
    """The demo keeps its printed password only outside production (KAOHE_DEMO_KEEP_PASSWORDS,
    default: debugging on or the public development key in use)."""
    return bool(settings.KAOHE_DEMO_KEEP_PASSWORDS)


def require_new_passwords(users: Iterable[User]) -> int:
    """Accounts created with a password someone else knows (the demo's, an import's) must
    change it at the first login, in production; returns how many were marked."""
    if initial_passwords_kept():
        return 0
    pks = [u.pk for u in users]
    return User.objects.filter(pk__in=pks).update(must_change_password=True)


# -- disabling -------------------------------------------------------------------------------


def end_sessions(user: User) -> int:
    """Delete every stored session of ``user``; returns how many. (A disabled account or a
    changed password is refused by Django at the next request anyway; this removes them.)"""
    ended = 0
    uid = str(user.pk)
    for session in Session.objects.filter(expire_date__gt=timezone.now()).iterator():
        if session.get_decoded().get("_auth_user_id") == uid:
            session.delete()
            ended += 1
    return ended


@transaction.atomic
def account_disable(*, acting_user: User, user: User, reason: str) -> int:
    """Disable at once: no login from now on, every session ended. Returns the sessions ended."""
    _may_manage(acting_user, user)
    if user.pk == acting_user.pk:
        raise ValidationError(gettext("You cannot disable your own account."))
    if not user.is_active:
        raise ValidationError(gettext("This account is already disabled."))
    user.is_active = False
    user.save(update_fields=["is_active"])
    ended = end_sessions(user)
    record(
        acting_user=acting_user,
        action="user.disable",
        obj=user,
        before={"is_active": True},
        after={"is_active": False, "sessions_ended": ended},
        reason=reason,
    )
    return ended


@transaction.atomic
def account_enable(*, acting_user: User, user: User, reason: str) -> None:
    _may_manage(acting_user, user)
    if user.is_active:
        raise ValidationError(gettext("This account is already enabled."))
    user.is_active = True
    user.save(update_fields=["is_active"])
    record(
        acting_user=acting_user,
        action="user.enable",
        obj=user,
        before={"is_active": False},
        after={"is_active": True},
        reason=reason,
    )


# -- second factor ---------------------------------------------------------------------------


def second_factor_required(user: User) -> bool:
    """Office, leader and superuser (set-up) accounts need one when KAOHE_REQUIRE_2FA is on."""
    return bool(settings.KAOHE_REQUIRE_2FA) and (
        user.is_office or user.is_leader or user.is_superuser
    )


def has_second_factor(user: User) -> bool:
    return bool(TOTPDevice.objects.filter(user=user, confirmed=True).exists())


def totp_pending(user: User) -> TOTPDevice:
    """The unconfirmed authenticator being set up (a new key each time one is started)."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=TOTP_NAME, confirmed=False)
    return device


def totp_restart(user: User) -> TOTPDevice:
    TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return totp_pending(user)


@transaction.atomic
def totp_confirm(*, user: User, token: str) -> tuple[TOTPDevice, list[str]] | None:
    """Confirm the pending authenticator with a code from it: it replaces any earlier one, and
    new recovery codes are made (returned once). None when the code is wrong."""
    device = TOTPDevice.objects.select_for_update().filter(user=user, confirmed=False).first()
    if device is None or not device.verify_token(token):
        record(acting_user=user, action="otp.failed", obj=user, after={"step": "set-up"})
        return None
    TOTPDevice.objects.filter(user=user, confirmed=True).delete()
    device.confirmed = True
    device.save()
    codes = _new_recovery_codes(user)
    record(acting_user=user, action="otp.enrol", obj=user, after={"recovery_codes": len(codes)})
    return device, codes


def _new_recovery_codes(user: User) -> list[str]:
    StaticDevice.objects.filter(user=user).delete()
    device = StaticDevice.objects.create(user=user, name=RECOVERY_NAME, confirmed=True)
    codes = [StaticToken.random_token() for _ in range(RECOVERY_CODES)]
    StaticToken.objects.bulk_create([StaticToken(device=device, token=c) for c in codes])
    return codes


@transaction.atomic
def recovery_codes_renew(*, user: User) -> list[str]:
    """New recovery codes (the old ones stop working), returned once."""
    codes = _new_recovery_codes(user)
    record(acting_user=user, action="otp.recovery_renew", obj=user, after={"count": len(codes)})
    return codes


def recovery_codes_left(user: User) -> int:
    return int(StaticToken.objects.filter(device__user=user, device__confirmed=True).count())


def verify_second_factor(*, user: User, token: str) -> Device | None:
    """A code from the authenticator, or one recovery code (used up). Wrong codes slow the next
    try down (1, 2, 4 … seconds); every attempt is in the audit log."""
    token = token.strip().replace(" ", "")
    with transaction.atomic():
        # six digits: the authenticator's code; anything else: a recovery code
        recovery = not (len(token) == TOTP_DIGITS and token.isdigit())
        model: type[TOTPDevice] | type[StaticDevice] = StaticDevice if recovery else TOTPDevice
        for device in model.objects.select_for_update().filter(user=user, confirmed=True):
            allowed, _info = device.verify_is_allowed()
            if not allowed:
                record(acting_user=user, action="otp.throttled", obj=user)
                return None
            if device.verify_token(token.lower() if recovery else token):
                left = recovery_codes_left(user) if recovery else None
                record(
                    acting_user=user,
                    action="otp.recovery_used" if recovery else "otp.verify",
                    obj=user,
                    after={"recovery_codes_left": left} if recovery else None,
                )
                return device
        record(acting_user=user, action="otp.failed", obj=user, after={"step": "login"})
    return None


@transaction.atomic
def second_factor_reset(*, acting_user: User, user: User) -> int:
    """The office removes a user's authenticator and recovery codes (a lost phone): the user
    sets up a new one at the next login when one is required. Their sessions end."""
    _may_manage(acting_user, user)
    removed = 0
    for model in (TOTPDevice, StaticDevice):
        removed += model.objects.filter(user=user).delete()[0]
    ended = end_sessions(user)
    record(
        acting_user=acting_user,
        action="otp.reset",
        obj=user,
        after={"sessions_ended": ended},
        reason="second factor removed by the office",
    )
    return ended
