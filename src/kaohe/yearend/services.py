"""Writes of the year end; each in one transaction with its audit event."""

from __future__ import annotations

import datetime as dt
import secrets
from collections.abc import Sequence
from typing import Any

from django.conf import settings
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import UploadedFile
from django.db import transaction
from django.db.models import F, Sum
from django.template.defaultfilters import filesizeformat
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.audit.services import record
from kaohe.engine import limits
from kaohe.logs import integrity_log
from kaohe.people.models import Unit, User
from kaohe.years.finality import refuse_if_final
from kaohe.years.models import Year

from . import evidence as files
from .models import (
    BallotCode,
    Closing,
    Declaration,
    Evaluation,
    Evidence,
    Objection,
    Tally,
    VetoConfirmation,
)
from .selectors import (
    Readiness,
    figures_sha,
    published_figures,
    readiness,
    vetoes_by,
    year_end_result,
)


class YearEndError(ValueError):
    """A refused action, with a message for the user."""


def closing_of(year: Year) -> Closing:
    closing, _created = Closing.objects.get_or_create(year=year)
    return closing


def _office(user: User) -> None:
    if not user.is_office:
        raise YearEndError(_("Only the performance office may do this."))


# ---- declarations (申报认定) -----------------------------------------------------------


@transaction.atomic
def window_set(*, acting_user: User, year: Year, open_: bool) -> Closing:
    _office(acting_user)
    closing = closing_of(year)
    closing.declarations_open = open_
    closing.save(update_fields=["declarations_open"])
    record(
        acting_user=acting_user,
        action="declarations.open" if open_ else "declarations.close",
        obj=closing,
        after={"open": open_},
    )
    return closing


class DeclarationConflict(YearEndError):
    """A decision or withdrawal based on an older version of the declaration."""

    def __init__(self, current: Declaration) -> None:
        super().__init__(
            _("This declaration was changed meanwhile (now version %(version)s).")
            % {"version": current.version}
        )
        self.current = current


class EvidenceRefused(YearEndError):
    """An evidence file refused (type, size, quota): nothing of the change was saved."""


def _check_declaration(year: Year, d: Declaration) -> None:
    scheme = year.scheme
    if d.kind == Declaration.Kind.ACHIEVEMENT:
        award = next((a for a in scheme.achievements.awards if a.key == d.award), None)
        if award is None or d.level not in award.levels:
            raise YearEndError(_("Choose an award and one of its levels."))
        if not d.content.strip():
            raise YearEndError(_("Name the content, so one content counts once."))
    elif d.kind == Declaration.Kind.FAULT:
        if d.fault_type not in {f.key for f in scheme.faults.types}:
            raise YearEndError(_("Choose a fault type."))
        if d.occurrences < 1:
            raise YearEndError(_("Occurrences: at least 1."))
    else:
        raise YearEndError(_("Choose an achievement or a fault."))
    if not d.description.strip():
        raise YearEndError(_("Describe it."))
    # the bounds the engine's facts take (limits.py), whoever calls the service
    try:
        d.full_clean(exclude=["year", "unit", "created_by", "decided_by", "changed_by"])
    except ValidationError as exc:
        raise YearEndError(
            " ".join(f"{field}: {' '.join(errors)}" for field, errors in exc.message_dict.items())
        ) from exc


def _state(d: Declaration) -> dict[str, Any]:
    return {
        "unit": d.unit.code,
        "kind": d.kind,
        "award": d.award,
        "level": d.level,
        "content": d.content,
        "fault_type": d.fault_type,
        "occurrences": d.occurrences,
        "declared": d.declared,
        "status": d.status,
        "reason": d.decision_reason,
        "version": d.version,
    }


def _touch(d: Declaration, user: User) -> None:
    """One more version, by whom and when (shown on a conflict page)."""
    d.version += 1
    d.changed_by, d.changed_at = user, timezone.now()


