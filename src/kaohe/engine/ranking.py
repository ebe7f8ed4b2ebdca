"""Ranking within a category (Art. 11(4)): highest first, equal values share a rank."""

from __future__ import annotations

from collections.abc import Callable, Collection, Mapping
from dataclasses import dataclass
from decimal import Decimal

SortKey = tuple[Decimal, ...]


@dataclass(frozen=True, slots=True)
class RankRow:
    unit: str
    rank: int | None  # None: vetoed, not ranked (不计名次)
    value: Decimal
    vetoed: bool = False
    in_bottom: bool = False


def rank_rows(
    values: Mapping[str, Decimal],
    vetoed: Collection[str],
    key: Callable[[str], SortKey] | None,
    bottom: Collection[str] = (),
) -> list[RankRow]:
    """Competition ranking (1, 2, 2, 4) by ``key`` descending, compared exactly; vetoed units
    follow all others without a rank. Unit id orders equals, so the output is deterministic.
    Units in ``bottom`` are marked as the month's bottom group. ``key`` None: by value."""
    # sort by id, then stably by key descending: equals stay in id order
    keys: Mapping[str, Decimal | SortKey] = (
        values if key is None else {unit: key(unit) for unit in values}
    )
    ranked = sorted(
        sorted(u for u in values if u not in vetoed), key=keys.__getitem__, reverse=True
    )
    rows: list[RankRow] = []
    previous: Decimal | SortKey | None = None
    rank = 0
    for position, unit in enumerate(ranked, start=1):
        current = keys[unit]
        if current != previous:
            rank, previous = position, current
        rows.append(RankRow(unit, rank, values[unit], in_bottom=unit in bottom))
    rest = sorted(sorted(u for u in values if u in vetoed), key=keys.__getitem__, reverse=True)
    rows.extend(RankRow(u, None, values[u], vetoed=True) for u in rest)
    return rows


def bottom_group(
    values: Mapping[str, Decimal], bottom: int, *, below_someone: bool = True
) -> set[str]:
    """The units in the bottom ``bottom`` places; every unit equal to the boundary score is
    included. A category no larger than ``bottom`` has no bottom group. With
    ``below_someone`` (Art. 12(3) read as written: 排后 means behind somebody) a unit is in it
    only if some unit of the category scores strictly higher: when all tie, nobody lags."""
    if len(values) <= bottom:
        return set()
    ordered = sorted(values.values())
    boundary, top = ordered[bottom - 1], ordered[-1]
    return {u for u, v in values.items() if v <= boundary and (v < top or not below_someone)}
