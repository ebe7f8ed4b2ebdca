"""Scheme versions in the engine (第五条): months keep their version, the year-end uses the
last one, added targets are scored out of 100 (or summed), explanations name the version."""

from __future__ import annotations

import json
from decimal import Decimal
from pathlib import Path
from typing import Any

import pytest

from kaohe.cli import main
from kaohe.engine import InputError, compute_year
from kaohe.engine.errors import say
from kaohe.engine.serialize import result_to_data
from kaohe.engine.versions import Versions, figure_changes, scheme_changes
from tests.engine.helpers import facts, month_score, scheme

from .helpers import REASON, add_target, amended, yaml_text

MONTHS = [6, 7]


def deduct(month: int, unit: str, item: str, points: str) -> dict[str, Any]:
    return {"month": month, "unit": unit, "item": item, "deduction": points, "reason": "检查发现"}


def test_months_before_the_change_keep_their_scores_and_later_ones_are_out_of_100() -> None:
    # S1 loses 2 on item 8 in June (version 1: 100 − 2 = 98) and 2 on the added item 23 in
    # July (version 2: full marks 105, 105 − 2 = 103, scaled 103 ÷ 105 × 100 = 98.0952380952…,
    # kept to 10 places). S2 loses nothing: 100 in June, 105 ÷ 105 × 100 = 100 in July.
    year = facts(
        months=MONTHS,
        findings=[deduct(6, "S1", "8", "2"), deduct(7, "S1", "23", "2")],
    )
    result = compute_year(scheme(), year, amendments=[amended(scheme())])
    assert month_score(result, "S1", 6) == Decimal(98)
    assert month_score(result, "S1", 7) == Decimal("98.0952380952")
    assert month_score(result, "S2", 6) == Decimal(100)
    assert month_score(result, "S2", 7) == Decimal(100)
    # T = (98 + 98.0952380952) ÷ 2 = 98.0476190476
    assert result.units["S1"].t.amount == Decimal("98.0476190476")


def test_summed_month_totals_keep_the_raised_full_marks() -> None:
    year = facts(months=MONTHS, findings=[deduct(7, "S1", "23", "2")])
    result = compute_year(scheme(), year, amendments=[amended(scheme(), method="summed")])
    assert month_score(result, "S1", 6) == Decimal(100)
    assert month_score(result, "S1", 7) == Decimal(103)  # 105 − 2
    assert month_score(result, "S2", 7) == Decimal(105)


def test_fixed_month_totals_refuse_a_version_that_raises_the_full_marks() -> None:
    with pytest.raises(InputError) as caught:
        Versions.build(scheme(), [amended(scheme(), method="fixed")])
    assert any("full marks 105, not 100" in say(e, "en") for e in caught.value.errors)


def test_fixed_month_totals_accept_a_target_that_takes_its_points_from_others() -> None:
    def swap(data: dict[str, Any]) -> None:
        items = data["rubrics"][0]["sections"][0]["items"]
        items[7]["weight"] = "2"  # item 8: 4 → 2
        items[7]["departments"][0]["points"] = "2"
        items.append({**add_target_item(), "weight": "2", "departments": [_org("2")]})

    Versions.build(scheme(), [amended(scheme(), swap, method="fixed")])


def _org(points: str) -> dict[str, str]:
    return {"department": "org", "points": points}


def add_target_item() -> dict[str, Any]:
    data: dict[str, Any] = {"rubrics": [{"key": "street", "sections": [{"items": []}]}]}
    add_target(data)
    return dict(data["rubrics"][0]["sections"][0]["items"][0])


def test_each_month_explanation_names_the_version_that_applied() -> None:
    year = facts(months=MONTHS, findings=[deduct(7, "S1", "23", "2")])
    result = compute_year(scheme(), year, amendments=[amended(scheme())])
    june, july = result.month_line("S1", 6), result.month_line("S1", 7)
    assert june.note == "方案第1版"
    assert july.note == "方案第2版(7月起)"
    labels = {line.label: line for line in july.children}
    assert labels["细则满分"].amount == Decimal(105)
    assert labels["第23项(5分)"].amount == Decimal(-2)
    scaled = labels["折算为100分制"]
    assert scaled.amount == Decimal("-4.9047619048")  # 98.0952380952 − 103
    assert scaled.ref == "第五条"
    assert sum(c.amount for c in july.children) == july.amount


def test_without_versions_the_explanation_names_none() -> None:
    result = compute_year(scheme(), facts(months=MONTHS, findings=[deduct(7, "S1", "8", "2")]))
    assert result.month_line("S1", 7).note == ""
    assert result.versions is None


def test_a_finding_on_an_added_target_before_its_month_is_refused_naming_the_version() -> None:
    year = facts(months=MONTHS, findings=[deduct(6, "S1", "23", "2")])
    with pytest.raises(InputError) as caught:
        compute_year(scheme(), year, amendments=[amended(scheme())])
    assert [say(e, "en") for e in caught.value.errors] == [
        "findings[0].item: no item '23' applies to unit 'S1' in month 6 (方案第1版)"
    ]


