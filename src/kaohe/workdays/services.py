"""Writes of the office's calendar entries. Each runs in one transaction, locks the row it
changes and writes its audit event; nothing is ever deleted."""

from __future__ import annotations

import datetime as dt

from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.engine import limits
from kaohe.people.models import User

from .models import CalendarDay


class CalendarError(ValueError):
    """A refused change, with a message for the office."""


def _state(day: CalendarDay) -> dict[str, object]:
    return {
        "date": day.date.isoformat(),
        "kind": day.kind,
        "note": day.note,
        "removed": day.removed,
        "version": day.version,
    }


def _check(date: dt.date, kind: str, note: str) -> None:
    if not limits.YEAR_MIN <= date.year <= limits.YEAR_MAX:
        raise CalendarError(
            _("Enter a date between %(first)s and %(last)s.")
            % {"first": limits.YEAR_MIN, "last": limits.YEAR_MAX}
        )
    if kind not in CalendarDay.Kind.values:
        raise CalendarError(_("Choose holiday or working day."))
    if len(note) > limits.LINE_MAX or limits.forbidden_char(note, multiline=False):
        raise CalendarError(
            _("The note must be one line of at most %(max)s characters.") % {"max": limits.LINE_MAX}
        )


def _refuse_stale(day: CalendarDay, expected_version: int | None) -> None:
    if expected_version is not None and expected_version != day.version:
        raise CalendarError(
            _(
                "The entry for %(date)s was changed by %(who)s at %(when)s since you opened "
                "it; it now reads: %(now)s. Check it and try again."
            )
            % {
                "date": day.date.isoformat(),
                "who": day.updated_by,
                "when": timezone.localtime(day.updated_at).strftime("%Y-%m-%d %H:%M"),
                "now": _("removed") if day.removed else day.get_kind_display(),
            }
        )


@transaction.atomic
def calendar_day_set(
    *,
    acting_user: User,
    date: dt.date,
    kind: str,
    note: str = "",
    expected_version: int | None = None,
) -> CalendarDay:
    """Enter (or change, or bring back) the office's reading of one date. A date that
    already has an active entry is changed only from that entry (``expected_version``)."""
    if not acting_user.is_office:
        raise CalendarError(_("Only the performance office keeps the calendar."))
    note = note.strip()
    _check(date, kind, note)
    day = CalendarDay.objects.select_for_update().filter(date=date).first()
    if day is None:
        day = CalendarDay.objects.create(date=date, kind=kind, note=note, updated_by=acting_user)
        record(acting_user=acting_user, action="calendar.add", obj=day, after=_state(day))
        return day
    if not day.removed and expected_version is None:
        raise CalendarError(
            _("%(date)s is already entered as %(kind)s; change that entry instead.")
            % {"date": date.isoformat(), "kind": day.get_kind_display()}
        )
    _refuse_stale(day, expected_version)
    if not day.removed and (day.kind, day.note) == (kind, note):
        return day  # nothing to change
    before = _state(day)
    action = "calendar.restore" if day.removed else "calendar.change"
    day.kind, day.note, day.removed = kind, note, False
    day.version += 1
    day.updated_by = acting_user
    day.save()
    record(acting_user=acting_user, action=action, obj=day, before=before, after=_state(day))
    return day


@transaction.atomic
def calendar_day_remove(
    *, acting_user: User, pk: int, expected_version: int | None = None
) -> CalendarDay:
    """Withdraw the office's entry for a date: the built-in calendar applies to it again.
    The row stays, marked removed."""
    if not acting_user.is_office:
        raise CalendarError(_("Only the performance office keeps the calendar."))
    day = CalendarDay.objects.select_for_update().filter(pk=pk).first()
    if day is None:
        raise CalendarError(_("There is no such calendar entry."))
    _refuse_stale(day, expected_version)
    if day.removed:
        raise CalendarError(
            _("The entry for %(date)s is already removed.") % {"date": day.date.isoformat()}
        )
    before = _state(day)
    day.removed = True
    day.version += 1
    day.updated_by = acting_user
    day.save()
    record(
        acting_user=acting_user, action="calendar.remove", obj=day, before=before, after=_state(day)
    )
    return day
