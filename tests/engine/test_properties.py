"""Invariants of the engine, checked on generated years (hypothesis)."""

from __future__ import annotations

import random
from decimal import Decimal
from typing import Any

from hypothesis import given, settings
from hypothesis import strategies as st

from kaohe.engine import compute_year
from kaohe.engine.serialize import result_to_data

from .helpers import facts, scheme, unit

UNITS = [unit(f"S{i}") for i in range(1, 7)] + [
    unit("D1", "district", "organ"),
    unit("D2", "district", "organ"),
    unit("D3", "district", "affiliated"),
    unit("D4", "district", "affiliated"),
]
STREET_IDS = [u["id"] for u in UNITS if u["category"] == "street"]
ORGAN_IDS, AFFILIATED_IDS = ["D1", "D2"], ["D3", "D4"]
half_points = st.integers(0, 8).map(lambda n: str(Decimal(n) / 2))

street_finding = st.one_of(
    st.fixed_dictionaries(
        {
            "item": st.just("1"),
            "checks": st.fixed_dictionaries(
                {"no_plan": st.integers(0, 1), "missing_material": st.integers(0, 4)}
            ),
        }
    ),
    st.fixed_dictionaries({"item": st.just("2"), "count": st.integers(0, 6)}),
    st.fixed_dictionaries({"item": st.just("3"), "met": st.booleans()}),
    st.fixed_dictionaries({"item": st.just("6"), "count": st.integers(0, 5)}),
    st.fixed_dictionaries(
        {
            "item": st.just("7"),
            "checks": st.fixed_dictionaries(
                {"not_arranged": st.integers(0, 1), "not_carried_out": st.integers(0, 10)}
            ),
        }
    ),
    st.fixed_dictionaries({"item": st.just("8"), "deduction": half_points}),
    st.fixed_dictionaries(
        {
            "item": st.just("22"),
            "department": st.sampled_from(["org", "cadre"]),
            "count": st.integers(0, 4),
        }
    ),
).flatmap(
    lambda f: st.fixed_dictionaries({"unit": st.sampled_from(STREET_IDS)}).map(lambda u: {**f, **u})
)

district_finding = st.one_of(
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(ORGAN_IDS),
            "item": st.just("1"),
            "sub_item": st.just("2"),
            "checks": st.fixed_dictionaries({"missing_meeting": st.integers(0, 8)}),
        }
    ),
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from(AFFILIATED_IDS),
            "item": st.just("2"),
            "department": st.sampled_from(["org", "organs_committee"]),
            "sub_item": st.just("3"),
            "count": st.integers(0, 4),
        }
    ),
    st.fixed_dictionaries(
        {
            "unit": st.sampled_from([u["id"] for u in UNITS]),
            "item": st.just("11"),
            "checks": st.fixed_dictionaries({"not_held": st.integers(0, 1)}),
        }
    ),
)

finding = st.tuples(st.integers(1, 3), st.one_of(street_finding, district_finding)).map(
    lambda pair: {"month": pair[0], "reason": "核查", **pair[1]}
)
achievement = st.builds(
    lambda uid, pair, content: {
        "unit": uid,
        "award": pair[0],
        "level": pair[1],
        "content": content,
    },
    st.sampled_from([u["id"] for u in UNITS]),
    st.sampled_from(
        [
            ("innovation", "major"),
            ("innovation", "ordinary"),
            ("commendation", "national"),
            ("experience", "provincial"),
            ("inspection", "municipal"),
        ]
    ),
    st.sampled_from(["a", "b", "c", "d"]),
)
fault = st.builds(
    lambda uid, kind, declared: {"unit": uid, "type": kind, "declared": declared},
    st.sampled_from([u["id"] for u in UNITS]),
    st.sampled_from(["report_late", "task_undone", "cadre_selection", "media_district"]),
    st.booleans(),
)
tally = st.builds(
    lambda uid, group, a, b, c: {
        "unit": uid,
        "group": group,
        "counts": {"满意": a, "基本满意": b, "不满意": c},
    },
    st.sampled_from([u["id"] for u in UNITS]),
    st.sampled_from(["leaders", "departments", "served"]),
    st.integers(0, 9),
    st.integers(0, 9),
    st.integers(0, 9),
)


