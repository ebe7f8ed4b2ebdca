"""Writes for assessment years and responsibility-letter targets; each is audited."""

from __future__ import annotations

import yaml
from django.db import transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.engine import InputError, parse_scheme
from kaohe.engine.rules import natural
from kaohe.engine.scheme import TargetCountRule
from kaohe.engine.versions import Versions
from kaohe.people.models import Department, Unit, User

from .finality import refuse_if_final
from .models import SchemeVersion, Target, Year


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


# ---- scheme versions (第五条: targets added during the year) ------------------------------


def _version_text(scheme_text: str, info: dict[str, object]) -> str:
    """The scheme file with its version block: the file's own ``version`` (if any) is
    replaced by the form's, so what is stored says which version it is."""
    try:
        data = yaml.safe_load(scheme_text)
    except yaml.YAMLError as exc:
        raise YearError(
            [_("The scheme file is not valid YAML: %(error)s") % {"error": exc}]
        ) from exc
    if not isinstance(data, dict):
        raise YearError([_("A scheme file is a mapping of settings.")])
    data["version"] = info
    return yaml.safe_dump(data, allow_unicode=True, sort_keys=False)


@transaction.atomic
def version_upload(
    *,
    acting_user: User,
    year: Year,
    scheme_text: str,
    source: str,
    from_month: int,
    reason: str,
    approved_by: str,
) -> SchemeVersion:
    """A draft of the year's next scheme version, effective from ``from_month``; checked as
    a scheme and against the year's versions, saved as a draft (nothing counts until the
    office confirms it after reading its diff)."""
    if not acting_user.is_office:
        raise YearError([_("Only the office may change the year's scheme.")])
    year = Year.objects.select_for_update().get(pk=year.pk)
    refuse_if_final(year)
    if SchemeVersion.objects.filter(year=year, status=SchemeVersion.Status.DRAFT).exists():
        raise YearError([_("A draft version is waiting: confirm or discard it first.")])
    number = year.version + 1
    reason, approved_by = reason.strip(), approved_by.strip()
    info: dict[str, object] = {
        "number": number,
        "from_month": from_month,
        "reason": reason,
        "approved_by": approved_by,
        "approved_on": timezone.localdate().isoformat(),
    }
    text = _version_text(scheme_text, info)
    try:
        draft = parse_scheme(text, source)
        Versions.build(year.base_scheme, [*year.amendments(), draft])
    except InputError as exc:
        raise YearError(exc.errors) from exc
    version = SchemeVersion.objects.create(
        year=year,
        number=number,
        from_month=from_month,
        scheme_text=text,
        reason=reason,
        approved_by=approved_by,
        created_by=acting_user,
    )
    record(
        acting_user=acting_user,
        action="scheme_version.upload",
        obj=version,
        after={
            "year": year.year,
            "number": number,
            "from_month": from_month,
            "sha256": version.sha256,
            "approved_by": version.approved_by,
            "status": version.status,
        },
        reason=f"{version.reason} ({source})",
    )
    return version


def _locked_draft(version: SchemeVersion) -> tuple[Year, SchemeVersion]:
    year = Year.objects.select_for_update().get(pk=version.year_id)
    current = SchemeVersion.objects.select_for_update().get(pk=version.pk)
    if current.status != SchemeVersion.Status.DRAFT:
        raise YearError(
            [_("This version is already %(status)s.") % {"status": current.get_status_display()}]
        )
    return year, current


@transaction.atomic
def version_confirm(*, acting_user: User, version: SchemeVersion) -> SchemeVersion:
    """The draft becomes the year's latest version: months from its ``from_month`` are
    scored with it, the year end uses it. Refused when the year is final, when another
    version was confirmed meanwhile, or when the year's stored facts do not fit it."""
    from .selectors import version_diff  # reads the monthly facts

    if not acting_user.is_office:
        raise YearError([_("Only the office may change the year's scheme.")])
    year, current = _locked_draft(version)
    refuse_if_final(year)
    if current.number != year.version + 1:
        raise YearError(
            [_("Another version was confirmed meanwhile; upload this one again on top of it.")]
        )
    diff = version_diff(year, current)
    if diff.errors:
        raise YearError(diff.errors)
    current.status = SchemeVersion.Status.CONFIRMED
    current.confirmed_by = acting_user
    current.confirmed_at = timezone.now()
    current.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    before = year.version
    year.version = current.number
    year.save(update_fields=["version"])
    from kaohe.monthly.services import escalations_sync

    escalations_sync(year=year)  # escalations the version raises in complete months
    record(
        acting_user=acting_user,
        action="scheme_version.confirm",
        obj=current,
        before={"status": "draft", "year_version": before},
        after={
            "status": current.status,
            "year_version": year.version,
            "from_month": current.from_month,
            "sha256": current.sha256,
            "items_changed": len(diff.items),
            "figures_moved": len(diff.figures),
        },
        reason=current.reason,
    )
    return current


@transaction.atomic
def version_discard(*, acting_user: User, version: SchemeVersion, reason: str) -> SchemeVersion:
    """A draft set aside, kept for the record (never deleted)."""
    if not acting_user.is_office:
        raise YearError([_("Only the office may change the year's scheme.")])
    if not reason.strip():
        raise YearError([_("Say why the draft is discarded.")])
    year, current = _locked_draft(version)
    current.status = SchemeVersion.Status.DISCARDED
    current.confirmed_by = acting_user
    current.confirmed_at = timezone.now()
    current.save(update_fields=["status", "confirmed_by", "confirmed_at"])
    record(
        acting_user=acting_user,
        action="scheme_version.discard",
        obj=current,
        before={"status": "draft"},
        after={"status": current.status, "year": year.year, "number": current.number},
        reason=reason.strip(),
    )
    return current
