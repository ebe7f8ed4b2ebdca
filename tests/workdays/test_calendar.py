"""Working-day arithmetic on China's calendar: holidays, 调休 make-up working days, the
office's entries over the package, and the warning for a year nobody knows yet."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.workdays.calendar import PACKAGE_YEARS, Kind, WorkCalendar

D = dt.date


def test_the_package_covers_the_years_the_pin_promises() -> None:
    assert (PACKAGE_YEARS.start, PACKAGE_YEARS.stop - 1) == (2004, 2026)


def test_five_working_days_from_sunday_2025_09_28_end_on_saturday_2025_10_11() -> None:
    """2025-09-28 is a Sunday worked in lieu (调休) and 10-01…10-08 is the National Day and
    Mid-Autumn holiday; 10-11, a Saturday, is worked in lieu too. The day of publication is
    not counted:

        09-29 Mon  1
        09-30 Tue  2
        10-01 … 10-08  holiday, not counted
        10-09 Thu  3
        10-10 Fri  4
        10-11 Sat  5  (调休 working day)  → the period ends on 2025-10-11.

    Counting Monday to Friday (the old reading) ends on 10-03, in the middle of the holiday.
    """
    answer = WorkCalendar().add_working_days(D(2025, 9, 28), 5)
    assert answer.date == D(2025, 10, 11)
    assert answer.unknown_years == ()


def test_a_make_up_sunday_is_a_working_day_and_a_holiday_monday_is_not() -> None:
    calendar = WorkCalendar()
    assert calendar.is_working_day(D(2025, 9, 28))  # Sunday, 调休
    assert not calendar.is_working_day(D(2025, 10, 6))  # Monday, National Day holiday
    assert not calendar.is_working_day(D(2025, 10, 12))  # an ordinary Sunday


def test_zero_days_is_the_start_and_a_silly_count_is_refused() -> None:
    assert WorkCalendar().add_working_days(D(2025, 10, 1), 0).date == D(2025, 10, 1)
    with pytest.raises(ValueError, match="working days"):
        WorkCalendar().add_working_days(D(2025, 10, 1), -1)
    with pytest.raises(ValueError, match="working days"):
        WorkCalendar().add_working_days(D(2025, 10, 1), 10**9)


def test_an_unknown_year_is_counted_monday_to_friday_and_named() -> None:
    """2027 is past the package: 2026-12-30 (Wed) + 3 → 12-31 Thu (1), 2027-01-01 Fri (2,
    New Year's Day is unknown, so a working day), 01-04 Mon (3)."""
    answer = WorkCalendar().add_working_days(D(2026, 12, 30), 3)
    assert answer.date == D(2027, 1, 4)
    assert answer.unknown_years == (2027,)


def test_the_offices_entries_make_a_year_known_and_count() -> None:
    """With New Year's Day 2027 entered as a holiday and Saturday 2027-01-02 as a working day:
    2026-12-30 + 3 → 12-31 Thu (1), 01-01 holiday, 01-02 Sat (2, entered working day),
    01-04 Mon (3). The office has entered days of 2027, so nothing is guessed."""
    calendar = WorkCalendar({D(2027, 1, 1): Kind.HOLIDAY, D(2027, 1, 2): Kind.WORKDAY})
    answer = calendar.add_working_days(D(2026, 12, 30), 3)
    assert answer.date == D(2027, 1, 4)
    assert answer.unknown_years == ()
    assert calendar.add_working_days(D(2026, 12, 31), 2).date == D(2027, 1, 4)


def test_an_office_entry_overrides_the_package_inside_its_years() -> None:
    """A local extra holiday on Monday 2025-09-29 and the make-up Sunday 09-28 withdrawn:
    from Saturday 09-27, 1 working day is 09-30 (09-28 now a rest day, 09-29 a holiday)."""
    calendar = WorkCalendar({D(2025, 9, 29): Kind.HOLIDAY, D(2025, 9, 28): Kind.HOLIDAY})
    assert calendar.add_working_days(D(2025, 9, 27), 1).date == D(2025, 9, 30)
    assert WorkCalendar().add_working_days(D(2025, 9, 27), 1).date == D(2025, 9, 28)


@pytest.mark.parametrize(
    ("due", "moved", "why"),
    [
        (D(2024, 2, 10), D(2024, 2, 18), "Spring Festival 02-10…17; Sunday 02-18 worked in lieu"),
        (D(2025, 5, 10), D(2025, 5, 12), "a Saturday moves to Monday"),
        (D(2025, 10, 10), D(2025, 10, 10), "a Friday after the holiday stays"),
        (D(2014, 2, 8), D(2014, 2, 8), "Saturday 2014-02-08 was worked in lieu: it stays"),
    ],
)
def test_a_due_day_on_a_holiday_or_rest_day_moves_to_the_next_working_day(
    due: dt.date, moved: dt.date, why: str
) -> None:
    assert WorkCalendar().on_or_after(due).date == moved, why
