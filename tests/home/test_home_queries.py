"""Home pages run a fixed number of queries, however many units, sheets, months and
declarations there are."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from kaohe.monthly.models import Sheet
from kaohe.monthly.services import cycle_open
from kaohe.people.models import Unit
from kaohe.yearend.models import Declaration
from kaohe.yearend.services import window_set

from .conftest import World

ROLES = ["office", "leader", "assessor_org", "unit_a"]


def queries(world: World, who: str) -> int:
    client = world.client(who)
    client.get(reverse("home"))  # warm caches (scheme parse, session)
    with CaptureQueriesContext(connection) as captured:
        assert client.get(reverse("home")).status_code == 200
    return len(captured)


def grow(world: World, units: int, months: list[int]) -> None:
    """More units, months and sheets in every state, and declarations of every unit."""
    office = world.users["office"]
    start = Unit.objects.count()
    Unit.objects.bulk_create(
        [
            Unit(code=f"X{i:03d}", name=f"加测街道{i}", category="street")
            for i in range(start, start + units)
        ]
    )
    for month in months:
        cycle_open(acting_user=office, year=world.year, month=month)
    sheets = list(Sheet.objects.filter(cycle__year=world.year).order_by("id"))
    for i, sheet in enumerate(sheets):
        sheet.status = [Sheet.Status.SUBMITTED, Sheet.Status.RETURNED, Sheet.Status.ACCEPTED][i % 3]
        sheet.return_reason = "请补充依据" if sheet.status == Sheet.Status.RETURNED else ""
    Sheet.objects.bulk_update(sheets, ["status", "return_reason"])
    Declaration.objects.bulk_create(
        [
            Declaration(
                year=world.year,
                unit=unit,
                kind=kind,
                award="innovation",
                level="major",
                fault_type="meeting_absent",
                description="加测",
                created_by=office,
            )
            for unit in Unit.objects.all()
            for kind in ("achievement", "fault")
        ]
    )


@pytest.mark.parametrize("who", ROLES)
def test_the_home_page_does_not_grow_with_units_sheets_and_declarations(
    world: World, who: str
) -> None:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    grow(world, units=2, months=[2])
    small = queries(world, who)
    grow(world, units=40, months=[3, 4, 5, 6])
    large = queries(world, who)
    assert small == large, who
    assert large < 30
