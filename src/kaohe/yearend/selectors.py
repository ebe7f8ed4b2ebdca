"""The whole year's facts for the engine: monthly findings plus verified declarations and
closed ballots; the year's results, compared with what was published; and the year's
readiness for its closing."""

from __future__ import annotations

import hashlib
import json
from dataclasses import dataclass
from datetime import datetime
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

from kaohe.engine import Facts, YearResult, compute_year
from kaohe.engine.scheme import Scheme
from kaohe.engine.serialize import result_to_data
from kaohe.monthly.models import Confirmation, Cycle, Sheet
from kaohe.monthly.selectors import cached, pending_cell_confirmations, watch, year_facts
from kaohe.people.models import User
from kaohe.years.models import Year

from .models import Closing, Declaration, Evaluation, Tally, VetoConfirmation

watch([Declaration, Evaluation, Tally, VetoConfirmation])


def year_end_data(
    year: Year, as_of: datetime | None = None, extra: list[Declaration] | None = None
) -> dict[str, Any]:
    """Facts as plain data; ``extra`` declarations count as accepted (for what-if)."""
    data = year_facts(year, as_of).model_dump(mode="json")
    # a veto fault waiting for (or refused) its second confirmation does not stand
    accepted = list(
        Declaration.objects.filter(year=year, status=Declaration.Status.ACCEPTED)
        .exclude(
            veto_confirmation__status__in=[
                VetoConfirmation.Status.PENDING,
                VetoConfirmation.Status.REFUSED,
            ]
        )
        .select_related("unit")
    )
    ids = {d.pk for d in accepted}
    accepted += [d for d in extra or [] if d.pk not in ids]
    data["achievements"] = [
        {
            "id": f"D{d.pk or 0}",
            "unit": d.unit.code,
            "award": d.award,
            "level": d.level,
            "content": d.content,
            "document": d.document_no,
            "date": d.document_date,
            "description": d.description,
        }
        for d in accepted
        if d.kind == Declaration.Kind.ACHIEVEMENT
    ]
    data["faults"] = [
        {
            "id": f"D{d.pk or 0}",
            "unit": d.unit.code,
            "type": d.fault_type,
            "occurrences": d.occurrences,
            "declared": d.declared,
            "date": d.occurred_on,
            "description": d.description,
        }
        for d in accepted
        if d.kind == Declaration.Kind.FAULT
    ]
    evaluation = Evaluation.objects.filter(year=year, status=Evaluation.Status.CLOSED).first()
    tallies: dict[tuple[str, str], dict[str, int]] = {}
    if evaluation is not None:
        for code, group, option, count in Tally.objects.filter(evaluation=evaluation).values_list(
            "unit__code", "group", "option", "count"
        ):
            tallies.setdefault((code, group), {})[option] = count
    data["recognition"] = [
        {"unit": unit, "group": group, "counts": counts}
        for (unit, group), counts in tallies.items()
    ]
    return data


def year_end_result(year: Year, extra: list[Declaration] | None = None) -> YearResult:
    """The whole year with B, F and R; without ``extra``, cached as ``year_result`` is,
    under the monthly inputs' key and the year-end inputs' digest (``year_end_inputs``)."""
    if extra is None:
        return cached(
            year, ("year_end_result",), lambda: _year_end(year), lambda: year_end_inputs(year)
        )
    return _year_end(year, extra)


def _year_end(year: Year, extra: list[Declaration] | None = None) -> YearResult:
    facts = Facts.model_validate(year_end_data(year, extra=extra))
    return compute_year(year.base_scheme, facts, amendments=year.amendments())


def year_end_inputs(year: Year) -> list[Any]:
    """Every row the year end reads beyond the months: declarations, veto confirmations,
    the evaluation and its tallies (a few hundred rows)."""
    return [
        list(Declaration.objects.filter(year=year).order_by("pk").values_list()),
        list(VetoConfirmation.objects.filter(declaration__year=year).order_by("pk").values_list()),
        list(Evaluation.objects.filter(year=year).order_by("pk").values_list("pk", "status")),
        list(
            Tally.objects.filter(evaluation__year=year)
            .order_by("pk")
            .values_list("evaluation_id", "unit_id", "group", "option", "count")
        ),
    ]


def published_figures(result: YearResult) -> dict[str, Any]:
    """What the notice publishes: the results without explanations."""
    return result_to_data(result)


@dataclass(frozen=True)
class MonthGap:
    """A month not yet accepted by every department: ``departments`` names those missing
    (every one of them when the month is not open)."""

    month: int
    opened: bool
    departments: list[str]


