"""Year-end pages read without writing: before anything has happened in a year's closing,
opening its pages creates no row (the closing is created by the first change)."""

from __future__ import annotations

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.yearend.models import Closing

from .conftest import World

WRITES = ("INSERT", "UPDATE", "DELETE")


def test_no_year_end_page_writes_on_get(world: World) -> None:
    assert not Closing.objects.filter(year=world.year).exists()
    pages = [
        ("office", reverse("declarations", args=[2014])),
        ("unit_a", reverse("declarations", args=[2014])),
        ("office", reverse("results", args=[2014])),
        ("leader", reverse("results", args=[2014])),
        ("office", reverse("evaluation", args=[2014])),
        ("office", reverse("use", args=[2014])),
    ]
    for who, url in pages:
        client = world.client(who)
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url).status_code in (200, 302, 403, 404), url
        writes = [
            q["sql"]
            for q in captured.captured_queries
            if q["sql"].lstrip().upper().startswith(WRITES) and "django_session" not in q["sql"]
        ]
        assert writes == [], (url, writes)
    assert not Closing.objects.filter(year=world.year).exists()
