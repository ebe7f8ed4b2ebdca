"""Reads shared by pages, exports and commands: current entries, coverage, engine facts."""

from __future__ import annotations

import hashlib
import threading
from collections import OrderedDict, defaultdict
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass
from datetime import datetime
from typing import Any

from django.db.models import Count, Exists, Max, Min, OuterRef, Q, QuerySet, Sum
from django.db.models.signals import post_delete, post_save
from django.utils import timezone

from kaohe.engine import Facts, Scheme, YearResult, compute_year
from kaohe.people.models import Department, Unit, User
from kaohe.years.models import SchemeVersion, Target, Year

from .models import Confirmation, Cycle, DepartmentHead, Entry, Sheet
from .scope import Column, columns_for, units_in_scope


def current_entries(as_of: datetime | None = None) -> QuerySet[Entry]:
    """Entries current now, or as they stood at ``as_of`` (corrections replace, never erase)."""
    if as_of is None:
        return Entry.objects.filter(superseded_at__isnull=True)
    return Entry.objects.filter(created_at__lte=as_of).filter(
        Q(superseded_at__isnull=True) | Q(superseded_at__gt=as_of)
    )


def memberships() -> dict[int, set[int]]:
    """unit id → ids of the departments it belongs to, in one query."""
    members: dict[int, set[int]] = defaultdict(set)
    for unit_id, department_id in Unit.member_of.through.objects.values_list(
        "unit_id", "department_id"
    ):
        members[unit_id].add(department_id)
    return members


def year_units(year: Year) -> list[Unit]:
    categories = [c.key for c in year.scheme.categories]
    return list(Unit.objects.filter(active=True, category__in=categories).order_by("code"))


@dataclass
class SheetGrid:
    """A department's sheet as rows of units and the cells each row has."""

    sheet: Sheet
    rows: list[tuple[Unit, list[tuple[Column, Entry | None]]]]

    @property
    def cells(self) -> int:
        return sum(len(cells) for _, cells in self.rows)

    @property
    def scored(self) -> int:
        return sum(1 for _, cells in self.rows for _, e in cells if e is not None)

    @property
    def with_findings(self) -> int:
        return sum(
            1 for _, cells in self.rows for _, e in cells if e is not None and e.has_findings
        )


def sheet_grid(sheet: Sheet, as_of: datetime | None = None) -> SheetGrid:
    """Every cell of a sheet with its current entry; a fixed number of queries. An accepted
    sheet's grid (as it stands now) is cached under its inputs' digest (``grid_key``)."""
    if as_of is None and sheet.status == Sheet.Status.ACCEPTED:
        key = grid_key(sheet)
        with _lock:
            rows = _grids.get(key)
            if rows is not None:
                _grids.move_to_end(key)
                return SheetGrid(sheet, rows)
        grid = _sheet_grid(sheet, None)
        with _lock:
            _grids[key] = grid.rows
            while len(_grids) > GRID_CACHE_SIZE:
                _grids.popitem(last=False)
        return grid
    return _sheet_grid(sheet, as_of)


def grid_key(sheet: Sheet) -> tuple[Any, ...]:
    """What an accepted sheet's grid is made of: the sheet's state and version (bumped by
    every change to it), its entries (a ledger: count, ids, supersessions), their second
    confirmations, the units in the year and their memberships, the year's schemes, and the
    people who entered the cells."""
    year = sheet.cycle.year
    entries = Entry.objects.filter(sheet=sheet).aggregate(
        n=Count("id"),
        ids=Sum("id"),
        top=Max("id"),
        first=Min("created_at"),
        last=Max("created_at"),
        gone=Count("superseded_at"),
        gone_last=Max("superseded_at"),
    )
    return (
        sheet.pk,
        _digest(
            [
                (sheet.version, sheet.status, sheet.decided_at, sheet.department_id),
                sorted(entries.items()),
                list(
                    Confirmation.objects.filter(entry__sheet=sheet)
                    .order_by("pk")
                    .values_list("pk", "status", "decided_at")
                ),
                (year.pk, year.version, year.scheme_sha256),
                list(
                    SchemeVersion.objects.filter(year=year)
                    .order_by("pk")
                    .values_list("pk", "status", "sha256", "from_month")
                ),
                *_shared_rows(),
            ]
        ),
    )


def _shared_rows() -> list[Any]:
    """Units, memberships, departments and people: rows every year's figures read."""
    return [
        list(
            Unit.objects.order_by("pk").values_list(
                "pk", "code", "name", "category", "kind", "secretary", "leaders", "active"
            )
        ),
        list(Unit.member_of.through.objects.order_by("pk").values_list("unit_id", "department_id")),
        list(Department.objects.order_by("pk").values_list("pk", "key")),
        list(User.objects.order_by("pk").values_list("pk", "username", "display_name")),
    ]