@dataclass(frozen=True)
class Readiness:
    """What the year still lacks before its results may be computed, reviewed or published."""

    months: list[MonthGap]
    pending_declarations: int
    evaluation: str  # "missing", "open" or "closed"
    pending_vetoes: int = 0  # veto faults waiting for their second confirmation
    pending_cells: int = 0  # corrections of accepted months waiting for theirs

    @property
    def ready(self) -> bool:
        return (
            not self.months
            and not self.pending_declarations
            and not self.pending_vetoes
            and not self.pending_cells
            and self.evaluation == "closed"
        )


def readiness(year: Year) -> Readiness:
    """Every month 1–12 accepted by every department of the scheme, every declaration
    decided (anything not pending counts as decided), the recognition evaluation closed."""
    names = {d.key: d.name for d in year.scheme.departments}
    accepted: dict[int, set[str]] = {}
    for month, key in Sheet.objects.filter(
        cycle__year=year, status=Sheet.Status.ACCEPTED
    ).values_list("cycle__month", "department__key"):
        accepted.setdefault(month, set()).add(key)
    opened = set(Cycle.objects.filter(year=year).values_list("month", flat=True))
    gaps = []
    for month in range(1, 13):
        done = accepted.get(month, set())
        if not set(names) <= done:
            gaps.append(
                MonthGap(month, month in opened, [n for k, n in names.items() if k not in done])
            )
    pending = Declaration.objects.filter(year=year, status=Declaration.Status.PENDING).count()
    status = Evaluation.objects.filter(year=year).values_list("status", flat=True).first()
    vetoes = VetoConfirmation.objects.filter(
        declaration__year=year, status=VetoConfirmation.Status.PENDING
    ).count()
    cells = Confirmation.objects.filter(
        entry__sheet__cycle__year=year,
        entry__superseded_at__isnull=True,
        status=Confirmation.Status.PENDING,
    ).count()
    return Readiness(gaps, pending, status or "missing", vetoes, cells)


def vetoes_by(scheme: Scheme, declaration: Declaration) -> bool:
    """Whether a fault vetoes the unit, as the engine reads it (``annual.faults``): a veto
    type, or an undeclared fault whose type says undeclared means veto (Art. 11(1))."""
    if declaration.kind != Declaration.Kind.FAULT:
        return False
    kind = next((t for t in scheme.faults.types if t.key == declaration.fault_type), None)
    if kind is None:
        return False
    return kind.severity == "veto" or (not declaration.declared and kind.undeclared == "veto")


def pending_veto_confirmations(user: User) -> list[VetoConfirmation]:
    """Veto faults waiting for their second confirmation: the office and the leaders see
    them (only another office user confirms); one query."""
    if not (user.is_office or user.is_leader):
        return []
    return list(
        VetoConfirmation.objects.filter(status=VetoConfirmation.Status.PENDING)
        .select_related("declaration__year", "declaration__unit", "requested_by")
        .order_by("requested_at", "id")
    )


@dataclass(frozen=True)
class Pending:
    """What waits for a second person (issue 9 point 6), for the queue and the to-do lists."""

    cells: list[Any]  # monthly.Confirmation
    vetoes: list[VetoConfirmation]

    def __len__(self) -> int:
        return len(self.cells) + len(self.vetoes)


def pending_confirmations(user: User) -> Pending:
    """Large deductions and veto faults waiting for a second confirmation that ``user``
    sees (see ``pending_cell_confirmations`` and ``pending_veto_confirmations``); each item
    may still be one ``user`` entered and so may not confirm. A fixed number of queries."""
    return Pending(pending_cell_confirmations(user), pending_veto_confirmations(user))


# ---- reads that compute: what-ifs and differences against the published figures ----


@dataclass(frozen=True)
class Change:
    """One figure of one unit that differs: ``field`` is the machine name ("total", "rank",
    "vetoed", "advanced" or "escalation <action> <month>"); the ``label``, ``before_text``,
    ``after_text`` and ``movement`` properties are what a page shows."""

    unit: str
    name: str
    field: str
    before: Any
    after: Any

    @property
    def label(self) -> str:
        if self.field.startswith("escalation "):
            _word, action, month = self.field.split(" ")
            if action == "talk":
                return _("Escalation: talk (month %(month)s)") % {"month": month}
            return _("Escalation: written report (month %(month)s)") % {"month": month}
        labels = {
            "total": _("Annual total"),
            "rank": _("Annual rank"),
            "vetoed": _("Vetoed"),
            "advanced": _("Recommended as advanced"),
        }
        return str(labels.get(self.field, self.field))

    def _text(self, value: Any) -> str:
        if value is None:
            return "—"
        if isinstance(value, bool):
            return str(_("yes") if value else _("no"))
        if self.field == "total":
            return f"{Decimal(value):.2f}"
        return str(value)

    @property
    def before_text(self) -> str:
        return self._text(self.before)

    @property
    def after_text(self) -> str:
        return self._text(self.after)

    @property
    def movement(self) -> str:
        """A rank's move: ↑ up (a smaller number), ↓ down; a total's difference, signed."""
        if self.before is None or self.after is None or isinstance(self.before, bool):
            return ""
        if self.field == "rank":
            places = int(self.before) - int(self.after)
            return f"↑{places}" if places > 0 else f"↓{-places}" if places < 0 else ""
        if self.field == "total":
            difference = Decimal(self.after) - Decimal(self.before)
            return f"{difference:+.2f}" if difference else ""
        return ""


