"""Facts are checked against the scheme before anything is computed; all errors are listed."""

import pytest

from kaohe.engine import InputError, compute_year
from kaohe.engine.errors import say

from .helpers import facts, scheme, unit


def errors_for(**parts: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        compute_year(scheme(), facts(**parts))  # type: ignore[arg-type]
    return [say(e, "en") for e in caught.value.errors]


def test_units_need_a_known_category_and_the_right_kind() -> None:
    errors = errors_for(
        units=[
            unit("A", "village"),
            unit("B", "district"),
            unit("C", "street", "organ"),
            unit("C", "street"),
        ]
    )
    assert "units: duplicate unit id 'C'" in errors
    assert "units[0].category: unknown category 'village'" in errors
    assert "units[1].kind: must be one of ['affiliated', 'organ'] for 'district'" in errors
    assert "units[2].kind: category 'street' has no kinds" in errors


def test_findings_must_fit_their_items_rule() -> None:
    errors = errors_for(
        months=[1, 2],
        findings=[
            {"month": 1, "unit": "S9", "item": "1"},
            {"month": 1, "unit": "S1", "item": "99"},
            {"month": 1, "unit": "S1", "item": "1", "count": 2},
            {"month": 1, "unit": "S1", "item": "1", "checks": {"no_plan": 2, "bogus": 1}},
            {"month": 1, "unit": "S1", "item": "7", "checks": {"not_carried_out": 11}},
            {"month": 1, "unit": "S1", "item": "8", "deduction": "5", "reason": "x"},
            {"month": 1, "unit": "S1", "item": "8", "deduction": "1"},
            {"month": 1, "unit": "S1", "item": "22", "count": 1},
            {"month": 3, "unit": "S1", "item": "2", "count": 1},
        ],
    )
    assert "findings[0].unit: unknown unit 'S9'" in errors
    assert "findings[1].item: no item '99' applies to unit 'S1'" in errors
    assert "findings[2].checks: required for a checks item" in errors
    assert "findings[2].count: not used by a checks item" in errors
    assert "findings[3].checks.no_plan: occurs once or not at all" in errors
    assert "findings[3].checks.bogus: unknown check of item '1'" in errors
    assert "findings[4].checks.not_carried_out: at most 10" in errors
    assert "findings[5].deduction: at most the weight 4" in errors
    assert "findings[6].reason: a discretionary deduction needs a reason" in errors
    assert "findings[7].department: item '22' is scored jointly; name the share" in errors
    assert "findings[8].month: month 3 is not among the months assessed" in errors


def test_a_department_never_scores_its_own_unit() -> None:
    errors = errors_for(
        units=[unit("S1", departments=["org"])],
        months=[1],
        findings=[{"month": 1, "unit": "S1", "item": "2", "count": 1}],
    )
    assert errors == ["findings[0].department: 'org' may not score its own unit"]


def test_sub_rubric_findings_name_a_sub_item() -> None:
    errors = errors_for(
        units=[unit("D1", "district", "organ")],
        months=[1],
        findings=[
            {"month": 1, "unit": "D1", "item": "1", "count": 1},
            {"month": 1, "unit": "D1", "item": "2", "sub_item": "3", "count": 1},
            {"month": 1, "unit": "D1", "item": "11", "sub_item": "3", "checks": {"not_held": 1}},
        ],
    )
    assert "findings[0].sub_item: name an item of sub-rubric 'organs'" in errors
    assert "findings[1].item: no item '2' applies to unit 'D1'" in errors  # affiliated only
    assert "findings[2].sub_item: item '11' has no sub-rubric" in errors


def test_targets_declarations_and_ballots_are_checked() -> None:
    errors = errors_for(
        months=[1],
        targets=[
            {"unit": "S1", "item": "1", "target": 3},
            {"unit": "S1", "item": "6", "target": 8, "schedule": {6: 5, 12: 4}},
        ],
        achievements=[
            {"unit": "S1", "award": "innovation", "level": "national", "content": "a"},
            {"unit": "S1", "award": "prize", "level": "x", "content": "a"},
        ],
        faults=[{"unit": "S1", "type": "jaywalking"}],
        recognition=[{"unit": "S1", "group": "aliens", "counts": {"很好": 1}}],
    )
    assert "targets[0].item: item '1' takes no target" in errors
    assert "targets[1].schedule: cumulative numbers must not decrease" in errors
    assert (
        "achievements[0].level: 'national' is not a level of 'innovation' (major, ordinary)"
        in errors
    )
    assert "achievements[1].award: unknown award type 'prize'" in errors
    assert "faults[0].type: unknown fault type 'jaywalking'" in errors
    assert "recognition[0].group: unknown rater group 'aliens'" in errors
    assert "recognition[0].counts.很好: unknown option" in errors


def test_facts_of_another_year_are_refused() -> None:
    with pytest.raises(InputError, match="考核数据是 2015 年的"):
        compute_year(scheme(), facts().model_copy(update={"year": 2015}))