def _sheet_grid(sheet: Sheet, as_of: datetime | None) -> SheetGrid:
    year = sheet.cycle.year
    scheme = year.scheme_for(sheet.cycle.month)
    units = units_in_scope(scheme, sheet.department_id, year_units(year), memberships())
    found = list(current_entries(as_of).filter(sheet=sheet).select_related("confirmation"))
    # the few people who entered them, once each (not one User instance per entry)
    people = User.objects.in_bulk({e.created_by_id for e in found})
    entries = {}
    for e in found:
        e.created_by = people[e.created_by_id]
        entries[(e.unit_id, e.item, e.sub_item)] = e
    rows = []
    by_kind: dict[
        tuple[str, str], list[Column]
    ] = {}  # a unit's columns follow its category and kind
    for unit in units:
        kind = (unit.category, unit.kind)
        if kind not in by_kind:
            by_kind[kind] = columns_for(scheme, sheet.department.key, unit)
        cells = [(column, entries.get((unit.pk, *column.key))) for column in by_kind[kind]]
        if cells:
            rows.append((unit, cells))
    return SheetGrid(sheet, rows)


def year_facts(year: Year, as_of: datetime | None = None) -> Facts:
    """The engine's facts for a year: accepted sheets' current entries with findings."""
    units = year_units(year)
    members = memberships()
    keys = {d.pk: d.key for d in Department.objects.all()}
    months = sorted(Cycle.objects.filter(year=year).values_list("month", flat=True))
    accepted = current_entries(as_of).filter(
        sheet__cycle__year=year, sheet__status=Sheet.Status.ACCEPTED
    )
    if as_of is not None:  # accepted is final, so "accepted by then" is decided_at ≤ as_of
        accepted = accepted.filter(sheet__decided_at__lte=as_of)
    # plain tuples, not model instances: a year holds ~17,000 entries, ~1,500 with findings
    names = {
        pk: display or username
        for pk, username, display in User.objects.values_list("pk", "username", "display_name")
    }
    findings = []
    for row in counting_rows(list(accepted.values_list(*_ROW)), as_of):
        if not _has_findings(row[_VALUES]):
            continue
        findings.append(
            {
                "id": f"E{row[0]}",
                "month": row[1],
                "unit": row[2],
                "item": row[3],
                "sub_item": row[4] or None,
                "department": row[5],
                **row[_VALUES],
                "reason": row[7],
                "evidence": row[8],
                "by": names[row[9]],
                "at": timezone.localtime(row[10]).strftime("%Y-%m-%d %H:%M"),
            }
        )
    return Facts.model_validate(
        {
            "year": year.year,
            "months": months or [1],
            "units": [
                {
                    "id": u.code,
                    "name": u.name,
                    "category": u.category,
                    "kind": u.kind,
                    "secretary": u.secretary,
                    "leaders": u.leader_names(),
                    "departments": [keys[d] for d in members.get(u.pk, ())],
                }
                for u in units
            ],
            "targets": [
                {"unit": code, "item": item, "target": target}
                for code, item, target in Target.objects.filter(
                    year=year, unit__active=True
                ).values_list("unit__code", "item", "target")
            ],
            "findings": findings,
        }
    )


# what year_facts reads of an entry, in this order
_ROW = (
    "pk",
    "sheet__cycle__month",
    "unit__code",
    "item",
    "sub_item",
    "sheet__department__key",
    "values",
    "reason",
    "evidence",
    "created_by_id",
    "created_at",
    "replaces_id",
    "confirmation__status",
    "confirmation__decided_at",
)
_VALUES, _REPLACES, _STATUS, _DECIDED = 6, 11, 12, 13


def _has_findings(values: dict[str, Any]) -> bool:
    """``Entry.has_findings`` for a row's values."""
    return any(v not in (None, 0, "0", False, {}) for v in values.values()) or (
        values.get("met") is False
    )


def _row_waits(row: tuple[Any, ...], as_of: datetime | None) -> bool:
    """``_waits`` for a row: a second confirmation exists and is not effective (then)."""
    if row[_STATUS] is None:
        return False
    decided = row[_DECIDED]
    effective = (
        row[_STATUS] == Confirmation.Status.CONFIRMED
        and decided is not None
        and (as_of is None or decided <= as_of)
    )
    return not effective


def counting_rows(rows: list[tuple[Any, ...]], as_of: datetime | None = None) -> list[Any]:
    """``counting`` for ``_ROW`` tuples: a waiting entry counts as the one it replaced."""
    result: list[tuple[Any, ...]] = []
    waiting: list[tuple[Any, ...]] = []
    for row in rows:
        (waiting if _row_waits(row, as_of) else result).append(row)
    while waiting:
        ids = [r[_REPLACES] for r in waiting if r[_REPLACES] is not None]
        if not ids:
            break
        earlier = Entry.objects.filter(pk__in=ids).values_list(*_ROW)
        waiting = []
        for row in earlier:
            (waiting if _row_waits(row, as_of) else result).append(row)
    return sorted(result, key=lambda r: r[0])


