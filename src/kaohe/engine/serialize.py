"""The engine's results as plain JSON data (documented in docs/facts-format.md)."""

from __future__ import annotations

from collections.abc import Callable, Iterable, Iterator
from decimal import Decimal
from itertools import islice
from typing import Any

import msgspec

from .compute import UnitYear, YearResult, explain_unit
from .explain import fmt
from .ranking import RankRow
from .results import Cadre, ResultsUse

Figure = Callable[[Decimal], str]


def _cadre(c: Cadre) -> dict[str, str]:
    return {"unit": c.unit, "name": c.name, "role": c.role}


class _Figures:
    """``fmt`` once per figure: equal non-zero values print alike (a zero keeps its sign)."""

    def __init__(self) -> None:
        self.done: dict[Decimal, str] = {}

    def __call__(self, value: Decimal) -> str:
        if not value:
            return fmt(value)
        text = self.done.get(value)
        if text is None:
            text = self.done[value] = fmt(value)
        return text


def _row(row: RankRow, value: str, fmt: Figure = fmt) -> dict[str, Any]:
    data: dict[str, Any] = {"unit": row.unit, "rank": row.rank, value: fmt(row.value)}
    if row.vetoed:
        data["vetoed"] = True
    return data


def _month_row(row: RankRow, fmt: Figure) -> dict[str, Any]:
    if row.vetoed:
        return {**_row(row, "score", fmt), "in_bottom": row.in_bottom}
    return {"unit": row.unit, "rank": row.rank, "score": fmt(row.value), "in_bottom": row.in_bottom}


def _unit(
    result: YearResult, uid: str, year: UnitYear, fmt: Figure, explain: bool
) -> dict[str, Any]:
    data: dict[str, Any] = {
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
        "rank": result.ranks[uid].rank,
        "flags": list(year.flags),
    }
    if explain:
        data["explanation"] = explain_unit(result, uid).to_dict()
    return data


def _units(result: YearResult, fmt: Figure, explain: bool) -> Iterator[tuple[str, Any]]:
    for uid, year in result.units.items():
        yield uid, _unit(result, uid, year, fmt, explain)


def _months(result: YearResult, fmt: Figure) -> Iterator[tuple[str, Any]]:
    for month, by_category in sorted(result.monthly.items()):
        yield (
            str(month),
            {
                category: [_month_row(r, fmt) for r in rows]
                for category, rows in by_category.items()
            },
        )


def _use(use: ResultsUse) -> dict[str, Any]:
    return {
        "quota": use.quota,
        "advanced": [{"unit": r.unit, "rank": r.rank} for r in use.advanced],
        "cadre_priority": [_cadre(c) for c in use.cadre_priority],
        "ineligible_units": [{"unit": r.unit} for r in use.ineligible_units],
        "ineligible_cadres": [_cadre(c) for c in use.ineligible_cadres],
    }


def _parts(result: YearResult, fmt: Figure) -> dict[str, Any]:
    """Everything after ``monthly``, in order."""
    return {
        "annual": {
            category: [_row(r, "total", fmt) for r in rows]
            for category, rows in result.annual.items()
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
        "results_use": {category: _use(use) for category, use in result.results_use.items()},
    }


def result_to_data(result: YearResult, *, explain: bool = False) -> dict[str, Any]:
    fmt = _Figures()
    return {
        "scheme": result.scheme.name,
        "year": result.scheme.year,
        "months": sorted(result.monthly),
        "units": dict(_units(result, fmt, explain)),
        "monthly": dict(_months(result, fmt)),
        **_parts(result, fmt),
    }


# ---- streaming: the same bytes as json.dump(result_to_data(...), ensure_ascii=False,
# indent=1), written a few thousand units at a time by msgspec's C encoder


def _indented(value: Any, depth: int) -> bytes:
    """``value`` as it reads ``depth`` levels deep in a document indented by one space (a
    JSON string holds no raw line break, so every line break is indentation)."""
    text = msgspec.json.format(msgspec.json.encode(value), indent=1)
    return text.replace(b"\n", b"\n" + b" " * depth) if depth else text


def _write_object(
    write: Callable[[bytes], object], items: Iterable[tuple[str, Any]], depth: int, chunk: int
) -> None:
    pending = iter(items)
    first = True
    while batch := dict(islice(pending, chunk)):
        text = _indented(batch, depth)  # b"{\n" + members + b"\n" + indent + b"}"
        write((b"{\n" if first else b",\n") + text[2 : len(text) - depth - 2])
        first = False
    write(b"{}" if first else b"\n" + b" " * depth + b"}")


def write_result(
    result: YearResult, write: Callable[[bytes], object], *, explain: bool = False
) -> None:
    """Write ``result_to_data(result, explain=explain)`` as indented JSON and a line break,
    byte for byte as ``json.dump(..., ensure_ascii=False, indent=1)`` and ``print()``, without
    holding the whole document: a province's year is some 40 MB of JSON."""
    fmt = _Figures()
    head = {"scheme": result.scheme.name, "year": result.scheme.year}
    head["months"] = sorted(result.monthly)
    write(_indented(head, 0)[:-2] + b',\n "units": ')
    _write_object(write, _units(result, fmt, explain), 1, 100 if explain else 2000)
    write(b',\n "monthly": ')
    _write_object(write, _months(result, fmt), 1, 1)
    write(b",\n" + _indented(_parts(result, fmt), 0)[2:] + b"\n")
