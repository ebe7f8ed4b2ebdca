"""The office's working-day calendar page: its entries, a form to enter or change one, and
the removal of one. Office only (SPEC §1: the office sets up the year)."""

from __future__ import annotations

from django.contrib import messages
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_POST

from kaohe.web.access import current_user, is_office, role

from .forms import CalendarDayForm, EditForm, RemoveForm
from .selectors import calendar_days, known_years
from .services import CalendarError, calendar_day_remove, calendar_day_set


def _page(request: HttpRequest, form: CalendarDayForm, status: int = 200) -> HttpResponse:
    package, office_years = known_years()
    next_year = timezone.localdate().year + 1
    return render(
        request,
        "web/workdays_calendar.html",
        {
            "form": form,
            "days": calendar_days(),
            "removed": calendar_days(include_removed=True).filter(removed=True),
            "package_first": package.start,
            "package_last": package.stop - 1,
            "office_years": office_years,
            "next_year": next_year,
            "next_year_unknown": next_year not in package and next_year not in office_years,
        },
        status=status,
    )


@role(is_office)
def calendar(request: HttpRequest) -> HttpResponse:
    if request.method == "POST":
        form = CalendarDayForm(request.POST)
        if form.is_valid():
            data = form.cleaned_data
            try:
                day = calendar_day_set(
                    acting_user=current_user(request),
                    date=data["date"],
                    kind=data["kind"],
                    note=data["note"],
                    expected_version=data["version"],
                )
            except CalendarError as exc:
                form.add_error(None, str(exc))
            else:
                messages.success(
                    request,
                    _("%(date)s is entered as %(kind)s.")
                    % {"date": day.date.isoformat(), "kind": day.get_kind_display()},
                )
                return redirect("workdays")
        return _page(request, form, status=400)
    form = CalendarDayForm()
    edit = EditForm(request.GET)
    if "edit" in request.GET and edit.is_valid():
        entry = calendar_days().filter(pk=edit.cleaned_data["edit"]).first()
        if entry is not None:
            form = CalendarDayForm(
                initial={
                    "date": entry.date,
                    "kind": entry.kind,
                    "note": entry.note,
                    "version": entry.version,
                }
            )
    return _page(request, form)


@role(is_office)
@require_POST
def calendar_remove(request: HttpRequest) -> HttpResponse:
    form = RemoveForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("The entry could not be removed: reload the page and try again."))
        return redirect("workdays")
    try:
        day = calendar_day_remove(
            acting_user=current_user(request),
            pk=form.cleaned_data["entry"],
            expected_version=form.cleaned_data["version"],
        )
    except CalendarError as exc:
        messages.error(request, str(exc))
    else:
        messages.success(
            request,
            _("The entry for %(date)s is removed: the built-in calendar applies to it again.")
            % {"date": day.date.isoformat()},
        )
    return redirect("workdays")
