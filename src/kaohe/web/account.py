"""My account (我的账号): own password, the second factor and its recovery codes; and the
office's account page (账号管理): one-time password resets, disabling, removing a lost second
factor. The login's remaining steps (code, own password, second-factor set-up) are enforced by
kaohe.web.session_policy; these views only do them."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth import update_session_auth_hash
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST
from django_otp import login as otp_login
from django_otp.plugins.otp_totp.models import TOTPDevice

from kaohe.people.forms import CodeForm, OwnPasswordForm, ReasonForm
from kaohe.people.models import User
from kaohe.people.services import (
    account_disable,
    account_enable,
    has_second_factor,
    password_change_own,
    password_reset,
    recovery_codes_left,
    recovery_codes_renew,
    second_factor_required,
    second_factor_reset,
    totp_confirm,
    totp_pending,
    totp_restart,
    verify_second_factor,
)

from .access import any_user, current_user, for_user, is_office, require, role
from .session_policy import pending_step


def _next(request: HttpRequest) -> str:
    target = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return target
    return "/"


def _verified(user: User) -> bool:
    return bool(getattr(user, "is_verified", lambda: False)())


@role(any_user)
def account(request: HttpRequest) -> HttpResponse:
    user = current_user(request)
    return render(
        request,
        "web/account_home.html",
        {
            "account": user,
            "has_2fa": has_second_factor(user),
            "requires_2fa": second_factor_required(user),
            "codes_left": recovery_codes_left(user),
        },
    )


@role(any_user)
def password(request: HttpRequest) -> HttpResponse:
    """Change one's own password (the only page open while a reset password must be changed)."""
    user = current_user(request)
    require(pending_step(user) in (None, "password"))  # the second factor comes first
    form = OwnPasswordForm(user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        password_change_own(user=user, new_password=form.cleaned_data["new_password1"])
        update_session_auth_hash(request, user)  # this session stays; the others end
        messages.success(request, _("Your password was changed."))
        return redirect(_next(request))
    return render(
        request,
        "web/account_password.html",
        {"form": form, "forced": user.must_change_password, "next": _next(request)},
    )


@role(any_user)
def verify(request: HttpRequest) -> HttpResponse:
    """The second step of a login: a code from the authenticator, or a recovery code."""
    user = current_user(request)
    if _verified(user) or not has_second_factor(user):
        return redirect(_next(request))
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        device = verify_second_factor(user=user, token=form.cleaned_data["token"])
        if device is not None:
            otp_login(request, device)
            if device.persistent_id.startswith("otp_static"):
                messages.warning(
                    request,
                    _("You logged in with a recovery code; %(left)d remain.")
                    % {"left": recovery_codes_left(user)},
                )
            return redirect(_next(request))
        form.add_error(
            "token",
            _(
                "The code is wrong or has expired (or too many tries: wait a few seconds). "
                "Use the current code, or one of your recovery codes."
            ),
        )
    return render(request, "web/account_verify.html", {"form": form, "next": _next(request)})


@role(any_user)
def second_factor(request: HttpRequest) -> HttpResponse:
    """Set up (or replace) the authenticator: scan the code, type one code to confirm; the
    recovery codes are shown once."""
    user = current_user(request)
    if has_second_factor(user) and not _verified(user):
        return redirect("account-verify")  # replacing one takes a code from the current one
    if request.method == "POST" and "restart" in request.POST:
        totp_restart(user)
        return redirect("account-2fa")
    device = totp_pending(user)
    form = CodeForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        done = totp_confirm(user=user, token=form.cleaned_data["token"])
        if done is not None:
            confirmed, codes = done
            otp_login(request, confirmed)
            return render(
                request, "web/account_codes.html", {"codes": codes, "next": _next(request)}
            )
        form.add_error("token", _("The code is wrong or has expired. Try the current code."))
    return render(
        request,
        "web/account_2fa.html",
        {
            "form": form,
            "qr": _qr_svg(device),
            "secret": _secret(device),
            "replacing": has_second_factor(user),
            "required": second_factor_required(user),
            "next": _next(request),
        },
    )


def _secret(device: TOTPDevice) -> str:
    from base64 import b32encode

    text = b32encode(device.bin_key).decode()
    return " ".join(text[i : i + 4] for i in range(0, len(text), 4))


def _qr_svg(device: TOTPDevice) -> str:
    return str(segno.make(device.config_url, error="m").svg_inline(scale=4, omitsize=False))


@require_POST
@role(any_user)
def recovery(request: HttpRequest) -> HttpResponse:
    """New recovery codes (the old ones stop working), shown once."""
    user = current_user(request)
    require(has_second_factor(user) and _verified(user))
    codes = recovery_codes_renew(user=user)
    return render(request, "web/account_codes.html", {"codes": codes, "next": "/"})


# -- the office ------------------------------------------------------------------------------


def _may_manage(user: User, account: User) -> bool:
    return user.is_office and (user.is_superuser or not account.is_superuser)


@role(is_office)
def account_list(request: HttpRequest) -> HttpResponse:
    accounts = User.objects.select_related("unit", "department").order_by("username")
    with_2fa = set(
        TOTPDevice.objects.filter(confirmed=True).values_list("user_id", flat=True).distinct()
    )
    me = current_user(request)
    rows = [
        {"account": a, "has_2fa": a.pk in with_2fa, "manageable": _may_manage(me, a)}
        for a in accounts
    ]
    return render(request, "web/account_list.html", {"rows": rows, "form": ReasonForm()})


def _account(request: HttpRequest, pk: int) -> User:
    me = current_user(request)
    return for_user(me, User, may=_may_manage, pk=pk)


@require_POST
@role(is_office)
def account_reset(request: HttpRequest, pk: int) -> HttpResponse:
    """A one-time password, shown once on this page (never stored in clear, never sent)."""
    target = _account(request, pk)
    one_time = password_reset(acting_user=current_user(request), user=target)
    return render(request, "web/account_one_time.html", {"account": target, "password": one_time})


@require_POST
@role(is_office)
def account_disable_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = _account(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("accounts")
    try:
        ended = account_disable(
            acting_user=current_user(request), user=target, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(user)s is disabled; %(count)d session(s) ended.")
            % {"user": target.username, "count": ended},
        )
    return redirect("accounts")


@require_POST
@role(is_office)
def account_enable_view(request: HttpRequest, pk: int) -> HttpResponse:
    target = _account(request, pk)
    form = ReasonForm(request.POST)
    if not form.is_valid():
        messages.error(request, " ".join(str(e) for errs in form.errors.values() for e in errs))
        return redirect("accounts")
    try:
        account_enable(
            acting_user=current_user(request), user=target, reason=form.cleaned_data["reason"]
        )
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("%(user)s is enabled.") % {"user": target.username})
    return redirect("accounts")


@require_POST
@role(is_office)
def account_2fa_reset(request: HttpRequest, pk: int) -> HttpResponse:
    target = _account(request, pk)
    second_factor_reset(acting_user=current_user(request), user=target)
    messages.success(
        request,
        _("The second factor of %(user)s was removed; they set up a new one at the next login.")
        % {"user": target.username},
    )
    return redirect("accounts")