def _attach(
    *, acting_user: User, declaration: Declaration, uploads: Sequence[UploadedFile[Any]]
) -> list[Evidence]:
    """Check every upload, then write them all and their rows, inside the caller's
    transaction: one refused file refuses them all, and files written before a failure are
    removed again (no file without its row, no row without its file)."""
    if not uploads:
        return []
    # serialize a unit's uploads so two requests cannot both pass the quota
    Unit.objects.select_for_update().filter(pk=declaration.unit_id).first()
    try:
        checked = [files.check(upload) for upload in uploads]
    except files.EvidenceError as exc:
        raise EvidenceRefused(str(exc)) from exc
    used = (
        Evidence.objects.filter(
            declaration__unit_id=declaration.unit_id, declaration__year_id=declaration.year_id
        ).aggregate(total=Sum("size"))["total"]
        or 0
    )
    quota = settings.EVIDENCE_QUOTA_BYTES
    if used + sum(c.size for c in checked) > quota:
        raise EvidenceRefused(
            _(
                "The unit's evidence files of this year would exceed %(quota)s "
                "(%(used)s used); nothing was saved."
            )
            % {"quota": filesizeformat(quota), "used": filesizeformat(used)}
        )
    written: list[str] = []
    try:
        items = []
        for item in checked:
            stored = files.write(item)
            written.append(stored)
            evidence = Evidence.objects.create(
                declaration=declaration,
                stored_name=stored,
                original_name=item.name,
                content_type=item.content_type,
                size=item.size,
                sha256=item.sha256,
                uploaded_by=acting_user,
            )
            record(
                acting_user=acting_user,
                action="evidence.add",
                obj=evidence,
                after={"declaration": declaration.pk, "name": item.name, "sha256": item.sha256},
            )
            items.append(evidence)
    except BaseException:
        files.remove(written)
        raise
    return items


@transaction.atomic
def declaration_submit(
    *,
    acting_user: User,
    year: Year,
    unit: Unit,
    uploads: Sequence[UploadedFile[Any]] = (),
    **fields: Any,
) -> Declaration:
    """A unit declares an achievement or self-reports a fault while the window is open,
    with its evidence files: all saved, or (one file refused) nothing."""
    refuse_if_final(year)
    if acting_user.unit_id != unit.pk:
        raise YearEndError(_("A unit declares for itself only."))
    if not closing_of(year).declarations_open:
        raise YearEndError(_("The declaration window is closed."))
    declaration = Declaration(
        year=year,
        unit=unit,
        created_by=acting_user,
        declared=True,
        changed_by=acting_user,
        changed_at=timezone.now(),
        **fields,
    )
    _check_declaration(year, declaration)
    declaration.save()
    record(
        acting_user=acting_user,
        action="declaration.submit",
        obj=declaration,
        after=_state(declaration),
    )
    _attach(acting_user=acting_user, declaration=declaration, uploads=uploads)
    return declaration


@transaction.atomic
def fault_record(
    *,
    acting_user: User,
    year: Year,
    unit: Unit,
    fault_type: str,
    occurrences: int,
    description: str,
    occurred_on: dt.date | None = None,
) -> Declaration:
    """A fault the department established that the unit did not declare: counted directly,
    doubled or vetoing as its type says (Art. 11(1))."""
    refuse_if_final(year)
    _office(acting_user)
    now = timezone.now()
    declaration = Declaration(
        year=year,
        unit=unit,
        kind=Declaration.Kind.FAULT,
        fault_type=fault_type,
        occurrences=occurrences,
        description=description,
        occurred_on=occurred_on,
        declared=False,
        status=Declaration.Status.ACCEPTED,
        created_by=acting_user,
        decided_by=acting_user,
        decided_at=now,
        changed_by=acting_user,
        changed_at=now,
        decision_reason=_("Established by the department"),
    )
    _check_declaration(year, declaration)
    declaration.save()
    waits = _veto_wait(acting_user, declaration, now)
    record(
        acting_user=acting_user,
        action="fault.record",
        obj=declaration,
        after=_state(declaration) | ({"confirmation": "pending"} if waits else {}),
    )
    return declaration


def _locked_declaration(declaration: Declaration, version: int | None) -> Declaration:
    """The declaration locked for a change, refused if ``version`` is not the current one."""
    current = (
        Declaration.objects.select_for_update(of=("self",))
        .select_related("unit", "year", "changed_by", "decided_by")
        .get(pk=declaration.pk)
    )
    if version is not None and version != current.version:
        raise DeclarationConflict(current)
    return current


