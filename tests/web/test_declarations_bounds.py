"""Declarations are bounded once (engine.limits): a value the engine would refuse is a field
message, never a stored row and never an HTTP 500 on a year-end page."""

from __future__ import annotations

import importlib
from typing import Any

import pytest
from django.db import DataError, IntegrityError, transaction
from django.urls import reverse

from kaohe.engine import limits
from kaohe.yearend.models import Declaration
from kaohe.yearend.selectors import year_end_result
from kaohe.yearend.services import (
    YearEndError,
    closing_compute,
    declaration_decide,
    declaration_submit,
    window_set,
)

from .closing_helpers import make_ready
from .conftest import World

ACHIEVEMENT = {
    "action": "achievement",
    "award_level": "innovation:major",
    "content": "网格党建",
    "document_no": "区组发〔2014〕30号",
    "document_date": "2014-06-01",
    "description": "获评重大创新项目",
}
FAULT = {
    "action": "fault",
    "fault_type": "report_late",
    "occurrences": "2",
    "occurred_on": "2014-03-02",
    "description": "迟报组工信息",
}


def open_window(world: World) -> None:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)


def year_end_pages(world: World, pk: int) -> dict[str, str]:
    return {
        "declarations": reverse("declarations", args=[2014]),
        "declaration": reverse("declaration", args=[pk]),
        "results": reverse("results", args=[2014]),
        "annual-unit": reverse("annual-unit", args=[2014, "S1"]),
        "unit": reverse("unit", args=[2014, "S1"]),
    }


def test_a_65_character_content_is_a_field_error_and_every_year_end_page_answers(
    world: World,
) -> None:
    open_window(world)
    unit = world.client("unit_a")
    url = reverse("declarations", args=[2014])
    too_long = "创" * (limits.REF_MAX + 1)
    response = unit.post(url, ACHIEVEMENT | {"content": too_long})
    page = response.content.decode()
    assert response.status_code == 400
    assert not Declaration.objects.exists()
    assert "不超过 64 字符" in page  # Django's Chinese max_length message, by the field
    assert "获评重大创新项目" in page and too_long in page  # what was typed is kept
    # exactly at the limit: stored, accepted, and every page (and compute) still answers
    assert unit.post(url, ACHIEVEMENT | {"content": "创" * limits.REF_MAX}).status_code == 302
    declaration = Declaration.objects.get()
    declaration_decide(
        acting_user=world.users["office"], declaration=declaration, accept=True, reason="已核对原件"
    )
    assert year_end_result(world.year).units["S1"].b.amount == 20
    for who in ("office", "leader", "unit_a"):
        client = world.client(who)
        for name, page_url in year_end_pages(world, declaration.pk).items():
            if who == "unit_a" and name in ("results", "annual-unit"):
                continue  # the office's and the leaders' pages
            assert client.get(page_url).status_code == 200, (who, name)
    compute = world.client("office").post(reverse("results", args=[2014]), {"action": "compute"})
    assert compute.status_code < 500


HOSTILE: list[tuple[str, dict[str, str], str]] = [
    ("achievement", {"content": "网格\n党建"}, "content"),
    ("achievement", {"content": "网格\u202e党建"}, "content"),
    ("achievement", {"content": "网格\x00党建"}, "content"),
    ("achievement", {"document_no": "号" * (limits.LINE_MAX + 1)}, "document_no"),
    ("achievement", {"document_date": "2014-13-45"}, "document_date"),
    ("achievement", {"award_level": "innovation:national"}, "award_level"),
    ("achievement", {"award_level": "\x00"}, "award_level"),
    ("achievement", {"description": "述" * (limits.TEXT_MAX + 1)}, "description"),
    ("achievement", {"description": "述\x07"}, "description"),
    ("achievement", {"description": "   "}, "description"),
    ("fault", {"occurrences": "abc"}, "occurrences"),
    ("fault", {"occurrences": "1e5"}, "occurrences"),
    ("fault", {"occurrences": "9" * 5000}, "occurrences"),
    ("fault", {"occurrences": str(limits.OCCURRENCES_MAX + 1)}, "occurrences"),
    ("fault", {"occurrences": "0"}, "occurrences"),
    ("fault", {"occurrences": "-1"}, "occurrences"),
    ("fault", {"fault_type": "no_such_fault"}, "fault_type"),
    ("fault", {"description": "\u2066隐藏\u2069"}, "description"),
]


