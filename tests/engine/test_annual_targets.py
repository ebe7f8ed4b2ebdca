"""Item 6's annual target (issue 9 point 7): what exceeding it adds to T month by month, and
the scheme option of scoring such items once at the year's end. docs/annual-targets.md
explains the same numbers."""

from decimal import Decimal

from kaohe.engine import compute_year
from kaohe.engine.compute import explain_unit
from kaohe.engine.scheme import Scheme

from .helpers import facts, month_score, scheme

D = Decimal
TARGET = [{"unit": "S1", "item": "6", "target": 12}]  # pro rata: 1 due per month


def _year(counts: dict[int, int], bonus: str = "monthly"):  # type: ignore[no-untyped-def]
    data = scheme().model_dump()
    data["annual_target"]["bonus"] = bonus
    findings = [{"month": m, "unit": "S1", "item": "6", "count": c} for m, c in counts.items() if c]
    return compute_year(Scheme.model_validate(data), facts(targets=TARGET, findings=findings))


def test_fifteen_in_december_adds_a_quarter_point_against_being_on_schedule() -> None:
    """On schedule (1 a month) and 4 in December: only December is 3 over (+3, the cap), so
    T = (11 × 100 + 103) ÷ 12 = 100.25 — exceeding the target by 3 adds 3 ÷ 12."""
    result = _year({m: 1 for m in range(1, 12)} | {12: 4})
    assert month_score(result, "S1", 12) == D(103)
    assert result.units["S1"].t.amount == D("100.25")


def test_everything_in_december_costs_the_months_behind() -> None:
    """Nothing until 15 in December: months 1–3 lose 1, 2, 3; months 4–11 lose all 4 (the
    floor); December is +3. Item 6 earns 3+2+1+0×8+7 = 13 of 48: T = 1165 ÷ 12."""
    result = _year({12: 15})
    assert [month_score(result, "S1", m) for m in (1, 2, 3, 4, 11, 12)] == [
        D(99),
        D(98),
        D(97),
        D(96),
        D(96),
        D(103),
    ]
    assert result.units["S1"].t.amount == D("97.0833333333")


def test_two_a_month_is_ahead_every_month() -> None:
    """2 a month against 1 due: over by m, capped at 3 — +1, +2, then +3 for ten months:
    33 ÷ 12 = 2.75 on T, though the unit ends 12 over its annual target."""
    result = _year({m: 2 for m in range(1, 13)})
    assert result.units["S1"].t.amount == D("102.75")


def test_at_year_end_the_item_is_scored_once_against_the_whole_target() -> None:
    """15 in December against 12: +3 once, whatever the timing; months stay at 100."""
    for counts in ({12: 15}, {m: 1 for m in range(1, 12)} | {12: 4}):
        result = _year(counts, bonus="at_year_end")
        assert {month_score(result, "S1", m) for m in range(1, 13)} == {D(100)}
        assert result.units["S1"].t.amount == D(103)


def test_at_year_end_a_shortfall_is_deducted_once_and_floored() -> None:
    """10 of 12: −2 once (T 98); 2 of 12: −10 floored at the item's 4 points (T 96)."""
    assert _year({6: 10}, bonus="at_year_end").units["S1"].t.amount == D(98)
    assert _year({6: 2}, bonus="at_year_end").units["S1"].t.amount == D(96)


def test_at_year_end_the_explanation_shows_the_year_end_line() -> None:
    result = _year({12: 15}, bonus="at_year_end")
    tree = explain_unit(result, "S1")
    t = tree.children[0]
    year_end = t.children[-1]
    assert (year_end.label, year_end.amount) == ("年度目标项年终考核", D(3))
    assert year_end.children[0].label == "第6项(4分)年终考核"
    december = t.children[11]
    (item6,) = [c for c in december.children if c.label.startswith("第6项")]
    assert item6.amount == 0 and item6.children[0].label.startswith("年度目标项:每月按满分计")
    assert t.amount == D(103) and "年终考核3" in t.note


def test_the_2014_default_is_monthly() -> None:
    assert scheme().annual_target.bonus == "monthly"
