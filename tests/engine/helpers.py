"""Small builders for engine tests: a district with named units and one year of facts."""

from __future__ import annotations

from decimal import Decimal
from functools import cache
from typing import Any

from kaohe.engine import Facts, YearResult, compute_year, load_scheme
from kaohe.engine.scheme import Scheme


@cache
def scheme() -> Scheme:
    return load_scheme("district-2014")


def unit(uid: str, category: str = "street", kind: str = "", **extra: Any) -> dict[str, Any]:
    return {"id": uid, "name": f"单位{uid}", "category": category, "kind": kind, **extra}


STREETS = [unit(f"S{i}") for i in range(1, 6)]


def facts(
    units: list[dict[str, Any]] | None = None, months: list[int] | None = None, **parts: Any
) -> Facts:
    data: dict[str, Any] = {"year": 2014, "units": units or STREETS, **parts}
    if months is not None:
        data["months"] = months
    return Facts.model_validate(data)


def compute(
    units: list[dict[str, Any]] | None = None, months: list[int] | None = None, **parts: Any
) -> YearResult:
    return compute_year(scheme(), facts(units, months, **parts))


def month_score(result: YearResult, uid: str, month: int) -> Decimal:
    return result.units[uid].months[month].score


def item_score(result: YearResult, uid: str, month: int, number: str) -> Decimal:
    """The item's score that month: its weight plus the adjustment line, if any."""
    year = result.units[uid]
    item = scheme().rubric(scheme().category(year.unit.category).rubric)
    weight = next(i.weight for i in item.items() if i.number == number)
    for line in result.month_line(uid, month).children:
        if line.label.startswith(f"第{number}项("):
            return weight + line.amount
    return weight


def ballots(
    uid: str, counts: dict[str, int], groups: tuple[str, ...] = ("leaders", "departments", "served")
) -> list[dict[str, Any]]:
    return [{"unit": uid, "group": g, "counts": counts} for g in groups]