@pytest.mark.parametrize(("kind", "bad", "field"), HOSTILE)
def test_a_hostile_value_is_a_message_by_its_field_never_a_500(
    world: World, kind: str, bad: dict[str, str], field: str
) -> None:
    open_window(world)
    data = (ACHIEVEMENT if kind == "achievement" else FAULT) | bad
    response = world.client("unit_a").post(reverse("declarations", args=[2014]), data)
    assert response.status_code == 400
    assert not Declaration.objects.exists()
    form = response.context["achievement_form" if kind == "achievement" else "fault_form"]
    assert list(form.errors) == [field]
    page = response.content.decode()
    assert 'class="invalid-feedback' in page
    kept = "获评重大创新项目" if kind == "achievement" else "迟报组工信息"
    assert kept in page or field == "description"


@pytest.mark.parametrize(
    "bad",
    [
        {"unit": "abc"},
        {"unit": "9" * 30},
        {"unit": ""},
        {"occurrences": "1e-400"},
        {"occurrences": "1" * 100_000},
        {"description": "x" * (limits.TEXT_MAX + 1)},
    ],
)
def test_the_office_fault_form_and_its_preview_refuse_hostile_values(
    world: World, bad: dict[str, str]
) -> None:
    client = world.client("office")
    url = reverse("declarations", args=[2014])
    data: dict[str, Any] = FAULT | {"unit": world.units["S2"].pk} | bad
    for action in ("preview-fault", "fault"):
        response = client.post(url, data | {"action": action})
        assert response.status_code == 400, action
        assert list(response.context["office_fault_form"].errors) == [next(iter(bad))]
    assert not Declaration.objects.exists()


def test_the_services_and_the_database_refuse_out_of_bound_values_too(world: World) -> None:
    open_window(world)
    user = world.users["unit_a"]
    base = {"kind": "fault", "fault_type": "report_late", "description": "迟报"}
    for bad in (
        {"occurrences": limits.OCCURRENCES_MAX + 1},
        {"description": "x" * (limits.TEXT_MAX + 1)},
    ):
        with pytest.raises(YearEndError):
            declaration_submit(acting_user=user, year=world.year, unit=user.unit, **base | bad)
    with pytest.raises(YearEndError):
        declaration_submit(
            acting_user=user,
            year=world.year,
            unit=user.unit,
            kind="achievement",
            award="innovation",
            level="major",
            content="x" * (limits.REF_MAX + 1),
            description="d",
        )
    assert not Declaration.objects.exists()
    row = {"year": world.year, "unit": world.units["S1"], "created_by": user}
    for bad in (
        {"content": "x" * (limits.REF_MAX + 1)},
        {"description": "x" * (limits.TEXT_MAX + 1)},
        {"occurrences": limits.OCCURRENCES_MAX + 1},
        {"occurrences": 0},
    ):
        with pytest.raises((IntegrityError, DataError)), transaction.atomic():
            Declaration.objects.create(**row | {"kind": "fault", "description": "d"} | bad)


def test_stored_rows_out_of_bounds_are_brought_within_them_by_the_migration() -> None:
    migration = importlib.import_module("kaohe.yearend.migrations.0003_declarations_normalize")
    row = {
        "content": "内" * 100,
        "document_no": "号" * 300,
        "description": "述\x00" + "x" * 5000,
        "decision_reason": "",
        "occurrences": 5000,
    }
    changes = migration.normalized(row)
    assert len(changes["content"]) == limits.REF_MAX
    assert changes["content"].startswith("内" * 56 + "~")
    assert len(changes["document_no"]) == limits.LINE_MAX
    assert len(changes["description"]) == limits.TEXT_MAX and "\x00" not in changes["description"]
    assert changes["occurrences"] == limits.OCCURRENCES_MAX
    # different long contents stay different, equal ones equal (one content counts once)
    other = migration.normalized(row | {"content": "内" * 99 + "外"})
    assert other["content"] != changes["content"]
    assert migration.normalized(dict(row))["content"] == changes["content"]
    # a row within the bounds is left alone
    fine = {**row, "content": "网格", "document_no": "", "description": "d", "occurrences": 3}
    assert migration.normalized(fine) == {}
    # the full content survives in the description when it had to be shortened
    short = migration.normalized(row | {"description": "d"})
    assert short["description"].endswith("内" * 100)


def test_compute_takes_an_accepted_declaration_at_every_bound(world: World) -> None:
    open_window(world)
    user = world.users["unit_a"]
    d = declaration_submit(
        acting_user=user,
        year=world.year,
        unit=user.unit,
        kind="fault",
        fault_type="report_late",
        occurrences=limits.OCCURRENCES_MAX,
        description="述" * limits.TEXT_MAX,
    )
    declaration_decide(
        acting_user=world.users["office"], declaration=d, accept=True, reason="已核对原件"
    )
    assert year_end_result(world.year).units["S1"].f.amount > 0
    make_ready(world)
    closing_compute(acting_user=world.users["office"], year=world.year)
