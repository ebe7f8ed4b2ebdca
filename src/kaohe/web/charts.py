"""Chart data: where points were lost, a unit's months against its category, the spread of
annual totals. Every figure is exact (Decimal) and given as a string with two decimals; the
same rows feed the chart and the table printed beside it."""

from __future__ import annotations

import math
import statistics
from collections import defaultdict
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaohe.engine import YearResult
from kaohe.engine.explain import ZERO
from kaohe.engine.index import SchemeIndex
from kaohe.engine.records import FindingData as Finding  # the engine computes on records
from kaohe.engine.rules import score_simple, score_sub_rubric
from kaohe.engine.scheme import Item, TargetCountRule
from kaohe.monthly.selectors import cached, complete_months, year_result
from kaohe.years.models import Year

CENT = Decimal("0.01")


def two(value: Decimal) -> str:
    """A figure to two places, rounded half up: ``Decimal("93.415")`` → ``"93.42"``."""
    return str(value.quantize(CENT, rounding=ROUND_HALF_UP))


@dataclass
class Chart:
    """One chart and its table: ``rows`` are the table's cells (strings), ``data`` what the
    script draws (the same figures)."""

    key: str
    title: str
    columns: list[str]
    rows: list[list[str]]
    data: dict[str, Any] = field(default_factory=dict)

    @property
    def json_id(self) -> str:
        return f"chart-data-{self.key}"


# --- points lost, by item and by department ------------------------------------------------


@dataclass
class Losses:
    """Points lost (item weight − item score, summed over units) per month."""

    months: list[int]
    month: int | None  # the month shown: the last whose every sheet is accepted
    by_item: dict[int, dict[tuple[str, str], Decimal]]  # month → (rubric, item) → points
    by_department: dict[int, dict[str, Decimal]]  # month → department key → points
    item_labels: dict[tuple[str, str], str]
    department_names: dict[str, str]

    def year_items(self) -> dict[tuple[str, str], Decimal]:
        return _sum(self.by_item.values())

    def year_departments(self) -> dict[str, Decimal]:
        return _sum(self.by_department.values())


def _sum(per_month: Any) -> dict[Any, Decimal]:
    total: dict[Any, Decimal] = defaultdict(lambda: ZERO)
    for values in per_month:
        for key, points in values.items():
            total[key] += points
    return dict(total)


def points_lost(year: Year) -> Losses:
    """Per month, what every item and every department's scoring cost the units: the
    engine's own item scores (``MonthScorer``), a jointly scored item split by share as the
    engine scores each share. Cached with the year's results."""
    return cached(year, ("charts.points_lost",), lambda: _points_lost(year, year_result(year)))


def _points_lost(year: Year, result: YearResult) -> Losses:
    scorer = result.scorer
    scheme = result.scheme
    names = {d.key: d.name for d in scheme.departments}
    categories: dict[str, list[str]] = defaultdict(list)
    for category in scheme.categories:
        categories[category.rubric].append(category.name)
    months = sorted(result.monthly)
    by_item: dict[int, dict[tuple[str, str], Decimal]] = {
        m: defaultdict(lambda: ZERO) for m in months
    }
    by_department: dict[int, dict[str, Decimal]] = {m: defaultdict(lambda: ZERO) for m in months}
    labels: dict[tuple[str, str], str] = {}
    for unit_year in result.units.values():
        unit = unit_year.unit
        for month in months:
            index: SchemeIndex = (
                scorer.versions.index_for(month) if scorer.versions else scorer.index
            )
            items, _full = index.applicable(unit.category, unit.kind, month)
            found = scorer.findings.get((unit.id, month), {})
            rubric = index.rubric_for(unit.category).rubric.key
            for number in scorer.target_items.get(unit.id, set()) | found.keys():
                item = items.get(number)
                if item is None:
                    continue
                findings = found.get(number, [])
                score, _lines = scorer._item(index, unit, item, month, findings, False)
                lost = item.weight - score
                if not lost:
                    continue
                key = (rubric, number)
                label = _("%(categories)s item %(n)s") % {
                    "categories": "、".join(categories[rubric]),
                    "n": number,
                }
                labels[key] = f"{label} {item.short}" if item.short else label
                by_item[month][key] += lost
                for department, points in _shares(index, item, findings, lost, scorer.places):
                    by_department[month][department] += points
    done = complete_months(year)
    shown = max((m for m in months if m in done), default=months[-1] if months else None)
    return Losses(
        months,
        shown,
        {m: dict(v) for m, v in by_item.items()},
        {m: dict(v) for m, v in by_department.items()},
        labels,
        names,
    )


def _shares(
    index: SchemeIndex, item: Item, findings: list[Finding], lost: Decimal, places: int
) -> list[tuple[str, Decimal]]:
    """The item's lost points by the department that scored them: a jointly scored item
    share by share (each share scored alone, as the engine does); an item with one
    department (or a target item, scored once) to its first department."""
    if len(item.departments) == 1 or isinstance(item.rule, TargetCountRule):
        return [(item.departments[0].department, lost)]
    sub = index.sub_rubric(item)
    out = []
    for share in item.departments:
        mine = [f for f in findings if f.department == share.department]
        if sub is not None:
            alone = item.model_copy(update={"departments": [share]})
            score, _ = score_sub_rubric(alone, sub, {}, mine, places)
        else:
            score, _ = score_simple(item, share.points, mine)
        out.append((share.department, share.points - score))
    return out


