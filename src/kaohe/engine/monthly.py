"""The monthly cycle (Art. 11(2), 12(3)): month target scores, rankings, escalations."""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterator, Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal
from itertools import accumulate

from .explain import ZERO, Line, divide, fmt, statement
from .index import SchemeIndex
from .ranking import RankRow, bottom_group, rank_rows
from .records import FactsData as Facts
from .records import FindingData as Finding
from .records import TargetData as Target
from .records import UnitData as Unit
from .rules import (
    TargetProgress,
    check_points,
    item_ref,
    score_shares,
    score_sub_rubric,
    score_target,
    simple_total,
)
from .scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Escalation,
    Item,
    PerCountRule,
    TargetCountRule,
)
from .versions import REF_VERSIONS, Versions

REF_MONTHLY = "第十一条(二)"
REF_ESCALATION = "第十二条(三)"
REF_YEAR_END = "第五条"


@dataclass(frozen=True, slots=True)
class MonthScore:
    unit: str
    month: int
    score: Decimal
    line: Line | None = None  # with explain=True only


@dataclass(frozen=True, slots=True)
class EscalationAction:
    """An action Art. 12(3) requires: a talk (组织约谈) or a written report (书面报告)."""

    unit: str
    category: str
    action: str  # "talk" | "report"
    month: int
    months: tuple[int, ...]

    @property
    def label(self) -> str:
        return "组织约谈" if self.action == "talk" else "书面报告"


def due_so_far(target: Target, month: int) -> int:
    """The cumulative number due by the end of ``month``: the letter's schedule, or pro rata
    (annual target × month ÷ 12, rounded down)."""
    if target.schedule:
        due = [n for m, n in target.schedule.items() if m <= month]
        return max(due, default=0)
    return target.target * month // 12


