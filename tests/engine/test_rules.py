"""Item rules, with worked examples taken straight from the seed's rubric (街道细则)."""

from decimal import Decimal

from .helpers import compute, item_score, month_score, unit

D = Decimal


def finding(item: str, month: int = 1, uid: str = "S1", **values: object) -> dict[str, object]:
    return {"month": month, "unit": uid, "item": item, "reason": "核查发现", **values}


def test_item_1_no_plan_and_three_missing_materials_scores_half_a_point() -> None:
    result = compute(
        months=[1],
        findings=[
            finding("1", checks={"no_plan": 1, "missing_material": 3}),
        ],
    )
    assert item_score(result, "S1", 1, "1") == D("0.5")  # 4 − 2 − 3 × 0.5
    assert month_score(result, "S1", 1) == D("96.5")


def test_item_2_deducts_one_point_per_village_floored_at_zero() -> None:
    result = compute(
        months=[1],
        findings=[
            finding("2", count=3),
            finding("2", uid="S2", count=9),
        ],
    )
    assert item_score(result, "S1", 1, "2") == D(1)
    assert item_score(result, "S2", 1, "2") == D(0)


def test_item_3_lagging_villages_not_all_turned_around_scores_nothing() -> None:
    result = compute(
        months=[1], findings=[finding("3", met=False), finding("3", uid="S2", met=True)]
    )
    assert item_score(result, "S1", 1, "3") == D(0)
    assert item_score(result, "S2", 1, "3") == D(2)


def test_item_6_target_of_8_with_11_new_organizations_scores_4_plus_3() -> None:
    result = compute(
        months=[12],
        targets=[{"unit": "S1", "item": "6", "target": 8}],
        findings=[finding("6", month=12, count=11)],
    )
    assert item_score(result, "S1", 12, "6") == D(7)
    assert month_score(result, "S1", 12) == D(103)  # bonus item may exceed its weight


def test_item_6_over_target_bonus_is_capped_at_three_and_short_deducts_per_unit() -> None:
    targets = [{"unit": u, "item": "6", "target": 8} for u in ("S1", "S2", "S3")]
    result = compute(
        months=[12],
        targets=targets,
        findings=[
            finding("6", month=12, count=20),
            finding("6", month=12, uid="S2", count=10),
            finding("6", month=12, uid="S3", count=5),
        ],
    )
    assert item_score(result, "S1", 12, "6") == D(7)  # over by 12: +3 only
    assert item_score(result, "S2", 12, "6") == D(6)  # over by 2: +2
    assert item_score(result, "S3", 12, "6") == D(1)  # short by 3: −3


def test_target_count_compares_with_what_is_due_by_that_month() -> None:
    # pro rata: 8 × 6 ÷ 12 = 4 due by June; 3 achieved by then (1 in March, 2 in June)
    result = compute(
        months=[3, 6],
        targets=[{"unit": "S1", "item": "6", "target": 8}],
        findings=[finding("6", month=3, count=1), finding("6", month=6, count=2)],
    )
    assert item_score(result, "S1", 3, "6") == D(3)  # due 2, achieved 1: −1
    assert item_score(result, "S1", 6, "6") == D(3)  # due 4, achieved 3: −1


def test_letter_schedule_replaces_pro_rata() -> None:
    target = {"unit": "S1", "item": "6", "target": 8, "schedule": {6: 1, 12: 8}}
    result = compute(months=[3, 6], targets=[target], findings=[finding("6", month=6, count=1)])
    assert item_score(result, "S1", 3, "6") == D(4)  # nothing due before June
    assert item_score(result, "S1", 6, "6") == D(4)


def test_item_7_ten_things_neither_arranged_nor_done_cannot_go_below_zero() -> None:
    result = compute(
        months=[1],
        findings=[
            finding("7", checks={"not_arranged": 1, "not_carried_out": 10}),
            finding("7", uid="S2", checks={"not_carried_out": 3}),
        ],
    )
    assert item_score(result, "S1", 1, "7") == D(0)
    assert item_score(result, "S2", 1, "7") == D("3.4")  # 4 − 0.6: no drift


def test_discretionary_deduction_at_the_assessors_judgement() -> None:
    result = compute(months=[1], findings=[finding("8", deduction="1.5")])
    assert item_score(result, "S1", 1, "8") == D("2.5")


def test_floor_is_explained_so_the_lines_still_add_up() -> None:
    result = compute(months=[1], findings=[finding("2", count=9)])
    line = next(c for c in result.month_line("S1", 1).children if c.label.startswith("第2项"))
    assert line.amount == D(-4)
    assert sum(c.amount for c in line.children) == D(-4)  # −9 deducted, +5 floor


def test_joint_item_scores_each_departments_share_separately() -> None:
    result = compute(
        months=[1],
        findings=[
            finding("22", department="cadre", count=3),  # cadre's share is 1: floored at 0
            finding("22", department="org", count=1),  # org's share is 2: 1 left
        ],
    )
    assert item_score(result, "S1", 1, "22") == D(3)  # 1 (talent) + 1 (office) + 0 + 1


ORGAN = unit("D1", "district", "organ")
AFFILIATED = unit("D2", "district", "affiliated")


def test_organ_units_grassroots_section_comes_from_the_sub_rubric_scaled_to_40() -> None:
    result = compute(
        units=[ORGAN, AFFILIATED],
        months=[1],
        findings=[
            finding("1", uid="D1", sub_item="2", checks={"no_plan": 1, "missing_meeting": 3}),
        ],
    )
    # sub-rubric 100 − 4 − 6 = 90 → 90 ÷ 100 × 40 = 36
    assert item_score(result, "D1", 1, "1") == D(36)
    assert month_score(result, "D1", 1) == D(96)


def test_affiliated_units_are_scored_jointly_twenty_and_twenty() -> None:
    result = compute(
        units=[ORGAN, AFFILIATED],
        months=[1],
        findings=[
            finding("2", uid="D2", department="org", sub_item="5", met=False),
            finding("2", uid="D2", department="organs_committee", sub_item="7", deduction="5"),
        ],
    )
    # org: (100 − 10) × 20/100 = 18; organs committee: (100 − 5) × 20/100 = 19
    assert item_score(result, "D2", 1, "2") == D(37)