def _ranked(values: dict[Any, Decimal], labels: dict[Any, str]) -> list[tuple[str, Decimal]]:
    """Largest loss first; equal losses in label order."""
    rows = [(labels.get(k, str(k)), v) for k, v in values.items() if v]
    return sorted(rows, key=lambda r: (-r[1], r[0]))


def _bars(key: str, title: str, first: str, rows: list[tuple[str, Decimal]]) -> Chart:
    return Chart(
        key=key,
        title=title,
        columns=[first, _("Points lost")],
        rows=[[label, two(points)] for label, points in rows],
        data={
            "kind": "bars",
            "labels": [label for label, _ in rows],
            "values": [two(points) for _, points in rows],
            "series": _("Points lost"),
        },
    )


def office_charts(year: Year) -> list[Chart]:
    """The office home's four charts: points lost by item and by department, for the last
    complete month and for the year so far."""
    losses = points_lost(year)
    if losses.month is None:
        return []
    m = losses.month
    item, department = _("Rubric item"), _("Scoring department")
    return [
        _bars(
            "lost-items-month",
            _("Month %(m)s: points lost by rubric item (all units)") % {"m": m},
            item,
            _ranked(losses.by_item.get(m, {}), losses.item_labels),
        ),
        _bars(
            "lost-departments-month",
            _("Month %(m)s: points lost by scoring department") % {"m": m},
            department,
            _ranked(losses.by_department.get(m, {}), losses.department_names),
        ),
        _bars(
            "lost-items-year",
            _("%(y)s, months 1–%(m)s: points lost by rubric item")
            % {"y": year.year, "m": losses.months[-1]},
            item,
            _ranked(losses.year_items(), losses.item_labels),
        ),
        _bars(
            "lost-departments-year",
            _("%(y)s, months 1–%(m)s: points lost by scoring department")
            % {"y": year.year, "m": losses.months[-1]},
            department,
            _ranked(losses.year_departments(), losses.department_names),
        ),
    ]


# --- a unit's months against its category --------------------------------------------------


def unit_trend(result: YearResult, code: str) -> Chart:
    """A unit's month target score and rank, month by month, against its category's median
    score (the mean of the two middle scores when the category has an even number)."""
    unit = result.units[code].unit
    rows, scores, medians, ranks = [], [], [], []
    months = []
    for month in sorted(result.monthly):
        table = result.monthly[month].get(unit.category, [])
        mine = next((r for r in table if r.unit == code), None)
        if mine is None:
            continue
        median = statistics.median([r.value for r in table])
        months.append(_("Month %(m)s") % {"m": month})
        scores.append(two(mine.value))
        medians.append(two(median))
        ranks.append(mine.rank)
        rank = "—" if mine.rank is None else f"{mine.rank} / {len(table)}"
        rows.append([months[-1], two(mine.value), two(median), rank])
    return Chart(
        key="unit-trend",
        title=_("%(unit)s: month target scores and ranks against the category's median")
        % {"unit": unit.name},
        columns=[_("Month"), _("This unit's score"), _("Category median"), _("Rank")],
        rows=rows,
        data={
            "kind": "trend",
            "labels": months,
            "score": scores,
            "median": medians,
            "rank": ranks,
            # the rank axis runs from 1 to the category's size, whatever ranks were reached
            "rank_max": max(
                (len(result.monthly[m].get(unit.category, [])) for m in result.monthly), default=1
            ),
            "names": {
                "score": _("This unit's score"),
                "median": _("Category median"),
                "rank": _("Rank"),
            },
        },
    )


# --- the spread of annual totals, per category ------------------------------------------------


def totals_distribution(year: Year, figures: dict[str, Any]) -> list[Chart]:
    """Per category, how many units' annual totals fall in each band, advanced units apart,
    with the advanced cut-off (the lowest total among the advanced units) from the stored
    figures. Bands are whole points wide, about ten of them."""
    charts = []
    for category in year.scheme.categories:
        annual = figures["annual"].get(category.key, [])
        if not annual:
            continue
        use = figures["results_use"].get(category.key, {})
        advanced = {row["unit"] for row in use.get("advanced", [])}
        totals = {row["unit"]: Decimal(figures["units"][row["unit"]]["total"]) for row in annual}
        low, high = min(totals.values()), max(totals.values())
        width = max(1, math.ceil((high - low) / 10))
        start = math.floor(low / width) * width
        bands = int((high - start) // width) + 1
        counts = [[0, 0] for _ in range(bands)]
        for unit, total in totals.items():
            band = int((total - start) // width)
            counts[band][0 if unit in advanced else 1] += 1
        cut = min((totals[u] for u in advanced), default=None)
        labels = [f"{start + i * width}–{start + (i + 1) * width}" for i in range(bands)]
        rows = [[label, str(a), str(o)] for label, (a, o) in zip(labels, counts, strict=True)]
        title = _("%(category)s: distribution of annual totals") % {"category": category.name}
        cut_text = (
            ""
            if cut is None
            else _("Advanced cut-off %(cut)s (%(quota)s places)")
            % {"cut": two(cut), "quota": use.get("quota", 0)}
        )
        charts.append(
            Chart(
                key=f"totals-{category.key}",
                title=title,
                columns=[_("Total (from, inclusive)"), _("Advanced units"), _("Other units")],
                rows=rows,
                data={
                    "kind": "histogram",
                    "labels": labels,
                    "advanced": [a for a, _ in counts],
                    "others": [o for _, o in counts],
                    "cut": None if cut is None else two(cut),
                    "cut_band": None if cut is None else int((cut - start) // width),
                    "cut_text": cut_text,
                    "names": {"advanced": _("Advanced units"), "others": _("Other units")},
                },
            )
        )
    return charts
