"""Explanations right (issue 10 point 4): signs agree, no line twice, statements carry no
points, every figure shown to two decimals while the engine keeps it exact."""

from decimal import Decimal

from django.template.loader import render_to_string

from kaohe.engine import display_figures, render
from kaohe.engine.compute import explain_unit

from .helpers import ballots, compute

D = Decimal


def _walk(line):  # type: ignore[no-untyped-def]
    yield line
    for child in line.children:
        yield from _walk(child)


def _year():  # type: ignore[no-untyped-def]
    # S1: two general faults (−1, −0.5 doubled), one group short of ballots; S5 at the bottom
    findings = [
        {"month": m, "unit": "S5", "item": "10", "deduction": "3", "reason": "x"} for m in (1, 2)
    ]
    return compute(
        months=[1, 2],
        findings=findings,
        faults=[
            {"unit": "S1", "type": "report_late", "declared": False},
            {"unit": "S1", "type": "report_late"},
        ],
        recognition=[
            *ballots("S1", {"满意": 9, "基本满意": 1}, groups=("leaders", "departments")),
            *ballots("S1", {"满意": 2}, groups=("served",)),
        ],
    )


def test_fault_lines_under_minus_f_are_deductions() -> None:
    tree = explain_unit(_year(), "S1")
    minus_f = next(c for c in tree.children if c.label == "过错扣分")
    assert minus_f.amount == D("-1.5")
    assert sorted(c.amount for c in minus_f.children) == [D("-1.0"), D("-0.5")]


def test_a_group_short_of_ballots_is_said_once() -> None:
    tree = explain_unit(_year(), "S1")
    said = [line for line in _walk(tree) if "有效票不足" in line.label or "少于" in line.label]
    assert len(said) == 1 and said[0].statement


def test_rank_escalations_and_results_use_are_statements_not_point_rows() -> None:
    result = _year()
    tree = explain_unit(result, "S5")
    labels = {c.label: c for c in tree.children}
    assert labels["年度排名"].statement and labels["组织约谈"].statement
    top = explain_unit(result, "S1")  # the only unit with recognition points: first
    (advanced,) = [c for c in top.children if c.label.startswith("推荐为")]
    assert advanced.statement and advanced.to_dict()["statement"] is True
    text = "\n".join(render(tree))
    assert "年度排名  〔" in text and "年度排名:" not in text and "组织约谈:" not in text


def test_long_figures_in_notes_are_shown_to_two_decimals() -> None:
    assert display_figures("总分35.5000000000,平均系数0.9384615385") == "总分35.50,平均系数0.94"
    assert display_figures("2014年第12.5项 4.25分 -2.125") == "2014年第12.5项 4.25分 -2.13"
    tree = explain_unit(_year(), "S1")
    exact = [line.note for line in _walk(tree) if "平均系数0.96" in line.note]
    assert exact  # the engine keeps 0.96 exactly; a long one would keep every digit
    assert all("0.9600000000" not in line for line in render(tree))


def test_pages_show_statements_without_points_and_notes_rounded() -> None:
    tree = explain_unit(_year(), "S5")
    html = render_to_string("web/_lines.html", {"lines": tree.children, "top": False})
    rank = html[html.index("年度排名") :][:200]
    assert "0.00" not in rank and 'class="statement"' in html