class MonthScorer:
    """Computes month target scores; work is proportional to findings and set targets.
    With ``versions``, each month is scored with the scheme version of that month."""

    def __init__(self, index: SchemeIndex, facts: Facts, versions: Versions | None = None) -> None:
        self.index = index
        self.versions = versions
        self.names = {d.key: d.name for d in index.scheme.departments}
        self.places = index.scheme.annual_target.places
        self.at_year_end = index.scheme.annual_target.bonus == "at_year_end"
        self._plans: dict[int, dict[str, Decimal]] = {}  # by id(item): this year's scheme
        self._alike: dict[tuple[object, ...], Decimal] = {}  # one finding's delta, by its values
        self.normalised = any(
            i.scheme.month_total.method == "normalised"
            for i in (versions.indexes if versions else (index,))
        )
        self._by_gap: dict[int, dict[int, Decimal]] = {}  # by id(item)
        # a unit's findings by month, in the facts' order (grouped by item when scored: most
        # unit-months have a few findings, and half a million small dicts weigh 100 MB)
        self.by_unit: dict[str, list[list[Finding] | None]] = {}
        monthly: dict[tuple[str, str], list[int]] = {}
        for f in facts.findings:
            months = self.by_unit.get(f.unit)
            if months is None:
                months = self.by_unit[f.unit] = [None] * 13
            found = months[f.month]
            if found is None:
                months[f.month] = [f]
            else:
                found.append(f)
            if f.count is not None:
                counts = monthly.get((f.unit, f.item))
                if counts is None:
                    counts = monthly[(f.unit, f.item)] = [0] * 13
                counts[f.month] += f.count
        self.findings = FindingsByMonth(self)
        self.achieved = {key: list(accumulate(counts)) for key, counts in monthly.items()}
        self.targets = {(t.unit, t.item): t for t in facts.targets}
        self.target_items: dict[str, set[str]] = defaultdict(set)
        for t in facts.targets:
            self.target_items[t.unit].add(t.item)

    def score(self, unit: Unit, month: int, explain: bool = False) -> MonthScore:
        if not explain:
            return MonthScore(unit.id, month, self.total(unit, month))
        index = self.versions.index_for(month) if self.versions else self.index
        items, full = index.applicable(unit.category, unit.kind, month)
        by_item = self.by_item(unit.id, month)
        relevant = self.target_items.get(unit.id, set()) | by_item.keys()
        total = full
        lines: list[Line] = [Line("细则满分", full, ref=REF_MONTHLY)] if explain else []
        for number in items if explain else relevant:
            item = items.get(number)
            if item is None or number not in relevant:
                continue
            score, detail = self._item(index, unit, item, month, by_item.get(number, ()), explain)
            total += score - item.weight
            if explain and (score != item.weight or detail):
                lines.append(
                    Line(
                        f"第{item.number}项({item.weight}分)",
                        score - item.weight,
                        ref=item_ref(item),
                        note=f"得分{score}",
                        children=tuple(detail),
                    )
                )
        rubric = index.rubric_for(unit.category).rubric
        base = self.versions.base_total(rubric.key) if self.versions else rubric.total
        if index.scheme.month_total.method == "normalised" and full != base and full > 0:
            # an added target raised (or a removal lowered) the month's full marks: the
            # month is scored out of the rubric's total, as the year began (百分制)
            scaled = divide(total * base, full, self.places)
            if explain:
                lines.append(
                    Line(
                        f"折算为{fmt(base)}分制",
                        scaled - total,
                        ref=REF_VERSIONS,
                        note=f"{fmt(total)} ÷ 本月满分{fmt(full)} × {fmt(base)} = {fmt(scaled)}",
                    )
                )
            total = scaled
        line = None
        if explain:
            note = self.versions.label_for(month) if self.versions and self.versions.several else ""
            line = Line(
                f"{month}月目标得分", total, ref=REF_MONTHLY, note=note, children=tuple(lines)
            )
        return MonthScore(unit.id, month, total, line)

    def by_item(self, unit_id: str, month: int) -> dict[str, list[Finding]]:
        """A unit's findings of a month by item, in the facts' order."""
        months = self.by_unit.get(unit_id)
        found = months[month] if months is not None else None
        if not found:
            return _NO_FINDINGS
        if len(found) == 1:
            return {found[0].item: found}
        by_item: dict[str, list[Finding]] = {}
        for f in found:
            same = by_item.get(f.item)
            if same is None:
                by_item[f.item] = [f]
            else:
                same.append(f)
        return by_item

    def total(self, unit: Unit, month: int) -> Decimal:
        """The month target score alone: the same arithmetic as ``score`` without lines,
        visiting only the items with findings or a target (the rest score their weight)."""
        index = self.versions.index_for(month) if self.versions else self.index
        items, full = index.applicable(unit.category, unit.kind, month)
        by_item = self.by_item(unit.id, month)
        total = full
        plans = self._plans
        for number, found in by_item.items():
            item = items.get(number)
            if item is None:
                continue
            plan = plans.get(id(item))
            if plan is None:
                plan = plans[id(item)] = self._plan(item)
            if plan is _TARGET:
                continue  # scored by its target below; without one it scores its weight
            if plan is _OTHER:
                score, _ = self._item(index, unit, item, month, found, False)
                total += score - item.weight
            elif len(found) == 1:  # most cells: one finding, whose values repeat across units
                f = found[0]
                checks = tuple(f.checks.items()) if f.checks else ()
                points = None if f.deduction is None else str(f.deduction)  # 0.5 ≠ 0.50 here
                key = (id(item), checks, f.count, f.met, points)
                delta = self._alike.get(key)
                if delta is None:
                    delta = self._alike[key] = (
                        simple_total(item, item.weight, found, plan) - item.weight
                    )
                total += delta
            else:
                total += simple_total(item, item.weight, found, plan) - item.weight
        for number in self.target_items.get(unit.id, ()):
            item = items.get(number)
            if item is None:
                continue
            if isinstance(item.rule, TargetCountRule):
                total += self._target_delta(unit.id, item, item.rule, month)
            elif number not in by_item:
                score, _ = self._item(index, unit, item, month, (), False)
                total += score - item.weight
        if self.normalised and index.scheme.month_total.method == "normalised":
            base = self._base(index, unit.category)
            if full != base and full > 0:
                return divide(total * base, full, self.places)
        return total

    def _plan(self, item: Item) -> dict[str, Decimal]:
        """How ``total`` scores an item: _TARGET, _OTHER (through ``_item``), or simply
        (with its checks' points by key)."""
        rule = item.rule
        if isinstance(rule, TargetCountRule):
            return _TARGET
        if len(item.departments) != 1 or not isinstance(rule, _SIMPLE_RULES):
            return _OTHER
        return check_points(rule) if isinstance(rule, ChecksRule) else {}

    def _target_delta(self, unit_id: str, item: Item, rule: TargetCountRule, month: int) -> Decimal:
        """A target_count item's score less its weight: it depends on the gap between achieved
        and due alone, so each gap is scored once per item."""
        target = self.targets.get((unit_id, item.number))
        if target is None or self.at_year_end:
            return ZERO
        achieved = self.achieved.get((unit_id, item.number), _NONE)[month]
        due = due_so_far(target, month)
        by_gap = self._by_gap.get(id(item))
        if by_gap is None:
            by_gap = self._by_gap[id(item)] = {}
        delta = by_gap.get(achieved - due)
        if delta is None:
            progress = TargetProgress(target.target, due, achieved)
            score, _ = score_target(item, rule, progress, (), False)
            delta = by_gap[achieved - due] = score - item.weight
        return delta

    def _base(self, index: SchemeIndex, category: str) -> Decimal:
        rubric = index.rubric_for(category).rubric
        return self.versions.base_total(rubric.key) if self.versions else rubric.total

    def _item(
        self,
        index: SchemeIndex,
        unit: Unit,
        item: Item,
        month: int,
        found: Sequence[Finding],
        explain: bool,
    ) -> tuple[Decimal, list[Line]]:
        rule = item.rule
        if isinstance(rule, TargetCountRule):
            target = self.targets.get((unit.id, item.number))
            if target is None:
                note = [statement("责任书未设定目标,不考核进度", ref=item_ref(item))]
                return item.weight, note if explain else []
            if self.at_year_end:
                note = [statement("年度目标项:每月按满分计,年终对照全年目标一次考核")]
                return item.weight, note if explain else []
            achieved = self.achieved.get((unit.id, item.number), _NONE)[month]
            progress = TargetProgress(target.target, due_so_far(target, month), achieved)
            return score_target(item, rule, progress, found, explain)
        sub = index.sub_rubric(item)
        if sub is not None:
            return score_sub_rubric(item, sub, self.names, found, self.places, explain)
        return score_shares(item, self.names, found, explain)

    def year_end(self, unit: Unit, month: int, explain: bool = False) -> Line | None:
        """With ``annual_target.bonus: at_year_end``: each target_count item scored once,
        achieved by the end of ``month`` (the year's last) against the whole annual target;
        the line's amount (score − weight, summed) is added to T."""
        if not self.at_year_end:
            return None
        items, _full = self.index.applicable(unit.category, unit.kind, month)
        total = ZERO
        lines: list[Line] = []
        for item in items.values():
            target = self.targets.get((unit.id, item.number))
            if target is None or not isinstance(item.rule, TargetCountRule):
                continue
            achieved = self.achieved.get((unit.id, item.number), _NONE)[month]
            progress = TargetProgress(target.target, target.target, achieved)
            score, detail = score_target(item, item.rule, progress, (), explain)
            total += score - item.weight
            if explain:
                label = f"第{item.number}项({item.weight}分)年终考核"
                lines.append(
                    Line(
                        label,
                        score - item.weight,
                        ref=item_ref(item),
                        note=f"得分{score}",
                        children=tuple(detail),
                    )
                )
        return Line("年度目标项年终考核", total, ref=REF_YEAR_END, children=tuple(lines))


