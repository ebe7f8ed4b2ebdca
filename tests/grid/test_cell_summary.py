"""A cell's badge: what it takes, to two decimals, never more than the item's points."""

from kaohe.engine import load_scheme
from kaohe.web.display import cell_summary


def _item(number: str):  # type: ignore[no-untyped-def]
    rubric = load_scheme("district-2014").rubric("street")
    return next(i for i in rubric.items() if i.number == number)


def test_a_badge_shows_two_decimals_and_stops_at_the_items_points() -> None:
    item = _item("1")  # 4 points: 0.5 per missing kind of material
    assert cell_summary(item, {"checks": {"missing_material": 3}}) == "−1.50"
    assert cell_summary(item, {"checks": {"missing_material": 20}}) == "−4.00"  # not −10
    assert cell_summary(_item("8"), {"deduction": "1.25"}) == "−1.25"
