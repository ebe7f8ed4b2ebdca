"""Month results from the engine: rankings, a unit's page, escalations."""

from __future__ import annotations

from dataclasses import dataclass, field
from datetime import datetime, time

from django.contrib import messages
from django.core.exceptions import PermissionDenied
from django.db.models import Q
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.monthly.models import Cycle, EscalationCase, Sheet
from kaohe.monthly.selectors import complete_months, year_result
from kaohe.monthly.services import CycleError, StaleRecord, escalation_update
from kaohe.people.models import Unit
from kaohe.yearend.exports import ranking_workbook
from kaohe.years.models import Year

from .access import (
    any_user,
    current_user,
    for_user,
    may_work_escalations,
    role,
    sees_everything,
)
from .charts import unit_trend
from .downloads import file_response
from .forms import AsOfForm, EscalationUpdateForm


@dataclass
class Query:
    """The page's query parameters, checked by ``AsOfForm``; a bad one is dropped and said."""

    moment: datetime | None = None
    as_of: str = ""
    month: int | None = None
    errors: list[str] = field(default_factory=list)


def page_query(request: HttpRequest) -> Query:
    """``?as_of=YYYY-MM-DD`` — the figures as they stood at the end of that day (复核) — and
    ``?month=N``. A value the form refuses is ignored, with a message on the page."""
    form = AsOfForm(request.GET)
    form.is_valid()
    data = form.cleaned_data
    query = Query(month=data.get("month"))
    day = data.get("as_of")
    if day is not None:
        query.moment = timezone.make_aware(datetime.combine(day, time.max))
        query.as_of = day.isoformat()
    for name, errors in form.errors.items():
        for error in errors:
            text = _("%(field)s “%(value)s” is ignored: %(error)s") % {
                "field": name,
                "value": str(request.GET.get(name, ""))[:40],
                "error": error,
            }
            messages.warning(request, text)
            query.errors.append(text)
    return query


def _year_with_cycles(year: int) -> tuple[Year, list[Cycle]]:
    the_year = get_object_or_404(Year, year=year)
    return the_year, list(Cycle.objects.filter(year=the_year).order_by("month"))


@role(sees_everything)
def ranking(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """Monthly ranking per category (Art. 11(2)): month target scores, ties shared."""
    the_year, cycles = _year_with_cycles(year)
    cycle = next((c for c in cycles if c.month == month), None)
    if cycle is None:
        return redirect("year", year=year)
    query = page_query(request)
    moment, as_of_text = query.moment, query.as_of
    result = year_result(the_year, as_of=moment)
    sheets = Sheet.objects.filter(cycle=cycle)
    accepted = Q(status=Sheet.Status.ACCEPTED)
    if moment is not None:  # as of a past day: the sheets not yet accepted on that day
        accepted &= Q(decided_at__lte=moment)
    pending = sheets.exclude(accepted).count()
    units = {code: y.unit for code, y in result.units.items()}
    tables = []
    for category in the_year.scheme.categories:
        rows = [(row, units[row.unit]) for row in result.monthly[month].get(category.key, [])]
        tables.append((category, rows))
    actions = [a for a in result.escalations if a.month == month and not pending]
    return render(
        request,
        "web/ranking.html",
        {
            "year": the_year,
            "cycles": cycles,
            "cycle": cycle,
            "tables": tables,
            "pending": pending,
            "actions": actions,
            "units": units,
            "as_of": as_of_text,
        },
    )


@role(sees_everything)
def ranking_xlsx(request: HttpRequest, year: int, month: int) -> HttpResponse:
    """The monthly ranking as .xlsx: one sheet per category, titled, frozen header, printable."""
    the_year = get_object_or_404(Year, year=year)
    if not Cycle.objects.filter(year=the_year, month=month).exists():
        raise Http404
    result = year_result(the_year)
    workbook = ranking_workbook(the_year, month, result)
    return file_response(workbook, f"ranking-{year}-{month:02d}.xlsx")


@role(any_user)
def unit_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A unit's months: scores, ranks and, for the chosen month, every deduction and bonus."""
    unit = for_user(current_user(request), Unit, code=code)
    the_year, cycles = _year_with_cycles(year)
    if not cycles:
        return render(request, "web/unit.html", {"year": the_year, "unit": unit, "months": []})
    query = page_query(request)
    moment, as_of_text = query.moment, query.as_of
    result = year_result(the_year, as_of=moment)
    if code not in result.units:
        raise Http404
    chosen = query.month or cycles[-1].month
    if chosen not in result.monthly:
        chosen = cycles[-1].month
    months = []
    done = set(complete_months(the_year))  # a month with sheets still open is provisional
    for cycle in cycles:
        row = next(r for r in result.monthly[cycle.month][unit.category] if r.unit == code)
        size = len(result.monthly[cycle.month][unit.category])
        months.append((cycle, row, size, cycle.month not in done))
    line = result.month_line(code, chosen)
    trend = unit_trend(result, code)
    escalations = EscalationCase.objects.filter(year=the_year, unit=unit)
    return render(
        request,
        "web/unit.html",
        {
            "year": the_year,
            "unit": unit,
            "months": months,
            "chosen": chosen,
            "line": line,
            "provisional": chosen not in done,
            "trend": trend,
            "escalations": escalations,
            "as_of": as_of_text,
        },
    )


@role(sees_everything)
def escalations(request: HttpRequest, year: int) -> HttpResponse:
    """Talks and written reports the measures require (Art. 12(3)), worked through by the
    office. Each row posts the case's version: a case saved by someone else meanwhile is a
    conflict (HTTP 409) showing the newer status and notes, the user's input kept."""
    the_year = get_object_or_404(Year, year=year)
    user = current_user(request)
    bound: dict[str, object] = {}
    status = 200
    if request.method == "POST":
        if not user.is_office:
            raise PermissionDenied
        form = EscalationUpdateForm(request.POST)
        form.is_valid()
        case = for_user(
            user,
            EscalationCase.objects.select_related("updated_by"),
            may=may_work_escalations,
            pk=form.cleaned_data.get("case"),
            year=the_year,
        )
        if form.is_valid():
            try:
                escalation_update(
                    acting_user=user,
                    case=case,
                    status=form.cleaned_data["status"],
                    notes=form.cleaned_data["notes"],
                    expected_version=form.cleaned_data["version"],
                )
            except StaleRecord as exc:
                bound = _bound(form, exc.obj.pk, exc.obj.version, conflict=True)
                status = 409
            except CycleError as exc:
                bound = _bound(form, case.pk, form.cleaned_data["version"], errors=[str(exc)])
            else:
                messages.success(request, _("Saved."))
                return redirect("escalations", year=year)
        else:
            errors = [f"{form.fields[n].label}: {e}" for n, es in form.errors.items() for e in es]
            bound = _bound(form, case.pk, form.cleaned_data.get("version"), errors=errors)
    cases = EscalationCase.objects.filter(year=the_year).select_related("unit", "updated_by")
    return render(
        request,
        "web/escalations.html",
        {
            "year": the_year,
            "cases": cases,
            "statuses": EscalationCase.Status.choices,
            "bound": bound,
        },
        status=status,
    )


def _bound(
    form: EscalationUpdateForm,
    case: int,
    version: int | None,
    *,
    conflict: bool = False,
    errors: list[str] | None = None,
) -> dict[str, object]:
    """The user's input for one case, shown again in its row."""
    return {
        "case": case,
        "version": "" if version is None else version,
        "status": form.data.get("status", ""),
        "notes": form.data.get("notes", ""),
        "conflict": conflict,
        "errors": errors or [],
    }
