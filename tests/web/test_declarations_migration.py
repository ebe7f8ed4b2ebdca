"""Declarations stored before the bounds: the migration brings them within them, so the
year-end pages answer again."""

from __future__ import annotations

import pytest
from django.db import connection
from django.db.migrations.executor import MigrationExecutor
from django.urls import reverse

from kaohe.engine import limits
from kaohe.yearend.models import Declaration
from kaohe.yearend.selectors import year_end_result

from .conftest import build_world

BEFORE = [("yearend", "0002_declaration_labels")]


@pytest.mark.django_db(transaction=True)
def test_an_over_long_accepted_declaration_is_shortened_and_the_pages_answer() -> None:
    world = build_world()
    executor = MigrationExecutor(connection)
    latest = executor.loader.graph.leaf_nodes("yearend")
    executor.migrate(BEFORE)
    old = executor.loader.project_state(BEFORE).apps.get_model("yearend", "Declaration")
    long_content = "创" * 90
    row = old.objects.create(
        year_id=world.year.pk,
        unit_id=world.units["S1"].pk,
        kind="achievement",
        award="innovation",
        level="major",
        content=long_content,
        description="述" * 5000,
        status="accepted",
        created_by_id=world.users["unit_a"].pk,
    )
    executor = MigrationExecutor(connection)
    executor.migrate(latest)
    d = Declaration.objects.get(pk=row.pk)
    assert len(d.content) == limits.REF_MAX and d.content.startswith("创" * 56 + "~")
    assert len(d.description) == limits.TEXT_MAX and d.version == 1
    assert year_end_result(world.year).units["S1"].b.amount == 20
    office = world.client("office")
    for url in (
        reverse("declarations", args=[2014]),
        reverse("declaration", args=[d.pk]),
        reverse("results", args=[2014]),
        reverse("annual-unit", args=[2014, "S1"]),
    ):
        assert office.get(url).status_code == 200, url
