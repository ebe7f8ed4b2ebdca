"""Builders for scheme versions: a 2014 scheme amended from a month, as an office makes it."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

from kaohe.engine import scheme_from_data
from kaohe.engine.scheme import Scheme

REASON = "围绕区委中心工作追加征地拆迁一线党建目标"
ADDED = {
    "number": "23",
    "target": "围绕区委中心工作,做好征地拆迁一线党建工作。",
    "weight": "5",
    "standard": "根据工作开展情况,酌情扣分。",
    "method": "查阅记录、实地走访",
    "departments": [{"department": "org", "points": "5"}],
    "rule": {"kind": "discretionary"},
}


def add_target(data: dict[str, Any]) -> None:
    """Item 23 (5 points) added to the streets' 基层组织建设: the section 45, the rubric 105."""
    rubric = next(r for r in data["rubrics"] if r["key"] == "street")
    rubric["sections"][0]["items"].append(dict(ADDED))
    rubric["sections"][0]["weight"] = "45"
    rubric["total"] = "105"


def amended(
    base: Scheme,
    change: Callable[[dict[str, Any]], None] = add_target,
    *,
    number: int = 2,
    from_month: int = 7,
    method: str | None = None,
) -> Scheme:
    data = base.model_dump(mode="json")
    data["version"] = {
        "number": number,
        "from_month": from_month,
        "reason": REASON,
        "approved_by": "部务会",
        "approved_on": "2014-06-20",
    }
    if method is not None:
        data["month_total"] = {"method": method}
    change(data)
    return scheme_from_data(data, f"version {number}")


def yaml_text(scheme: Scheme) -> str:
    import yaml

    return yaml.safe_dump(scheme.model_dump(mode="json"), allow_unicode=True, sort_keys=False)
