"""Compute an assessment year: the one entry point the CLI, web and exports share."""

from __future__ import annotations

import gc
from collections import defaultdict
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass, field, replace
from decimal import Decimal

from .annual import achievement_bonus, fault_deduction, recognition_score, target_score
from .errors import InputError
from .explain import Line, statement
from .factcheck import facts_errors
from .facts import Achievement, Facts, Fault, Tally, Unit
from .index import SchemeIndex
from .monthly import EscalationAction, MonthScore, MonthScorer, escalations, monthly_rankings
from .ranking import RankRow, rank_rows
from .results import ResultsUse, results_use
from .scheme import Scheme
from .versions import Versions

REF_TOTAL = "第四条"
REF_RANK = "第十一条(四)"


@dataclass(frozen=True, slots=True)
class UnitYear:
    """One unit's year: total = T + B − F + R, vetoed or not, with every line."""

    unit: Unit
    months: dict[int, MonthScore]
    t: Line
    b: Line
    f: Line
    r: Line
    vetoes: tuple[Line, ...]
    flags: tuple[str, ...]

    @property
    def total(self) -> Decimal:
        return self.t.amount + self.b.amount - self.f.amount + self.r.amount

    @property
    def vetoed(self) -> bool:
        return bool(self.vetoes)

    def line(self) -> Line:
        minus_f = self.f.negated()  # −F with its lines as deductions: signs agree
        note = "被否决:保留成绩备查,排在本类末位,不计名次(第十二条)" if self.vetoed else ""
        return Line(
            f"{self.unit.name}年度总分",
            self.total,
            ref=REF_TOTAL,
            note=note,
            children=(self.t, self.b, minus_f, self.r),
        )

    def component(self, key: str) -> Decimal:
        return {"T": self.t.amount, "B": self.b.amount, "F": self.f.amount, "R": self.r.amount}[key]


@dataclass
class YearResult:
    scheme: Scheme
    facts: Facts
    units: dict[str, UnitYear]
    monthly: dict[int, dict[str, list[RankRow]]]
    annual: dict[str, list[RankRow]]
    escalations: list[EscalationAction]
    results_use: dict[str, ResultsUse]
    scorer: MonthScorer
    versions: Versions | None = None
    ranks: dict[str, RankRow] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.ranks = {row.unit: row for rows in self.annual.values() for row in rows}

    def month_line(self, unit_id: str, month: int) -> Line:
        """A unit's month target score with every line (recomputed with explanations)."""
        line = self.scorer.score(self.units[unit_id].unit, month, explain=True).line
        if line is None or line.amount != self.units[unit_id].months[month].score:
            raise RuntimeError(f"explained month score differs for {unit_id}, month {month}")
        return line

    def target_line(self, unit_id: str) -> Line:
        year = self.units[unit_id]
        months = sorted(year.months)
        lines = [self.month_line(unit_id, m) for m in months]
        year_end = self.scorer.year_end(year.unit, months[-1], explain=True) if months else None
        return target_score(list(year.months.values()), self.scheme.annual_target, lines, year_end)

    def unit_ids(self, category: str) -> list[str]:
        return [row.unit for row in self.annual.get(category, [])]


