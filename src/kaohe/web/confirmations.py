"""The second-confirmation queue (SPEC §11): large deductions and veto faults wait here for
someone other than the person who entered them — the office, or the scoring department's
head for its cells — to confirm or refuse them."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _

from kaohe.monthly.models import Confirmation
from kaohe.monthly.selectors import headed_departments, refused_cell_confirmations
from kaohe.monthly.services import CycleError, deduction_confirm, deduction_refuse, may_confirm
from kaohe.people.models import User
from kaohe.yearend.models import VetoConfirmation
from kaohe.yearend.selectors import pending_confirmations
from kaohe.yearend.services import YearEndError, may_confirm_veto, veto_decide
from kaohe.years.finality import YearFinal

from .access import current_user, for_user, role
from .forms_confirmations import ConfirmForm, RefuseForm
from .sheets import form_messages


def sees_queue(user: User) -> bool:
    """The office and leaders (everything), assessors (their department's cells)."""
    return user.is_office or user.is_leader or user.is_assessor


def _may_act_on_cell(user: User, confirmation: Confirmation) -> bool:
    """The office or the department's head reach the service, which refuses the person who
    entered the deduction with its own message; anyone else is refused here (403)."""
    return user.is_office or confirmation.entry.sheet.department_id in headed_departments(user)


def _may_act_on_veto(user: User, _confirmation: VetoConfirmation) -> bool:
    return user.is_office


@role(sees_queue)
def confirmations(request: HttpRequest) -> HttpResponse:
    """What waits for a second confirmation, each with its buttons where the user may act."""
    user = current_user(request)
    headed = headed_departments(user)
    pending = pending_confirmations(user)
    cells = [(c, may_confirm(user, c, headed)) for c in pending.cells]
    vetoes = [(v, may_confirm_veto(user, v), _fault_name(v)) for v in pending.vetoes]
    return render(
        request,
        "web/confirmations.html",
        {
            "cells": cells,
            "vetoes": vetoes,
            "refused": refused_cell_confirmations(user, headed),
            "confirm_form": ConfirmForm(),
            "refuse_form": RefuseForm(),
        },
    )


def _fault_name(confirmation: VetoConfirmation) -> str:
    declaration = confirmation.declaration
    types = declaration.year.scheme.faults.types  # parsed once per scheme text (cached)
    return next((t.name for t in types if t.key == declaration.fault_type), declaration.fault_type)


CELLS = Confirmation.objects.select_related("entry__sheet")
VETOES = VetoConfirmation.objects.all()


def _decision(
    request: HttpRequest,
    found: Any,
    confirm: bool,
    act: Callable[[User, Any, str], str],
    refused: tuple[type[Exception], ...],
) -> HttpResponse:
    """A confirm or refuse post on a waiting item: the form checked, the service called,
    its answer (or every line of its refusal) shown on the queue page."""
    back = redirect("confirmations")
    if request.method != "POST":
        return back
    form = (ConfirmForm if confirm else RefuseForm)(request.POST)
    if not form.is_valid():
        form_messages(request, form)
        return back
    try:
        done = act(current_user(request), found, form.cleaned_data["reason"])
    except refused as exc:
        for line in str(exc).splitlines():
            messages.error(request, line)
    else:
        messages.success(request, done)
    return back


def _cell_decision(request: HttpRequest, pk: int, *, confirm: bool) -> HttpResponse:
    confirmation = for_user(current_user(request), CELLS, may=_may_act_on_cell, pk=pk)

    def act(user: User, found: Confirmation, reason: str) -> str:
        if confirm:
            deduction_confirm(acting_user=user, confirmation=found, reason=reason)
            return str(_("The deduction is confirmed and counts."))
        deduction_refuse(acting_user=user, confirmation=found, reason=reason)
        return str(_("The deduction is refused; the department corrects it."))

    return _decision(request, confirmation, confirm, act, (CycleError,))


def _veto_decision(request: HttpRequest, pk: int, *, confirm: bool) -> HttpResponse:
    confirmation = for_user(current_user(request), VETOES, may=_may_act_on_veto, pk=pk)

    def act(user: User, found: VetoConfirmation, reason: str) -> str:
        veto_decide(acting_user=user, confirmation=found, confirm=confirm, reason=reason)
        if confirm:
            return str(_("The veto fault is confirmed and stands."))
        return str(_("The veto fault is refused and does not stand."))

    return _decision(request, confirmation, confirm, act, (YearEndError, YearFinal))


@role(sees_queue)
def deduction_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _cell_decision(request, pk, confirm=True)


@role(sees_queue)
def deduction_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _cell_decision(request, pk, confirm=False)


@role(sees_queue)
def veto_confirm_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _veto_decision(request, pk, confirm=True)


@role(sees_queue)
def veto_refuse_view(request: HttpRequest, pk: int) -> HttpResponse:
    return _veto_decision(request, pk, confirm=False)
