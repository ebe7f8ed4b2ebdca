"""Load and validate scheme files: every error listed with its path, nothing half-loads."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, Problem, duplicates, pydantic_messages
from .scheme import Rubric, Scheme, SubRubricRule, TargetCountRule

BUILTIN_PACKAGE = "kaohe.schemes"


def builtin_names() -> list[str]:
    files = resources.files(BUILTIN_PACKAGE).iterdir()
    return sorted(f.name.removesuffix(".yaml") for f in files if f.name.endswith(".yaml"))


def read_scheme_text(name_or_path: str) -> tuple[str, str]:
    """Return (source label, YAML text) for a built-in scheme name or a file path."""
    if name_or_path in builtin_names():
        text = (resources.files(BUILTIN_PACKAGE) / f"{name_or_path}.yaml").read_text("utf-8")
        return name_or_path, text
    path = Path(name_or_path)
    if not path.is_file():
        known = ", ".join(builtin_names())
        raise InputError(name_or_path, [Problem("", "no_scheme", known=known)])
    return str(path), path.read_text("utf-8")


def load_scheme(name_or_path: str) -> Scheme:
    source, text = read_scheme_text(name_or_path)
    return parse_scheme(text, source)


def parse_scheme(text: str, source: str = "<scheme>") -> Scheme:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(source, [Problem("", "not_yaml", error=exc)]) from exc
    return scheme_from_data(data, source)


def scheme_from_data(data: Any, source: str = "<scheme>") -> Scheme:
    if not isinstance(data, dict):
        raise InputError(source, [Problem("(top)", "not_mapping")])
    try:
        scheme = Scheme.model_validate(data)
    except ValidationError as exc:
        raise InputError(source, pydantic_messages(exc)) from exc
    errors = scheme_errors(scheme)
    if errors:
        raise InputError(source, errors)
    return scheme


def scheme_errors(scheme: Scheme) -> list[str]:
    """Cross-reference checks the field types cannot express."""
    errors: list[str] = []

    def unique(path: str, keys: list[str]) -> None:
        errors.extend(Problem(path, "duplicate_key", key=k) for k in duplicates(keys))

    unique("categories", [c.key for c in scheme.categories])
    unique("departments", [d.key for d in scheme.departments])
    unique("rubrics", [r.key for r in scheme.rubrics])
    unique("achievements.awards", [a.key for a in scheme.achievements.awards])
    unique("faults.types", [f.key for f in scheme.faults.types])
    unique("recognition.groups", [g.key for g in scheme.recognition.groups])
    unique("ranking.tie_break", list(scheme.ranking.tie_break))

    rubric_keys = {r.key for r in scheme.rubrics}
    kinds_of_rubric: dict[str, set[str]] = {}
    for i, category in enumerate(scheme.categories):
        unique(f"categories[{i}].kinds", [k.key for k in category.kinds])
        if category.rubric not in rubric_keys:
            errors.append(
                Problem(f"categories[{i}].rubric", "unknown_rubric", rubric=category.rubric)
            )
        kinds = kinds_of_rubric.setdefault(category.rubric, set())
        kinds.update(k.key for k in category.kinds)
    for i, rubric in enumerate(scheme.rubrics):
        errors.extend(_rubric_errors(scheme, f"rubrics[{i}]", rubric, kinds_of_rubric))
    errors.extend(_recognition_errors(scheme))
    at = scheme.annual_target
    if at.method == "weighted" and not at.month_weights:
        errors.append(Problem("annual_target.month_weights", "weights_required"))
    if at.method == "weighted" and at.month_weights and sum(at.month_weights.values()) <= 0:
        errors.append(Problem("annual_target.month_weights", "weights_zero"))
    for i, fault in enumerate(scheme.faults.types):
        if fault.severity == "general" and fault.points <= 0:
            errors.append(Problem(f"faults.types[{i}].points", "general_fault_points"))
    return errors


def _rubric_errors(
    scheme: Scheme, path: str, rubric: Rubric, kinds_of_rubric: dict[str, set[str]]
) -> list[str]:
    errors: list[str] = []
    department_keys = {d.key for d in scheme.departments}
    rubric_keys = {r.key for r in scheme.rubrics}
    numbers = [item.number for item in rubric.items()]
    errors.extend(Problem(path, "duplicate_item", number=n) for n in duplicates(numbers))
    errors.extend(
        Problem(path, "duplicate_section", key=k)
        for k in duplicates(s.key for s in rubric.sections)
    )
    section_sum = sum((s.weight for s in rubric.sections), Decimal(0))
    if section_sum != rubric.total:
        errors.append(
            Problem(f"{path}.sections", "section_sum", total=section_sum, expected=rubric.total)
        )
    known_kinds = kinds_of_rubric.get(rubric.key, set())
    for s, section in enumerate(rubric.sections):
        spath = f"{path}.sections[{s}]"
        for kind in sorted(known_kinds) or [""]:
            weights = [
                it.weight
                for it in section.items
                if it.added_on is None and (not kind or it.applies_to(kind))
            ]
            total = sum(weights, Decimal(0))
            if total != section.weight:
                errors.append(
                    Problem(
                        f"{spath}.items",
                        "item_sum_kind" if kind else "item_sum",
                        kind=kind,
                        total=total,
                        expected=section.weight,
                    )
                )
        for i, item in enumerate(section.items):
            ipath = f"{spath}.items[{i}]"
            for kind in item.kinds:
                if kind not in known_kinds:
                    errors.append(Problem(f"{ipath}.kinds", "unknown_kind_rubric", kind=kind))
            unique_departments = duplicates(share.department for share in item.departments)
            errors.extend(
                Problem(f"{ipath}.departments", "department_twice", department=d)
                for d in unique_departments
            )
            for d, share in enumerate(item.departments):
                if share.department not in department_keys:
                    errors.append(
                        Problem(
                            f"{ipath}.departments[{d}].department",
                            "unknown_department",
                            department=share.department,
                        )
                    )
            share_sum = sum((share.points for share in item.departments), Decimal(0))
            if share_sum != item.weight:
                errors.append(
                    Problem(
                        f"{ipath}.departments",
                        "share_sum",
                        total=share_sum,
                        expected=item.weight,
                    )
                )
            rule = item.rule
            if isinstance(rule, TargetCountRule):
                if rule.over_cap > 0 and not item.bonus:
                    errors.append(Problem(f"{ipath}.bonus", "bonus_needed"))
                if rule.over_cap > 0 and rule.over_points <= 0:
                    errors.append(Problem(f"{ipath}.rule.over_points", "over_points"))
            elif item.bonus:
                errors.append(Problem(f"{ipath}.bonus", "bonus_target_only"))
            if isinstance(rule, SubRubricRule):
                if rule.rubric not in rubric_keys or rule.rubric == rubric.key:
                    errors.append(
                        Problem(f"{ipath}.rule.rubric", "circular_rubric", rubric=rule.rubric)
                    )
                elif any(
                    isinstance(sub.rule, SubRubricRule)
                    for sub in scheme.rubric(rule.rubric).items()
                ):
                    errors.append(Problem(f"{ipath}.rule.rubric", "nested_rubric"))
            if hasattr(rule, "checks"):
                errors.extend(
                    Problem(f"{ipath}.rule.checks", "duplicate_check", key=k)
                    for k in duplicates(c.key for c in rule.checks)
                )
    return errors


def _recognition_errors(scheme: Scheme) -> list[str]:
    errors: list[str] = []
    recognition = scheme.recognition
    for category in scheme.categories:
        total = sum((g.weight_for(category.key) for g in recognition.groups), Decimal(0))
        if total != 1:
            errors.append(
                Problem("recognition.groups", "group_weights", category=category.key, total=total)
            )
    category_keys = {c.key for c in scheme.categories}
    for i, group in enumerate(recognition.groups):
        for key in group.weight_by_category:
            if key not in category_keys:
                errors.append(
                    Problem(
                        f"recognition.groups[{i}].weight_by_category",
                        "unknown_category",
                        category=key,
                    )
                )
    return errors
