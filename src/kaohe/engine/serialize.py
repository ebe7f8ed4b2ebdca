"""The engine's results as plain JSON data (documented in docs/facts-format.md)."""

from __future__ import annotations

from typing import Any

from .compute import YearResult, explain_unit
from .explain import fmt
from .ranking import RankRow
from .results import Cadre


def _cadre(c: Cadre) -> dict[str, str]:
    return {"unit": c.unit, "name": c.name, "role": c.role}


def _row(row: RankRow, value: str) -> dict[str, Any]:
    data: dict[str, Any] = {"unit": row.unit, "rank": row.rank, value: fmt(row.value)}
    if row.vetoed:
        data["vetoed"] = True
    return data


def result_to_data(result: YearResult, *, explain: bool = False) -> dict[str, Any]:
    units: dict[str, Any] = {}
    for uid, year in result.units.items():
        row = result.ranks[uid]
        units[uid] = {
            "name": year.unit.name,
            "category": year.unit.category,
            "kind": year.unit.kind,
            "months": {str(m): fmt(s.score) for m, s in sorted(year.months.items())},
            "T": fmt(year.t.amount),
            "B": fmt(year.b.amount),
            "F": fmt(year.f.amount),
            "R": fmt(year.r.amount),
            "total": fmt(year.total),
            "vetoed": year.vetoed,
            "rank": row.rank,
            "flags": list(year.flags),
        }
        if explain:
            units[uid]["explanation"] = explain_unit(result, uid).to_dict()
    return {
        "scheme": result.scheme.name,
        "year": result.scheme.year,
        "months": sorted(result.monthly),
        "units": units,
        "monthly": {
            str(month): {
                category: [{**_row(r, "score"), "in_bottom": r.in_bottom} for r in rows]
                for category, rows in by_category.items()
            }
            for month, by_category in sorted(result.monthly.items())
        },
        "annual": {
            category: [_row(r, "total") for r in rows] for category, rows in result.annual.items()
        },
        "escalations": [
            {
                "unit": a.unit,
                "category": a.category,
                "action": a.action,
                "month": a.month,
                "months": list(a.months),
            }
            for a in result.escalations
        ],
        "results_use": {
            category: {
                "quota": use.quota,
                "advanced": [{"unit": r.unit, "rank": r.rank} for r in use.advanced],
                "cadre_priority": [_cadre(c) for c in use.cadre_priority],
                "ineligible_units": [{"unit": r.unit} for r in use.ineligible_units],
                "ineligible_cadres": [_cadre(c) for c in use.ineligible_cadres],
            }
            for category, use in result.results_use.items()
        },
    }
