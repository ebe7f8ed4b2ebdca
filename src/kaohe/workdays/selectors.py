"""Reads: the calendar as it stands (package + the office's entries), working-day reckonings
with the warnings they carry, and the office's list."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from .calendar import PACKAGE_YEARS, Kind, Reckoning, WorkCalendar
from .models import CalendarDay


@dataclass(frozen=True)
class Answer:
    """A date on the calendar and, when it had to guess a year, what to tell the office."""

    date: dt.date
    warnings: tuple[str, ...] = ()


def work_calendar() -> WorkCalendar:
    """The calendar in force: the package, with the office's active entries over it (one
    query)."""
    rows = CalendarDay.objects.filter(removed=False).values_list("date", "kind")
    return WorkCalendar({day: Kind(kind) for day, kind in rows})


def unknown_year_warning(year: int) -> str:
    """What to say about a date in ``year`` when neither the package nor the office knows
    that year's holidays."""
    return _(
        "The holidays of %(year)s are not known yet: the built-in calendar covers "
        "%(first)s–%(last)s and the office has entered no day of %(year)s, so days in "
        "%(year)s were counted Monday to Friday, without statutory holidays or make-up "
        "working days. Enter %(year)s's holidays and make-up working days under “Working "
        "days” once the State Council publishes them (or update the chinese-calendar "
        "package), then check this date."
    ) % {"year": year, "first": PACKAGE_YEARS.start, "last": PACKAGE_YEARS.stop - 1}


def _answer(reckoning: Reckoning) -> Answer:
    return Answer(reckoning.date, tuple(unknown_year_warning(y) for y in reckoning.unknown_years))


def add_working_days(start: dt.date, days: int, *, calendar: WorkCalendar | None = None) -> Answer:
    """The date ``days`` working days after ``start`` (not counting ``start``)."""
    return _answer((calendar or work_calendar()).add_working_days(start, days))


def due_on_working_day(day: dt.date, *, calendar: WorkCalendar | None = None) -> Answer:
    """A due day, moved to the next working day when it falls on a holiday or a rest day
    (docs/decisions.md: 期间的最后一日是法定休假日的,以其结束的次日为期间的最后一日)."""
    return _answer((calendar or work_calendar()).on_or_after(day))


def month_due(
    year: int, month: int, due_day: int, *, calendar: WorkCalendar | None = None
) -> Answer:
    """The due date of a month's sheets: ``due_day`` of the next month (December's in January
    of the next year), moved to the next working day when it is not one."""
    nominal = dt.date(year + 1, 1, due_day) if month == 12 else dt.date(year, month + 1, due_day)
    return due_on_working_day(nominal, calendar=calendar)


def known_years() -> tuple[range, list[int]]:
    """The package's years, and the years outside them the office has entered days for."""
    office = sorted(
        {
            d.year
            for d in CalendarDay.objects.filter(removed=False).values_list("date", flat=True)
            if d.year not in PACKAGE_YEARS
        }
    )
    return PACKAGE_YEARS, office


def calendar_days(*, include_removed: bool = False) -> QuerySet[CalendarDay]:
    rows = CalendarDay.objects.select_related("updated_by")
    return rows if include_removed else rows.filter(removed=False)
