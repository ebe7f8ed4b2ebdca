"""Reads of a year's scheme versions: the diff a draft makes, the letters' added targets."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.utils.translation import get_language

from kaohe.engine import InputError
from kaohe.engine.errors import say
from kaohe.engine.scheme import Item
from kaohe.engine.versions import FigureChange, ItemChange, figure_changes, scheme_changes

from .models import SchemeVersion, Year


@dataclass
class VersionDiff:
    """What a draft version changes: items (added, removed, changed), other settings, and
    every figure it moves in the months computed so far; ``errors``: stored facts the draft
    cannot take (a finding on a removed item, a deduction above a lowered weight …)."""

    version: SchemeVersion
    items: list[ItemChange]
    settings: list[str]
    figures: list[FigureChange] = field(default_factory=list)
    months: list[int] = field(default_factory=list)
    errors: list[str] = field(default_factory=list)


def version_diff(year: Year, version: SchemeVersion) -> VersionDiff:
    """Compare the draft with the year's latest version, and compute the year's months with
    and without it through the same entry point as every page (monthly.selectors)."""
    from kaohe.monthly.selectors import year_result

    draft = version.scheme
    items, settings = scheme_changes(year.scheme, draft)
    diff = VersionDiff(version, items, settings)
    amendments = list(year.amendments())
    if version.status == SchemeVersion.Status.CONFIRMED:  # the diff it made, for the record
        amendments = [s for s in amendments if s.version and s.version.number < version.number]
        items, settings = scheme_changes(amendments[-1] if amendments else year.base_scheme, draft)
        diff = VersionDiff(version, items, settings)
    if version.status == SchemeVersion.Status.DISCARDED:
        return diff  # set aside: its items for the record, no figures
    try:
        before = year_result(year, amendments=amendments)
    except InputError as exc:
        diff.errors = [say(e, get_language()) for e in exc.errors]
        return diff
    try:
        after = year_result(year, amendments=[*amendments, draft])
    except InputError as exc:
        diff.errors = [say(e, get_language()) for e in exc.errors]
        return diff
    diff.months = sorted(after.monthly)
    diff.figures = figure_changes(before, after)
    return diff


@dataclass(frozen=True)
class AddedTarget:
    """A target added by a later version (补充目标): the letter's addendum."""

    item: Item
    section: str
    number: int
    from_month: int
    reason: str
    approved_by: str


def added_targets(year: Year, category: str, kind: str) -> list[AddedTarget]:
    """Items of the category's rubric that a confirmed later version added (not in any
    earlier version), for a unit of ``kind``, in version and rubric order."""
    base = year.base_scheme
    seen = {i.number for i in base.rubric(base.category(category).rubric).items()}
    added: list[AddedTarget] = []
    for scheme in year.amendments():
        info = scheme.version
        if info is None:
            continue
        rubric = scheme.rubric(scheme.category(category).rubric)
        for section in rubric.sections:
            for item in section.items:
                if item.number in seen or not item.applies_to(kind):
                    continue
                seen.add(item.number)
                added.append(
                    AddedTarget(
                        item,
                        section.name,
                        info.number,
                        info.from_month,
                        info.reason,
                        info.approved_by,
                    )
                )
    return added