@transaction.atomic
def declaration_decide(
    *,
    acting_user: User,
    declaration: Declaration,
    accept: bool,
    reason: str = "",
    version: int | None = None,
) -> Declaration:
    """The office verifies or rejects a pending declaration; ``version`` is the one the
    office saw (None: whatever is current, for scripts)."""
    refuse_if_final(declaration.year)
    _office(acting_user)
    declaration = _locked_declaration(declaration, version)
    if declaration.status != Declaration.Status.PENDING:
        raise YearEndError(_("This declaration is already decided."))
    if not accept and not reason.strip():
        raise YearEndError(_("Give the reason for rejecting it; the unit will see it."))
    # a unit's declaration accepted with no evidence file: allowed, but never silently
    unproven = accept and declaration.declared and not declaration.evidence.exists()
    if unproven and not reason.strip():
        raise YearEndError(
            _(
                "This declaration has no evidence file: give the reason for accepting it "
                "without evidence; it is recorded."
            )
        )
    before = _state(declaration)
    declaration.status = Declaration.Status.ACCEPTED if accept else Declaration.Status.REJECTED
    declaration.decision_reason = reason.strip()
    declaration.decided_by, declaration.decided_at = acting_user, timezone.now()
    _touch(declaration, acting_user)
    _check_declaration(declaration.year, declaration)
    declaration.save()
    waits = accept and _veto_wait(acting_user, declaration, declaration.decided_at)
    record(
        acting_user=acting_user,
        action="declaration.decide",
        obj=declaration,
        before=before,
        after=_state(declaration)
        | ({"confirmation": "pending"} if waits else {})
        | ({"without_evidence": True} if unproven else {}),
        reason=reason,
    )
    return declaration


# ---- second eyes on vetoes (SPEC §11) ---------------------------------------------------------


def _veto_wait(acting_user: User, declaration: Declaration, now: dt.datetime | None) -> bool:
    """A verified or recorded fault that vetoes the unit waits for a second confirmation
    (the scheme's ``second_eyes.vetoes``); True when it does."""
    year = declaration.year
    if not year.scheme.second_eyes.vetoes or not vetoes_by(year.scheme, declaration):
        return False
    VetoConfirmation.objects.create(
        declaration=declaration, requested_by=acting_user, requested_at=now or timezone.now()
    )
    return True


def may_confirm_veto(user: User, confirmation: VetoConfirmation) -> bool:
    """Another office user than the one who verified or recorded the veto fault."""
    return user.is_active and user.is_office and user.pk != confirmation.requested_by_id


@transaction.atomic
def veto_decide(
    *, acting_user: User, confirmation: VetoConfirmation, confirm: bool, reason: str = ""
) -> VetoConfirmation:
    """A second office user confirms a veto fault (from now on it vetoes the unit) or
    refuses it with the reason (the fault does not stand: the declaration is rejected with
    that reason, and the office may record what it finds instead)."""
    locked = (
        VetoConfirmation.objects.select_for_update(of=("self",))
        .select_related("declaration__year", "declaration__unit")
        .get(pk=confirmation.pk)
    )
    declaration = locked.declaration
    refuse_if_final(declaration.year)
    if locked.requested_by_id == acting_user.pk:
        raise YearEndError(
            _("You verified or recorded this veto fault: a second person must confirm it.")
        )
    if not may_confirm_veto(acting_user, locked):
        raise YearEndError(_("Only another office user may confirm a veto fault."))
    if locked.status != VetoConfirmation.Status.PENDING:
        raise YearEndError(
            _("This veto fault is already %(status)s.") % {"status": locked.get_status_display()}
        )
    reason = reason.strip()
    if not confirm and not reason:
        raise YearEndError(_("Give the reason for refusing the veto fault."))
    if len(reason) > limits.TEXT_MAX or limits.forbidden_char(reason, multiline=True):
        raise YearEndError(
            _("Reason: at most %(n)s characters, no control characters.") % {"n": limits.TEXT_MAX}
        )
    now = timezone.now()
    before = {"status": locked.status, "declaration": _state(declaration)}
    locked.status = (
        VetoConfirmation.Status.CONFIRMED if confirm else VetoConfirmation.Status.REFUSED
    )
    locked.decided_at, locked.decided_by, locked.reason = now, acting_user, reason
    locked.save(update_fields=["status", "decided_at", "decided_by", "reason"])
    if not confirm:
        declaration = _locked_declaration(declaration, None)
        declaration.status = Declaration.Status.REJECTED
        declaration.decision_reason = reason
        declaration.decided_by, declaration.decided_at = acting_user, now
        _touch(declaration, acting_user)
        declaration.save()
    record(
        acting_user=acting_user,
        action="veto.confirm" if confirm else "veto.refuse",
        obj=declaration,
        before=before,
        after={"status": locked.status, "declaration": _state(declaration)},
        reason=reason,
    )
    return locked


