"""The scheme loader: the built-in scheme is sound; every bad file fails with every error named."""

import copy
from typing import Any

import pytest
import yaml

from kaohe.engine import InputError, builtin_names, load_scheme, parse_scheme, scheme_from_data
from kaohe.engine.errors import say
from kaohe.engine.loader import read_scheme_text


def raw() -> dict[str, Any]:
    _, text = read_scheme_text("district-2014")
    data: dict[str, Any] = yaml.safe_load(text)
    return copy.deepcopy(data)


def errors_of(data: object) -> list[str]:
    with pytest.raises(InputError) as caught:
        scheme_from_data(data, "bad.yaml")
    assert caught.value.source == "bad.yaml"
    return [say(e, "en") for e in caught.value.errors]


def test_the_built_in_2014_scheme_loads_with_the_seeds_items() -> None:
    assert "district-2014" in builtin_names()
    scheme = load_scheme("district-2014")
    street = scheme.rubric("street")
    assert [i.number for i in street.sections[0].items][:9] == [str(n) for n in range(1, 10)]
    assert all(i.source == "seed" for i in street.sections[0].items[:9])
    assert sum(i.weight for i in street.sections[0].items[:9]) == 33
    assert street.total == 100 and scheme.achievements.cap == 50
    assert scheme.achievements.awards[0].levels == {"major": 20, "ordinary": 10}
    item6 = street.items()[5]
    assert item6.bonus and item6.remarks == "加分项" and item6.rule.kind == "target_count"
    grassroots = scheme.rubric("district").sections[0].items
    assert [(i.kinds, [(s.department, s.points) for s in i.departments]) for i in grassroots] == [
        (["organ"], [("organs_committee", 40)]),
        (["affiliated"], [("organs_committee", 20), ("org", 20)]),
    ]


def test_every_default_says_so() -> None:
    scheme = load_scheme("district-2014")
    for rubric in scheme.rubrics:
        for section in rubric.sections:
            for item in section.items:
                if section.source == "default":
                    assert item.source == "default", item.number
    assert all(f.source == "default" for f in scheme.faults.types)
    assert scheme.recognition.source == "default"


def test_not_yaml_and_not_a_mapping() -> None:
    with pytest.raises(InputError, match="不是有效的 YAML"):
        parse_scheme("a: [1, 2", "x.yaml")
    assert errors_of(["a list"]) == ["(top): a scheme must be a mapping of settings"]


def test_unknown_file_names_the_built_ins() -> None:
    with pytest.raises(InputError, match="内置:district-2014"):
        load_scheme("/no/such/scheme.yaml")


def test_field_errors_are_named_by_path() -> None:
    data = raw()
    data["rubrics"][0]["sections"][0]["items"][5]["rule"]["over_cap"] = -1
    data["recognition"]["min_ballots"] = 0
    data["achievements"]["awards"][0]["levels"] = {}
    del data["title"]
    errors = errors_of(data)
    assert (
        "rubrics[0].sections[0].items[5].rule.over_cap: Input should be greater than or equal to 0"
        in errors
    )
    assert any(e.startswith("recognition.min_ballots:") for e in errors)
    assert any(e.startswith("achievements.awards[0].levels:") for e in errors)
    assert "title: Field required" in errors


def test_unknown_rule_kind_and_unknown_field() -> None:
    data = raw()
    data["rubrics"][0]["sections"][0]["items"][0]["rule"] = {"kind": "lottery"}
    data["rubrics"][0]["sections"][0]["items"][1]["colour"] = "red"
    errors = errors_of(data)
    assert any(e.startswith("rubrics[0].sections[0].items[0].rule:") for e in errors)
    assert "rubrics[0].sections[0].items[1].colour: Extra inputs are not permitted" in errors


def test_sections_must_sum_to_the_total_and_items_to_their_section() -> None:
    data = raw()
    data["rubrics"][0]["sections"][0]["items"][0]["weight"] = 5
    data["rubrics"][0]["sections"][0]["items"][0]["departments"][0]["points"] = 5
    data["rubrics"][0]["sections"][1]["weight"] = 21
    errors = errors_of(data)
    assert "rubrics[0].sections[0].items: weights sum to 41, not the section's 40" in errors
    assert "rubrics[0].sections: weights sum to 101, not the total 100" in errors


