"""Which cells a department scores: units in scope × its items (× sub-items)."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from kaohe.engine.scheme import Item, Scheme, SubRubricRule
from kaohe.people.models import Unit


@dataclass(frozen=True)
class Column:
    """An item (or a sub-rubric item of it) that a department scores."""

    item: Item
    sub_item: Item | None = None

    @property
    def key(self) -> tuple[str, str]:
        return (self.item.number, self.sub_item.number if self.sub_item else "")

    @property
    def rule_item(self) -> Item:
        return self.sub_item or self.item


def department_items(scheme: Scheme, department: str, category: str) -> list[Item]:
    rubric = scheme.rubric(scheme.category(category).rubric)
    return [i for i in rubric.items() if any(s.department == department for s in i.departments)]


def columns_for(scheme: Scheme, department: str, unit: Unit) -> list[Column]:
    """The cells a department scores for one unit (never for a unit it belongs to)."""
    columns: list[Column] = []
    for item in department_items(scheme, department, unit.category):
        if not item.applies_to(unit.kind):
            continue
        if isinstance(item.rule, SubRubricRule):
            sub = scheme.rubric(item.rule.rubric)
            columns.extend(Column(item, sub_item) for sub_item in sub.items())
        else:
            columns.append(Column(item))
    return columns


def units_in_scope(
    scheme: Scheme, department_id: int, units: Iterable[Unit], members: dict[int, set[int]]
) -> list[Unit]:
    """Active units of the scheme's categories that the department does not belong to.
    ``members`` maps unit id → ids of departments it belongs to (loaded in one query)."""
    categories = {c.key for c in scheme.categories}
    return [
        u
        for u in units
        if u.active and u.category in categories and department_id not in members.get(u.pk, set())
    ]
