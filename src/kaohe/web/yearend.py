"""Year-end pages: declarations and evidence (the recognition evaluation is in evaluation.py)."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.contrib import messages
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils.translation import gettext as _

from kaohe.people.models import Unit
from kaohe.yearend import evidence as files
from kaohe.yearend.models import Declaration, Evidence
from kaohe.yearend.services import (
    YearEndError,
    closing_of,
    declaration_decide,
    declaration_submit,
    evidence_add,
    fault_record,
    rated_units,
    what_if,
    window_set,
)
from kaohe.years.models import Year

from .access import any_user, current_user, may_read_unit, require, role


def _date(raw: str) -> dt.date | None:
    try:
        return dt.date.fromisoformat(raw) if raw else None
    except ValueError:
        return None


@role(any_user)
def declarations(request: HttpRequest, year: int) -> HttpResponse:
    """Office: every declaration, the window, faults found. Unit: its own, and declare."""
    the_year = get_object_or_404(Year, year=year)
    user = current_user(request)
    require(user.sees_everything or user.unit_id is not None)
    closing = closing_of(the_year)
    scheme = the_year.scheme
    if request.method == "POST":
        action = request.POST.get("action", "")
        try:
            if action in ("open", "close"):
                window_set(acting_user=user, year=the_year, open_=action == "open")
            elif action == "preview-fault" and user.is_office:
                unit = get_object_or_404(Unit, pk=request.POST.get("unit"))
                draft = Declaration(
                    year=the_year,
                    unit=unit,
                    kind="fault",
                    declared=False,
                    fault_type=request.POST.get("fault_type", ""),
                    occurrences=int(request.POST.get("occurrences") or 1),
                    description=request.POST.get("description", ""),
                )
                preview = what_if(the_year, draft)
                return render(
                    request,
                    "web/fault_preview.html",
                    {
                        "year": the_year,
                        "unit": unit,
                        "draft": draft,
                        "changes": preview,
                        "fault_names": {f.key: f.name for f in scheme.faults.types},
                        "post": request.POST,
                    },
                )
            elif action == "fault" and user.is_office:
                unit = get_object_or_404(Unit, pk=request.POST.get("unit"))
                fault_record(
                    acting_user=user,
                    year=the_year,
                    unit=unit,
                    fault_type=request.POST.get("fault_type", ""),
                    occurrences=int(request.POST.get("occurrences") or 1),
                    description=request.POST.get("description", ""),
                    occurred_on=_date(request.POST.get("occurred_on", "")),
                )
            elif action in ("achievement", "fault") and user.unit is not None:
                award, _sep, level = request.POST.get("award_level", "").partition(":")
                fields: dict[str, Any] = {
                    "kind": action,
                    "description": request.POST.get("description", ""),
                }
                if action == "achievement":
                    fields |= {
                        "award": award,
                        "level": level,
                        "content": request.POST.get("content", "").strip(),
                        "document_no": request.POST.get("document_no", ""),
                        "document_date": _date(request.POST.get("document_date", "")),
                    }
                else:
                    fields |= {
                        "fault_type": request.POST.get("fault_type", ""),
                        "occurrences": int(request.POST.get("occurrences") or 1),
                        "occurred_on": _date(request.POST.get("occurred_on", "")),
                    }
                declaration = declaration_submit(
                    acting_user=user, year=the_year, unit=user.unit, **fields
                )
                for upload in request.FILES.getlist("evidence"):
                    evidence_add(acting_user=user, declaration=declaration, upload=upload)
            else:
                require(False)
            messages.success(request, _("Saved."))
        except (YearEndError, ValueError) as exc:
            messages.error(request, str(exc))
        return redirect("declarations", year=year)
    rows = (
        Declaration.objects.filter(year=the_year)
        .select_related("unit")
        .prefetch_related("evidence")
    )
    if not user.sees_everything:
        rows = rows.filter(unit=user.unit)
    awards = [
        (
            f"{a.key}:{level}",
            f"{a.name}({scheme.achievements.level_names.get(level, level)},{points}分)",
        )
        for a in scheme.achievements.awards
        for level, points in a.levels.items()
    ]
    return render(
        request,
        "web/declarations.html",
        {
            "year": the_year,
            "closing": closing,
            "rows": rows,
            "awards": awards,
            "fault_types": scheme.faults.types,
            "units": rated_units(the_year),
            "award_names": {a.key: a.name for a in scheme.achievements.awards},
            "fault_names": {f.key: f.name for f in scheme.faults.types},
        },
    )


@role(any_user)
def declaration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    declaration = get_object_or_404(Declaration.objects.select_related("unit", "year"), pk=pk)
    user = current_user(request)
    require(may_read_unit(user, declaration.unit))
    if request.method == "POST":
        try:
            if "evidence" in request.FILES:
                for upload in request.FILES.getlist("evidence"):
                    evidence_add(acting_user=user, declaration=declaration, upload=upload)
            else:
                require(user.is_office)
                declaration_decide(
                    acting_user=user,
                    declaration=declaration,
                    accept=request.POST.get("decision") == "accept",
                    reason=request.POST.get("reason", ""),
                )
            messages.success(request, _("Saved."))
        except YearEndError as exc:
            messages.error(request, str(exc))
        return redirect("declaration", pk=pk)
    changes = None
    if user.is_office and declaration.status == Declaration.Status.PENDING:
        changes = what_if(declaration.year, declaration)
    scheme = declaration.year.scheme
    return render(
        request,
        "web/declaration.html",
        {
            "d": declaration,
            "changes": changes,
            "award_names": {a.key: a.name for a in scheme.achievements.awards},
            "fault_names": {f.key: f.name for f in scheme.faults.types},
            "level_names": scheme.achievements.level_names,
        },
    )


@role(any_user)  # type: ignore[arg-type]  # a FileResponse is a streaming response
def evidence_file(request: HttpRequest, pk: int) -> FileResponse:
    """Serve an evidence file only to those who may read that unit's record."""
    item = get_object_or_404(Evidence.objects.select_related("declaration__unit"), pk=pk)
    require(may_read_unit(current_user(request), item.declaration.unit))
    path = files.path_of(item.stored_name)
    if not path.is_file():
        raise Http404
    response = FileResponse(
        path.open("rb"),
        content_type=item.content_type,
        as_attachment=True,
        filename=item.original_name,
    )
    response["X-Content-Type-Options"] = "nosniff"
    return response
