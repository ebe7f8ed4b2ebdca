"""Pages with charts run a fixed number of queries however many units there are, and a page
served from the results cache reads no entry rows (only the key's aggregates)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from tests.web.conftest import World
from tests.web.test_monthly import score, submit_and_accept
from tests.web.test_queries import add_units


def captured(world: World, who: str, url: str) -> list[str]:
    client = world.client(who)
    assert client.get(url).status_code == 200  # computes and caches the year
    with CaptureQueriesContext(connection) as queries:
        assert client.get(url).status_code == 200
    return [q["sql"] for q in queries.captured_queries]


def pages(world: World) -> list[tuple[str, str]]:
    year = world.year.year
    return [
        ("office", reverse("home")),
        ("unit_a", reverse("unit", args=[year, "S1"])),
        ("leader", reverse("unit", args=[year, "S2"])),
        ("office", reverse("results", args=[year])),
    ]


def test_chart_pages_do_not_grow_with_units(world: World) -> None:
    score(world, values={"checks": {"missing_material": 1}}, reason="缺花名册")
    submit_and_accept(world)
    small = [len(captured(world, who, url)) for who, url in pages(world)]
    add_units(30, 0)
    large = [len(captured(world, who, url)) for who, url in pages(world)]
    assert small == large
    assert max(large) < 45


def test_a_cached_page_reads_no_entry_rows(world: World) -> None:
    score(world, values={"checks": {"missing_material": 1}}, reason="缺花名册")
    submit_and_accept(world)
    for who, url in pages(world)[:3]:
        entry_reads = [sql for sql in captured(world, who, url) if 'FROM "monthly_entry"' in sql]
        # the key's one aggregate over the accepted sheets' entries, nothing else
        assert len(entry_reads) == 1, (url, entry_reads)
        assert "COUNT(" in entry_reads[0]