def year(
    findings: list[dict[str, Any]],
    achievements: list[dict[str, Any]] = (),  # type: ignore[assignment]
    faults: list[dict[str, Any]] = (),
    tallies: list[dict[str, Any]] = (),  # type: ignore[assignment]
    units: list[dict[str, Any]] = UNITS,
) -> Any:
    unique_tallies = list({(t["unit"], t["group"]): t for t in tallies}.values())
    targets = [{"unit": uid, "item": "6", "target": 6} for uid in STREET_IDS]
    return compute_year(
        scheme(),
        facts(
            units,
            [1, 2, 3],
            findings=findings,
            targets=targets,
            achievements=list(achievements),
            faults=list(faults),
            recognition=unique_tallies,
        ),
    )


@settings(max_examples=60, deadline=None)
@given(
    st.lists(finding, max_size=25), st.one_of(street_finding, district_finding), st.integers(1, 3)
)
def test_adding_a_deduction_never_raises_a_score(
    findings: list[dict[str, Any]], extra: dict[str, Any], month: int
) -> None:
    if extra["item"] == "6" or extra.get("met") is True:
        extra = (
            {**extra, "item": "8", "deduction": "1"}
            if extra["item"] == "6"
            else {**extra, "met": False}
        )
        extra.pop("count", None)
    before = year(findings)
    after = year([*findings, {**extra, "month": month, "reason": "新增扣分"}])
    for uid, y in before.units.items():
        for m in (1, 2, 3):
            assert after.units[uid].months[m].score <= y.months[m].score
        assert after.units[uid].total <= y.total


@settings(max_examples=60, deadline=None)
@given(st.lists(achievement, max_size=30))
def test_b_never_exceeds_fifty(achievements: list[dict[str, Any]]) -> None:
    result = year([], achievements)
    for y in result.units.values():
        assert Decimal(0) <= y.b.amount <= 50


@settings(max_examples=40, deadline=None)
@given(
    st.lists(finding, max_size=20),
    st.lists(achievement, max_size=8),
    st.lists(fault, max_size=5),
    st.lists(tally, max_size=20),
    st.randoms(use_true_random=False),
)
def test_permuting_unit_order_changes_no_result(
    findings: list[dict[str, Any]],
    achievements: list[dict[str, Any]],
    faults: list[dict[str, Any]],
    tallies: list[dict[str, Any]],
    rng: random.Random,
) -> None:
    shuffled = UNITS[:]
    rng.shuffle(shuffled)
    first = result_to_data(year(findings, achievements, faults, tallies), explain=True)
    second = result_to_data(
        year(findings, achievements, faults, tallies, units=shuffled), explain=True
    )
    assert first["annual"] == second["annual"]
    assert first["monthly"] == second["monthly"]
    assert first["escalations"] == second["escalations"]
    assert first["units"] == second["units"]


@settings(max_examples=60, deadline=None)
@given(
    st.lists(finding, max_size=25),
    st.lists(achievement, max_size=8),
    st.lists(fault, max_size=6),
    st.lists(tally, max_size=20),
)
def test_ranks_agree_with_totals_and_vetoed_units_are_never_ahead(
    findings: list[dict[str, Any]],
    achievements: list[dict[str, Any]],
    faults: list[dict[str, Any]],
    tallies: list[dict[str, Any]],
) -> None:
    result = year(findings, achievements, faults, tallies)
    for rows in result.annual.values():
        seen_vetoed = False
        for row in rows:
            seen_vetoed = seen_vetoed or row.vetoed
            assert row.vetoed == seen_vetoed  # no non-vetoed row after a vetoed one
            assert row.vetoed == result.units[row.unit].vetoed
        ranked = [r for r in rows if not r.vetoed]
        for a in ranked:
            for b in ranked:
                if a.value > b.value:
                    assert a.rank is not None and b.rank is not None and a.rank < b.rank
                if a.value == b.value:
                    assert a.rank == b.rank
        for r in ranked:
            assert r.rank == 1 + sum(1 for o in ranked if o.value > r.value)


