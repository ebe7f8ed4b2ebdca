"""The measures as written (issue 9): Art. 12(3)'s bottom group and talks, and open lists.

Each test works its numbers by hand; the scheme settings' alternatives are tested beside the
2014 default."""

from decimal import Decimal

import pytest

from kaohe.engine import InputError, compute_year
from kaohe.engine.monthly import escalations
from kaohe.engine.ranking import RankRow, bottom_group
from kaohe.engine.scheme import Escalation, Scheme

from .helpers import compute, facts, item_score, month_score, scheme

D = Decimal


def _discretionary(uid: str, month: int, points: str) -> dict[str, object]:
    return {"month": month, "unit": uid, "item": "10", "deduction": points, "reason": "x"}


def _with_escalation(**settings: object) -> Scheme:
    data = scheme().model_dump()
    data["escalation"].update(settings)
    return Scheme.model_validate(data)


def test_all_tie_months_flag_nobody_and_escalate_nobody() -> None:
    # five streets, no findings, January to March: every month score is 100 for everybody
    result = compute(months=[1, 2, 3])
    assert {month_score(result, f"S{i}", m) for i in range(1, 6) for m in (1, 2, 3)} == {D(100)}
    assert not any(row.in_bottom for rows in result.monthly.values() for row in rows["street"])
    assert result.escalations == []


def test_all_tie_months_under_the_literal_reading_flag_everybody() -> None:
    literal = _with_escalation(bottom_group="boundary_ties")
    result = compute_year(literal, facts(months=[1, 2, 3]))
    actions = {(a.unit, a.action, a.month) for a in result.escalations}
    # 5 talks in February, 5 reports in March: the absurd reading the default avoids
    assert actions == {(f"S{i}", "talk", 2) for i in range(1, 6)} | {
        (f"S{i}", "report", 3) for i in range(1, 6)
    }


def test_only_units_somebody_outscores_are_in_the_bottom_group() -> None:
    # 100, 100, 100, 100, 96: the second-lowest is 100, but nobody beats the 100s
    values = {"a": D(100), "b": D(100), "c": D(100), "d": D(100), "e": D(96)}
    assert bottom_group(values, 2) == {"e"}
    assert bottom_group(values, 2, below_someone=False) == set(values)
    # 100, 99, 98, 98: ties at the boundary still share it
    values = {"a": D(100), "b": D(99), "c": D(98), "d": D(98)}
    assert bottom_group(values, 2) == {"c", "d"}


def test_a_month_with_one_lower_unit_flags_only_it() -> None:
    # S5 loses 4 points on item 10 in January and February: 96 < 100 for all others
    findings = [_discretionary("S5", m, "4") for m in (1, 2)]
    result = compute(months=[1, 2], findings=findings)
    assert month_score(result, "S5", 1) == D(96)
    assert [r.unit for r in result.monthly[1]["street"] if r.in_bottom] == ["S5"]
    assert [(a.unit, a.action, a.month, a.months) for a in result.escalations] == [
        ("S5", "talk", 2, (1, 2))
    ]


def _always_bottom(months: int) -> dict[int, dict[str, list[RankRow]]]:
    return {
        m: {"street": [RankRow("a", 3, D(90), in_bottom=True), RankRow("b", 1, D(99))]}
        for m in range(1, months + 1)
    }


def test_six_consecutive_bottom_months_give_one_talk_and_two_reports() -> None:
    """Months 1–6 at the bottom: the talk at month 2 (the first pair in a row), reports at
    the 3rd and 6th cumulative time (months 3 and 6); no talks at months 4 and 6."""
    actions = escalations(_always_bottom(6), range(1, 7), Escalation())
    assert [(a.action, a.month, a.months) for a in actions] == [
        ("talk", 2, (1, 2)),
        ("report", 3, (1, 2, 3)),
        ("report", 6, (4, 5, 6)),
    ]


def test_six_consecutive_bottom_months_with_every_pair_talks_give_three_talks() -> None:
    actions = escalations(_always_bottom(6), range(1, 7), Escalation(talk="every_pair"))
    assert [(a.action, a.month) for a in actions if a.action == "talk"] == [
        ("talk", 2),
        ("talk", 4),
        ("talk", 6),
    ]


def test_six_consecutive_bottom_months_report_once_when_the_scheme_says_so() -> None:
    actions = escalations(_always_bottom(6), range(1, 7), Escalation(repeat_report=False))
    assert [(a.action, a.month) for a in actions] == [("talk", 2), ("report", 3)]


def test_escalation_settings_are_validated() -> None:
    data = scheme().model_dump()
    data["escalation"]["talk"] = "always"
    with pytest.raises(ValueError, match="talk"):
        Scheme.model_validate(data)


def test_five_missing_materials_take_two_and_a_half_points() -> None:
    # item 1 (4 points): 花名册、笔记、图片、学习体会等资料 — 等 keeps the list open; 5 × 0.5 = 2.5
    finding = {"month": 1, "unit": "S1", "item": "1", "checks": {"missing_material": 5}}
    result = compute(months=[1], findings=[{**finding, "reason": "缺五类资料"}])
    assert item_score(result, "S1", 1, "1") == D("1.5")
    assert month_score(result, "S1", 1) == D("97.5")


def test_missing_materials_and_no_plan_are_floored_at_zero() -> None:
    # no plan (2) + 9 missing kinds (4.5) = 6.5 > 4: the item scores 0, never below
    finding = {"month": 1, "unit": "S1", "item": "1", "reason": "x"}
    finding["checks"] = {"no_plan": 1, "missing_material": 9}
    result = compute(months=[1], findings=[finding])
    assert item_score(result, "S1", 1, "1") == D(0)
    assert month_score(result, "S1", 1) == D(96)


def test_the_ten_practical_things_stay_capped_at_ten() -> None:
    # item 7: 党建十件实事 — the text counts ten, so at most ten can be unfulfilled
    finding = {"month": 1, "unit": "S1", "item": "7", "reason": "x"}
    finding["checks"] = {"not_carried_out": 11}
    with pytest.raises(InputError, match="最多记10次"):
        compute(months=[1], findings=[finding])


def test_no_check_of_the_2014_scheme_has_a_cap_the_text_does_not_state() -> None:
    capped = {
        (item.number, check.key)
        for rubric in scheme().rubrics
        for item in rubric.items()
        if item.rule.kind == "checks"
        for check in item.rule.checks
        if check.max_occurrences is not None
    }
    assert capped == {("7", "not_carried_out")}
