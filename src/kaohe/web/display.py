"""Short texts for cells and lines."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaohe.engine.explain import fmt
from kaohe.engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    TargetCountRule,
)


def cell_summary(item: Item, values: dict[str, Any]) -> str:
    """What a cell's entry says, before floors and targets: −2.5, 0分, 完成3家 …"""
    rule = item.rule
    if isinstance(rule, ChecksRule):
        points = sum(
            (c.points * values.get("checks", {}).get(c.key, 0) for c in rule.checks), Decimal(0)
        )
        return f"−{fmt(points)}"
    if isinstance(rule, PerCountRule):
        return f"−{fmt(rule.points * values.get('count', 0))}"
    if isinstance(rule, AllOrNothingRule):
        return _("0 points")
    if isinstance(rule, DiscretionaryRule):
        return f"−{fmt(Decimal(values.get('deduction', '0')))}"
    if isinstance(rule, TargetCountRule):
        return _("%(n)s done") % {"n": values.get("count", 0)}
    return ""
