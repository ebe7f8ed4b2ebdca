"""Who may do what (SPEC §1), in one place; every view states its rule."""

from __future__ import annotations

from collections.abc import Callable
from functools import wraps
from typing import Any, Concatenate

from django.contrib.auth.decorators import login_required
from django.core.exceptions import ObjectDoesNotExist, PermissionDenied, ValidationError
from django.db import DataError, models
from django.http import Http404, HttpRequest, HttpResponse

from kaohe.monthly.models import Cycle, EscalationCase, Sheet
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


def may_work_escalations(user: User, case: EscalationCase) -> bool:
    return user.is_office


# What reading an object takes, by model; a view that writes passes its own rule (``may``).
READ_RULES: dict[type[models.Model], Callable[[User, Any], bool]] = {
    Sheet: may_read_sheet,
    Unit: may_read_unit,
    Cycle: lambda user, _cycle: sees_everything(user),
    EscalationCase: lambda user, _case: sees_everything(user),
}


def for_user[M: models.Model](
    user: User,
    model_or_queryset: type[M] | models.QuerySet[M],
    /,
    *,
    may: Callable[[User, M], bool] | None = None,
    **lookup: Any,
) -> M:
    """Load one object and authorize ``user`` for it in one call: 404 when it does not exist
    (or the lookup value cannot be one, e.g. a NUL byte on PostgreSQL), 403 when the rule
    (``may``, else the model's read rule) refuses."""
    queryset = (
        model_or_queryset
        if isinstance(model_or_queryset, models.QuerySet)
        else model_or_queryset._default_manager.all()
    )
    if any(isinstance(v, str) and "\x00" in v for v in lookup.values()):
        raise Http404  # PostgreSQL cannot even compare a text with a NUL byte
    try:
        obj = queryset.get(**lookup)
    except (ObjectDoesNotExist, ValueError, TypeError, ValidationError, DataError) as exc:
        raise Http404 from exc
    rule = may or READ_RULES.get(queryset.model)
    if rule is None:
        raise PermissionDenied  # a model without a rule is never handed out by accident
    require(rule(user, obj))
    return obj
