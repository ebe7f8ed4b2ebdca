"""The whole year's facts for the engine: monthly findings plus verified declarations and
closed ballots; and the year's results, compared with what was published."""

from __future__ import annotations

from datetime import datetime
from typing import Any

from kaohe.engine import Facts, YearResult, compute_year
from kaohe.engine.serialize import result_to_data
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
