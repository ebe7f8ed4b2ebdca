"""When a cell needs a second person's confirmation (SPEC §11, issue 9 point 6).

The deduction is the engine's own: the cell's finding scored with ``score_simple`` against
the points the department holds on the item (its share of a jointly scored item; a
sub-rubric item scaled to the share as ``score_sub_rubric`` does), never a re-count here."""

from __future__ import annotations

from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from kaohe.engine.explain import divide
from kaohe.engine.facts import Finding
from kaohe.engine.index import SchemeIndex
from kaohe.engine.rules import score_simple
from kaohe.engine.scheme import Item, SecondEyes, SubRubricRule, TargetCountRule


@dataclass(frozen=True)
class Large:
    """A deduction that waits for its second confirmation: ``points`` off the unit's month
    score, out of the ``weight`` the department holds on the cell; ``whole`` when the cell
    loses every point of it."""

    points: Decimal
    weight: Decimal
    whole: bool


def _share(item: Item, department: str) -> Decimal:
    if len(item.departments) == 1:
        return item.weight
    return next(s.points for s in item.departments if s.department == department)


def cell_deduction(
    index: SchemeIndex, department: str, item: Item, sub_item: Item | None, finding: Finding
) -> tuple[Decimal, Decimal, Decimal] | None:
    """(points off the unit's month score, points lost on the cell's own weight, that weight)
    for one cell's finding; None for a target_count cell, whose shortfall follows from the
    letter's schedule and the counts of every month, not from one assessor's finding."""
    if isinstance(item.rule, TargetCountRule):
        return None
    if isinstance(item.rule, SubRubricRule):
        sub = index.sub_rubric(item)
        if sub is None or sub_item is None:
            return None
        score, _lines = score_simple(sub_item, sub_item.weight, [finding])
        lost = sub_item.weight - score
        places = index.scheme.annual_target.places
        effect = divide(lost * _share(item, department), sub.rubric.total, places)
        return effect, lost, sub_item.weight
    weight = _share(item, department)
    score, _lines = score_simple(item, weight, [finding])
    return weight - score, weight - score, weight


def large_deduction(
    index: SchemeIndex,
    department: str,
    unit: str,
    category: str,
    month: int,
    item_number: str,
    sub_item_number: str,
    values: dict[str, Any],
) -> Large | None:
    """The cell's deduction if it reaches the scheme's threshold (the whole weight, or
    ``min_points``, whichever comes first), else None. ``values`` are the entry's findings."""
    settings: SecondEyes = index.scheme.second_eyes
    if not values or (settings.min_points is None and not settings.whole_weight):
        return None
    item = index.rubric_for(category).items.get(item_number)
    if item is None:
        return None
    sub_item = None
    if sub_item_number:
        sub = index.sub_rubric(item)
        sub_item = sub.items.get(sub_item_number) if sub is not None else None
    finding = Finding(
        month=month,
        unit=unit,
        item=item_number,
        sub_item=sub_item_number or None,
        department=department,
        **values,
    )
    worked = cell_deduction(index, department, item, sub_item, finding)
    if worked is None:
        return None
    points, lost, weight = worked
    whole = settings.whole_weight and weight > 0 and lost >= weight
    if whole or (settings.min_points is not None and points >= settings.min_points):
        return Large(points=points, weight=weight, whole=whole)
    return None
