"""What a logged-in session may do before anything else runs (ASVS 3.3, 2.1, 8.2):

- it ends after ``KAOHE_SESSION_IDLE_MINUTES`` without a request, and ``KAOHE_SESSION_MAX_HOURS``
  after the login whatever happens (audited, the login page says why);
- a user with a second factor gives its code first; office and leader accounts without one set
  one up first when ``KAOHE_REQUIRE_2FA`` is on;
- a user whose password someone else chose (a reset, a new account) sets their own first;
- no response to a logged-in user is stored by the browser or a proxy (``no-store``)."""

from __future__ import annotations

import time
from collections.abc import Callable
from typing import Any

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.models import AnonymousUser
from django.contrib.auth.signals import user_logged_in
from django.contrib.auth.views import redirect_to_login
from django.db import transaction
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils.cache import add_never_cache_headers
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.people.models import User
from kaohe.people.services import has_second_factor, second_factor_required

LOGIN_AT = "kaohe_login_at"
SEEN_AT = "kaohe_seen_at"
STEPS_DONE = "kaohe_login_steps_done"
SEEN_GRANULARITY = 15  # seconds: the last-seen time is rewritten at most this often


class SessionPolicyMiddleware:
    def __init__(self, get_response: Callable[[HttpRequest], HttpResponse]) -> None:
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = getattr(request, "user", None)
        refused = None
        if user is not None and user.is_authenticated and isinstance(user, User):
            refused = self._check(request, user)
        response = refused if refused is not None else self.get_response(request)
        after = getattr(request, "user", None)
        if (after is not None and after.is_authenticated) or (
            user is not None and user.is_authenticated
        ):
            add_never_cache_headers(response)  # no-cache, no-store, must-revalidate, private
        return response

    def _check(self, request: HttpRequest, user: User) -> HttpResponse | None:
        now = time.time()
        session = request.session
        login_at = session.get(LOGIN_AT)
        seen_at = session.get(SEEN_AT)
        if login_at is None:  # a session from before this policy, or a forced login
            session[LOGIN_AT] = login_at = now
        idle = settings.KAOHE_SESSION_IDLE_MINUTES * 60
        longest = settings.KAOHE_SESSION_MAX_HOURS * 3600
        why = None
        if seen_at is not None and now - float(seen_at) > idle:
            why = "idle"
        elif now - float(login_at) > longest:
            why = "max"
        if why is not None:
            return self._expire(request, user, why)
        if seen_at is None or now - float(seen_at) >= SEEN_GRANULARITY:
            session[SEEN_AT] = now
        return self._next_step(request, user)

    def _expire(self, request: HttpRequest, user: User, why: str) -> HttpResponse:
        with transaction.atomic():
            record(
                acting_user=user,
                action="auth.session_expired",
                obj=user,
                after={
                    "why": why,
                    "idle_minutes": settings.KAOHE_SESSION_IDLE_MINUTES,
                    "max_hours": settings.KAOHE_SESSION_MAX_HOURS,
                },
            )
        request.session.flush()  # not logout(): that would record a logout the user never did
        request.user = AnonymousUser()
        if why == "idle":
            text = _("You were logged out after %(minutes)d minutes without activity.") % {
                "minutes": settings.KAOHE_SESSION_IDLE_MINUTES
            }
        else:
            text = _("You were logged out: a session lasts at most %(hours)d hours.") % {
                "hours": settings.KAOHE_SESSION_MAX_HOURS
            }
        messages.warning(request, text)
        if request.method == "GET":
            return redirect_to_login(request.get_full_path())
        return redirect(settings.LOGIN_URL)

    def _next_step(self, request: HttpRequest, user: User) -> HttpResponse | None:
        """The login's remaining step, if any; until it is done only its page opens (and
        leaving, and the language)."""
        if request.session.get(STEPS_DONE):
            return None
        step = pending_step(user)
        if step is None:
            # done for this session: a reset, an admin-set password or a removed second factor
            # ends the session anyway, and the next login checks again (no query per request)
            request.session[STEPS_DONE] = True
            return None
        allowed = (reverse(STEP_VIEWS[step]), reverse("logout"), reverse("set_language"))
        if request.path in allowed:
            return None
        return redirect_to_login(request.get_full_path(), reverse(STEP_VIEWS[step]))


def pending_step(user: User) -> str | None:
    """In order: the second factor's code (when the user has one), their own password (when
    someone else chose it), setting a second factor up (when their role requires one)."""
    verified = getattr(user, "is_verified", lambda: False)()
    if not verified and has_second_factor(user):
        return "verify"
    if user.must_change_password:
        return "password"
    if not verified and second_factor_required(user):
        return "setup"
    return None


STEP_VIEWS = {"verify": "account-verify", "password": "account-password", "setup": "account-2fa"}


def on_logged_in(sender: Any, request: HttpRequest | None, user: Any, **kwargs: Any) -> None:
    """Start the clocks anew at each login, and find whether a step remains."""
    if request is not None and hasattr(request, "session"):
        now = time.time()
        request.session[LOGIN_AT] = now
        request.session[SEEN_AT] = now
        request.session.pop(STEPS_DONE, None)
        if isinstance(user, User) and pending_step(user) is None:
            request.session[STEPS_DONE] = True  # nothing to do: no query on the next requests


user_logged_in.connect(on_logged_in, dispatch_uid="kaohe.session_policy.login")
