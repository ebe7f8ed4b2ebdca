"""Validate facts against a scheme; every error is named by its path in the facts file."""

from __future__ import annotations

from itertools import pairwise

from .errors import FIELD_NAMES, KIND_NAMES, Problem, duplicates
from .facts import Facts, Finding, Unit
from .index import ABSTAIN, SchemeIndex
from .scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    Item,
    PerCountRule,
    SubRubricRule,
    TargetCountRule,
)
from .versions import Versions

RULE_FIELDS = {
    ChecksRule: "checks",
    PerCountRule: "count",
    TargetCountRule: "count",
    AllOrNothingRule: "met",
    DiscretionaryRule: "deduction",
}
FINDING_FIELDS = ("checks", "count", "met", "deduction")


def facts_errors(index: SchemeIndex, facts: Facts, versions: Versions | None = None) -> list[str]:
    """Every problem of ``facts`` against the scheme; with ``versions``, a finding is checked
    against the version of its month and a target against any version naming its item."""
    scheme = index.scheme
    errors: list[str] = []
    if facts.year != scheme.year:
        errors.append(Problem("year", "other_year", facts=facts.year, scheme=scheme.year))
    errors.extend(
        Problem("months", "month_twice", month=m) for m in duplicates(map(str, facts.months))
    )
    errors.extend(
        Problem("units", "duplicate_unit", unit=u) for u in duplicates(u.id for u in facts.units)
    )
    units = {u.id: u for u in facts.units}
    categories = {c.key: c for c in scheme.categories}
    for i, unit in enumerate(facts.units):
        category = categories.get(unit.category)
        if category is None:
            errors.append(
                Problem(f"units[{i}].category", "unknown_category", category=unit.category)
            )
            continue
        kinds = {k.key for k in category.kinds}
        if kinds and unit.kind not in kinds:
            errors.append(
                Problem(
                    f"units[{i}].kind", "kind_one_of", kinds=sorted(kinds), category=category.key
                )
            )
        if not kinds and unit.kind:
            errors.append(Problem(f"units[{i}].kind", "no_kinds", category=category.key))
    if errors:
        return errors  # later checks need sound units

    every_index = versions.indexes if versions else (index,)

    def item_of(
        path: str, unit_id: str, number: str, month: int | None = None
    ) -> tuple[Unit, Item] | None:
        unit = units.get(unit_id)
        if unit is None:
            errors.append(Problem(f"{path}.unit", "unknown_unit", unit=unit_id))
            return None
        if versions is not None and month is not None:
            candidates: tuple[SchemeIndex, ...] = (versions.index_for(month),)
        else:
            candidates = every_index[::-1]
        for candidate in candidates:
            item = candidate.rubric_for(unit.category).items.get(number)
            if item is not None and item.applies_to(unit.kind):
                return unit, item
        if versions is not None and month is not None:
            label = versions.label_for(month)
            errors.append(
                Problem(
                    f"{path}.item",
                    "no_item_in_month",
                    number=number,
                    unit=unit_id,
                    month=month,
                    version=label,
                )
            )
        else:
            errors.append(Problem(f"{path}.item", "no_item", number=number, unit=unit_id))
        return None

    seen_targets: set[tuple[str, str]] = set()
    for i, target in enumerate(facts.targets):
        path = f"targets[{i}]"
        found = item_of(path, target.unit, target.item)
        if found and not isinstance(found[1].rule, TargetCountRule):
            errors.append(Problem(f"{path}.item", "no_target", number=target.item))
        if (target.unit, target.item) in seen_targets:
            errors.append(Problem(path, "second_target", unit=target.unit, number=target.item))
        seen_targets.add((target.unit, target.item))
        dues = [target.schedule[m] for m in sorted(target.schedule)]
        if any(a > b for a, b in pairwise(dues)):
            errors.append(Problem(f"{path}.schedule", "schedule_decreasing"))
    month_set = set(facts.months)
    for i, finding in enumerate(facts.findings):
        path = f"findings[{i}]"
        if finding.month not in month_set:
            errors.append(Problem(f"{path}.month", "month_not_assessed", month=finding.month))
        found = item_of(path, finding.unit, finding.item, finding.month)
        if found:
            month_index = versions.index_for(finding.month) if versions else index
            errors.extend(finding_errors(month_index, path, found[0], found[1], finding))
    for i, achievement in enumerate(facts.achievements):
        path = f"achievements[{i}]"
        if achievement.unit not in units:
            errors.append(Problem(f"{path}.unit", "unknown_unit", unit=achievement.unit))
        award = next((a for a in scheme.achievements.awards if a.key == achievement.award), None)
        if award is None:
            errors.append(Problem(f"{path}.award", "unknown_award", award=achievement.award))
        elif achievement.level not in award.levels:
            errors.append(
                Problem(
                    f"{path}.level",
                    "unknown_level",
                    level=achievement.level,
                    award=award.key,
                    levels=", ".join(award.levels),
                )
            )
    fault_types = {f.key for f in scheme.faults.types}
    for i, fault in enumerate(facts.faults):
        if fault.unit not in units:
            errors.append(Problem(f"faults[{i}].unit", "unknown_unit", unit=fault.unit))
        if fault.type not in fault_types:
            errors.append(Problem(f"faults[{i}].type", "unknown_fault", fault=fault.type))
    groups = {g.key for g in scheme.recognition.groups}
    options = set(scheme.recognition.options) | set(ABSTAIN)
    tallies = [f"{t.unit}/{t.group}" for t in facts.recognition]
    errors.extend(Problem("recognition", "tallied_twice", key=k) for k in duplicates(tallies))
    for i, tally in enumerate(facts.recognition):
        path = f"recognition[{i}]"
        if tally.unit not in units:
            errors.append(Problem(f"{path}.unit", "unknown_unit", unit=tally.unit))
        if tally.group not in groups:
            errors.append(Problem(f"{path}.group", "unknown_group", group=tally.group))
        errors.extend(
            Problem(f"{path}.counts.{o}", "unknown_option")
            for o in tally.counts
            if o not in options
        )
    return errors


