"""Month results from the engine: rankings, a unit's page, escalations."""

from __future__ import annotations

from datetime import date, datetime, time

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.monthly.models import Cycle, EscalationCase, Sheet
from kaohe.monthly.selectors import year_result
from kaohe.monthly.services import CycleError, escalation_update
from kaohe.people.models import Unit
from kaohe.yearend.exports import ranking_workbook
from kaohe.years.models import Year

from .access import any_user, current_user, may_read_unit, require, role, sees_everything
from .downloads import file_response
from .forms import EscalationForm


def as_of(request: HttpRequest) -> tuple[datetime | None, str]:
    """``?as_of=YYYY-MM-DD``: the figures as they stood at the end of that day (复核)."""
    raw = request.GET.get("as_of", "")
    try:
        day = date.fromisoformat(raw)
    except ValueError:
        return None, ""
    end = datetime.combine(day, time.max)
    return timezone.make_aware(end), raw


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
    moment, as_of_text = as_of(request)
    result = year_result(the_year, as_of=moment)
    pending = Sheet.objects.filter(cycle=cycle).exclude(status=Sheet.Status.ACCEPTED).count()
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
        raise_404()
    result = year_result(the_year)
    workbook = ranking_workbook(the_year, month, result)
    return file_response(workbook, f"ranking-{year}-{month:02d}.xlsx")


@role(any_user)
def unit_page(request: HttpRequest, year: int, code: str) -> HttpResponse:
    """A unit's months: scores, ranks and, for the chosen month, every deduction and bonus."""
    unit = get_object_or_404(Unit, code=code)
    require(may_read_unit(current_user(request), unit))
    the_year, cycles = _year_with_cycles(year)
    if not cycles:
        return render(request, "web/unit.html", {"year": the_year, "unit": unit, "months": []})
    moment, as_of_text = as_of(request)
    result = year_result(the_year, as_of=moment)
    if code not in result.units:
        raise_404()
    chosen = int(request.GET.get("month", cycles[-1].month))
    if chosen not in result.monthly:
        chosen = cycles[-1].month
    months = []
    for cycle in cycles:
        row = next(r for r in result.monthly[cycle.month][unit.category] if r.unit == code)
        months.append((cycle, row, len(result.monthly[cycle.month][unit.category])))
    line = result.month_line(code, chosen)
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
            "escalations": escalations,
            "as_of": as_of_text,
        },
    )


def raise_404() -> None:
    from django.http import Http404

    raise Http404


@role(sees_everything)
def escalations(request: HttpRequest, year: int) -> HttpResponse:
    """Talks and written reports the measures require (Art. 12(3)), worked through by the office."""
    the_year = get_object_or_404(Year, year=year)
    if request.method == "POST":
        require(current_user(request).is_office)
        case = get_object_or_404(EscalationCase, pk=request.POST.get("case"), year=the_year)
        form = EscalationForm(request.POST)
        if form.is_valid():
            try:
                escalation_update(
                    acting_user=current_user(request),
                    case=case,
                    status=form.cleaned_data["status"],
                    notes=form.cleaned_data["notes"],
                )
                messages.success(request, _("Saved."))
            except CycleError as exc:
                messages.error(request, str(exc))
        return redirect("escalations", year=year)
    cases = EscalationCase.objects.filter(year=the_year).select_related("unit")
    return render(
        request,
        "web/escalations.html",
        {
            "year": the_year,
            "cases": cases,
            "statuses": EscalationCase.Status.choices,
        },
    )
