"""Writes of the monthly cycle. Each runs in one transaction and writes its audit event."""

from __future__ import annotations

import datetime as dt
import logging
import smtplib
from dataclasses import dataclass, replace
from decimal import Decimal, InvalidOperation
from enum import StrEnum
from typing import Any

from django.conf import settings
from django.core.mail import send_mail
from django.db import transaction
from django.utils import timezone
from django.utils.translation import get_language, ngettext
from django.utils.translation import gettext as _
from pydantic import ValidationError as PydanticError

from kaohe.audit.services import record
from kaohe.engine import limits
from kaohe.engine.errors import Problem, pydantic_text
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
from kaohe.years.finality import YearFinal, refuse_if_final
from kaohe.years.models import Year

from .models import (
    Confirmation,
    Cycle,
    DepartmentHead,
    Entry,
    EscalationCase,
    Notification,
    Sheet,
)
from .scope import columns_for, department_items
from .second_eyes import large_deduction
from .selectors import (
    complete_months,
    headed_departments,
    memberships,
    sheet_grid,
    unconfirmed,
    year_result,
)

logger = logging.getLogger(__name__)


class CycleError(ValueError):
    """A refused action, with a message for the user."""


def default_due_date(year: Year, month: int) -> dt.date:
    """The due day (10th by default) of the month after ``month``, moved to the next working
    day when it falls on a holiday or a rest day (China's calendar: ``kaohe.workdays``)."""
    from kaohe.workdays.selectors import month_due  # the calendar lives in its own app

    return month_due(year.year, month, year.scheme.procedure.due_day).date


@transaction.atomic
def cycle_open(
    *, acting_user: User, year: Year, month: int, due_date: dt.date | None = None
) -> Cycle:
    if not 1 <= month <= 12:
        raise CycleError(_("A month runs from 1 to 12."))
    _refuse_if_final(year)  # a new month changes the year's figures
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


CellKey = tuple[int, str, str]  # unit id, item, sub-item


@dataclass(frozen=True)
class CellInput:
    """What a user gives for one cell (a unit × item × sub-item) of a sheet."""

    unit: Unit
    item: str
    sub_item: str
    values: dict[str, Any]
    reason: str = ""
    evidence: str = ""

    @property
    def key(self) -> CellKey:
        return (self.unit.pk, self.item, self.sub_item)


class Stale(CycleError):
    """A save based on an older version than the stored one (a lost update refused)."""


class StaleCells(Stale):
    """Cells changed by someone else since the form was loaded: ``current`` maps each such
    cell to its entry now (None: it was taken back to unscored, which cannot happen today)."""

    def __init__(self, current: dict[CellKey, Entry | None]) -> None:
        self.current = current
        super().__init__(_("Someone else saved this cell after you opened it."))


class StaleRecord(Stale):
    """A sheet or escalation case changed since the form was loaded."""

    def __init__(self, obj: Sheet | EscalationCase) -> None:
        self.obj = obj
        super().__init__(_("Someone else changed this after you opened it."))


class Source(StrEnum):
    """The use cases that write scores; each is one transaction and one audit event."""

    CELL = "cell"  # the web cell form (one unit × item, its sub-items together)
    UPLOAD = "upload"  # the offline Excel sheet
    CLEAN = "clean"  # every remaining cell: scored, nothing found


def _refuse_if_final(year: Year) -> None:
    try:
        refuse_if_final(year)
    except YearFinal as exc:
        raise CycleError(str(exc)) from exc


def _text_errors(label: str, value: str, *, multiline: bool, limit: int) -> list[str]:
    if len(value) > limit:
        return [
            _("%(field)s: at most %(n)s characters (it has %(m)s).")
            % {"field": label, "n": limit, "m": len(value)}
        ]
    ch = limits.forbidden_char(value, multiline=multiline)
    if ch is None:
        return []
    return [
        _("%(field)s: the character U+%(code)04X is not allowed.")
        % {"field": label, "code": ord(ch)}
    ]


