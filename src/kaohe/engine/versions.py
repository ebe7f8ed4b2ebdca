"""Scheme versions within a year (第五条: targets added around the district committee's
central and periodic work).

A version is a whole scheme file of the same name, year and categories that carries
``version`` (number ≥ 2, the month it applies from, reason, approver). Month m is scored with
the latest version whose ``from_month`` ≤ m; the year-end components (B, F, R, the annual
target method, ranking, results use) use the last version. Also here: what changed between
two versions, item by item, and which figures a change moves.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from .errors import InputError, Problem
from .explain import fmt, shown
from .index import SchemeIndex
from .ranking import RankRow
from .scheme import Item, Rubric, Scheme

if TYPE_CHECKING:
    from .compute import YearResult

REF_VERSIONS = "第五条"


def version_number(scheme: Scheme) -> int:
    return scheme.version.number if scheme.version else 1


def from_month(scheme: Scheme) -> int:
    return scheme.version.from_month if scheme.version else 1


def version_label(scheme: Scheme) -> str:
    """方案第1版 / 方案第2版(7月起)."""
    if scheme.version is None:
        return "方案第1版"
    return f"方案第{scheme.version.number}版({scheme.version.from_month}月起)"


def _shape(scheme: Scheme) -> list[tuple[str, str, list[str]]]:
    return [(c.key, c.rubric, sorted(k.key for k in c.kinds)) for c in scheme.categories]


def full_marks(rubric: Rubric, kind: str) -> Decimal:
    """The weights of every item of ``rubric`` that applies to ``kind`` (added ones too)."""
    return sum((i.weight for i in rubric.items() if i.applies_to(kind)), Decimal(0))


def versions_errors(base: Scheme, amendments: Sequence[Scheme]) -> list[str]:
    """Every reason the versions cannot make one year: the same name, year, categories
    (with their rubrics and kinds) and departments, numbers 2, 3, … in order, months strictly increasing,
    and, under ``month_total: fixed``, full marks unchanged."""
    errors: list[str] = []
    if base.version is not None:
        errors.append(Problem("scheme.version", "first_version"))
    previous_month = 1
    for i, amendment in enumerate(amendments):
        path = f"amendments[{i}]"
        info = amendment.version
        if info is None:
            errors.append(Problem(f"{path}.version", "version_needed"))
            continue
        if amendment.name != base.name:
            errors.append(
                Problem(f"{path}.name", "other_name", name=amendment.name, base=base.name)
            )
        if amendment.year != base.year:
            errors.append(
                Problem(f"{path}.year", "other_scheme_year", year=amendment.year, base=base.year)
            )
        if _shape(amendment) != _shape(base):
            errors.append(Problem(f"{path}.categories", "same_categories"))
        if [d.key for d in amendment.departments] != [d.key for d in base.departments]:
            # months are opened with one sheet per department of the year
            errors.append(Problem(f"{path}.departments", "same_departments"))
        if info.number != i + 2:
            errors.append(
                Problem(f"{path}.version.number", "version_number", expected=i + 2, got=info.number)
            )
        if info.from_month <= previous_month:
            errors.append(
                Problem(f"{path}.version.from_month", "from_month_order", month=previous_month)
            )
        previous_month = max(previous_month, info.from_month)
        if amendment.month_total.method == "fixed" and not errors:
            for category in base.categories:
                before = base.rubric(category.rubric)
                after = amendment.rubric(category.rubric)
                for kind in [k.key for k in category.kinds] or [""]:
                    old, new = full_marks(before, kind), full_marks(after, kind)
                    if old != new:
                        errors.append(
                            Problem(
                                f"{path}.rubrics.{category.rubric}",
                                "full_marks_kind" if kind else "full_marks",
                                kind=kind,
                                new=fmt(new),
                                old=fmt(old),
                            )
                        )
    return errors


@dataclass(frozen=True)
class Versions:
    """The versions of a year's scheme, version 1 first, and which one each month uses."""

    schemes: tuple[Scheme, ...]
    indexes: tuple[SchemeIndex, ...]
    month_version: tuple[int, ...]  # month (0…12) → position in ``schemes``

    @classmethod
    def build(cls, base: Scheme, amendments: Sequence[Scheme] = ()) -> Versions:
        """Validate and index the versions; InputError lists every problem."""
        errors = versions_errors(base, amendments)
        if errors:
            raise InputError("amendments", errors)
        schemes = (base, *amendments)
        positions = [0] * 13
        for position, scheme in enumerate(schemes):
            for month in range(from_month(scheme), 13):
                positions[month] = position
        return cls(schemes, tuple(SchemeIndex(s) for s in schemes), tuple(positions))

    @property
    def base(self) -> Scheme:
        return self.schemes[0]

    @property
    def last(self) -> Scheme:
        return self.schemes[-1]

    @property
    def several(self) -> bool:
        return len(self.schemes) > 1

    def for_month(self, month: int) -> Scheme:
        return self.schemes[self.month_version[month]]

    def index_for(self, month: int) -> SchemeIndex:
        return self.indexes[self.month_version[month]]

    def label_for(self, month: int) -> str:
        return version_label(self.for_month(month))

    def base_total(self, rubric: str) -> Decimal:
        """The rubric's total in version 1 (百分制: 100): what ``normalised`` scales to."""
        return self.base.rubric(rubric).total


# ---- what changed between two versions ---------------------------------------------------


@dataclass(frozen=True, slots=True)
class ItemChange:
    """One rubric item added, removed or changed; ``fields`` are (field, before, after)."""

    rubric: str
    number: str
    change: str  # "added" | "removed" | "changed"
    target: str
    fields: tuple[tuple[str, str, str], ...] = ()