@transaction.atomic
def declaration_withdraw(
    *, acting_user: User, declaration: Declaration, version: int | None = None
) -> Declaration:
    """The unit withdraws its own declaration while it is pending: kept, marked withdrawn,
    audited; the engine counts accepted declarations only."""
    refuse_if_final(declaration.year)
    if acting_user.unit_id != declaration.unit_id:
        raise YearEndError(_("A unit withdraws its own declarations only."))
    declaration = _locked_declaration(declaration, version)
    if declaration.status != Declaration.Status.PENDING:
        raise YearEndError(_("Only a pending declaration can be withdrawn."))
    before = _state(declaration)
    declaration.status = Declaration.Status.WITHDRAWN
    _touch(declaration, acting_user)
    declaration.save(update_fields=["status", "version", "changed_by", "changed_at"])
    record(
        acting_user=acting_user,
        action="declaration.withdraw",
        obj=declaration,
        before=before,
        after=_state(declaration),
    )
    return declaration


@transaction.atomic
def evidence_add(
    *,
    acting_user: User,
    declaration: Declaration,
    upload: UploadedFile[Any] | None = None,
    uploads: Sequence[UploadedFile[Any]] = (),
) -> Evidence:
    """Add evidence files to a declaration: all of them, or (one refused) none. The first
    file's row is returned."""
    refuse_if_final(declaration.year)
    batch = [*([upload] if upload is not None else []), *uploads]
    if not batch:
        raise YearEndError(_("Choose at least one file."))
    if acting_user.unit_id != declaration.unit_id and not acting_user.is_office:
        raise YearEndError(_("Only the unit or the office may add evidence."))
    declaration = _locked_declaration(declaration, None)
    if declaration.status != Declaration.Status.PENDING and not acting_user.is_office:
        raise YearEndError(_("The declaration is decided; evidence can no longer be added."))
    # new evidence is a new state to decide on: a decision based on the older one is stale
    _touch(declaration, acting_user)
    declaration.save(update_fields=["version", "changed_by", "changed_at"])
    # files last: nothing after them can fail and leave a written file without its row
    return _attach(acting_user=acting_user, declaration=declaration, uploads=batch)[0]


@transaction.atomic
def evidence_mismatch_record(*, acting_user: User, evidence: Evidence) -> None:
    """A stored file found not to match its SHA-256 on download: an audit event (the file is
    not served)."""
    integrity_log.error(
        "evidence checksum mismatch",
        extra={"evidence": evidence.pk, "stored_name": evidence.stored_name},
    )
    record(
        acting_user=acting_user,
        action="evidence.mismatch",
        obj=evidence,
        after={"stored_name": evidence.stored_name, "sha256": evidence.sha256},
    )


# ---- recognition evaluation (公认度评价) --------------------------------------------------


@transaction.atomic
def evaluation_open(*, acting_user: User, year: Year) -> Evaluation:
    _office(acting_user)
    refuse_if_final(year)
    evaluation, created = Evaluation.objects.get_or_create(year=year)
    if not created:
        raise YearEndError(_("The evaluation exists already."))
    record(acting_user=acting_user, action="evaluation.open", obj=evaluation)
    return evaluation


def _open_evaluation(evaluation: Evaluation, group: str) -> Evaluation:
    """The evaluation locked, still open, of a year not final, with ``group`` one of its."""
    evaluation = Evaluation.objects.select_for_update().select_related("year").get(pk=evaluation.pk)
    refuse_if_final(evaluation.year)
    if evaluation.status != Evaluation.Status.OPEN:
        raise YearEndError(_("The evaluation is closed."))
    if group not in {g.key for g in evaluation.year.scheme.recognition.groups}:
        raise YearEndError(_("Unknown rater group."))
    return evaluation


