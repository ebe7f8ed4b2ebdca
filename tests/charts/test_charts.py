"""Chart data: exact figures (two places, as strings), the same rows in chart and table, and
who sees which chart."""

from __future__ import annotations

from decimal import Decimal

from django.urls import reverse

from kaohe.monthly.selectors import year_result
from kaohe.web.charts import office_charts, totals_distribution, two, unit_trend
from tests.web.conftest import World
from tests.web.test_monthly import score, submit_and_accept


def test_two_places_round_half_up_and_keep_the_sign() -> None:
    assert two(Decimal("93.415")) == "93.42"
    assert two(Decimal("93.4166666667")) == "93.42"
    assert two(Decimal("-2")) == "-2.00"
    assert two(Decimal("0.005")) == "0.01"


def scored(world: World):  # type: ignore[no-untyped-def]
    # 组织科: S1 item 1 two missing materials (−1.0), S2 item 1 one (−0.5); 干部科's item 22
    # share (1 point) is not scored here: only the accepted 组织科 sheet counts
    score(world, values={"checks": {"missing_material": 2}}, reason="缺两项")
    score(world, unit="S2", values={"checks": {"missing_material": 1}}, reason="缺一项")
    submit_and_accept(world)


def test_points_lost_by_item_and_department_sum_the_units_exactly(world: World) -> None:
    scored(world)
    charts = {c.key: c for c in office_charts(world.year)}
    assert set(charts) == {
        "lost-items-month",
        "lost-departments-month",
        "lost-items-year",
        "lost-departments-year",
    }
    # 1.0 + 0.5 on item 1 of the streets' rubric, all of it 组织科's
    assert charts["lost-items-month"].rows == [["街道 item 1 干部教育培训", "1.50"]]
    assert charts["lost-departments-month"].rows == [["组织科", "1.50"]]
    assert charts["lost-items-year"].data["values"] == ["1.50"]
    assert charts["lost-departments-year"].data["labels"] == ["组织科"]


def test_no_complete_month_no_office_charts(world: World) -> None:
    assert office_charts(world.year) == [] or all(not c.rows for c in office_charts(world.year))


def test_a_units_trend_against_its_categorys_median(world: World) -> None:
    scored(world)
    chart = unit_trend(year_result(world.year), "S1")
    # streets S1..S4 in month 1: 99, 99.5, 100, 100 → median (99.5 + 100) / 2 = 99.75
    assert chart.rows == [["Month 1", "99.00", "99.75", "4 / 4"]]
    assert chart.data["score"] == ["99.00"] and chart.data["median"] == ["99.75"]
    assert chart.data["rank"] == [4] and chart.data["rank_max"] == 4  # the axis: 1 … 4


def test_the_spread_of_totals_with_the_advanced_cut_off(world: World) -> None:
    figures = {
        "annual": {
            "street": [
                {"unit": "S1", "rank": 1},
                {"unit": "S2", "rank": 2},
                {"unit": "S3", "rank": 3},
                {"unit": "S4", "rank": 4},
            ]
        },
        "units": {
            "S1": {"total": "101.25"},
            "S2": {"total": "99"},
            "S3": {"total": "95"},
            "S4": {"total": "90.5"},
        },
        "results_use": {"street": {"quota": 1, "advanced": [{"unit": "S1", "rank": 1}]}},
    }
    (chart,) = totals_distribution(world.year, figures)
    # 90.5 … 101.25: 10.75 points → bands 2 wide (⌈10.75 / 10⌉) from 90
    assert chart.rows == [
        ["90–92", "0", "1"],
        ["92–94", "0", "0"],
        ["94–96", "0", "1"],
        ["96–98", "0", "0"],
        ["98–100", "0", "1"],
        ["100–102", "1", "0"],
    ]
    assert chart.data["cut"] == "101.25" and chart.data["cut_band"] == 5


def test_the_office_home_shows_the_charts_and_a_unit_home_does_not(world: World) -> None:
    scored(world)
    office = world.client("office").get(reverse("home"))
    assert b'id="office-charts"' in office.content
    assert b"vendor/echarts.min.js" in office.content
    assert b'id="chart-data-lost-items-month"' in office.content
    unit = world.client("unit_a").get(reverse("home"))
    assert b"office-charts" not in unit.content


def test_a_unit_sees_its_own_trend_but_not_another_units(world: World) -> None:
    scored(world)
    year = world.year.year
    own = world.client("unit_a").get(reverse("unit", args=[year, "S1"]))
    assert own.status_code == 200 and b'id="chart-unit-trend"' in own.content
    assert b"99.75" in own.content
    other = world.client("unit_a").get(reverse("unit", args=[year, "S2"]))
    assert other.status_code in (403, 404)
    assert b"chart-unit-trend" not in other.content


def test_the_results_page_and_its_charts_are_refused_to_units_and_assessors(world: World) -> None:
    url = reverse("results", args=[world.year.year])
    for who in ("unit_a", "assessor_org"):
        response = world.client(who).get(url)
        assert response.status_code == 403
        assert b"totals-charts" not in response.content
    assert world.client("leader").get(url).status_code == 200
