"""Working-day arithmetic (工作日计算), pure Python: no Django import.

A day is a working day by, in this order: the office's own entry for that date (an extra
holiday, or an extra working day); else the ``chinese-calendar`` package, which knows the
State Council's statutory holidays (法定节假日) and make-up working days (调休) for the years
it covers; else Monday to Friday. A year is *known* when the package covers it or the office
has entered at least one day of it; arithmetic that crosses an unknown year still answers
(Monday to Friday there) but says which years it guessed, so the caller can warn.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass, field
from enum import StrEnum

import chinese_calendar
from chinese_calendar import constants

# The years the installed package has data for (it refuses any other year).
PACKAGE_YEARS = range(
    min(d.year for d in constants.holidays), max(d.year for d in constants.holidays) + 1
)
# No notice period or reminder horizon runs for years: a bound keeps a wrong setting from
# turning a publish into an endless loop.
DAYS_MAX = 366


class Kind(StrEnum):
    """What the office says a date is (mirrors ``CalendarDay.Kind``)."""

    HOLIDAY = "holiday"
    WORKDAY = "workday"


@dataclass(frozen=True)
class Reckoning:
    """A date worked out on the calendar, with the years it had to guess."""

    date: dt.date
    unknown_years: tuple[int, ...] = ()


@dataclass(frozen=True)
class WorkCalendar:
    """The package's calendar with the office's entries laid over it."""

    overrides: Mapping[dt.date, Kind] = field(default_factory=dict)

    def office_years(self) -> frozenset[int]:
        return frozenset(d.year for d in self.overrides)

    def known(self, year: int) -> bool:
        return year in PACKAGE_YEARS or year in self.office_years()

    def is_working_day(self, day: dt.date) -> bool:
        kind = self.overrides.get(day)
        if kind is not None:
            return kind == Kind.WORKDAY
        if day.year in PACKAGE_YEARS:
            return bool(chinese_calendar.is_workday(day))
        return day.weekday() < 5

    def unknown_years(self, days: Iterable[dt.date]) -> tuple[int, ...]:
        return tuple(sorted({d.year for d in days if not self.known(d.year)}))

    def add_working_days(self, start: dt.date, days: int) -> Reckoning:
        """The date ``days`` working days after ``start`` (``start`` itself is not counted:
        a notice published on a day runs from the next working day)."""
        if not 0 <= days <= DAYS_MAX:
            raise ValueError(f"working days must be 0 … {DAYS_MAX}, not {days}")
        current, seen = start, []
        while days > 0:
            current += dt.timedelta(days=1)
            seen.append(current)
            if self.is_working_day(current):
                days -= 1
        return Reckoning(current, self.unknown_years(seen))

    def on_or_after(self, day: dt.date) -> Reckoning:
        """``day`` when it is a working day, else the next working day (a deadline that falls
        on a holiday or a rest day moves to the first working day after it)."""
        current, seen = day, [day]
        while not self.is_working_day(current):
            current += dt.timedelta(days=1)
            seen.append(current)
        return Reckoning(current, self.unknown_years(seen))
