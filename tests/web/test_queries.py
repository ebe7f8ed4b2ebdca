"""Pages run a fixed number of queries however many units there are (no per-unit queries)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.monthly.services import mark_rest_clean, sheet_accept, sheet_submit
from kaohe.people.models import Unit

from .conftest import World


def add_units(n: int, start: int) -> None:
    Unit.objects.bulk_create(
        [
            Unit(code=f"X{i:03d}", name=f"加测街道{i}", category="street")
            for i in range(start, start + n)
        ]
        + [
            Unit(code=f"Y{i:03d}", name=f"加测机关{i}", category="district", kind="organ")
            for i in range(start, start + n)
        ]
    )


def queries(world: World, who: str, url: str) -> int:
    client = world.client(who)
    client.get(url)  # warm caches (scheme parse, session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(url).status_code == 200
    return len(captured)


def accept_org(world: World) -> None:
    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_accept(acting_user=world.users["office"], sheet=sheet)


def test_grid_ranking_month_and_unit_pages_do_not_grow_with_units(world: World) -> None:
    pages = [
        ("assessor_org", reverse("sheet", args=[world.sheet("org").pk])),
        ("office", reverse("ranking", args=[2014, 1])),
        ("office", reverse("cycle", args=[2014, 1])),
        ("unit_a", reverse("unit", args=[2014, "S1"])),
    ]
    accept_org(world)
    small = [queries(world, who, url) for who, url in pages]
    add_units(30, 0)
    large = [queries(world, who, url) for who, url in pages]
    assert small == large
    assert max(large) < 40