@contextmanager
def _gc_paused() -> Iterator[None]:
    """Computing allocates many small acyclic objects; the cycle collector would rescan the
    facts again and again (a third of the time at 20,000 units) for nothing to free."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


def compute_year(
    scheme: Scheme,
    facts: Facts,
    months: list[int] | None = None,
    *,
    amendments: Sequence[Scheme] = (),
) -> YearResult:
    """Validate ``facts`` against ``scheme`` and compute the whole year (or ``months``).
    ``amendments`` are the later versions of the scheme (第五条): month m is scored with the
    latest version applying from m or earlier, the year-end components with the last one.
    Raises InputError listing every problem; the same inputs always give the same result."""
    with _gc_paused():
        return _compute_year(scheme, facts, months, amendments)


def _compute_year(
    scheme: Scheme, facts: Facts, months: list[int] | None, amendments: Sequence[Scheme]
) -> YearResult:
    versions = Versions.build(scheme, amendments) if amendments else None
    # achievements, faults and ballots are year-end facts: checked against the last version
    index = versions.indexes[-1] if versions else SchemeIndex(scheme)
    errors = facts_errors(index, facts, versions)
    if errors:
        raise InputError("facts", errors)
    chosen = sorted(set(months if months is not None else facts.months))
    if months is not None:
        unknown = [m for m in chosen if m not in facts.months]
        if unknown:
            raise InputError(
                "months", [f"month {m} is not among the facts' months" for m in unknown]
            )
    scorer = MonthScorer(index, facts, versions)
    if versions is not None:
        scheme = versions.last  # the year-end components: the last version
    scores = {(u.id, m): scorer.score(u, m) for u in facts.units for m in chosen}
    monthly = monthly_rankings(facts.units, scores, chosen, scheme.escalation)
    actions = escalations(monthly, chosen, scheme.escalation)

    achievements: dict[str, list[Achievement]] = defaultdict(list)
    faults: dict[str, list[Fault]] = defaultdict(list)
    tallies: dict[str, list[Tally]] = defaultdict(list)
    for a in facts.achievements:
        achievements[a.unit].append(a)
    for f in facts.faults:
        faults[f.unit].append(f)
    for t in facts.recognition:
        tallies[t.unit].append(t)

    years: dict[str, UnitYear] = {}
    for unit in facts.units:
        month_scores = {m: scores[(unit.id, m)] for m in chosen}
        fault = fault_deduction(scheme, faults[unit.id])
        recognition = recognition_score(scheme, unit.category, tallies[unit.id])
        years[unit.id] = UnitYear(
            unit=unit,
            months=month_scores,
            t=target_score(
                list(month_scores.values()),
                scheme.annual_target,
                year_end=scorer.year_end(unit, chosen[-1]) if chosen else None,
            ),
            b=achievement_bonus(scheme, achievements[unit.id]),
            f=fault.line,
            r=recognition.line,
            vetoes=fault.vetoes,
            flags=recognition.flags,
        )
    annual = annual_rankings(scheme, years)
    return YearResult(
        scheme=scheme,
        facts=facts,
        units=years,
        monthly=monthly,
        annual=annual,
        escalations=actions,
        results_use=results_use(scheme, years, annual),
        scorer=scorer,
        versions=versions,
    )


def annual_rankings(scheme: Scheme, years: dict[str, UnitYear]) -> dict[str, list[RankRow]]:
    """Per category by total, highest first; the scheme's tie-break list (F: fewer first)
    decides between equal totals; vetoed units follow, unranked."""
    tie_break = scheme.ranking.tie_break

    def key(unit_id: str) -> tuple[Decimal, ...]:
        year = years[unit_id]
        rest = tuple(-year.component(k) if k == "F" else year.component(k) for k in tie_break)
        return (year.total, *rest)

    result: dict[str, list[RankRow]] = {}
    for category in scheme.categories:
        members = {uid: y.total for uid, y in years.items() if y.unit.category == category.key}
        vetoed = {uid for uid in members if years[uid].vetoed}
        result[category.key] = rank_rows(members, vetoed, key)
    return result


def explain_unit(result: YearResult, unit_id: str) -> Line:
    """The whole explanation tree of one unit: total, components, rank, escalations, use."""
    year = result.units[unit_id]
    row = result.ranks[unit_id]
    category = result.scheme.category(year.unit.category)
    size = len(result.annual[category.key])
    rank_note = (
        f"被否决,不计名次,排在{category.name}末位"
        if row.vetoed
        else f"{category.name}共{size}个单位中第{row.rank}名;总分相同者并列"
    )
    extra = [statement("年度排名", ref=REF_RANK, note=rank_note)]
    for action in result.escalations:
        if action.unit == unit_id:
            months = "、".join(f"{m}月" for m in action.months)
            extra.append(
                statement(
                    action.label,
                    ref="第十二条(三)",
                    note=f"{action.month}月触发:{months}排本类后两名",
                )
            )
    use = result.results_use[category.key]
    extra.extend(use.lines_for(unit_id))
    base = replace(year, t=result.target_line(unit_id)).line()
    # the recognition flags are already lines of R ("有效票不足,不计入"): not repeated here
    return Line(
        base.label,
        base.amount,
        ref=base.ref,
        note=base.note,
        children=(*base.children, *extra),
    )