def what_if(year: Year, declaration: Declaration) -> list[Change]:
    """What accepting ``declaration`` would change: totals, ranks, vetoes, escalations and
    advanced-unit eligibility, unit by unit. Cached under the year's inputs and the
    declaration's own field values (saved or not)."""

    def build() -> list[Change]:
        now = published_figures(year_end_result(year))
        then = published_figures(year_end_result(year, extra=[declaration]))
        return diff_figures(now, then)

    fields = [
        (f.attname, getattr(declaration, f.attname)) for f in Declaration._meta.concrete_fields
    ]
    return cached(year, ("what_if",), build, lambda: [year_end_inputs(year), fields])


def published_changes(year: Year) -> list[Change]:
    """What recomputing now would change against the published figures: the what-if for an
    objection, once the office has corrected the facts it concerns (a score, a declaration)."""
    closing = Closing.objects.filter(year=year).first()
    if closing is None or closing.results is None:
        return []
    fresh = published_figures(year_end_result(year))
    return diff_figures(closing.results, fresh)


def diff_figures(old: dict[str, Any], new: dict[str, Any]) -> list[Change]:
    """Unit by unit between two sets of figures (the engine's JSON): total, rank, veto,
    advanced recommendation, and the escalations raised or dropped."""

    def advanced(figures: dict[str, Any]) -> set[str]:
        return {a["unit"] for use in figures["results_use"].values() for a in use["advanced"]}

    def escalations(figures: dict[str, Any]) -> set[tuple[str, str, int]]:
        return {(e["unit"], e["action"], e["month"]) for e in figures["escalations"]}

    changes: list[Change] = []
    old_advanced, new_advanced = advanced(old), advanced(new)
    for uid, before in old["units"].items():
        after = new["units"].get(uid)
        if after is None:
            continue
        pairs = [
            ("total", Decimal(before["total"]), Decimal(after["total"])),
            ("rank", before["rank"], after["rank"]),
            ("vetoed", before["vetoed"], after["vetoed"]),
            ("advanced", uid in old_advanced, uid in new_advanced),
        ]
        changes.extend(Change(uid, before["name"], f, a, b) for f, a, b in pairs if a != b)
    old_escalations, new_escalations = escalations(old), escalations(new)
    for unit, action, month in sorted(old_escalations ^ new_escalations):
        changes.append(
            Change(
                unit,
                old["units"][unit]["name"],
                f"escalation {action} {month}",
                (unit, action, month) in old_escalations,
                (unit, action, month) in new_escalations,
            )
        )
    return changes


def recompute_differences(year: Year) -> list[str]:
    """Rebuild the published figures from the stored facts and list every difference."""
    closing = Closing.objects.filter(year=year).first()
    if closing is None or closing.results is None:
        return [_("%(year)s: nothing has been computed or published") % {"year": year.year}]
    problems: list[str] = []
    if figures_sha(closing.results) != closing.results_sha256:
        problems.append(_("the stored figures do not match their recorded SHA-256"))
    fresh = published_figures(year_end_result(year))
    _compare("", closing.results, fresh, problems)
    return problems


def _compare(path: str, old: Any, new: Any, problems: list[str]) -> None:
    if isinstance(old, dict) and isinstance(new, dict):
        for key in sorted(set(old) | set(new), key=str):
            _compare(f"{path}.{key}" if path else str(key), old.get(key), new.get(key), problems)
    elif isinstance(old, list) and isinstance(new, list) and len(old) == len(new):
        for i, (a, b) in enumerate(zip(old, new, strict=True)):
            _compare(f"{path}[{i}]", a, b, problems)
    elif old != new:
        problems.append(
            _("%(path)s: published %(old)r, recomputed %(new)r")
            % {"path": path, "old": old, "new": new}
        )


def figures_sha(figures: dict[str, Any]) -> str:
    canonical = json.dumps(figures, sort_keys=True, ensure_ascii=False)
    return hashlib.sha256(canonical.encode("utf-8")).hexdigest()


def closing_read(year: Year) -> Closing:
    """The year's closing for a page: the stored one, or an unsaved fresh one before anything
    has happened — a GET never writes (services create it with their first change)."""
    return Closing.objects.filter(year=year).first() or Closing(year=year)
