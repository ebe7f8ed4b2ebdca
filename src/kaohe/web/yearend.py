"""Year-end pages: declarations and evidence (the recognition evaluation is in evaluation.py)."""

from __future__ import annotations

import logging
from typing import Any

from django import forms
from django.contrib import messages
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _

from kaohe.yearend import evidence as files
from kaohe.yearend.models import Declaration, Evidence
from kaohe.yearend.selectors import closing_read, what_if
from kaohe.yearend.services import (
    DeclarationConflict,
    EvidenceRefused,
    declaration_decide,
    declaration_submit,
    declaration_withdraw,
    evidence_add,
    evidence_mismatch_record,
    fault_record,
    rated_units,
    window_set,
)
from kaohe.years.models import Year

from .access import any_user, current_user, for_user, may_read_unit, require, role
from .confirm import confirm_page, confirmed
from .forms_yearend import (
    AchievementForm,
    ActionForm,
    DecisionForm,
    DetailActionForm,
    EvidenceForm,
    FaultForm,
    VersionForm,
)

log = logging.getLogger("kaohe.evidence")


def _declarations_page(
    request: HttpRequest, the_year: Year, forms_: dict[str, Any] | None = None, status: int = 200
) -> HttpResponse:
    """The declarations page; ``forms_`` are bound forms that came back with errors."""
    user = current_user(request)
    closing = closing_read(the_year)
    scheme = the_year.scheme
    given = forms_ or {}
    rows = (
        Declaration.objects.filter(year=the_year)
        .select_related("unit")
        .prefetch_related("evidence")
    )
    if not user.sees_everything:
        rows = rows.filter(unit=user.unit)
    context: dict[str, Any] = {
        "year": the_year,
        "closing": closing,
        "rows": rows,
        "award_names": {a.key: a.name for a in scheme.achievements.awards},
        "fault_names": {f.key: f.name for f in scheme.faults.types},
        "error": given.get("error", ""),
    }
    if user.unit is not None:
        context["achievement_form"] = given.get("achievement") or AchievementForm(year=the_year)
        context["fault_form"] = given.get("fault") or FaultForm(year=the_year, evidence=True)
    if user.is_office:
        context["office_fault_form"] = given.get("office_fault") or FaultForm(
            year=the_year, units=rated_units(the_year)
        )
    return render(request, "web/declarations.html", context, status=status)


def _refused(form: forms.Form, exc: ValueError) -> None:
    """A refusal of the service, shown by the field it concerns where there is one."""
    field = "evidence" if isinstance(exc, EvidenceRefused) else None
    form.add_error(field if field in form.fields else None, str(exc))


@role(any_user)
def declarations(request: HttpRequest, year: int) -> HttpResponse:
    """Office: every declaration, the window, faults found. Unit: its own, and declare."""
    the_year = get_object_or_404(Year, year=year)
    user = current_user(request)
    require(user.sees_everything or user.unit_id is not None)
    if request.method != "POST":
        return _declarations_page(request, the_year)
    action_form = ActionForm(request.POST)
    require(action_form.is_valid())
    action = action_form.cleaned_data["action"]
    if action in ("open", "close"):
        try:
            window_set(acting_user=user, year=the_year, open_=action == "open")
        except ValueError as exc:
            return _declarations_page(request, the_year, {"error": str(exc)}, status=400)
        messages.success(request, _("Saved."))
        return redirect("declarations", year=year)
    if user.is_office and action in ("fault", "preview-fault"):
        return _office_fault(request, the_year, preview=action == "preview-fault")
    unit = user.unit
    require(unit is not None and action in ("achievement", "fault"))
    form: AchievementForm | FaultForm
    if action == "achievement":
        form = AchievementForm(request.POST, request.FILES, year=the_year)
    else:
        form = FaultForm(request.POST, request.FILES, year=the_year, evidence=True)
    if form.is_valid():
        try:
            declaration_submit(
                acting_user=user,
                year=the_year,
                unit=unit,  # type: ignore[arg-type]  # required just above
                uploads=form.cleaned_data["evidence"],
                **form.declaration_fields(),
            )
        except ValueError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("declarations", year=year)
    return _declarations_page(request, the_year, {action: form}, status=400)


def _office_fault(request: HttpRequest, the_year: Year, *, preview: bool) -> HttpResponse:
    """A fault the office found: previewed (what would it change?) and then recorded."""
    user = current_user(request)
    form = FaultForm(request.POST, year=the_year, units=rated_units(the_year))
    if form.is_valid():
        data = form.cleaned_data
        if preview:
            draft = Declaration(
                year=the_year,
                unit=data["unit"],
                kind=Declaration.Kind.FAULT,
                declared=False,
                fault_type=data["fault_type"],
                occurrences=data["occurrences"],
                description=data["description"],
            )
            return render(
                request,
                "web/fault_preview.html",
                {
                    "year": the_year,
                    "unit": data["unit"],
                    "draft": draft,
                    "changes": what_if(the_year, draft),
                    "fault_names": {f.key: f.name for f in the_year.scheme.faults.types},
                    "form": form,
                },
            )
        try:
            fault_record(
                acting_user=user,
                year=the_year,
                unit=data["unit"],
                fault_type=data["fault_type"],
                occurrences=data["occurrences"],
                description=data["description"],
                occurred_on=data["occurred_on"],
            )
        except ValueError as exc:
            _refused(form, exc)
        else:
            messages.success(request, _("Saved."))
            return redirect("declarations", year=the_year.year)
    return _declarations_page(request, the_year, {"office_fault": form}, status=400)