@transaction.atomic
def codes_issue(*, acting_user: User, evaluation: Evaluation, group: str, count: int) -> list[str]:
    """Issue ``count`` single-use codes; the office sees them only by printing the list."""
    _office(acting_user)
    evaluation = _open_evaluation(evaluation, group)
    if not 1 <= count <= limits.CODES_MAX:
        raise YearEndError(
            _("Issue between 1 and %(max)s codes at a time.") % {"max": limits.CODES_MAX}
        )
    codes = [secrets.token_urlsafe(9) for _ in range(count)]
    BallotCode.objects.bulk_create(
        [BallotCode(evaluation=evaluation, group=group, code=c) for c in codes]
    )
    record(
        acting_user=acting_user,
        action="ballots.issue",
        obj=evaluation,
        after={"group": group, "count": count},
    )
    return codes


@transaction.atomic
def codes_print(*, acting_user: User, evaluation: Evaluation, group: str) -> list[str]:
    """The group's codes not printed yet, once: afterwards no page shows them again, so the
    office cannot cast the unused ones; only an audited reprint does."""
    _office(acting_user)
    evaluation = _open_evaluation(evaluation, group)
    fresh = evaluation.codes.filter(group=group, used_at__isnull=True, printed_at__isnull=True)
    codes = list(fresh.order_by("id").values_list("code", flat=True))
    if not codes:
        raise YearEndError(
            _("Every code of this group has been printed; a reprint needs a reason.")
        )
    now = timezone.now()
    fresh.update(printed_at=now)
    lists = dict(evaluation.code_lists)
    lists.setdefault(group, {"printed_at": now.isoformat(), "reprints": 0, "reprinted_at": None})
    evaluation.code_lists = lists
    evaluation.save(update_fields=["code_lists"])
    record(
        acting_user=acting_user,
        action="ballots.print",
        obj=evaluation,
        after={"group": group, "count": len(codes)},
    )
    return codes


@transaction.atomic
def codes_reprint(
    *, acting_user: User, evaluation: Evaluation, group: str, reason: str
) -> list[str]:
    """Every unused code of the group again (lost sheets): audited with its reason, and the
    list is marked as reprinted, with how often and when."""
    _office(acting_user)
    evaluation = _open_evaluation(evaluation, group)
    if not reason.strip():
        raise YearEndError(_("Say why the code list is printed again."))
    unused = evaluation.codes.filter(group=group, used_at__isnull=True)
    if unused.filter(printed_at__isnull=True).exists() or group not in evaluation.code_lists:
        raise YearEndError(_("Print the list first; only a printed list is reprinted."))
    codes = list(unused.order_by("id").values_list("code", flat=True))
    if not codes:
        raise YearEndError(_("Every code of this group has been used."))
    lists = dict(evaluation.code_lists)
    entry = dict(lists[group])
    entry["reprints"] = int(entry.get("reprints", 0)) + 1
    entry["reprinted_at"] = timezone.now().isoformat()
    lists[group] = entry
    evaluation.code_lists = lists
    evaluation.save(update_fields=["code_lists"])
    record(
        acting_user=acting_user,
        action="ballots.reprint",
        obj=evaluation,
        after={"group": group, "count": len(codes), "reprints": entry["reprints"]},
        reason=reason.strip(),
    )
    return codes


@transaction.atomic
def ballot_cast(*, code: str, ratings: dict[int, str]) -> None:
    """Count one rater's ballot: each code once, only while the evaluation is open. Only the
    tallies change; nothing links them to the code."""
    ballot = (
        BallotCode.objects.select_for_update()
        .select_related("evaluation__year")
        .filter(code=code)
        .first()
    )
    if ballot is None:
        raise YearEndError(_("This ballot code is not valid."))
    refuse_if_final(ballot.evaluation.year)
    if ballot.used_at is not None:
        raise YearEndError(_("This ballot code has been used."))
    evaluation = ballot.evaluation
    if evaluation.status != Evaluation.Status.OPEN:
        raise YearEndError(_("The evaluation is closed."))
    options = set(evaluation.year.scheme.recognition.options) | {"弃权"}
    units = set(rated_units(evaluation.year).values_list("pk", flat=True))
    if set(ratings) != units or not set(ratings.values()) <= options:
        raise YearEndError(_("Rate every unit with one of the options."))
    for unit_id, option in ratings.items():
        tally, _created = Tally.objects.get_or_create(
            evaluation=evaluation, unit_id=unit_id, group=ballot.group, option=option
        )
        Tally.objects.filter(pk=tally.pk).update(count=F("count") + 1)
    ballot.used_at = timezone.now()
    ballot.save(update_fields=["used_at"])
    record(
        acting_user=None,
        action="ballot.cast",
        obj=("yearend.evaluation", str(evaluation.pk)),
        after={"group": ballot.group},
    )