@settings(max_examples=40, deadline=None)
@given(st.lists(finding, max_size=25), st.lists(fault, max_size=4), st.lists(tally, max_size=12))
def test_every_unit_explanation_adds_up(
    findings: list[dict[str, Any]], faults: list[dict[str, Any]], tallies: list[dict[str, Any]]
) -> None:
    from kaohe.engine import explain_unit

    result = year(findings, (), faults, tallies)  # type: ignore[arg-type]
    for uid in result.units:
        line = explain_unit(result, uid)
        t, _b, _minus_f, r = line.children[:4]
        assert line.amount == result.units[uid].total
        assert r.amount == sum(c.amount for c in r.children)
        for month in t.children:
            assert month.amount == sum(c.amount for c in month.children)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(finding, max_size=15),
    st.lists(achievement, max_size=6),
    st.lists(fault, max_size=4),
    st.lists(tally, max_size=12),
    fault,
)
def test_adding_a_fault_never_raises_a_total_and_touches_only_its_unit(
    findings: list[dict[str, Any]],
    achievements: list[dict[str, Any]],
    faults: list[dict[str, Any]],
    tallies: list[dict[str, Any]],
    extra: dict[str, Any],
) -> None:
    before = year(findings, achievements, faults, tallies)
    after = year(findings, achievements, [*faults, extra], tallies)
    for uid, y in before.units.items():
        now = after.units[uid]
        if uid == extra["unit"]:
            assert now.total <= y.total and now.f.amount >= y.f.amount
            assert now.vetoed or not y.vetoed  # a fault never lifts a veto
        else:
            assert (now.total, now.vetoed) == (y.total, y.vetoed)
        assert (now.t.amount, now.b.amount, now.r.amount) == (y.t.amount, y.b.amount, y.r.amount)


@settings(max_examples=40, deadline=None)
@given(
    st.lists(finding, max_size=15),
    st.lists(achievement, max_size=6),
    st.lists(fault, max_size=4),
    st.lists(tally, max_size=12),
    achievement,
)
def test_adding_a_verified_achievement_never_lowers_a_total_nor_passes_fifty_points(
    findings: list[dict[str, Any]],
    achievements: list[dict[str, Any]],
    faults: list[dict[str, Any]],
    tallies: list[dict[str, Any]],
    extra: dict[str, Any],
) -> None:
    before = year(findings, achievements, faults, tallies)
    after = year(findings, [*achievements, extra], faults, tallies)
    for uid, y in before.units.items():
        now = after.units[uid]
        if uid == extra["unit"]:
            assert y.total <= now.total <= y.total + 50 and now.b.amount <= 50
        else:
            assert now.total == y.total
        assert (now.t.amount, now.f.amount, now.r.amount) == (y.t.amount, y.f.amount, y.r.amount)


@settings(max_examples=40, deadline=None)
@given(st.lists(finding, max_size=20), st.lists(fault, max_size=4), st.lists(tally, max_size=12))
def test_a_twenty_point_award_adds_exactly_twenty_points_to_its_unit(
    findings: list[dict[str, Any]], faults: list[dict[str, Any]], tallies: list[dict[str, Any]]
) -> None:
    """An award worth exactly 20 points (a major innovation, under the cap) adds exactly 20
    to its unit's total and nothing else, whatever else the year holds."""
    before = year(findings, (), faults, tallies)  # type: ignore[arg-type]
    award = {"unit": "S1", "award": "innovation", "level": "major", "content": "新项目"}
    after = year(findings, [award], faults, tallies)
    assert after.units["S1"].total - before.units["S1"].total == 20
