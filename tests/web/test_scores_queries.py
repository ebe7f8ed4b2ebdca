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


def test_no_monthly_page_writes_on_get(world: World) -> None:
    """Reading never writes: escalations are raised when a sheet is accepted (a POST), not
    when a page that shows them is read."""
    from django.db import connection
    from django.test.utils import CaptureQueriesContext

    accept_org(world)
    org = world.sheet("org").pk
    pages = [
        ("assessor_org", reverse("sheet", args=[org])),
        ("assessor_org", reverse("cell", args=[org, "S1", "1"])),
        ("assessor_org", reverse("sheet-xlsx", args=[org])),
        ("assessor_org", reverse("sheet-submit", args=[org])),
        ("office", reverse("cycle", args=[2014, 1])),
        ("office", reverse("ranking", args=[2014, 1])),
        ("office", reverse("ranking-xlsx", args=[2014, 1])),
        ("office", reverse("escalations", args=[2014])),
        ("office", reverse("targets", args=[2014])),
        ("office", reverse("sheet-accept", args=[org])),
        ("unit_a", reverse("unit", args=[2014, "S1"])),
    ]
    for who, url in pages:
        client = world.client(who)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code in (200, 302), url
        writes = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(("INSERT", "UPDATE", "DELETE"))
            and "django_session" not in q["sql"]
        ]
        assert writes == [], (url, writes)
