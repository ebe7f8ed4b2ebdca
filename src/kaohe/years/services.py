"""Writes for assessment years and responsibility-letter targets; each is audited."""

from __future__ import annotations

from django.db import transaction
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.engine import InputError, parse_scheme
from kaohe.engine.rules import natural
from kaohe.engine.scheme import TargetCountRule
from kaohe.people.models import Department, Unit, User

from .finality import refuse_if_final
from .models import Target, Year


class YearError(ValueError):
    def __init__(self, errors: list[str]) -> None:
        self.errors = errors
        super().__init__("; ".join(errors))


@transaction.atomic
def year_create(*, acting_user: User | None, scheme_text: str, source: str) -> Year:
    """Create a year from a scheme file, validated and frozen; nothing is saved on error."""
    try:
        scheme = parse_scheme(scheme_text, source)
    except InputError as exc:
        raise YearError(exc.errors) from exc
    if Year.objects.filter(year=scheme.year).exists():
        raise YearError([_("The year %(year)s already exists.") % {"year": scheme.year}])
    for department in scheme.departments:
        Department.objects.get_or_create(key=department.key, defaults={"name": department.name})
    year = Year.objects.create(
        year=scheme.year,
        title=scheme.title,
        scheme_name=scheme.name,
        scheme_text=scheme_text,
        created_by=acting_user,
    )
    record(
        acting_user=acting_user,
        action="year.create",
        obj=year,
        after={"year": year.year, "scheme": scheme.name, "sha256": year.scheme_sha256},
        reason=f"scheme {source}",
    )
    return year


def target_items(year: Year) -> list[tuple[str, str, int | None]]:
    """(item number, target text, district-wide target) of the items that take a unit target."""
    seen: dict[str, tuple[str, int | None]] = {}
    for rubric in year.scheme.rubrics:
        for item in rubric.items():
            if isinstance(item.rule, TargetCountRule):
                seen.setdefault(item.number, (item.target, item.rule.total_target))
    ordered = sorted(seen.items(), key=lambda pair: natural(pair[0]))
    return [(number, text, total) for number, (text, total) in ordered]


@transaction.atomic
def target_set(*, acting_user: User, year: Year, unit: Unit, item: str, target: int) -> Target:
    refuse_if_final(year)  # targets feed the year's figures
    if item not in {number for number, _text, _total in target_items(year)}:
        raise YearError([_("Item %(item)s takes no target.") % {"item": item}])
    current = Target.objects.select_for_update().filter(year=year, unit=unit, item=item).first()
    before = current.target if current else None
    if current is None:
        current = Target.objects.create(year=year, unit=unit, item=item, target=target)
    elif current.target != target:
        current.target = target
        current.save(update_fields=["target", "updated_at"])
    else:
        return current
    record(
        acting_user=acting_user,
        action="target.set",
        obj=current,
        before={"target": before},
        after={"target": target, "unit": unit.code, "item": item},
    )
    return current