def _kind(kind: str, field: str) -> dict[str, str]:
    return {"kind": kind, "kind_zh": KIND_NAMES.get(kind, kind), "field_zh": FIELD_NAMES[field]}


def finding_errors(
    index: SchemeIndex, path: str, unit: Unit, item: Item, finding: Finding
) -> list[str]:
    errors: list[str] = []
    shares = {s.department: s.points for s in item.departments}
    department = finding.department
    if department is None and len(shares) > 1:
        errors.append(Problem(f"{path}.department", "jointly_scored", number=item.number))
    elif department is not None and department not in shares:
        errors.append(
            Problem(
                f"{path}.department",
                "not_scoring_department",
                department=department,
                number=item.number,
            )
        )
    if department is None and len(shares) == 1:
        department = next(iter(shares))
    if department in unit.departments:
        errors.append(Problem(f"{path}.department", "own_unit", department=department))
    weight = shares.get(department or "", item.weight)
    rule = item.rule
    if isinstance(rule, SubRubricRule):
        sub = index.rubrics[rule.rubric]
        if finding.sub_item is None or finding.sub_item not in sub.items:
            errors.append(Problem(f"{path}.sub_item", "sub_item_required", rubric=rule.rubric))
            return errors
        item = sub.items[finding.sub_item]
        rule = item.rule
        weight = item.weight
    elif finding.sub_item is not None:
        errors.append(Problem(f"{path}.sub_item", "no_sub_rubric", number=item.number))
    wanted = RULE_FIELDS[type(rule)]
    for name in FINDING_FIELDS:
        value = getattr(finding, name)
        present = bool(value) if name == "checks" else value is not None
        if name == wanted and not present:
            errors.append(Problem(f"{path}.{name}", "field_required", **_kind(rule.kind, name)))
        elif name != wanted and present:
            errors.append(Problem(f"{path}.{name}", "field_unused", **_kind(rule.kind, name)))
    if isinstance(rule, ChecksRule):
        for key, n in finding.checks.items():
            check = rule.check(key)
            if check is None:
                errors.append(
                    Problem(f"{path}.checks.{key}", "unknown_check", number=item.number, check=key)
                )
            elif not check.per_occurrence and n > 1:
                errors.append(Problem(f"{path}.checks.{key}", "check_once", check=check.label))
            elif check.max_occurrences is not None and n > check.max_occurrences:
                errors.append(
                    Problem(
                        f"{path}.checks.{key}",
                        "check_at_most",
                        check=check.label,
                        n=check.max_occurrences,
                    )
                )
    if isinstance(rule, DiscretionaryRule):
        if finding.deduction is not None and finding.deduction > weight:
            errors.append(Problem(f"{path}.deduction", "deduction_at_most", weight=weight))
        if not finding.reason.strip():
            errors.append(Problem(f"{path}.reason", "reason_required"))
    return errors