def rated_units(year: Year) -> Any:
    categories = [c.key for c in year.scheme.categories]
    return Unit.objects.filter(active=True, category__in=categories).order_by("category", "code")


@transaction.atomic
def evaluation_close(*, acting_user: User, evaluation: Evaluation) -> Evaluation:
    _office(acting_user)
    evaluation = Evaluation.objects.select_for_update().select_related("year").get(pk=evaluation.pk)
    refuse_if_final(evaluation.year)
    if evaluation.status == Evaluation.Status.CLOSED:
        raise YearEndError(_("The evaluation is closed."))
    evaluation.status, evaluation.closed_at = Evaluation.Status.CLOSED, timezone.now()
    evaluation.save()
    used = evaluation.codes.filter(used_at__isnull=False).count()
    record(
        acting_user=acting_user,
        action="evaluation.close",
        obj=evaluation,
        after={"ballots": used, "issued": evaluation.codes.count()},
    )
    return evaluation


# ---- aggregation, review, notice (确认公示) -----------------------------------------------


def add_working_days(start: dt.date, days: int) -> dt.date:
    """The date ``days`` working days after ``start``, on China's calendar (statutory holidays
    and 调休 make-up working days, with the office's entries): see ``kaohe.workdays``."""
    from kaohe.workdays import selectors as workdays  # the calendar lives in its own app

    return workdays.add_working_days(start, days).date


class ClosingConflict(YearEndError):
    """An action based on a version of the closing that has changed since it was shown."""

    def __init__(self, closing: Closing) -> None:
        self.closing = closing
        super().__init__(_("The results changed since this page was loaded; nothing was done."))


def _locked_closing(year: Year, expected_version: int | None) -> Closing:
    """The year's closing, locked; refused as a conflict when it is no longer the version
    the acting user saw (``None``: the caller checks nothing, as services called directly)."""
    closing = Closing.objects.select_for_update().get(pk=closing_of(year).pk)
    if expected_version is not None and expected_version != closing.version:
        raise ClosingConflict(closing)
    return closing


def readiness_problems(state: Readiness) -> list[str]:
    """What is missing, one line each, for the refusal and the readiness panel."""
    problems = []
    for gap in state.months:
        if not gap.opened:
            problems.append(_("Month %(month)s is not open.") % {"month": gap.month})
        else:
            problems.append(
                _("Month %(month)s is not accepted from: %(departments)s.")
                % {"month": gap.month, "departments": "、".join(gap.departments)}
            )
    if state.pending_declarations:
        problems.append(
            _("%(n)s declarations are not decided.") % {"n": state.pending_declarations}
        )
    if state.pending_vetoes:
        problems.append(
            _("%(n)s veto faults await their second confirmation.") % {"n": state.pending_vetoes}
        )
    if state.pending_cells:
        problems.append(
            _("%(n)s large deductions await their second confirmation.")
            % {"n": state.pending_cells}
        )
    if state.evaluation == "missing":
        problems.append(_("The recognition evaluation has not been held."))
    elif state.evaluation == "open":
        problems.append(_("The recognition evaluation is still open."))
    return problems


def _refuse_unless_ready(year: Year) -> None:
    problems = readiness_problems(readiness(year))
    if problems:
        raise YearEndError(
            _("The year is not ready for its results: %(missing)s")
            % {"missing": " ".join(problems)}
        )


def _move(
    closing: Closing,
    acting_user: User,
    action: str,
    to: str,
    *,
    allowed: tuple[str, ...],
    reason: str = "",
) -> Closing:
    if closing.stage not in allowed:
        raise YearEndError(
            _("Not possible at this stage (%(stage)s).") % {"stage": closing.get_stage_display()}
        )
    before = {"stage": closing.stage, "version": closing.version}
    closing.stage = to
    closing.version += 1
    closing.updated_at, closing.updated_by = timezone.now(), acting_user
    closing.save()
    record(
        acting_user=acting_user,
        action=action,
        obj=closing,
        before=before,
        after={"stage": to, "version": closing.version, "sha256": closing.results_sha256},
        reason=reason,
    )
    return closing