_NONE = [0] * 13


class FindingsByMonth(Mapping[tuple[str, int], dict[str, list[Finding]]]):
    """``scorer.findings[(unit, month)]``: that unit-month's findings by item, built when
    asked (the charts read them so)."""

    def __init__(self, scorer: MonthScorer) -> None:
        self.scorer = scorer

    def __getitem__(self, key: tuple[str, int]) -> dict[str, list[Finding]]:
        found = self.scorer.by_item(*key)
        if not found:
            raise KeyError(key)
        return found

    def __iter__(self) -> Iterator[tuple[str, int]]:
        for unit, months in self.scorer.by_unit.items():
            for month, found in enumerate(months):
                if found:
                    yield unit, month

    def __len__(self) -> int:
        return sum(1 for _ in self)


_NO_FINDINGS: dict[str, list[Finding]] = {}
_SIMPLE_RULES = (ChecksRule, PerCountRule, AllOrNothingRule, DiscretionaryRule)
_TARGET: dict[str, Decimal] = {}
_OTHER: dict[str, Decimal] = {}


def monthly_rankings(
    units: Sequence[Unit],
    scores: Mapping[str, Mapping[int, MonthScore]],
    months: Sequence[int],
    settings: Escalation,
) -> dict[int, dict[str, list[RankRow]]]:
    """Per month, per category: ranks by month target score, highest first, ties shared;
    the bottom group marked (every unit equal to the boundary score included, and with the
    scheme's ``bottom_group: below_someone`` only units some other unit outscores)."""
    by_category: dict[str, list[Unit]] = defaultdict(list)
    for unit in units:
        by_category[unit.category].append(unit)
    result: dict[int, dict[str, list[RankRow]]] = {}
    for month in months:
        result[month] = {}
        for category, members in sorted(by_category.items()):
            values = {u.id: scores[u.id][month].score for u in members}
            flagged = bottom_group(
                values,
                settings.bottom,
                below_someone=settings.bottom_group == "below_someone",
            )
            rows = rank_rows(values, (), None, flagged)  # by value, as by key (value,)
            result[month][category] = rows
    return result


