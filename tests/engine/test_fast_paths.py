"""The ranking's fast paths (month totals without lines, scores shared by alike findings and
gaps) give the very Decimals the explained computation gives, digit for digit."""

from __future__ import annotations

import json

from kaohe.demofacts import demo_facts
from kaohe.engine.index import SchemeIndex
from kaohe.engine.monthly import MonthScorer
from kaohe.engine.records import decode_json

from .helpers import scheme


def test_month_totals_are_the_explained_scores_digit_for_digit() -> None:
    data = demo_facts(scheme(), 120, 5)
    # the same deduction written two ways for two units: equal values, different digits
    first = next(f for f in data["findings"] if "deduction" in f)
    first["deduction"] = "0.5"
    category = {u["id"]: u["category"] for u in data["units"]}
    taken = {(f["unit"], f["month"], f["item"]) for f in data["findings"]}
    other = next(
        u
        for u in category
        if category[u] == category[first["unit"]]
        and (u, first["month"], first["item"]) not in taken
    )
    data["findings"].append({**first, "unit": other, "deduction": "0.50", "id": "again"})
    facts = decode_json(json.dumps(data, ensure_ascii=False))
    scorer = MonthScorer(SchemeIndex(scheme()), facts)
    for unit in facts.units:
        for month in facts.months:
            fast = scorer.score(unit, month).score
            explained = scorer.score(unit, month, explain=True).score
            assert str(fast) == str(explained), (unit.id, month)