def test_a_removed_item_keeps_the_months_before_its_removal() -> None:
    def remove_item_8(data: dict[str, Any]) -> None:
        section = data["rubrics"][0]["sections"][0]
        section["items"] = [i for i in section["items"] if i["number"] != "8"]
        section["weight"] = "36"
        data["rubrics"][0]["total"] = "96"

    year = facts(months=MONTHS, findings=[deduct(6, "S1", "8", "2")])
    result = compute_year(scheme(), year, amendments=[amended(scheme(), remove_item_8)])
    assert month_score(result, "S1", 6) == Decimal(98)
    assert month_score(result, "S1", 7) == Decimal(100)  # 96 ÷ 96 × 100
    late = facts(months=MONTHS, findings=[deduct(7, "S1", "8", "2")])
    with pytest.raises(InputError):
        compute_year(scheme(), late, amendments=[amended(scheme(), remove_item_8)])


def test_a_changed_weight_scores_months_from_the_change_with_the_new_weight() -> None:
    # item 8: 4 → 6, item 9: 4 → 2 (the section stays 40); a deduction of 5 on item 8 is
    # beyond version 1's weight but within version 2's
    def reweigh(data: dict[str, Any]) -> None:
        items = data["rubrics"][0]["sections"][0]["items"]
        items[7]["weight"], items[7]["departments"] = "6", [_org("6")]
        items[8]["weight"], items[8]["departments"] = "2", [_org("2")]

    v2 = amended(scheme(), reweigh)
    july = facts(months=MONTHS, findings=[deduct(7, "S1", "8", "5")])
    assert month_score(compute_year(scheme(), july, amendments=[v2]), "S1", 7) == Decimal(95)
    june = facts(months=MONTHS, findings=[deduct(6, "S1", "8", "5")])
    with pytest.raises(InputError) as caught:
        compute_year(scheme(), june, amendments=[v2])
    assert [say(e, "en") for e in caught.value.errors] == [
        "findings[0].deduction: at most the weight 4"
    ]
    items, settings = scheme_changes(scheme(), v2)
    assert [(c.number, c.change, c.fields[0]) for c in items] == [
        ("8", "changed", ("weight", "4", "6")),
        ("9", "changed", ("weight", "4", "2")),
    ]
    assert settings == []


def test_the_year_end_components_use_the_last_version() -> None:
    def lower_cap(data: dict[str, Any]) -> None:
        data["achievements"]["cap"] = "15"

    year = facts(
        months=MONTHS,
        achievements=[
            {"unit": "S1", "award": "innovation", "level": "major", "content": "c1"},
        ],
    )
    assert compute_year(scheme(), year).units["S1"].b.amount == Decimal(20)
    result = compute_year(scheme(), year, amendments=[amended(scheme(), lower_cap)])
    assert result.units["S1"].b.amount == Decimal(15)
    assert result.scheme.achievements.cap == Decimal(15)


@pytest.mark.parametrize(
    ("change", "message"),
    [
        ({"year": 2015}, "amendments[0].year: 2015 is not the year's 2014"),
        ({"name": "other"}, "amendments[0].name: 'other' is not the year's 'district-2014'"),
        ({"version": {"number": 3}}, "amendments[0].version.number: expected 2, not 3"),
    ],
)
def test_a_version_of_another_year_or_out_of_order_is_refused(
    change: dict[str, Any], message: str
) -> None:
    def apply(data: dict[str, Any]) -> None:
        for key, value in change.items():
            if isinstance(value, dict):
                data[key].update(value)
            else:
                data[key] = value

    with pytest.raises(InputError) as caught:
        Versions.build(scheme(), [amended(scheme(), apply)])
    assert message in [say(e, "en") for e in caught.value.errors]


def test_versions_apply_from_strictly_increasing_months() -> None:
    v2 = amended(scheme(), from_month=7)
    v3 = amended(scheme(), number=3, from_month=7)
    with pytest.raises(InputError) as caught:
        Versions.build(scheme(), [v2, v3])
    assert [say(e, "en") for e in caught.value.errors] == [
        "amendments[1].version.from_month: must be after month 7 (the previous version's)"
    ]
    versions = Versions.build(scheme(), [v2, amended(scheme(), number=3, from_month=10)])
    assert [versions.label_for(m) for m in (6, 7, 9, 10, 12)] == [
        "方案第1版",
        "方案第2版(7月起)",
        "方案第2版(7月起)",
        "方案第3版(10月起)",
        "方案第3版(10月起)",
    ]


