"""Load and validate scheme files: every error listed with its path, nothing half-loads."""

from __future__ import annotations

from decimal import Decimal
from importlib import resources
from pathlib import Path
from typing import Any

import yaml
from pydantic import ValidationError

from .errors import InputError, duplicates, pydantic_messages
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
        raise InputError(name_or_path, [f"no such file or built-in scheme (built-in: {known})"])
    return str(path), path.read_text("utf-8")


def load_scheme(name_or_path: str) -> Scheme:
    source, text = read_scheme_text(name_or_path)
    return parse_scheme(text, source)


def parse_scheme(text: str, source: str = "<scheme>") -> Scheme:
    try:
        data = yaml.safe_load(text)
    except yaml.YAMLError as exc:
        raise InputError(source, [f"not valid YAML: {exc}"]) from exc
    return scheme_from_data(data, source)


def scheme_from_data(data: Any, source: str = "<scheme>") -> Scheme:
    if not isinstance(data, dict):
        raise InputError(source, ["(top): a scheme must be a mapping of settings"])
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
        errors.extend(f"{path}: duplicate key '{k}'" for k in duplicates(keys))

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
            errors.append(f"categories[{i}].rubric: unknown rubric '{category.rubric}'")
        kinds = kinds_of_rubric.setdefault(category.rubric, set())
        kinds.update(k.key for k in category.kinds)
    for i, rubric in enumerate(scheme.rubrics):
        errors.extend(_rubric_errors(scheme, f"rubrics[{i}]", rubric, kinds_of_rubric))
    errors.extend(_recognition_errors(scheme))
    at = scheme.annual_target
    if at.method == "weighted" and not at.month_weights:
        errors.append("annual_target.month_weights: required when method is 'weighted'")
    if at.method == "weighted" and at.month_weights and sum(at.month_weights.values()) <= 0:
        errors.append("annual_target.month_weights: must not all be 0")
    for i, fault in enumerate(scheme.faults.types):
        if fault.severity == "general" and fault.points <= 0:
            errors.append(f"faults.types[{i}].points: a general fault must deduct points")
    return errors


def _rubric_errors(
    scheme: Scheme, path: str, rubric: Rubric, kinds_of_rubric: dict[str, set[str]]
) -> list[str]:
    errors: list[str] = []
    department_keys = {d.key for d in scheme.departments}
    rubric_keys = {r.key for r in scheme.rubrics}
    numbers = [item.number for item in rubric.items()]
    errors.extend(f"{path}: duplicate item number '{n}'" for n in duplicates(numbers))
    errors.extend(
        f"{path}: duplicate section key '{k}'" for k in duplicates(s.key for s in rubric.sections)
    )
    section_sum = sum((s.weight for s in rubric.sections), Decimal(0))
    if section_sum != rubric.total:
        errors.append(
            f"{path}.sections: weights sum to {section_sum}, not the total {rubric.total}"
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
                who = f" for kind '{kind}'" if kind else ""
                errors.append(
                    f"{spath}.items: weights{who} sum to {total}, not the section's {section.weight}"
                )
        for i, item in enumerate(section.items):
            ipath = f"{spath}.items[{i}]"
            for kind in item.kinds:
                if kind not in known_kinds:
                    errors.append(f"{ipath}.kinds: unknown unit kind '{kind}' for this rubric")
            unique_departments = duplicates(share.department for share in item.departments)
            errors.extend(f"{ipath}.departments: '{d}' named twice" for d in unique_departments)
            for d, share in enumerate(item.departments):
                if share.department not in department_keys:
                    errors.append(
                        f"{ipath}.departments[{d}].department: unknown department "
                        f"'{share.department}'"
                    )
            share_sum = sum((share.points for share in item.departments), Decimal(0))
            if share_sum != item.weight:
                errors.append(
                    f"{ipath}.departments: shares sum to {share_sum}, not the weight {item.weight}"
                )
            rule = item.rule
            if isinstance(rule, TargetCountRule):
                if rule.over_cap > 0 and not item.bonus:
                    errors.append(f"{ipath}.bonus: over-target points need a bonus item (加分项)")
                if rule.over_cap > 0 and rule.over_points <= 0:
                    errors.append(f"{ipath}.rule.over_points: must be > 0 when over_cap is set")
            elif item.bonus:
                errors.append(
                    f"{ipath}.bonus: only a target_count item can score beyond its weight"
                )
            if isinstance(rule, SubRubricRule):
                if rule.rubric not in rubric_keys or rule.rubric == rubric.key:
                    errors.append(
                        f"{ipath}.rule.rubric: unknown or circular rubric '{rule.rubric}'"
                    )
                elif any(
                    isinstance(sub.rule, SubRubricRule)
                    for sub in scheme.rubric(rule.rubric).items()
                ):
                    errors.append(f"{ipath}.rule.rubric: a sub-rubric may not nest another")
            if hasattr(rule, "checks"):
                errors.extend(
                    f"{ipath}.rule.checks: duplicate check '{k}'"
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
                f"recognition.groups: weights for category '{category.key}' sum to {total}, not 1"
            )
    category_keys = {c.key for c in scheme.categories}
    for i, group in enumerate(recognition.groups):
        for key in group.weight_by_category:
            if key not in category_keys:
                errors.append(
                    f"recognition.groups[{i}].weight_by_category: unknown category '{key}'"
                )
    return errors