@transaction.atomic
def scores_save(
    acting_user: User,
    sheet: Sheet,
    cells: list[CellInput],
    *,
    source: Source,
    correction_reason: str = "",
    expected: dict[CellKey, int | None] | None = None,
    name: str = "",
) -> list[Entry]:
    """The one write path for scores. Checks scope, the sheet's state, finality, reasons,
    text limits and the engine's rules for every cell, then saves the changed cells as new
    entries replacing the current ones, with one audit event; on any error nothing is saved.

    ``expected`` maps cells to the entry id the user's form was based on (None: unscored);
    a cell saved by someone else since is refused as ``StaleCells``. ``name`` prefixes the
    messages (the uploaded file's name). Returns the new entries (unchanged cells are skipped)."""
    sheet = (
        Sheet.objects.select_for_update(of=("self",))
        .select_related("cycle__year", "department")
        .get(pk=sheet.pk)
    )
    where = f"{name}: " if name else ""
    year = sheet.cycle.year
    _refuse_if_final(year)
    if acting_user.department_id != sheet.department_id:
        raise CycleError(where + _("Only the sheet's department may score it."))
    correction_reason = correction_reason.strip()
    if source != Source.CELL and not sheet.editable:
        raise CycleError(
            where
            + _("The sheet is %(status)s; uploads are closed.")
            % {"status": sheet.get_status_display()}
        )
    if sheet.status == Sheet.Status.SUBMITTED:
        raise CycleError(_("The sheet is submitted and waits for the office."))
    if sheet.locked and not correction_reason:
        raise CycleError(_("The sheet is accepted and locked: a correction needs its reason."))
    problems = _text_errors(
        _("Reason for correction"), correction_reason, multiline=True, limit=limits.TEXT_MAX
    )
    scheme = year.scheme_for(sheet.cycle.month)  # the version the month is scored with
    index = SchemeIndex(scheme)
    members = memberships()
    keys = dict(Department.objects.values_list("pk", "key"))
    current = {
        (e.unit_id, e.item, e.sub_item): e
        for e in Entry.objects.select_for_update(of=("self",))
        .filter(sheet=sheet, superseded_at__isnull=True, unit__in={c.unit.pk for c in cells})
        .select_related("created_by", "unit")
    }
    scope: dict[int, set[tuple[str, str]]] = {}
    stale: dict[CellKey, Entry | None] = {}
    changed: list[tuple[CellInput, Entry | None]] = []
    seen: set[CellKey] = set()
    for cell in cells:
        unit = cell.unit
        label = f"{where}{unit.code} {cell.item}{'/' + cell.sub_item if cell.sub_item else ''}: "
        if unit.pk not in scope:
            in_scope = sheet.department_id not in members.get(unit.pk, set())
            columns = columns_for(scheme, sheet.department.key, unit) if in_scope else []
            scope[unit.pk] = {c.key for c in columns}
        if (cell.item, cell.sub_item) not in scope[unit.pk] or cell.key in seen:
            problems.append(label + _("This cell is not in the department's scope."))
            continue
        seen.add(cell.key)
        reason, evidence = cell.reason.strip(), cell.evidence.strip()
        problems += [
            label + p
            for p in _text_errors(_("Reason"), reason, multiline=True, limit=limits.TEXT_MAX)
        ]
        problems += [
            label + p
            for p in _text_errors(_("Evidence"), evidence, multiline=False, limit=limits.LINE_MAX)
        ]
        if cell.values and not reason:
            problems.append(label + _("Give the reason for every deduction or bonus."))
        old = current.get(cell.key)
        if (
            expected is not None
            and cell.key in expected
            and (old.pk if old else None) != (expected[cell.key])
        ):
            stale[cell.key] = old
        if old is not None and (old.values, old.reason, old.evidence) == (
            cell.values,
            reason,
            evidence,
        ):
            continue
        if cell.values and reason:
            try:
                finding = Finding(
                    month=sheet.cycle.month,
                    unit=unit.code,
                    item=cell.item,
                    sub_item=cell.sub_item or None,
                    department=sheet.department.key,
                    reason=reason,
                    **cell.values,
                )
            except PydanticError as exc:
                problems += [label + pydantic_text(e, get_language()) for e in exc.errors()]
                continue
            engine_unit = _engine_unit(unit, [keys[d] for d in members.get(unit.pk, ())])
            item = index.rubric_for(unit.category).items[cell.item]
            problems += [  # the message without the file path ("cell.checks.x")
                label + (p.message(get_language()) if isinstance(p, Problem) else p)
                for p in finding_errors(index, "cell", engine_unit, item, finding)
            ]
        changed.append((replace(cell, reason=reason, evidence=evidence), old))
    if stale:
        raise StaleCells(stale)
    if problems:
        raise CycleError("\n".join(problems))
    if not changed:
        return []
    now = timezone.now()
    new = [
        Entry(
            sheet=sheet,
            unit=cell.unit,
            item=cell.item,
            sub_item=cell.sub_item,
            values=cell.values,
            reason=cell.reason,
            evidence=cell.evidence,
            created_at=now,
            created_by=acting_user,
            replaces=old,
            correction_reason=correction_reason,
        )
        for cell, old in changed
    ]
    replaced = [old for _cell, old in changed if old is not None]
    Entry.objects.filter(pk__in=[e.pk for e in replaced]).update(superseded_at=now)
    new = Entry.objects.bulk_create(new)
    waiting = _confirmations_open(index, sheet, new, now)
    _touch(sheet, acting_user, now)
    if source == Source.CELL:
        action = "entry.correct" if sheet.locked else "entry.save"
        obj: Sheet | Entry = new[0]
        reason = correction_reason or "; ".join(e.reason for e in new if e.reason)
    else:
        action = "sheet.upload" if source == Source.UPLOAD else "sheet.mark_clean"
        obj = sheet
        reason = (
            _("%(file)s: %(rows)s rows, %(changed)s changed")
            % {"file": name, "rows": len(cells), "changed": len(new)}
            if source == Source.UPLOAD
            else _("scored, nothing found")
        )
    before: Any = [entry_state(e) for e in replaced]
    after: Any = [entry_state(e) for e in new]
    if source == Source.CELL and len(new) == 1:  # one cell, one entry: the entry's own states
        before, after = entry_state(changed[0][1]), after[0]
        if waiting:
            after = after | {"confirmation": "pending", "deduction": str(waiting[0].points)}
    elif waiting:
        after = {"entries": after, "awaiting_confirmation": [c.entry_id for c in waiting]}
    record(
        acting_user=acting_user,
        action=action,
        obj=obj,
        before=before,
        after=after,
        reason=reason,
    )
    return new