def _detail_page(
    request: HttpRequest,
    declaration: Declaration,
    forms_: dict[str, Any] | None = None,
    status: int = 200,
) -> HttpResponse:
    user = current_user(request)
    given = forms_ or {}
    changes = None
    if user.is_office and declaration.status == Declaration.Status.PENDING:
        changes = what_if(declaration.year, declaration)
    scheme = declaration.year.scheme
    version = {"version": declaration.version}
    return render(
        request,
        "web/declaration.html",
        {
            "d": declaration,
            "changes": changes,
            "award_names": {a.key: a.name for a in scheme.achievements.awards},
            "fault_names": {f.key: f.name for f in scheme.faults.types},
            "level_names": scheme.achievements.level_names,
            "evidence_form": given.get("evidence") or EvidenceForm(auto_id="e-%s"),
            "decision_form": given.get("decide") or DecisionForm(initial=version),
            "withdraw_form": VersionForm(initial=version, auto_id="w-%s"),
            "error": given.get("error", ""),
        },
        status=status,
    )


@role(any_user)
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = current_user(request)
    declaration = for_user(
        user,
        Declaration.objects.select_related("unit", "year"),
        may=lambda u, d: may_read_unit(u, d.unit),
        pk=pk,
    )
    if request.method != "POST":
        return _detail_page(request, declaration)
    action_form = DetailActionForm(request.POST)
    require(action_form.is_valid())
    action = action_form.cleaned_data["action"]
    form: forms.Form
    if action == "evidence":
        form = EvidenceForm(request.POST, request.FILES, auto_id="e-%s")
    elif action == "decide":
        require(user.is_office)
        form = DecisionForm(request.POST)
    else:
        form = VersionForm(request.POST, auto_id="w-%s")
    if not form.is_valid():
        return _detail_page(request, declaration, {action: form}, status=400)
    data = form.cleaned_data
    if action == "decide" and data["decision"] == "accept" and not confirmed(request):
        return _confirm_accept(request, declaration)
    try:
        if action == "evidence":
            evidence_add(acting_user=user, declaration=declaration, uploads=data["evidence"])
        elif action == "decide":
            declaration_decide(
                acting_user=user,
                declaration=declaration,
                accept=data["decision"] == "accept",
                reason=data["reason"],
                version=data["version"],
            )
        else:
            declaration_withdraw(acting_user=user, declaration=declaration, version=data["version"])
    except DeclarationConflict as exc:
        return _conflict(request, exc.current, form)
    except ValueError as exc:
        if action == "withdraw":
            return _detail_page(request, declaration, {"error": str(exc)}, status=400)
        _refused(form, exc)
        return _detail_page(request, declaration, {action: form}, status=400)
    messages.success(request, _("Saved."))
    return redirect("declaration", pk=pk)


def _confirm_accept(request: HttpRequest, declaration: Declaration) -> HttpResponse:
    """What accepting does; a declaration with no evidence file says so first."""
    consequence = _(
        "Once accepted, the declaration counts in %(unit)s's year-end score; the unit can no "
        "longer withdraw it."
    ) % {"unit": declaration.unit.name}
    if declaration.declared and not declaration.evidence.exists():
        consequence = "{} {}".format(
            _("Warning: this declaration has no evidence file."), consequence
        )
    return confirm_page(
        request,
        title=_("Accept declaration #%(pk)s?") % {"pk": declaration.pk},
        consequence=consequence,
        button=_("Yes, accept"),
        back=reverse("declaration", args=[declaration.pk]),
    )


def _conflict(request: HttpRequest, current: Declaration, form: forms.Form) -> HttpResponse:
    """A decision or withdrawal based on an older version: the newer state, who and when,
    and what the user typed (409)."""
    scheme = current.year.scheme
    return render(
        request,
        "web/declaration_conflict.html",
        {
            "d": current,
            "form": form,
            "award_names": {a.key: a.name for a in scheme.achievements.awards},
            "fault_names": {f.key: f.name for f in scheme.faults.types},
            "level_names": scheme.achievements.level_names,
        },
        status=409,
    )


@role(any_user)
def evidence_file(request: HttpRequest, pk: int) -> HttpResponse:
    """Serve an evidence file only to those who may read that unit's record, and only while
    its bytes match the SHA-256 recorded at upload."""
    user = current_user(request)
    item = for_user(
        user,
        Evidence.objects.select_related("declaration__unit"),
        may=lambda u, e: may_read_unit(u, e.declaration.unit),
        pk=pk,
    )
    if not files.path_of(item.stored_name).is_file():
        raise Http404
    try:
        data = files.read_verified(item.stored_name, item.sha256)
    except files.EvidenceMismatch as exc:
        log.error(
            "evidence %s (%s) does not match its SHA-256 %s", item.pk, item.stored_name, item.sha256
        )
        evidence_mismatch_record(acting_user=user, evidence=item)
        return render(
            request, "web/evidence_refused.html", {"item": item, "message": str(exc)}, status=409
        )
    response = HttpResponse(data, content_type=item.content_type)
    response["Content-Disposition"] = content_disposition_header(True, item.original_name)
    response["X-Content-Type-Options"] = "nosniff"
    return response