def test_section_sums_are_checked_for_each_unit_kind() -> None:
    data = raw()
    data["rubrics"][1]["sections"][0]["items"][1]["kinds"] = ["organ"]
    errors = errors_of(data)
    assert (
        "rubrics[1].sections[0].items: weights for kind 'affiliated' sum to 0, not the section's 40"
        in errors
    )
    assert (
        "rubrics[1].sections[0].items: weights for kind 'organ' sum to 80, not the section's 40"
        in errors
    )


def test_shares_must_sum_to_the_weight_and_name_known_departments() -> None:
    data = raw()
    item = data["rubrics"][1]["sections"][0]["items"][1]
    item["departments"] = [
        {"department": "organs_committee", "points": 20},
        {"department": "nobody", "points": 10},
    ]
    errors = errors_of(data)
    assert (
        "rubrics[1].sections[0].items[1].departments[1].department: unknown department 'nobody'"
        in errors
    )
    assert (
        "rubrics[1].sections[0].items[1].departments: shares sum to 30, not the weight 40" in errors
    )


def test_references_and_duplicates() -> None:
    data = raw()
    data["categories"][0]["rubric"] = "missing"
    data["departments"].append({"key": "org", "name": "again"})
    data["rubrics"][0]["sections"][0]["items"][1]["number"] = "1"
    data["rubrics"][1]["sections"][0]["items"][0]["rule"]["rubric"] = "district"
    data["rubrics"][1]["sections"][0]["items"][0]["kinds"] = ["nokind"]
    data["faults"]["types"][0]["key"] = data["faults"]["types"][1]["key"]
    errors = errors_of(data)
    assert "categories[0].rubric: unknown rubric 'missing'" in errors
    assert "departments: duplicate key 'org'" in errors
    assert "rubrics[0]: duplicate item number '1'" in errors
    assert (
        "rubrics[1].sections[0].items[0].rule.rubric: unknown or circular rubric 'district'"
        in errors
    )
    assert (
        "rubrics[1].sections[0].items[0].kinds: unknown unit kind 'nokind' for this rubric"
        in errors
    )
    assert any(e.startswith("faults.types: duplicate key") for e in errors)


def test_bonus_only_on_target_items_and_nested_sub_rubrics_refused() -> None:
    data = raw()
    data["rubrics"][0]["sections"][0]["items"][0]["bonus"] = True
    data["rubrics"][0]["sections"][0]["items"][5]["bonus"] = False
    data["rubrics"][2]["sections"][0]["items"][6]["rule"] = {
        "kind": "sub_rubric",
        "rubric": "street",
    }
    errors = errors_of(data)
    assert (
        "rubrics[0].sections[0].items[0].bonus: only a target_count item can score beyond its weight"
        in errors
    )
    assert (
        "rubrics[0].sections[0].items[5].bonus: over-target points need a bonus item (加分项)"
        in errors
    )
    assert (
        "rubrics[1].sections[0].items[0].rule.rubric: a sub-rubric may not nest another" in errors
    )


def test_recognition_weights_must_sum_to_one_per_category() -> None:
    data = raw()
    data["recognition"]["groups"][0]["weight"] = 0.5
    data["recognition"]["groups"][1]["weight_by_category"] = {"street": 0.1, "nowhere": 0.2}
    errors = errors_of(data)
    assert "recognition.groups: weights for category 'district' sum to 1.2, not 1" in errors
    assert "recognition.groups: weights for category 'street' sum to 1.0, not 1" not in errors
    assert "recognition.groups[1].weight_by_category: unknown category 'nowhere'" in errors


def test_weighted_annual_target_needs_weights_and_general_faults_need_points() -> None:
    data = raw()
    data["annual_target"]["method"] = "weighted"
    data["faults"]["types"][6]["points"] = 0
    errors = errors_of(data)
    assert "annual_target.month_weights: required when method is 'weighted'" in errors
    assert "faults.types[6].points: a general fault must deduct points" in errors