def _confirmations_open(
    index: SchemeIndex, sheet: Sheet, entries: list[Entry], now: dt.datetime
) -> list[Confirmation]:
    """A pending second confirmation for every new entry whose deduction is large (the
    scheme's ``second_eyes``); the entries count only once confirmed."""
    waiting = []
    for entry in entries:
        large = large_deduction(
            index,
            sheet.department.key,
            entry.unit.code,
            entry.unit.category,
            sheet.cycle.month,
            entry.item,
            entry.sub_item,
            entry.values,
        )
        if large is not None:
            waiting.append(
                Confirmation(
                    entry=entry,
                    points=large.points,
                    weight=large.weight,
                    whole=large.whole,
                    created_at=now,
                )
            )
    return Confirmation.objects.bulk_create(waiting)


def _touch(sheet: Sheet, acting_user: User, now: dt.datetime) -> None:
    """A new version of the sheet: who changed it and when."""
    sheet.version += 1
    sheet.changed_at, sheet.changed_by = now, acting_user
    sheet.save(update_fields=["version", "changed_at", "changed_by"])


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
) -> Entry | None:
    """One cell through ``scores_save`` (a web cell without sub-items). None if unchanged."""
    saved = scores_save(
        acting_user,
        sheet,
        [CellInput(unit, item, sub_item, values, reason, evidence)],
        source=Source.CELL,
        correction_reason=correction_reason,
    )
    return saved[0] if saved else None


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