def escalations(
    rankings: Mapping[int, Mapping[str, Sequence[RankRow]]],
    months: Sequence[int],
    settings: Escalation,
) -> list[EscalationAction]:
    """Art. 12(3), walking each unit's months in order. A talk the first time the unit is in
    the bottom group ``talk_consecutive`` months in a row (``talk: every_pair``: again after
    every further such run, the streak restarting after each talk); a written report at the
    ``report_cumulative``-th bottom month of the year (``repeat_report``: and every further
    ``report_cumulative``-th)."""
    bottoms: dict[str, list[int]] = defaultdict(list)
    category_of: dict[str, str] = {}
    for month in sorted(months):
        for category, rows in rankings[month].items():
            for row in rows:
                category_of[row.unit] = category
                if row.in_bottom:
                    bottoms[row.unit].append(month)
    actions: list[EscalationAction] = []
    for unit in sorted(bottoms):
        streak: list[int] = []
        talks = 0
        for count, month in enumerate(bottoms[unit], start=1):
            streak = [*streak, month] if streak and streak[-1] == month - 1 else [month]
            if len(streak) >= settings.talk_consecutive and (
                settings.talk == "every_pair" or talks == 0
            ):
                actions.append(
                    EscalationAction(unit, category_of[unit], "talk", month, tuple(streak))
                )
                talks += 1
                streak = []
            every = settings.report_cumulative
            if count == every or (settings.repeat_report and count % every == 0):
                window = tuple(bottoms[unit][count - every : count])
                actions.append(EscalationAction(unit, category_of[unit], "report", month, window))
    actions.sort(key=lambda a: (a.month, a.category, a.unit, a.action))
    return actions