_COMPUTABLE = (Closing.Stage.COLLECTING, Closing.Stage.COMPUTED, Closing.Stage.RETURNED)


def _compute_allowed(acting_user: User, year: Year, expected_version: int | None) -> Closing:
    _office(acting_user)
    refuse_if_final(year)
    closing = _locked_closing(year, expected_version)
    _refuse_unless_ready(year)
    if closing.stage not in _COMPUTABLE:
        raise YearEndError(
            _("Not possible at this stage (%(stage)s).") % {"stage": closing.get_stage_display()}
        )
    return closing


@transaction.atomic
def closing_compute_check(*, acting_user: User, year: Year, expected_version: int | None) -> None:
    """Refuse at once, before any background work is queued, what closing_compute would."""
    _compute_allowed(acting_user, year, expected_version)


@transaction.atomic
def closing_compute(
    *, acting_user: User, year: Year, expected_version: int | None = None
) -> Closing:
    """Aggregate T, B, F, R for every unit and keep the figures for review; only for a year
    whose every month, declaration and ballot is in."""
    closing = _compute_allowed(acting_user, year, expected_version)
    figures = published_figures(year_end_result(year))
    closing.results, closing.results_sha256 = figures, figures_sha(figures)
    closing.computed_at = timezone.now()
    closing.leader_comment = ""  # a return's comment is kept in review_notes, dated
    return _move(
        closing,
        acting_user,
        "results.compute",
        Closing.Stage.COMPUTED,
        allowed=_COMPUTABLE,
    )


@transaction.atomic
def closing_submit(
    *, acting_user: User, year: Year, expected_version: int | None = None
) -> Closing:
    _office(acting_user)
    closing = _locked_closing(year, expected_version)
    _refuse_unless_ready(year)
    closing.leader_comment = ""
    return _move(
        closing,
        acting_user,
        "results.submit",
        Closing.Stage.SUBMITTED,
        allowed=(Closing.Stage.COMPUTED,),
    )


@transaction.atomic
def closing_review(
    *,
    acting_user: User,
    year: Year,
    approve: bool,
    comment: str,
    expected_version: int | None = None,
) -> Closing:
    """The leaders (部务会) approve the results, or return them with comments; each decision
    is kept, dated, in the closing's review history."""
    if not acting_user.is_leader:
        raise YearEndError(_("Only the leaders review the results."))
    closing = _locked_closing(year, expected_version)
    if not approve and not comment.strip():
        raise YearEndError(_("Say why the results are returned."))
    if approve:
        _refuse_unless_ready(year)
    closing.leader_comment = comment.strip()
    closing.review_notes = [
        *closing.review_notes,
        {
            "at": timezone.now().isoformat(),
            "by": acting_user.get_username(),
            "approve": approve,
            "comment": comment.strip(),
            "version": closing.version,
        },
    ]
    return _move(
        closing,
        acting_user,
        "results.approve" if approve else "results.return",
        Closing.Stage.APPROVED if approve else Closing.Stage.RETURNED,
        allowed=(Closing.Stage.SUBMITTED,),
        reason=comment,
    )


