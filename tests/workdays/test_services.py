"""The calendar in the yearly work: the notice period at publication, due dates, reminders,
the office's entries (audited, never deleted) and the warning for an unknown year."""

from __future__ import annotations

import datetime as dt

import pytest

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Notification
from kaohe.monthly.services import cycle_open, default_due_date, send_reminders
from kaohe.workdays.models import CalendarDay
from kaohe.workdays.selectors import add_working_days, month_due
from kaohe.workdays.services import CalendarError, calendar_day_remove, calendar_day_set
from kaohe.yearend.services import add_working_days as yearend_add_working_days
from tests.web.closing_helpers import make_ready, publish
from tests.web.conftest import World

D = dt.date


def test_a_notice_published_on_2025_09_28_ends_on_2025_10_11(world: World) -> None:
    """Five working days from Sunday 2025-09-28 (itself a 调休 working day, not counted):
    09-29 Mon (1), 09-30 Tue (2), 10-01…10-08 National Day and Mid-Autumn holiday (not
    counted), 10-09 Thu (3), 10-10 Fri (4), 10-11 Sat, worked in lieu (5): the notice ends
    on 2025-10-11. Monday to Friday alone would have ended it on 10-03, inside the holiday."""
    make_ready(world)
    assert world.year.scheme.procedure.notice_working_days == 5
    closing = publish(world, today=D(2025, 9, 28))
    closing.refresh_from_db()
    assert closing.notice_ends_on == D(2025, 10, 11)
    assert yearend_add_working_days(D(2025, 9, 28), 5) == D(2025, 10, 11)


def test_the_offices_entries_count_and_answer_the_warning(world: World) -> None:
    """2026-12-30 + 3 working days crosses into 2027, which the package does not know:
    12-31 (1), 2027-01-01 (2, Monday–Friday guess), 01-04 (3) and a warning naming 2027.
    Once the office enters 01-01 as a holiday, 2027 is known: 12-31 (1), 01-04 (2), 01-05 (3)."""
    office = world.users["office"]
    answer = add_working_days(D(2026, 12, 30), 3)
    assert answer.date == D(2027, 1, 4)
    assert len(answer.warnings) == 1
    assert "2027" in answer.warnings[0] and "Working days" in answer.warnings[0]
    calendar_day_set(acting_user=office, date=D(2027, 1, 1), kind="holiday", note="元旦")
    answer = add_working_days(D(2026, 12, 30), 3)
    assert (answer.date, answer.warnings) == (D(2027, 1, 5), ())


def test_a_due_day_on_a_holiday_moves_to_the_next_working_day(world: World) -> None:
    """January 2024's sheets are due on 02-10, the first day of the Spring Festival holiday
    (02-10…02-17); the next working day is Sunday 02-18, worked in lieu."""
    assert month_due(2024, 1, 10).date == D(2024, 2, 18)
    assert default_due_date(world.year, 1) == D(2014, 2, 10)  # a Monday: stays
    # April 2014's due day, 2014-05-10, is a Saturday: it moves to Monday 05-12
    assert default_due_date(world.year, 4) == D(2014, 5, 12)
    cycle = cycle_open(acting_user=world.users["office"], year=world.year, month=4)
    assert cycle.due_date == D(2014, 5, 12)


def test_a_due_date_in_an_unknown_year_warns(world: World) -> None:
    answer = month_due(2026, 12, 10)
    assert answer.date == D(2027, 1, 11)  # Sunday 01-10 → Monday, guessed
    assert len(answer.warnings) == 1 and "2027" in answer.warnings[0]


def test_reminders_count_working_days_across_the_spring_festival(world: World, settings) -> None:  # type: ignore[no-untyped-def]
    """Month 1 of 2014 is due on Monday 02-10; the holiday runs 01-31…02-06 and Saturday
    02-08 is worked in lieu. Three working days from Thursday 01-30: 02-07 (1), 02-08 (2),
    02-10 (3) → due within the horizon, reminded (counting calendar days, the horizon would
    be 02-02 and nobody reminded). From Wednesday 01-29: 01-30 (1), 02-07 (2), 02-08 (3) →
    not yet."""
    settings.KAOHE_REMIND_DAYS = 3
    assert world.cycle.due_date == D(2014, 2, 10)
    assert send_reminders(today=D(2014, 1, 29)) == 0
    assert send_reminders(today=D(2014, 1, 30)) == 5
    assert Notification.objects.filter(sent_on=D(2014, 1, 30)).count() == 5


def test_entries_are_audited_changed_by_version_and_never_deleted(world: World) -> None:
    office = world.users["office"]
    day = calendar_day_set(acting_user=office, date=D(2027, 2, 6), kind="holiday", note="春节")
    with pytest.raises(CalendarError, match="already entered"):
        calendar_day_set(acting_user=office, date=D(2027, 2, 6), kind="workday")
    day = calendar_day_set(
        acting_user=office, date=D(2027, 2, 6), kind="workday", expected_version=1
    )
    assert (day.kind, day.version) == ("workday", 2)
    with pytest.raises(CalendarError, match="changed by office"):
        calendar_day_set(acting_user=office, date=D(2027, 2, 6), kind="holiday", expected_version=1)
    day = calendar_day_remove(acting_user=office, pk=day.pk, expected_version=2)
    assert CalendarDay.objects.filter(pk=day.pk, removed=True).exists()
    assert add_working_days(D(2027, 2, 5), 1).warnings  # removed: 2027 unknown again
    day = calendar_day_set(
        acting_user=office, date=D(2027, 2, 6), kind="holiday", expected_version=3
    )
    assert (day.removed, day.version) == (False, 4)
    actions = list(
        AuditEvent.objects.filter(object_type="workdays.calendarday").values_list(
            "action", flat=True
        )
    )
    assert actions == ["calendar.add", "calendar.change", "calendar.remove", "calendar.restore"]
    with pytest.raises(ValueError, match="never deleted"):
        day.delete()


def test_only_the_office_keeps_the_calendar(world: World) -> None:
    with pytest.raises(CalendarError):
        calendar_day_set(acting_user=world.users["leader"], date=D(2027, 1, 1), kind="holiday")
    assert not CalendarDay.objects.exists()


def test_bad_values_are_refused_with_a_message(world: World) -> None:
    office = world.users["office"]
    with pytest.raises(CalendarError, match="between 2000 and 2100"):
        calendar_day_set(acting_user=office, date=D(1999, 1, 1), kind="holiday")
    with pytest.raises(CalendarError, match="holiday or working day"):
        calendar_day_set(acting_user=office, date=D(2027, 1, 1), kind="party")
    with pytest.raises(CalendarError, match="one line"):
        calendar_day_set(acting_user=office, date=D(2027, 1, 1), kind="holiday", note="a\nb")
    assert not CalendarDay.objects.exists()
