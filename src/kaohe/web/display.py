"""Short texts for cells and lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaohe.engine.explain import shown
from kaohe.engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    TargetCountRule,
)


def _lost(item: Item, points: Decimal) -> str:
    """Points a cell takes, to two decimals, never more than the item has (the floor at 0)."""
    return f"−{shown(min(points, item.weight))}"


def cell_summary(item: Item, values: dict[str, Any]) -> str:
    """What a cell's entry takes: −2.50, −4.00 (floored at the item's points), 0分, 完成3家 …"""
    rule = item.rule
    if isinstance(rule, ChecksRule):
        points = sum(
            (c.points * values.get("checks", {}).get(c.key, 0) for c in rule.checks), Decimal(0)
        )
        return _lost(item, points)
    if isinstance(rule, PerCountRule):
        return _lost(item, rule.points * values.get("count", 0))
    if isinstance(rule, AllOrNothingRule):
        return _("0 points")
    if isinstance(rule, DiscretionaryRule):
        return _lost(item, Decimal(values.get("deduction", "0")))
    if isinstance(rule, TargetCountRule):
        return _("%(n)s done") % {"n": values.get("count", 0)}
    return ""
