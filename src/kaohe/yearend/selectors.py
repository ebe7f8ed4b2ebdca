"""The whole year's facts for the engine: monthly findings plus verified declarations and
closed ballots; the year's results, compared with what was published; and the year's
readiness for its closing."""

from __future__ import annotations

from dataclasses import dataclass
from datetime import datetime
from typing import Any

from kaohe.engine import Facts, YearResult, compute_year
from kaohe.engine.serialize import result_to_data
from kaohe.monthly.models import Cycle, Sheet
from kaohe.monthly.selectors import year_facts
from kaohe.years.models import Year

from .models import Declaration, Evaluation, Tally


def year_end_data(
    year: Year, as_of: datetime | None = None, extra: list[Declaration] | None = None
) -> dict[str, Any]:
    """Facts as plain data; ``extra`` declarations count as accepted (for what-if)."""
    data = year_facts(year, as_of).model_dump(mode="json")
    accepted = list(
        Declaration.objects.filter(year=year, status=Declaration.Status.ACCEPTED).select_related(
            "unit"
        )
    )
    ids = {d.pk for d in accepted}
    accepted += [d for d in extra or [] if d.pk not in ids]
    data["achievements"] = [
        {
            "id": f"D{d.pk or 0}",
            "unit": d.unit.code,
            "award": d.award,
            "level": d.level,
            "content": d.content,
            "document": d.document_no,
            "date": d.document_date,
            "description": d.description,
        }
        for d in accepted
        if d.kind == Declaration.Kind.ACHIEVEMENT
    ]
    data["faults"] = [
        {
            "id": f"D{d.pk or 0}",
            "unit": d.unit.code,
            "type": d.fault_type,
            "occurrences": d.occurrences,
            "declared": d.declared,
            "date": d.occurred_on,
            "description": d.description,
        }
        for d in accepted
        if d.kind == Declaration.Kind.FAULT
    ]
    evaluation = Evaluation.objects.filter(year=year, status=Evaluation.Status.CLOSED).first()
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    if evaluation is not None:
        for code, group, option, count in Tally.objects.filter(evaluation=evaluation).values_list(
            "unit__code", "group", "option", "count"
        ):
            tallies.setdefault((code, group), {})[option] = count
    data["recognition"] = [
        {"unit": unit, "group": group, "counts": counts}
        for (unit, group), counts in tallies.items()
    ]
    return data


def year_end_result(year: Year, extra: list[Declaration] | None = None) -> YearResult:
    return compute_year(year.scheme, Facts.model_validate(year_end_data(year, extra=extra)))


def published_figures(result: YearResult) -> dict[str, Any]:
    """What the notice publishes: the results without explanations."""
    return result_to_data(result)


@dataclass(frozen=True)
class MonthGap:
    """A month not yet accepted by every department: ``departments`` names those missing
    (every one of them when the month is not open)."""

    month: int
    opened: bool
    departments: list[str]


@dataclass(frozen=True)
class Readiness:
    """What the year still lacks before its results may be computed, reviewed or published."""

    months: list[MonthGap]
    pending_declarations: int
    evaluation: str  # "missing", "open" or "closed"

    @property
    def ready(self) -> bool:
        return not self.months and not self.pending_declarations and self.evaluation == "closed"


def readiness(year: Year) -> Readiness:
    """Every month 1–12 accepted by every department of the scheme, every declaration
    decided (anything not pending counts as decided), the recognition evaluation closed."""
    names = {d.key: d.name for d in year.scheme.departments}
    accepted: dict[int, set[str]] = {}
    for month, key in Sheet.objects.filter(
        cycle__year=year, status=Sheet.Status.ACCEPTED
    ).values_list("cycle__month", "department__key"):
        accepted.setdefault(month, set()).add(key)
    opened = set(Cycle.objects.filter(year=year).values_list("month", flat=True))
    gaps = []
    for month in range(1, 13):
        done = accepted.get(month, set())
        if not set(names) <= done:
            gaps.append(
                MonthGap(month, month in opened, [n for k, n in names.items() if k not in done])
            )
    pending = Declaration.objects.filter(year=year, status=Declaration.Status.PENDING).count()
    status = Evaluation.objects.filter(year=year).values_list("status", flat=True).first()
    return Readiness(gaps, pending, status or "missing")
