"""Ranking: shared ranks, exact comparison, tie-breaks, bottom groups and escalations."""

from decimal import Decimal

from kaohe.engine import compute_year
from kaohe.engine.monthly import escalations
from kaohe.engine.ranking import RankRow, bottom_group, rank_rows
from kaohe.engine.scheme import Escalation, Scheme

from .helpers import compute, facts, scheme

D = Decimal


def test_equal_totals_share_a_rank_and_the_next_rank_is_skipped() -> None:
    values = {"a": D(90), "b": D(80), "c": D(80), "d": D(70)}
    rows = rank_rows(values, (), lambda u: (values[u],))
    assert [(r.unit, r.rank) for r in rows] == [("a", 1), ("b", 2), ("c", 2), ("d", 4)]


def _discretionary(uid: str, month: int, item: str, points: int | str) -> dict[str, object]:
    return {"month": month, "unit": uid, "item": item, "deduction": str(points), "reason": "x"}


def test_totals_that_are_equal_in_exact_arithmetic_tie() -> None:
    # T = 1121 ÷ 12 = 93.41666… plus 20, and T = 1145 ÷ 12 = 95.41666… plus 18:
    # a float spreadsheet may split them; exact arithmetic must not.
    findings = []
    for uid, monthly in (("S1", 6), ("S2", 4)):
        findings += [_discretionary(uid, m, "10", monthly) for m in range(1, 13)]
        findings += [_discretionary(uid, 1, "8", 4), _discretionary(uid, 1, "9", 3)]
    result = compute(
        findings=findings,
        achievements=[
            {"unit": "S1", "award": "innovation", "level": "major", "content": "a"},
            {"unit": "S2", "award": "inspection", "level": "national", "content": "b"},
            {"unit": "S2", "award": "instruction", "level": "municipal", "content": "c"},
            {"unit": "S2", "award": "inspection", "level": "municipal", "content": "d"},
        ],
    )
    s1, s2 = result.units["S1"], result.units["S2"]
    assert (s1.t.amount, s2.t.amount) == (D("93.4166666667"), D("95.4166666667"))
    assert s1.total == s2.total
    assert result.ranks["S1"].rank == result.ranks["S2"].rank


def test_tie_break_list_from_the_scheme_decides_between_equal_totals() -> None:
    data = scheme().model_dump()
    data["ranking"]["tie_break"] = ["F"]
    with_tie_break = Scheme.model_validate(data)
    data_facts = facts(
        months=[1],
        faults=[{"unit": "S2", "type": "report_late"}],
        achievements=[{"unit": "S2", "award": "inspection", "level": "municipal", "content": "x"}],
        findings=[_discretionary("S1", 1, "8", "2.5"), _discretionary("S2", 1, "10", 5)],
    )
    result = compute_year(with_tie_break, data_facts)
    assert result.units["S1"].total == result.units["S2"].total
    # S1: 100 − 2.5 = 97.5; S2: 100 − 5 + 3 − 0.5 = 97.5
    assert result.ranks["S1"].rank == 4 and result.ranks["S2"].rank == 5  # S1 has fewer F


def test_bottom_two_includes_every_unit_equal_to_the_second_lowest() -> None:
    values = {"a": D(90), "b": D(80), "c": D(80), "d": D(70)}
    assert bottom_group(values, 2) == {"b", "c", "d"}
    assert bottom_group({"a": D(1), "b": D(2)}, 2) == set()


def _rankings(bottoms: dict[int, set[str]]) -> dict[int, dict[str, list[RankRow]]]:
    return {
        m: {"street": [RankRow(u, 1, D(0), in_bottom=u in flagged) for u in ("a", "b", "c")]}
        for m, flagged in bottoms.items()
    }


def test_two_consecutive_months_in_the_bottom_two_trigger_a_talk() -> None:
    rankings = _rankings({1: {"a"}, 2: {"a"}, 3: {"b"}, 4: set(), 5: {"b"}})
    actions = escalations(rankings, [1, 2, 3, 4, 5], Escalation())
    assert [(x.unit, x.action, x.month, x.months) for x in actions] == [("a", "talk", 2, (1, 2))]


def test_three_cumulative_months_trigger_a_written_report_and_the_talk_is_held_once() -> None:
    rankings = _rankings({1: {"a"}, 2: {"a"}, 3: {"a"}, 4: {"a"}, 5: set(), 6: {"a"}})
    actions = escalations(rankings, [1, 2, 3, 4, 5, 6], Escalation())
    assert [(x.action, x.month, x.months) for x in actions] == [
        ("talk", 2, (1, 2)),
        ("report", 3, (1, 2, 3)),
    ]  # months 3–4 are a second pair in a row: no second talk (第十二条(三) "第一次")


def test_reports_repeat_every_three_cumulative_months_unless_the_scheme_says_once() -> None:
    rankings = _rankings({m: {"a"} if m % 2 else set() for m in range(1, 13)})
    months = list(range(1, 13))
    repeated = escalations(rankings, months, Escalation())
    assert [(x.month, x.months) for x in repeated] == [(5, (1, 3, 5)), (11, (7, 9, 11))]
    once = escalations(rankings, months, Escalation(repeat_report=False))
    assert [x.month for x in once] == [5]