def _waits(entry: Entry, as_of: datetime | None) -> bool:
    """Whether the entry is a large deduction not (yet, as of ``as_of``) confirmed."""
    try:
        confirmation = entry.confirmation
    except Confirmation.DoesNotExist:
        return False
    return not confirmation.effective(as_of)


def counting(entries: list[Entry], as_of: datetime | None = None) -> list[Entry]:
    """The entries that count: a large deduction waiting for (or refused) its second
    confirmation does not, and the cell counts as the entry it replaced did (that one's own
    predecessor, if it waits too; nothing, for a first entry). One query per level of
    waiting predecessors, none when nothing waits."""
    result: list[Entry] = []
    waiting: list[Entry] = []
    for e in entries:
        (waiting if _waits(e, as_of) else result).append(e)
    while waiting:
        ids = [e.replaces_id for e in waiting if e.replaces_id is not None]
        if not ids:
            break
        earlier = list(
            Entry.objects.filter(pk__in=ids).select_related(
                "sheet__cycle", "sheet__department", "unit", "created_by", "confirmation"
            )
        )
        waiting = []
        for e in earlier:
            (waiting if _waits(e, as_of) else result).append(e)
    return sorted(result, key=lambda e: e.pk)


def unconfirmed(sheet: Sheet) -> list[Confirmation]:
    """The sheet's current cells whose large deduction is pending or refused: the sheet
    cannot be accepted with one."""
    return list(
        Confirmation.objects.filter(
            entry__sheet=sheet,
            entry__superseded_at__isnull=True,
            status__in=[Confirmation.Status.PENDING, Confirmation.Status.REFUSED],
        ).select_related("entry__unit")
    )


def headed_departments(user: User) -> set[int]:
    """Ids of the departments ``user`` heads (one query)."""
    return set(
        DepartmentHead.objects.filter(user=user, active=True).values_list(
            "department_id", flat=True
        )
    )


def pending_cell_confirmations(user: User, headed: set[int] | None = None) -> list[Confirmation]:
    """Large deductions waiting for their second confirmation that ``user`` sees: the office
    and leaders all, a department's head and assessors their department's (the person who
    entered one sees it too, but may not confirm it). Current entries only, oldest first; one
    query, and one more for a user who is neither office nor leader unless ``headed`` (the
    departments the user heads) is given."""
    return _confirmations(user, Confirmation.Status.PENDING, headed)


def refused_cell_confirmations(user: User, headed: set[int] | None = None) -> list[Confirmation]:
    """Large deductions refused by the second person and not corrected yet (the current
    entry of their cell), as ``pending_cell_confirmations`` sees them."""
    return _confirmations(user, Confirmation.Status.REFUSED, headed)


def _confirmations(user: User, status: str, headed: set[int] | None) -> list[Confirmation]:
    everything = user.is_office or user.is_leader
    department = user.department_id
    queryset = Confirmation.objects.filter(status=status, entry__superseded_at__isnull=True)
    if not everything:
        heads = headed_departments(user) if headed is None else headed
        departments = heads | ({department} if department else set())
        if not departments:
            return []
        queryset = queryset.filter(entry__sheet__department_id__in=departments)
    return list(
        queryset.select_related(
            "entry__sheet__cycle__year",
            "entry__sheet__department",
            "entry__unit",
            "entry__created_by",
            "decided_by",
        ).order_by("created_at", "id")
    )


def complete_months(year: Year) -> list[int]:
    """Months whose every sheet is accepted: only these count for escalations."""
    open_sheets = Sheet.objects.filter(cycle=OuterRef("pk")).exclude(status=Sheet.Status.ACCEPTED)
    return list(
        Cycle.objects.filter(year=year)
        .annotate(pending=Exists(open_sheets))
        .filter(pending=False)
        .order_by("month")
        .values_list("month", flat=True)
    )


def year_result(
    year: Year,
    as_of: datetime | None = None,
    months: list[int] | None = None,
    *,
    amendments: Sequence[Scheme] | None = None,
) -> YearResult:
    """The engine's result for the year's open months (or ``months``) from stored facts,
    each month with its scheme version (the year's confirmed ones, or ``amendments``).
    The current result (no ``as_of``, the confirmed versions) is cached under its inputs'
    key (``inputs_key``): any change to them makes a new key, so a stale result is never
    served."""
    if as_of is None and amendments is None:
        part = ("year_result", tuple(months) if months is not None else None)
        return cached(
            year,
            part,
            lambda: compute_year(
                year.base_scheme, year_facts(year), months, amendments=year.amendments()
            ),
        )
    chosen = year.amendments() if amendments is None else amendments
    return compute_year(year.base_scheme, year_facts(year, as_of), months, amendments=chosen)