def mark_rest_clean(*, acting_user: User, sheet: Sheet, expected_version: int | None = None) -> int:
    """Record "scored, nothing found" for every cell not scored yet (one audited change)."""
    with transaction.atomic():
        locked = _lock_sheet(sheet, expected_version)
        if acting_user.department_id != locked.department_id or not locked.editable:
            raise CycleError(_("Only the department may fill its own open sheet."))
        grid = sheet_grid(locked)
        cells = [
            CellInput(unit, *column.key, values={})
            for unit, columns in grid.rows
            for column, entry in columns
            if entry is None
        ]
        return len(scores_save(acting_user, locked, cells, source=Source.CLEAN))


def _lock_sheet(sheet: Sheet, expected_version: int | None) -> Sheet:
    """The sheet, locked for the change; refused if final or changed since ``expected_version``."""
    locked = (
        Sheet.objects.select_for_update(of=("self",))
        .select_related("cycle__year", "department", "changed_by")
        .get(pk=sheet.pk)
    )
    _refuse_if_final(locked.cycle.year)
    if expected_version is not None and locked.version != expected_version:
        raise StaleRecord(locked)
    return locked


def _transition(
    sheet: Sheet, acting_user: User, action: str, before: str, reason: str = ""
) -> None:
    _touch(sheet, acting_user, timezone.now())
    record(
        acting_user=acting_user,
        action=action,
        obj=sheet,
        before={"status": before},
        after={"status": sheet.status, "late": sheet.late},
        reason=reason,
    )


@transaction.atomic
def sheet_submit(*, acting_user: User, sheet: Sheet, expected_version: int | None = None) -> Sheet:
    sheet = _lock_sheet(sheet, expected_version)
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
def sheet_withdraw(
    *, acting_user: User, sheet: Sheet, expected_version: int | None = None
) -> Sheet:
    """Take a submitted sheet back to draft (撤回), until the office has accepted or returned
    it: any assessor of the sheet's department may, not only the one who submitted it. The
    late flag goes with the submission; the next submission sets it again."""
    sheet = _lock_sheet(sheet, expected_version)
    if acting_user.department_id != sheet.department_id:
        raise CycleError(_("Only the sheet's department may withdraw it."))
    if sheet.status != Sheet.Status.SUBMITTED:
        raise CycleError(_("Only a submitted sheet not yet accepted can be withdrawn."))
    before = sheet.status
    sheet.status = Sheet.Status.DRAFT
    sheet.submitted_at = None
    sheet.late = False
    sheet.save()
    _transition(sheet, acting_user, "sheet.withdraw", before)
    return sheet


@transaction.atomic
def sheet_accept(*, acting_user: User, sheet: Sheet, expected_version: int | None = None) -> Sheet:
    sheet = _lock_sheet(sheet, expected_version)
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office accepts sheets."))
    if sheet.status != Sheet.Status.SUBMITTED:
        raise CycleError(_("Only a submitted sheet can be accepted."))
    waiting = unconfirmed(sheet)
    if waiting:
        raise CycleError(
            ngettext(
                "%(n)s large deduction on this sheet is not confirmed yet (%(cells)s): "
                "a second person must confirm it, or the department must correct it if it "
                "was refused, before the sheet can be accepted.",
                "%(n)s large deductions on this sheet are not confirmed yet (%(cells)s): "
                "a second person must confirm them, or the department must correct those "
                "refused, before the sheet can be accepted.",
                len(waiting),
            )
            % {
                "n": len(waiting),
                "cells": "、".join(f"{c.entry.unit.name} {_cell_name(c.entry)}" for c in waiting),
            }
        )
    sheet.status = Sheet.Status.ACCEPTED
    sheet.decided_at = timezone.now()
    sheet.save()
    _transition(sheet, acting_user, "sheet.accept", Sheet.Status.SUBMITTED)
    _close_if_complete(sheet.cycle)
    escalations_sync(year=sheet.cycle.year)
    return sheet