@transaction.atomic
def closing_publish(
    *,
    acting_user: User,
    year: Year,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Closing:
    _office(acting_user)
    closing = _locked_closing(year, expected_version)
    _refuse_unless_ready(year)
    today = today or timezone.localdate()
    closing.published_at = timezone.now()
    closing.notice_ends_on = add_working_days(today, year.scheme.procedure.notice_working_days)
    closing = _move(
        closing,
        acting_user,
        "notice.publish",
        Closing.Stage.PUBLISHED,
        allowed=(Closing.Stage.APPROVED,),
    )
    if settings.KAOHE_NOTICE_PDF_AT_PUBLISH:  # the PDF rendered once, in the background
        from kaohe.jobs.models import Job
        from kaohe.jobs.services import job_enqueue

        job_enqueue(kind=Job.Kind.NOTICE_PDF, acting_user=acting_user, year=year)
    return closing


def notice_open(closing: Closing, today: dt.date | None = None) -> bool:
    today = today or timezone.localdate()
    return (
        closing.stage == Closing.Stage.PUBLISHED
        and closing.notice_ends_on is not None
        and today <= closing.notice_ends_on
    )


@transaction.atomic
def objection_lodge(*, acting_user: User, year: Year, text: str) -> Objection:
    if acting_user.unit is None:
        raise YearEndError(_("Only a unit may lodge an objection."))
    if not notice_open(closing_of(year)):
        raise YearEndError(_("Objections are taken during the notice period only."))
    if not text.strip():
        raise YearEndError(_("Write the objection."))
    objection = Objection.objects.create(
        year=year, unit=acting_user.unit, text=text.strip(), created_by=acting_user
    )
    record(
        acting_user=acting_user,
        action="objection.lodge",
        obj=objection,
        after={"text": objection.text},
    )
    return objection


@transaction.atomic
def objection_answer(*, acting_user: User, objection: Objection, answer: str) -> Objection:
    _office(acting_user)
    refuse_if_final(objection.year)
    if not answer.strip():
        raise YearEndError(_("Write the answer."))
    # locked and checked: of two office users answering at once, the second is told, not lost
    objection = Objection.objects.select_for_update(of=("self",)).get(pk=objection.pk)
    if objection.answer:
        who = objection.answered_by.get_username() if objection.answered_by else ""
        when = timezone.localtime(objection.answered_at) if objection.answered_at else None
        raise YearEndError(
            _("%(who)s answered this objection at %(when)s: %(answer)s")
            % {
                "who": who,
                "when": when.strftime("%Y-%m-%d %H:%M") if when else "",
                "answer": objection.answer,
            }
        )
    before = objection.answer
    objection.answer, objection.answered_by, objection.answered_at = (
        answer.strip(),
        acting_user,
        timezone.now(),
    )
    objection.save()
    record(
        acting_user=acting_user,
        action="objection.answer",
        obj=objection,
        before={"answer": before},
        after={"answer": objection.answer},
    )
    return objection


@transaction.atomic
def closing_finalize(
    *,
    acting_user: User,
    year: Year,
    today: dt.date | None = None,
    expected_version: int | None = None,
) -> Closing:
    _office(acting_user)
    closing = _locked_closing(year, expected_version)
    if notice_open(closing, today):
        raise YearEndError(_("The notice period has not ended yet."))
    if Objection.objects.filter(year=year, answered_at__isnull=True).exists():
        raise YearEndError(_("Answer every objection first."))
    return _move(
        closing,
        acting_user,
        "results.finalize",
        Closing.Stage.FINAL,
        allowed=(Closing.Stage.PUBLISHED,),
    )


@transaction.atomic
def closing_reopen(
    *, acting_user: User, year: Year, reason: str, expected_version: int | None = None
) -> Closing:
    """Withdraw a published notice, or reopen final results, to correct them (an upheld
    objection, a fact found wrong): the year goes back to the office, to be recomputed,
    reviewed and published again. The withdrawn notice is kept, as published."""
    _office(acting_user)
    if not reason.strip():
        raise YearEndError(_("Say why the published results are reopened."))
    closing = _locked_closing(year, expected_version)
    if closing.stage in (Closing.Stage.PUBLISHED, Closing.Stage.FINAL):
        closing.past_notices = [
            *closing.past_notices,
            {
                "stage": closing.stage,
                "published_at": closing.published_at.isoformat() if closing.published_at else None,
                "notice_ends_on": closing.notice_ends_on.isoformat()
                if closing.notice_ends_on
                else None,
                "results_sha256": closing.results_sha256,
                "results": closing.results,
                "reopened_at": timezone.now().isoformat(),
                "reopened_by": acting_user.get_username(),
                "reason": reason.strip(),
            },
        ]
        closing.published_at, closing.notice_ends_on = None, None
        closing.leader_comment = ""
    return _move(
        closing,
        acting_user,
        "results.reopen" if closing.stage == Closing.Stage.FINAL else "notice.reopen",
        Closing.Stage.COLLECTING,
        allowed=(Closing.Stage.PUBLISHED, Closing.Stage.FINAL),
        reason=reason.strip(),
    )