# --- the results cache --------------------------------------------------------------------
#
# Computing a year takes ~2 s on the demo (17,000 entries turned into model instances); pages
# ask for it on every request. The result is kept per process under a key that is a digest
# of every input the engine reads, taken with a dozen small aggregate queries: per accepted
# month, each accepted sheet's entries (count, id sum and max, first/last entered, superseded
# count and last superseded — entries are a ledger: a correction adds a row and stamps
# ``superseded_at`` on the old one, nothing is updated in place or deleted); every sheet's
# state; the cells' second confirmations; units, memberships, departments, targets, users
# (their names sign findings); the year's scheme and its versions. Any write that changes
# what the engine sees changes the key. Writes through the ORM in this process also empty
# the cache at once (signals below), so even an id reused after a rolled-back transaction
# cannot bring an old result back.

CACHE_SIZE = 16
GRID_CACHE_SIZE = 128  # an accepted sheet's grid: a few hundred cells
_cache: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_grids: OrderedDict[tuple[Any, ...], Any] = OrderedDict()
_lock = threading.Lock()


def _digest(rows: Iterable[Any]) -> str:
    return hashlib.blake2b(repr(list(rows)).encode("utf-8"), digest_size=16).hexdigest()


def inputs_key(year: Year) -> tuple[Any, ...]:
    """The digest of everything ``year_facts`` and the year's schemes hold, one digest per
    month (that month's sheets and accepted entries) and one for the rest."""
    sheets: dict[int, list[Any]] = defaultdict(list)
    month_of: dict[int, int] = {}
    accepted = []
    for row in (
        Sheet.objects.filter(cycle__year=year)
        .order_by("pk")
        .values_list("cycle__month", "pk", "department_id", "status", "decided_at")
    ):
        sheets[row[0]].append(row[1:])
        month_of[row[1]] = row[0]
        if row[3] == Sheet.Status.ACCEPTED:
            accepted.append(row[1])
    for row in (
        Entry.objects.filter(sheet_id__in=accepted)
        .values_list("sheet_id")
        .annotate(
            n=Count("id"),
            ids=Sum("id"),
            top=Max("id"),
            first=Min("created_at"),
            last=Max("created_at"),
            gone=Count("superseded_at"),
            gone_last=Max("superseded_at"),
        )
        .order_by("sheet_id")
    ):
        sheets[month_of[row[0]]].append(row)
    months = tuple((m, _digest(rows)) for m, rows in sorted(sheets.items()))
    rest = _digest(
        [
            (year.pk, year.year, year.version, year.scheme_sha256),
            list(
                SchemeVersion.objects.filter(year=year)
                .order_by("pk")
                .values_list("pk", "number", "status", "sha256")
            ),
            list(Cycle.objects.filter(year=year).order_by("month").values_list("pk", "month")),
            list(
                Confirmation.objects.filter(entry__sheet__cycle__year=year)
                .order_by("pk")
                .values_list("pk", "entry_id", "status", "decided_at")
            ),
            list(
                Target.objects.filter(year=year)
                .order_by("pk")
                .values_list("pk", "unit_id", "item", "target", "updated_at")
            ),
            *_shared_rows(),
        ]
    )
    return (year.pk, rest, months)


def cached[T](
    year: Year,
    part: tuple[Any, ...],
    build: Callable[[], T],
    extra: Callable[[], Any] | None = None,
) -> T:
    """``build()``'s value for ``year``'s current inputs (and ``extra()``'s digest, for
    inputs beyond the monthly ones), computed once per key and process."""
    key = (part, inputs_key(year), _digest([extra()]) if extra is not None else None)
    with _lock:
        if key in _cache:
            _cache.move_to_end(key)
            return _cache[key]  # type: ignore[no-any-return]
    value = build()
    with _lock:
        _cache[key] = value
        while len(_cache) > CACHE_SIZE:
            _cache.popitem(last=False)
    return value


def cache_clear(**_: Any) -> None:
    """Forget every cached result (a signal receiver, and for tests)."""
    with _lock:
        _cache.clear()
        _grids.clear()


def watch(models: Iterable[type[Any]]) -> None:
    """Empty the cache whenever one of ``models`` is saved or deleted in this process."""
    for model in models:
        post_save.connect(cache_clear, sender=model, weak=False)
        post_delete.connect(cache_clear, sender=model, weak=False)


watch([Entry, Sheet, Cycle, Confirmation, Unit, Department, Target, User, Year, SchemeVersion])