def _shares(item: Item) -> str:
    return "、".join(f"{s.department} {fmt(s.points)}" for s in item.departments)


def _rule(item: Item) -> str:
    return str(item.rule.model_dump(mode="json", exclude_defaults=True))


ITEM_FIELDS = (
    ("target", lambda i: i.target),
    ("weight", lambda i: fmt(i.weight)),
    ("standard", lambda i: i.standard),
    ("method", lambda i: i.method),
    ("departments", _shares),
    ("kinds", lambda i: "、".join(i.kinds)),
    ("bonus", lambda i: "是" if i.bonus else "否"),
    ("rule", _rule),
    ("added_on", lambda i: i.added_on.isoformat() if i.added_on else ""),
)


def scheme_changes(old: Scheme, new: Scheme) -> tuple[list[ItemChange], list[str]]:
    """Every item added, removed or changed (target, weight, standard, department shares,
    rule …), rubric by rubric; and the other settings that differ (section weights, totals,
    year-end settings), named by path."""
    items: list[ItemChange] = []
    settings: list[str] = []
    new_rubrics = {r.key: r for r in new.rubrics}
    old_rubrics = {r.key: r for r in old.rubrics}
    for rubric in old.rubrics:
        after = new_rubrics.get(rubric.key)
        if after is None:
            settings.append(f"rubrics.{rubric.key}: removed")
            continue
        before_items = {i.number: i for i in rubric.items()}
        after_items = {i.number: i for i in after.items()}
        for number, item in before_items.items():
            if number not in after_items:
                items.append(ItemChange(rubric.key, number, "removed", item.target))
        for number, item in after_items.items():
            was = before_items.get(number)
            if was is None:
                items.append(ItemChange(rubric.key, number, "added", item.target))
                continue
            fields = tuple(
                (name, get(was), get(item)) for name, get in ITEM_FIELDS if get(was) != get(item)
            )
            if fields:
                items.append(ItemChange(rubric.key, number, "changed", item.target, fields))
        if rubric.total != after.total:
            settings.append(f"rubrics.{rubric.key}.total: {fmt(rubric.total)} → {fmt(after.total)}")
        old_sections = {s.key: s.weight for s in rubric.sections}
        for section in after.sections:
            weight = old_sections.get(section.key)
            if weight is None:
                settings.append(f"rubrics.{rubric.key}.sections.{section.key}: added")
            elif weight != section.weight:
                settings.append(
                    f"rubrics.{rubric.key}.sections.{section.key}.weight: "
                    f"{fmt(weight)} → {fmt(section.weight)}"
                )
    settings.extend(f"rubrics.{key}: added" for key in new_rubrics if key not in old_rubrics)
    for name in (
        "departments",
        "achievements",
        "faults",
        "recognition",
        "annual_target",
        "ranking",
        "escalation",
        "procedure",
        "commendation",
        "month_total",
    ):
        if getattr(old, name) != getattr(new, name):
            settings.append(f"{name}: changed")
    return items, settings


# ---- which figures a change moves --------------------------------------------------------


@dataclass(frozen=True, slots=True)
class FigureChange:
    """A figure that differs between two computations of the year."""

    kind: str  # "month_score" | "month_rank" | "escalation" | "T" | "total" | "rank"
    unit: str
    month: int | None
    before: str
    after: str


def figure_changes(before: YearResult, after: YearResult) -> list[FigureChange]:
    """Month scores, monthly ranks (and the bottom group), escalations, T, totals and annual
    ranks that differ between two results of the same units, in a stable order."""
    changes: list[FigureChange] = []
    for uid in sorted(before.units):
        old, new = before.units[uid], after.units.get(uid)
        if new is None:
            continue
        for month in sorted(old.months):
            a, b = old.months[month].score, new.months[month].score if month in new.months else None
            if b is not None and a != b:
                changes.append(FigureChange("month_score", uid, month, shown(a), shown(b)))
        if old.t.amount != new.t.amount:
            changes.append(FigureChange("T", uid, None, shown(old.t.amount), shown(new.t.amount)))
        if old.total != new.total:
            changes.append(FigureChange("total", uid, None, shown(old.total), shown(new.total)))
        rank_a, rank_b = before.ranks.get(uid), after.ranks.get(uid)
        if rank_a and rank_b and rank_a.rank != rank_b.rank:
            changes.append(FigureChange("rank", uid, None, str(rank_a.rank), str(rank_b.rank)))
    for month in sorted(before.monthly):
        rows_b = {r.unit: r for rows in after.monthly.get(month, {}).values() for r in rows}
        for rows in before.monthly[month].values():
            for row in rows:
                other = rows_b.get(row.unit)
                if other is None:
                    continue
                if (row.rank, row.in_bottom) != (other.rank, other.in_bottom):
                    changes.append(
                        FigureChange("month_rank", row.unit, month, _place(row), _place(other))
                    )
    old_actions = {(a.unit, a.action, a.month, a.months) for a in before.escalations}
    new_actions = {(a.unit, a.action, a.month, a.months) for a in after.escalations}
    for unit, action, month, months in sorted(old_actions ^ new_actions):
        text = f"{action} {'、'.join(map(str, months))}"
        gone = (unit, action, month, months) in old_actions
        changes.append(
            FigureChange("escalation", unit, month, text if gone else "", "" if gone else text)
        )
    order = {"month_score": 0, "month_rank": 1, "escalation": 2, "T": 3, "total": 4, "rank": 5}
    changes.sort(key=lambda c: (order[c.kind], c.month or 0, c.unit))
    return changes


def _place(row: RankRow) -> str:
    return f"{row.rank}" + ("(后两名)" if row.in_bottom else "")
