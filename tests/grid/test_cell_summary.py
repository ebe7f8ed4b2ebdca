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


def test_saving_a_large_deduction_says_it_waits_for_a_second_person(world) -> None:  # type: ignore[no-untyped-def]
    from django.urls import reverse

    sheet = world.sheet("org")
    client = world.client("assessor_org")
    url = reverse("cell", args=[sheet.pk, "S1", "8"])
    small = client.post(url, {"c0-deduction": "1", "c0-reason": "资料不全"}, follow=True)
    assert "须经第二人" not in small.content.decode()
    large = client.post(url, {"c0-deduction": "4", "c0-reason": "未开展"}, follow=True)
    assert large.status_code == 200
    text = large.content.decode()
    assert "须经第二人(区绩效办或本科室负责人)复核确认后才计入" in text
