"""Look-ups over a scheme, built once per computation."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from .scheme import Item, Rubric, Scheme, Section, SubRubricRule

ABSTAIN = ("弃权", "abstain")


@dataclass(frozen=True)
class RubricIndex:
    rubric: Rubric
    items: dict[str, Item]
    section_of: dict[str, Section]

    @classmethod
    def build(cls, rubric: Rubric) -> RubricIndex:
        items: dict[str, Item] = {}
        section_of: dict[str, Section] = {}
        for section in rubric.sections:
            for item in section.items:
                items[item.number] = item
                section_of[item.number] = section
        return cls(rubric, items, section_of)

    def applicable(self, kind: str, month: int, year: int) -> list[Item]:
        """Items that count for a unit of ``kind`` in ``month`` (added items from their month)."""
        return [
            item
            for item in self.items.values()
            if item.applies_to(kind)
            and (
                item.added_on is None or (item.added_on.year, item.added_on.month) <= (year, month)
            )
        ]


@dataclass
class SchemeIndex:
    scheme: Scheme
    rubrics: dict[str, RubricIndex] = field(default_factory=dict)
    _applicable: dict[tuple[str, str, int], tuple[dict[str, Item], Decimal]] = field(
        default_factory=dict
    )

    _by_category: dict[str, RubricIndex] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.rubrics = {r.key: RubricIndex.build(r) for r in self.scheme.rubrics}
        self._by_category = {c.key: self.rubrics[c.rubric] for c in self.scheme.categories}

    def rubric_for(self, category: str) -> RubricIndex:
        return self._by_category[category]

    def applicable(self, category: str, kind: str, month: int) -> tuple[dict[str, Item], Decimal]:
        """The items counting for a unit that month, in rubric order, and their full marks."""
        key = (category, kind, month)
        if key not in self._applicable:
            items = self.rubric_for(category).applicable(kind, month, self.scheme.year)
            by_number = {i.number: i for i in items}
            self._applicable[key] = (by_number, sum((i.weight for i in items), Decimal(0)))
        return self._applicable[key]

    def sub_rubric(self, item: Item) -> RubricIndex | None:
        if isinstance(item.rule, SubRubricRule):
            return self.rubrics[item.rule.rubric]
        return None
