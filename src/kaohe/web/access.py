"""Who may do what (SPEC §1), in one place; every view states its rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import HttpRequest, HttpResponse

from kaohe.monthly.models import Sheet
from kaohe.people.models import Unit, User


def current_user(request: HttpRequest) -> User:
    """The logged-in user (views run behind ``role``, so never anonymous)."""
    user = request.user
    if not isinstance(user, User):
        raise PermissionDenied
    return user


def is_office(user: User) -> bool:
    return user.is_office


def sees_everything(user: User) -> bool:
    return user.is_office or user.is_leader


def may_read_unit(user: User, unit: Unit) -> bool:
    """A unit reads only its own record; office and leaders read all."""
    return sees_everything(user) or user.unit_id == unit.pk


def may_read_sheet(user: User, sheet: Sheet) -> bool:
    return sees_everything(user) or user.department_id == sheet.department_id


def may_score_sheet(user: User, sheet: Sheet) -> bool:
    return user.department_id == sheet.department_id


def require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


View = Callable[Concatenate[HttpRequest, ...], HttpResponse]


def role(predicate: Callable[[User], bool]) -> Callable[[View], View]:
    """Log in, then check the role before the view runs."""

    def decorate(view: View) -> View:
        @login_required
        @wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            require(predicate(current_user(request)))
            return view(request, *args, **kwargs)

        return wrapper

    return decorate


def any_user(user: User) -> bool:
    return True
