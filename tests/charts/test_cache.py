"""The results cache: one computation per set of inputs, a new one after any change to them,
whether or not the change went through the ORM's signals."""

from __future__ import annotations

from decimal import Decimal

from django.utils import timezone

from kaohe.monthly import selectors
from kaohe.monthly.models import Entry, Sheet
from kaohe.monthly.selectors import year_result
from kaohe.people.models import Unit
from kaohe.years.models import Target
from tests.web.conftest import World
from tests.web.test_monthly import score, submit_and_accept

S1_MONTH = ("S1", 1)


def accepted_with_a_deduction(world: World):  # type: ignore[no-untyped-def]
    # item 1 (checks): one missing material costs 0.5 → S1's month 1 is 99.5
    score(world, values={"checks": {"missing_material": 1}}, reason="缺花名册")
    submit_and_accept(world)
    return year_result(world.year)


def month_score(result) -> Decimal:  # type: ignore[no-untyped-def]
    unit, month = S1_MONTH
    return result.units[unit].months[month].score


def test_the_same_inputs_give_the_cached_result_without_recomputing(world: World) -> None:
    first = accepted_with_a_deduction(world)
    assert month_score(first) == Decimal("99.5")
    assert year_result(world.year) is first


def test_a_sheet_leaving_accepted_changes_the_result_even_without_signals(world: World) -> None:
    first = accepted_with_a_deduction(world)
    Sheet.objects.filter(pk=world.sheet("org").pk).update(status=Sheet.Status.RETURNED)
    again = year_result(world.year)
    assert again is not first
    assert month_score(again) == Decimal(100)


def test_a_superseded_entry_changes_the_result_even_without_signals(world: World) -> None:
    first = accepted_with_a_deduction(world)
    Entry.objects.filter(unit__code="S1", item="1").update(superseded_at=timezone.now())
    assert month_score(year_result(world.year)) == Decimal(100)
    assert year_result(world.year) is not first


def test_a_renamed_unit_or_a_changed_target_changes_the_key(world: World) -> None:
    first = accepted_with_a_deduction(world)
    before = selectors.inputs_key(world.year)
    Unit.objects.filter(code="S2").update(name="改名")
    renamed = selectors.inputs_key(world.year)
    assert renamed != before
    assert year_result(world.year).units["S2"].unit.name == "改名"
    Target.objects.create(year=world.year, unit=world.units["S1"], item="6", target=3)
    target = selectors.inputs_key(world.year)
    assert target != renamed
    Target.objects.filter(unit=world.units["S1"], item="6").update(target=4)
    assert selectors.inputs_key(world.year) != target
    assert year_result(world.year) is not first


def test_a_correction_of_an_accepted_month_changes_the_result(world: World) -> None:
    first = accepted_with_a_deduction(world)
    # a correction after acceptance: two missing materials now (1.0 lost)
    score(
        world,
        values={"checks": {"missing_material": 2}},
        reason="又缺一项",
        correction_reason="复核",
    )
    assert month_score(year_result(world.year)) == Decimal(99)
    assert year_result(world.year) is not first


def test_a_months_key_changes_only_with_that_month(world: World) -> None:
    accepted_with_a_deduction(world)
    _, rest, months = selectors.inputs_key(world.year)
    Unit.objects.filter(code="S2").update(name="改名")
    _, rest2, months2 = selectors.inputs_key(world.year)
    assert months2 == months and rest2 != rest


def test_saving_a_watched_model_empties_the_cache(world: World) -> None:
    accepted_with_a_deduction(world)
    assert selectors._cache
    world.units["S3"].save()
    assert not selectors._cache


def test_figures_as_of_a_day_are_not_cached(world: World) -> None:
    first = accepted_with_a_deduction(world)
    moment = timezone.now()
    assert year_result(world.year, as_of=moment) is not year_result(world.year, as_of=moment)
    assert year_result(world.year) is first


def test_an_accepted_sheets_grid_is_cached_until_its_inputs_change(world: World) -> None:
    accepted_with_a_deduction(world)
    sheet = Sheet.objects.get(pk=world.sheet("org").pk)
    first = selectors.sheet_grid(sheet)
    assert selectors.sheet_grid(sheet).rows is first.rows
    assert first.with_findings == 1
    # the deduction's entry superseded behind the ORM's back: a new key, a fresh grid
    Entry.objects.filter(unit__code="S1", item="1").update(superseded_at=timezone.now())
    again = selectors.sheet_grid(sheet)
    assert again.rows is not first.rows
    assert again.with_findings == 0


def test_an_open_sheets_grid_is_never_cached(world: World) -> None:
    sheet = world.sheet("org")
    assert selectors.sheet_grid(sheet).rows is not selectors.sheet_grid(sheet).rows
