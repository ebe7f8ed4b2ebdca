"""The monthly pages run a fixed number of queries however many units there are."""

from __future__ import annotations

from django.urls import reverse

from kaohe.monthly.models import EscalationCase

from .conftest import World
from .test_queries import accept_org, add_units, queries


def test_monthly_pages_do_not_grow_with_units(world: World) -> None:
    accept_org(world)
    EscalationCase.objects.create(
        year=world.year, unit=world.units["S3"], action="talk", month=1, months=[1]
    )
    org = world.sheet("org").pk
    cadre = world.sheet("cadre").pk
    pages = [
        ("assessor_org", reverse("sheet", args=[org])),
        ("assessor_org", reverse("cell", args=[org, "S1", "1"])),
        ("assessor_org", reverse("cell", args=[org, "D2", "2"])),  # a sub-rubric cell
        ("assessor_cadre", reverse("sheet", args=[cadre])),
        ("office", reverse("cycle", args=[2014, 1])),
        ("office", reverse("ranking", args=[2014, 1]) + "?as_of=2014-01-31"),
        ("office", reverse("escalations", args=[2014])),
        ("office", reverse("targets", args=[2014])),
        ("office", reverse("year", args=[2014])),
        ("unit_a", reverse("unit", args=[2014, "S1"]) + "?month=1"),
    ]
    small = [queries(world, who, url) for who, url in pages]
    add_units(30, 0)
    large = [queries(world, who, url) for who, url in pages]
    assert small == large
    assert max(large) < 40
