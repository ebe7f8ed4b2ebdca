"""Year-end components: T, B (cap, content key), F (doubling, veto), R (groups, minimums)."""

from decimal import Decimal

import pytest

from kaohe.engine import compute_year, explain_unit
from kaohe.engine.scheme import Scheme

from .helpers import ballots, compute, facts, scheme

D = Decimal


def award(uid: str, award: str, level: str, content: str) -> dict[str, str]:
    return {"unit": uid, "award": award, "level": level, "content": content}


def test_b_counts_only_the_highest_award_for_one_content() -> None:
    result = compute(
        months=[1],
        achievements=[
            award("S1", "commendation", "municipal", "红色覆盖"),  # 10
            award("S1", "experience", "provincial", "红色覆盖"),  # 10 (same content)
            award("S1", "commendation", "provincial", "红色覆盖"),  # 20: the one that counts
            award("S1", "innovation", "ordinary", "网格党建"),  # 10
        ],
    )
    assert result.units["S1"].b.amount == D(30)


def test_b_never_exceeds_fifty() -> None:
    result = compute(
        months=[1],
        achievements=[
            award("S1", "commendation", "national", "a"),
            award("S1", "innovation", "major", "b"),
            award("S1", "instruction", "provincial", "c"),
        ],
    )
    line = result.units["S1"].b
    assert line.amount == D(50)
    assert sum(c.amount for c in line.children) == D(50)  # 30 + 20 + 10 − 10 (cap line)


def fault(uid: str, kind: str, declared: bool = True, occurrences: int = 1) -> dict[str, object]:
    return {"unit": uid, "type": kind, "declared": declared, "occurrences": occurrences}


def test_general_faults_deduct_and_undeclared_ones_count_double() -> None:
    result = compute(
        months=[1],
        faults=[
            fault("S1", "report_late", occurrences=3),  # 1.5
            fault("S1", "circular_district", declared=False),  # 2 × 2 = 4
        ],
    )
    year = result.units["S1"]
    assert year.f.amount == D("5.5")
    assert not year.vetoed
    # worked by hand: T 100 (one month, nothing found), B 0, R 0 (no ballots), F 5.5
    assert year.t.amount == 100 and year.total == D("94.5")


def test_a_veto_fault_vetoes_and_the_unit_is_ranked_after_all_others() -> None:
    result = compute(
        months=[1],
        faults=[fault("S1", "cadre_selection")],
        achievements=[award("S1", "commendation", "national", "x")],
    )
    rows = result.annual["street"]
    assert rows[-1].unit == "S1" and rows[-1].vetoed and rows[-1].rank is None
    assert result.units["S1"].total > max(r.value for r in rows[:-1])  # kept for the record
    use = result.results_use["street"]
    assert "S1" not in [r.unit for r in use.advanced]
    assert [r.unit for r in use.ineligible_units] == ["S1"]


def test_an_undeclared_fault_whose_type_says_veto_vetoes(monkeypatch: pytest.MonkeyPatch) -> None:
    data = scheme().model_dump()
    for t in data["faults"]["types"]:
        if t["key"] == "report_late":
            t["undeclared"] = "veto"
    strict = Scheme.model_validate(data)
    result = compute_year(
        strict, facts(months=[1], faults=[fault("S2", "report_late", declared=False)])
    )
    assert result.units["S2"].vetoed


def test_r_weights_groups_and_converts_to_twenty_points() -> None:
    result = compute(months=[1], recognition=ballots("S1", {"满意": 8, "基本满意": 2}))
    # mean coefficient (8 + 1.2) / 10 = 0.92 in every group → 20 × 0.92
    assert result.units["S1"].r.amount == D("18.4")


def test_abstentions_are_not_counted() -> None:
    result = compute(months=[1], recognition=ballots("S1", {"满意": 5, "弃权": 7}))
    assert result.units["S1"].r.amount == D(20)


def test_a_group_short_of_ballots_is_left_out_its_weight_spread_and_the_unit_flagged() -> None:
    tallies = [
        {"unit": "S1", "group": "leaders", "counts": {"满意": 4}},  # 4 < 5: left out
        {"unit": "S1", "group": "departments", "counts": {"满意": 6}},  # 1.0
        {"unit": "S1", "group": "served", "counts": {"不满意": 6}},  # 0
    ]
    result = compute(months=[1], recognition=tallies)
    year = result.units["S1"]
    # 20 × (0.3 × 1 + 0.4 × 0) ÷ 0.7 = 8.5714285714
    assert year.r.amount == D("8.5714285714")
    assert any("少于5张" in flag for flag in year.flags)


def test_trimmed_mean_drops_one_highest_and_one_lowest() -> None:
    data = scheme().model_dump()
    data["recognition"]["trimmed_mean"] = True
    trimmed = Scheme.model_validate(data)
    tally = ballots("S1", {"满意": 5, "基本满意": 1, "不满意": 1})
    result = compute_year(trimmed, facts(months=[1], recognition=tally))
    # drop 1.0 and 0 → (4 × 1 + 0.6) / 5 = 0.92
    assert result.units["S1"].r.amount == D("18.4")


def test_t_is_the_mean_of_the_months_kept_to_ten_places() -> None:
    findings = [
        {"month": m, "unit": "S1", "item": "2", "count": 1, "reason": "x"} for m in (1, 2, 3)
    ]
    result = compute(months=list(range(1, 13)), findings=findings)
    assert result.units["S1"].t.amount == D("99.75")
    findings = [{"month": 1, "unit": "S1", "item": "8", "deduction": "1", "reason": "x"}]
    result = compute(months=list(range(1, 13)), findings=findings)
    assert result.units["S1"].t.amount == D("99.9166666667")


def test_explanation_accounts_for_every_point_of_the_total() -> None:
    result = compute(
        months=[1, 2],
        findings=[{"month": 2, "unit": "S1", "item": "1", "checks": {"no_plan": 1}, "reason": "x"}],
        achievements=[award("S1", "innovation", "major", "c")],
        faults=[fault("S1", "report_late", declared=False)],
        recognition=ballots("S1", {"满意": 9, "基本满意": 1}),
    )
    line = explain_unit(result, "S1")
    t, b, minus_f, r = line.children[:4]
    # worked by hand: T = (100 + 98) ÷ 2 (no training plan: −2 in month 2) = 99; B = 20 (a
    # major innovation); F = 0.5 × 2 (undeclared, doubled) = 1; R = 20 × (9 × 1 + 1 × 0.6) ÷ 10
    # = 19.2; the total 99 + 20 − 1 + 19.2 = 137.2
    assert [t.amount, b.amount, minus_f.amount, r.amount] == [99, 20, -1, D("19.2")]
    assert line.amount == result.units["S1"].total == D("137.2")
    assert b.amount == sum(c.amount for c in b.children)
    # −F's lines are deductions too: the signs agree with the line they sum to
    assert minus_f.amount == sum(c.amount for c in minus_f.children) == D(-1)
    for month in t.children:
        assert month.amount == sum(c.amount for c in month.children)
