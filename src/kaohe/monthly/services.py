"""Writes of the monthly cycle. Each runs in one transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from decimal import Decimal, InvalidOperation
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.engine.factcheck import finding_errors
from kaohe.engine.facts import Finding
from kaohe.engine.facts import Unit as EngineUnit
from kaohe.engine.index import SchemeIndex
from kaohe.engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    TargetCountRule,
)
from kaohe.people.models import Department, Unit, User
from kaohe.years.models import Year

from .models import Cycle, Entry, EscalationCase, Notification, Sheet
from .scope import columns_for, department_items
from .selectors import complete_months, memberships, sheet_grid, year_result

logger = logging.getLogger(__name__)


class CycleError(ValueError):
    """A refused action, with a message for the user."""


def default_due_date(year: Year, month: int) -> dt.date:
    """The due day (10th by default) of the month after ``month``."""
    day = year.scheme.procedure.due_day
    return dt.date(year.year + 1, 1, day) if month == 12 else dt.date(year.year, month + 1, day)


@transaction.atomic
def cycle_open(
    *, acting_user: User, year: Year, month: int, due_date: dt.date | None = None
) -> Cycle:
    if not 1 <= month <= 12:
        raise CycleError(_("A month runs from 1 to 12."))
    if Cycle.objects.filter(year=year, month=month).exists():
        raise CycleError(_("Month %(month)s is already open.") % {"month": month})
    cycle = Cycle.objects.create(
        year=year,
        month=month,
        opened_by=acting_user,
        due_date=due_date or default_due_date(year, month),
    )
    keys = [d.key for d in year.scheme.departments]
    departments = Department.objects.filter(key__in=keys).order_by("id")
    Sheet.objects.bulk_create([Sheet(cycle=cycle, department=d) for d in departments])
    record(
        acting_user=acting_user,
        action="cycle.open",
        obj=cycle,
        after={
            "year": year.year,
            "month": month,
            "due": cycle.due_date.isoformat(),
            "sheets": keys,
        },
    )
    return cycle


def parse_values(item: Item, data: dict[str, Any]) -> tuple[dict[str, Any], list[str]]:
    """Turn a cell's posted inputs into entry values, by the item's rule."""
    rule = item.rule
    errors: list[str] = []

    def integer(name: str, label: str) -> int:
        raw = str(data.get(name, "") or "0").strip()
        try:
            value = int(raw)
        except ValueError:
            errors.append(_("%(field)s: enter a whole number.") % {"field": label})
            return 0
        if value < 0:
            errors.append(_("%(field)s: must not be negative.") % {"field": label})
        return value

    values: dict[str, Any] = {}
    if isinstance(rule, ChecksRule):
        checks = {}
        for check in rule.checks:
            name = f"check_{check.key}"
            n = integer(name, check.label) if check.per_occurrence else int(bool(data.get(name)))
            if n:
                checks[check.key] = n
        if checks:
            values["checks"] = checks
    elif isinstance(rule, (PerCountRule, TargetCountRule)):
        n = integer("count", _("Count"))
        if n:
            values["count"] = n
    elif isinstance(rule, AllOrNothingRule):
        if data.get("not_met"):
            values["met"] = False
    elif isinstance(rule, DiscretionaryRule):
        raw = str(data.get("deduction", "") or "0").strip()
        try:
            points = Decimal(raw)
        except InvalidOperation:
            errors.append(_("Deduction: enter a number of points."))
            points = Decimal(0)
        if not points.is_finite() or points < 0 or points > item.weight:
            errors.append(
                _("Deduction: between 0 and %(weight)s points.") % {"weight": item.weight}
            )
        elif points:
            values["deduction"] = str(points.normalize())
    return values, errors


def _engine_unit(unit: Unit, department_keys: list[str]) -> EngineUnit:
    return EngineUnit(
        id=unit.code,
        name=unit.name,
        category=unit.category,
        kind=unit.kind,
        departments=department_keys,
    )


@transaction.atomic
def entry_save(
    *,
    acting_user: User,
    sheet: Sheet,
    unit: Unit,
    item: str,
    sub_item: str = "",
    values: dict[str, Any],
    reason: str = "",
    evidence: str = "",
    correction_reason: str = "",
    audit: bool = True,
) -> Entry | None:
    """Record one cell (``audit=False``: the caller records the whole change as one event). A change replaces the current entry (kept, marked superseded); on an
    accepted sheet only a correction with its reason is allowed. Returns None if unchanged."""
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if acting_user.department_id != sheet.department_id:
        raise CycleError(_("Only the sheet's department may score it."))
    if sheet.status == Sheet.Status.SUBMITTED:
        raise CycleError(_("The sheet is submitted and waits for the office."))
    if sheet.locked and not correction_reason.strip():
        raise CycleError(_("The sheet is accepted and locked: a correction needs its reason."))
    year = sheet.cycle.year
    scheme = year.scheme
    columns = {c.key: c for c in columns_for(scheme, sheet.department.key, unit)}
    if (item, sub_item) not in columns or sheet.department_id in memberships().get(unit.pk, set()):
        raise CycleError(_("This cell is not in the department's scope."))
    reason, evidence = reason.strip(), evidence.strip()
    if values and not reason:
        raise CycleError(_("Give the reason for every deduction or bonus."))
    finding = Finding(
        month=sheet.cycle.month,
        unit=unit.code,
        item=item,
        sub_item=sub_item or None,
        department=sheet.department.key,
        reason=reason or "-",
        **values,
    )
    member_keys = list(unit.member_of.values_list("key", flat=True))
    engine_item = columns[(item, sub_item)].item
    errors = (
        finding_errors(
            SchemeIndex(scheme), "cell", _engine_unit(unit, member_keys), engine_item, finding
        )
        if values
        else []
    )
    if errors:
        raise CycleError("; ".join(errors))
    current = (
        Entry.objects.select_for_update()
        .filter(sheet=sheet, unit=unit, item=item, sub_item=sub_item, superseded_at__isnull=True)
        .first()
    )
    if current and (current.values, current.reason, current.evidence) == (values, reason, evidence):
        return None
    now = timezone.now()
    entry = Entry.objects.create(
        sheet=sheet,
        unit=unit,
        item=item,
        sub_item=sub_item,
        values=values,
        reason=reason,
        evidence=evidence,
        created_at=now,
        created_by=acting_user,
        replaces=current,
        correction_reason=correction_reason.strip(),
    )
    if current:
        current.superseded_at = now
        current.save(update_fields=["superseded_at"])
    if not audit:
        return entry
    record(
        acting_user=acting_user,
        action="entry.correct" if sheet.locked else "entry.save",
        obj=entry,
        before=entry_state(current),
        after=entry_state(entry),
        reason=correction_reason or reason,
    )
    return entry


def entry_state(entry: Entry | None) -> dict[str, Any] | None:
    if entry is None:
        return None
    return {
        "sheet": entry.sheet_id,
        "unit": entry.unit.code,
        "item": entry.item,
        "sub_item": entry.sub_item,
        "values": entry.values,
        "reason": entry.reason,
        "evidence": entry.evidence,
    }


@transaction.atomic
def mark_rest_clean(*, acting_user: User, sheet: Sheet) -> int:
    """Record "scored, nothing found" for every cell not scored yet (one audited change)."""
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if acting_user.department_id != sheet.department_id or not sheet.editable:
        raise CycleError(_("Only the department may fill its own open sheet."))
    grid = sheet_grid(sheet)
    now = timezone.now()
    new = [
        Entry(
            sheet=sheet,
            unit=unit,
            item=column.key[0],
            sub_item=column.key[1],
            values={},
            created_at=now,
            created_by=acting_user,
        )
        for unit, cells in grid.rows
        for column, entry in cells
        if entry is None
    ]
    Entry.objects.bulk_create(new)
    if new:
        record(
            acting_user=acting_user,
            action="sheet.mark_clean",
            obj=sheet,
            after={"cells": len(new)},
            reason="scored, nothing found",
        )
    return len(new)


def _transition(
    sheet: Sheet, acting_user: User, action: str, before: str, reason: str = ""
) -> None:
    record(
        acting_user=acting_user,
        action=action,
        obj=sheet,
        before={"status": before},
        after={"status": sheet.status, "late": sheet.late},
        reason=reason,
    )


@transaction.atomic
def sheet_submit(*, acting_user: User, sheet: Sheet) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if acting_user.department_id != sheet.department_id:
        raise CycleError(_("Only the sheet's department may submit it."))
    if not sheet.editable:
        raise CycleError(_("Only a draft or returned sheet can be submitted."))
    grid = sheet_grid(sheet)
    missing = grid.cells - grid.scored
    if missing:
        raise CycleError(_("%(n)s cells are not scored yet.") % {"n": missing})
    before = sheet.status
    sheet.status = Sheet.Status.SUBMITTED
    sheet.submitted_at = timezone.now()
    sheet.late = timezone.localdate(sheet.submitted_at) > sheet.cycle.due_date
    sheet.save()
    _transition(sheet, acting_user, "sheet.submit", before)
    return sheet


@transaction.atomic
def sheet_accept(*, acting_user: User, sheet: Sheet) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office accepts sheets."))
    if sheet.status != Sheet.Status.SUBMITTED:
        raise CycleError(_("Only a submitted sheet can be accepted."))
    sheet.status = Sheet.Status.ACCEPTED
    sheet.decided_at = timezone.now()
    sheet.save()
    _transition(sheet, acting_user, "sheet.accept", Sheet.Status.SUBMITTED)
    escalations_sync(year=sheet.cycle.year)
    return sheet


@transaction.atomic
def sheet_return(*, acting_user: User, sheet: Sheet, reason: str) -> Sheet:
    sheet = Sheet.objects.select_for_update().get(pk=sheet.pk)
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office returns sheets."))
    if sheet.status != Sheet.Status.SUBMITTED:
        raise CycleError(_("Only a submitted sheet can be returned."))
    if not reason.strip():
        raise CycleError(_("Give the reason for returning the sheet."))
    sheet.status = Sheet.Status.RETURNED
    sheet.decided_at = timezone.now()
    sheet.return_reason = reason.strip()
    sheet.save()
    _transition(sheet, acting_user, "sheet.return", Sheet.Status.SUBMITTED, reason)
    return sheet


def escalations_sync(*, year: Year) -> int:
    """Create the escalation cases the engine finds in complete months (every sheet
    accepted) and the office has not listed yet."""
    months = complete_months(year)
    if not months:
        return 0
    result = year_result(year, months=months)
    units = {u.code: u for u in Unit.objects.filter(code__in=[a.unit for a in result.escalations])}
    existing = set(
        EscalationCase.objects.filter(year=year).values_list("unit__code", "action", "month")
    )
    new = [
        EscalationCase(
            year=year, unit=units[a.unit], action=a.action, month=a.month, months=list(a.months)
        )
        for a in result.escalations
        if (a.unit, a.action, a.month) not in existing
    ]
    EscalationCase.objects.bulk_create(new)
    for case in new:
        record(
            acting_user=None,
            action="escalation.raise",
            obj=(
                "monthly.escalationcase",
                f"{year.year}/{case.unit.code}/{case.action}/{case.month}",
            ),
            after={"months": case.months},
        )
    return len(new)


@transaction.atomic
def escalation_update(*, acting_user: User, case: EscalationCase, status: str, notes: str) -> None:
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office works through escalations."))
    if status not in EscalationCase.Status.values:
        raise CycleError(_("Unknown status."))
    before = {"status": case.status, "notes": case.notes}
    case.status, case.notes = status, notes.strip()
    case.save(update_fields=["status", "notes", "updated_at"])
    record(
        acting_user=acting_user,
        action="escalation.update",
        obj=case,
        before=before,
        after={"status": case.status, "notes": case.notes},
    )


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind departments whose sheets are not yet submitted, from ``KAOHE_REMIND_DAYS``
    before the due date; at most one reminder per department and month a day."""
    today = today or timezone.localdate()
    horizon = today + dt.timedelta(days=settings.KAOHE_REMIND_DAYS)
    sent = 0
    sheets = Sheet.objects.filter(
        cycle__status=Cycle.Status.OPEN,
        cycle__due_date__gte=today,
        cycle__due_date__lte=horizon,
        status__in=[Sheet.Status.DRAFT, Sheet.Status.RETURNED],
    ).select_related("cycle__year", "department")
    for sheet in sheets:
        text = _("Reminder: your %(year)s-%(month)02d scoring sheet is due on %(due)s.") % {
            "year": sheet.cycle.year.year,
            "month": sheet.cycle.month,
            "due": sheet.cycle.due_date.isoformat(),
        }
        __, created = Notification.objects.get_or_create(
            department=sheet.department, cycle=sheet.cycle, sent_on=today, defaults={"text": text}
        )
        if not created:
            continue
        recipients = [sheet.department.email] if sheet.department.email else []
        recipients += list(
            User.objects.filter(department=sheet.department, is_active=True)
            .exclude(email="")
            .values_list("email", flat=True)
        )
        if recipients:
            try:
                send_mail(_("Kaohe: scoring sheet due"), text, None, recipients)
            except (OSError, smtplib.SMTPException):  # the in-app reminder still stands
                logger.warning("reminder e-mail to %s failed", recipients, exc_info=True)
        sent += 1
    return sent


def departments_scoring(year: Year, category: str) -> dict[str, list[str]]:
    """department key → item numbers it scores in a category (for the letter and pages)."""
    return {
        d.key: [i.number for i in department_items(year.scheme, d.key, category)]
        for d in year.scheme.departments
    }