def _close_if_complete(cycle: Cycle) -> None:
    """The month ends (已结束) when its last sheet is accepted: no more reminders, off the
    to-do lists. Corrections of accepted sheets stay possible, each with its reason."""
    if (
        cycle.status == Cycle.Status.OPEN
        and not cycle.sheets.exclude(status=Sheet.Status.ACCEPTED).exists()
    ):
        Cycle.objects.filter(pk=cycle.pk).update(status=Cycle.Status.CLOSED)
        cycle.status = Cycle.Status.CLOSED


@transaction.atomic
def sheet_return(
    *, acting_user: User, sheet: Sheet, reason: str, expected_version: int | None = None
) -> Sheet:
    sheet = _lock_sheet(sheet, expected_version)
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office returns sheets."))
    if sheet.status != Sheet.Status.SUBMITTED:
        raise CycleError(_("Only a submitted sheet can be returned."))
    if not reason.strip():
        raise CycleError(_("Give the reason for returning the sheet."))
    problems = _text_errors(
        _("Reason for return"), reason.strip(), multiline=True, limit=limits.TEXT_MAX
    )
    if problems:
        raise CycleError("\n".join(problems))
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
def escalation_update(
    *,
    acting_user: User,
    case: EscalationCase,
    status: str,
    notes: str,
    expected_version: int | None = None,
) -> None:
    """The office's progress on a talk or report. Escalations do not feed the results, so a
    final year still takes them (the talk happens after the figures are settled)."""
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office works through escalations."))
    case = (
        EscalationCase.objects.select_for_update(of=("self",))
        .select_related("updated_by")
        .get(pk=case.pk)
    )
    if expected_version is not None and case.version != expected_version:
        raise StaleRecord(case)
    if status not in EscalationCase.Status.values:
        raise CycleError(_("Unknown status."))
    problems = _text_errors(_("Notes"), notes.strip(), multiline=True, limit=limits.TEXT_MAX)
    if problems:
        raise CycleError("\n".join(problems))
    before = {"status": case.status, "notes": case.notes}
    case.status, case.notes = status, notes.strip()
    case.version += 1
    case.updated_by = acting_user
    case.save(update_fields=["status", "notes", "version", "updated_by", "updated_at"])
    record(
        acting_user=acting_user,
        action="escalation.update",
        obj=case,
        before=before,
        after={"status": case.status, "notes": case.notes},
    )


def send_reminders(*, today: dt.date | None = None) -> int:
    """Remind departments whose sheets are not yet submitted, from ``KAOHE_REMIND_DAYS``
    working days before the due date; at most one reminder per department and month a day."""
    from kaohe.workdays.selectors import add_working_days  # the calendar lives in its own app

    today = today or timezone.localdate()
    # the horizon counts working days: a sheet due after a holiday is reminded before it
    horizon = add_working_days(today, settings.KAOHE_REMIND_DAYS).date
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


# ---- second eyes: large deductions wait for a second person (SPEC §11) ---------------------


def _cell_name(entry: Entry) -> str:
    if entry.sub_item:
        return _("item %(item)s/%(sub)s") % {"item": entry.item, "sub": entry.sub_item}
    return _("item %(item)s") % {"item": entry.item}