def test_the_added_target_is_listed_and_the_figures_it_moves() -> None:
    # June and July without the change: S1–S3 100, S4 99, S5 98 (S4, S5 the bottom two both
    # months: a talk each). With version 2 from July (full marks 105, scaled to 100): S1 loses
    # 3 on item 23 → 102 ÷ 105 × 100 = 97.14; S2, S3 105 → 100; S4 104 → 99.05; S5 103 →
    # 98.10. July ranks: S2, S3 1st, S4 3rd, S5 4th, S1 5th: S1 and S5 the bottom two, so
    # S4's talk goes. T = mean of June and July: S1 (100 + 97.142857…) ÷ 2 = 98.57,
    # S4 (99 + 99.047619…) ÷ 2 = 99.02, S5 (98 + 98.095238…) ÷ 2 = 98.05; year ranks S2, S3,
    # S4 (3rd), S1 (4th), S5.
    bottom = [deduct(m, u, "8", p) for m in MONTHS for u, p in (("S4", "1"), ("S5", "2"))]
    without = compute_year(scheme(), facts(months=MONTHS, findings=bottom))
    year = facts(months=MONTHS, findings=[*bottom, deduct(7, "S1", "23", "3")])
    with_v2 = compute_year(scheme(), year, amendments=[amended(scheme())])
    items, settings = scheme_changes(scheme(), amended(scheme()))
    assert [(c.rubric, c.number, c.change) for c in items] == [("street", "23", "added")]
    assert "rubrics.street.total: 100 → 105" in settings
    assert "rubrics.street.sections.grassroots.weight: 40 → 45" in settings
    moved = [(c.kind, c.unit, c.month, c.before, c.after) for c in figure_changes(without, with_v2)]
    assert moved == [
        ("month_score", "S1", 7, "100.00", "97.14"),
        ("month_score", "S4", 7, "99.00", "99.05"),
        ("month_score", "S5", 7, "98.00", "98.10"),
        ("month_rank", "S1", 7, "1", "5(后两名)"),
        ("month_rank", "S4", 7, "4(后两名)", "3"),
        ("month_rank", "S5", 7, "5(后两名)", "4(后两名)"),
        ("escalation", "S4", 7, "talk 6、7", ""),
        ("T", "S1", None, "100.00", "98.57"),
        ("T", "S4", None, "99.00", "99.02"),
        ("T", "S5", None, "98.00", "98.05"),
        ("total", "S1", None, "100.00", "98.57"),
        ("total", "S4", None, "99.00", "99.02"),
        ("total", "S5", None, "98.00", "98.05"),
        ("rank", "S1", None, "1", "4"),
        ("rank", "S4", None, "4", "3"),
    ]


def test_no_amendments_give_the_same_bytes_as_before(tmp_path: Path) -> None:
    year = facts(months=MONTHS, findings=[deduct(7, "S1", "8", "2")])
    plain = result_to_data(compute_year(scheme(), year), explain=True)
    same = result_to_data(compute_year(scheme(), year, amendments=()), explain=True)
    assert json.dumps(plain, ensure_ascii=False) == json.dumps(same, ensure_ascii=False)


def test_compute_takes_amendments_on_the_command_line(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    facts_file = tmp_path / "facts.json"
    facts_file.write_text(
        facts(months=MONTHS, findings=[deduct(7, "S1", "23", "2")]).model_dump_json(), "utf-8"
    )
    v2 = tmp_path / "v2.yaml"
    v2.write_text(yaml_text(amended(scheme())), "utf-8")
    args = ["compute", "--facts", str(facts_file), "--amendment", str(v2)]
    assert main([*args, "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["units"]["S1"]["months"] == {"6": "100", "7": "98.0952380952"}
    assert main(args) == 0
    assert f"方案第2版(7月起):{REASON}(批准:部务会)" in capsys.readouterr().out
    # without the amendment the July finding names no item of the scheme
    assert main(["compute", "--facts", str(facts_file)]) != 0


def test_a_target_added_for_one_kind_is_scaled_for_that_kind_only() -> None:
    # item 23 (5 points, 组织科) added from July for affiliated units only: an affiliated unit
    # losing nothing scores 105 ÷ 105 × 100 = 100, level with an organ losing nothing (100);
    # summed, it would lead the organ by 5 in the same category's ranking
    def add_for_affiliated(data: dict[str, Any]) -> None:
        rubric = next(r for r in data["rubrics"] if r["key"] == "district")
        # marked added_on: the section keeps its 40 (the organs' full marks stay 100)
        item = {**add_target_item(), "kinds": ["affiliated"], "added_on": "2014-07-01"}
        rubric["sections"][0]["items"].append(item)

    units = [
        {"id": "D1", "name": "机关", "category": "district", "kind": "organ"},
        {"id": "D2", "name": "直属", "category": "district", "kind": "affiliated"},
    ]
    year = facts(units, months=MONTHS)
    normalised = compute_year(scheme(), year, amendments=[amended(scheme(), add_for_affiliated)])
    assert month_score(normalised, "D1", 7) == month_score(normalised, "D2", 7) == Decimal(100)
    summed = compute_year(
        scheme(), year, amendments=[amended(scheme(), add_for_affiliated, method="summed")]
    )
    assert (month_score(summed, "D1", 7), month_score(summed, "D2", 7)) == (100, 105)