def may_confirm(user: User, confirmation: Confirmation, headed: set[int] | None = None) -> bool:
    """The office, or the head of the department whose sheet it is, never the person who
    entered the deduction. ``headed``: the departments ``user`` heads, when already loaded."""
    entry = confirmation.entry
    if user.pk == entry.created_by_id or not user.is_active:
        return False
    if user.is_office:
        return True
    if headed is None:
        headed = headed_departments(user)
    return entry.sheet.department_id in headed


def _decide(
    acting_user: User, confirmation: Confirmation, *, confirm: bool, reason: str
) -> Confirmation:
    locked = (
        Confirmation.objects.select_for_update(of=("self",))
        .select_related("entry__sheet__cycle__year", "entry__unit", "entry__created_by")
        .get(pk=confirmation.pk)
    )
    _refuse_if_final(locked.entry.sheet.cycle.year)
    if locked.entry.created_by_id == acting_user.pk:
        raise CycleError(_("You entered this deduction: a second person must confirm it."))
    if not may_confirm(acting_user, locked):
        raise CycleError(
            _("Only the performance office or the department's head may confirm deductions.")
        )
    if locked.status != Confirmation.Status.PENDING:
        raise CycleError(
            _("This deduction is already %(status)s.") % {"status": locked.get_status_display()}
        )
    if locked.entry.superseded_at is not None:
        raise CycleError(_("The cell was changed since; the new entry waits on its own."))
    reason = reason.strip()
    if not confirm and not reason:
        raise CycleError(_("Give the reason for refusing the deduction; the department sees it."))
    problems = _text_errors(_("Reason"), reason, multiline=True, limit=limits.TEXT_MAX)
    if problems:
        raise CycleError("\n".join(problems))
    before = {"status": locked.status}
    locked.status = Confirmation.Status.CONFIRMED if confirm else Confirmation.Status.REFUSED
    locked.decided_at, locked.decided_by, locked.reason = timezone.now(), acting_user, reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    entry = locked.entry
    record(
        acting_user=acting_user,
        action="deduction.confirm" if confirm else "deduction.refuse",
        obj=entry,
        before=before,
        after={
            "status": locked.status,
            "unit": entry.unit.code,
            "item": entry.item,
            "sub_item": entry.sub_item,
            "deduction": str(locked.points),
            "entered_by": str(entry.created_by),
        },
        reason=reason,
    )
    return locked


@transaction.atomic
def deduction_confirm(
    *, acting_user: User, confirmation: Confirmation, reason: str = ""
) -> Confirmation:
    """A second person confirms a large deduction: from now on it counts."""
    return _decide(acting_user, confirmation, confirm=True, reason=reason)


@transaction.atomic
def deduction_refuse(*, acting_user: User, confirmation: Confirmation, reason: str) -> Confirmation:
    """A second person refuses a large deduction, with the reason: it does not count, and the
    department corrects the cell (a new entry, which waits again if still large)."""
    return _decide(acting_user, confirmation, confirm=False, reason=reason)


@transaction.atomic
def department_head_set(
    *, acting_user: User, department: Department, user: User, active: bool = True
) -> DepartmentHead | None:
    """The office names (or stops naming) an assessor of a department as its head."""
    if not acting_user.is_office:
        raise CycleError(_("Only the performance office names department heads."))
    current = (
        DepartmentHead.objects.select_for_update()
        .filter(department=department, user=user, active=True)
        .first()
    )
    if active:
        if user.department_id != department.pk:
            raise CycleError(_("A department's head is one of its own assessors."))
        if current is not None:
            return current
        head = DepartmentHead.objects.create(
            department=department, user=user, created_by=acting_user
        )
        record(
            acting_user=acting_user,
            action="department.head",
            obj=head,
            after={"department": department.key, "user": user.username, "active": True},
        )
        return head
    if current is None:
        return None
    current.active = False
    current.save(update_fields=["active"])
    record(
        acting_user=acting_user,
        action="department.head",
        obj=current,
        before={"active": True},
        after={"department": department.key, "user": user.username, "active": False},
    )
    return current
