"""What each role has to do next, for its home page (issue 10 point 1): counted and linked.

Reads only, in a fixed number of queries whatever the number of units, sheets or years
(``tests/home/test_home_queries.py``): every list is one query, grouped in the database."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.db.models import Count
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from kaohe.monthly.models import Cycle, EscalationCase, Sheet
from kaohe.monthly.selectors import complete_months, refused_cell_confirmations
from kaohe.people.models import User
from kaohe.yearend.models import Closing, Declaration, Objection
from kaohe.yearend.selectors import pending_confirmations, readiness
from kaohe.yearend.services import notice_open, readiness_problems
from kaohe.years.models import Year

PUBLIC_STAGES = (Closing.Stage.PUBLISHED, Closing.Stage.FINAL)
SHOWN = 12  # lines listed under a task; the count says how many there are in all


@dataclass(frozen=True)
class Line:
    """One thing to do (or to read): its text, where to do it, and a detail (a due date, a
    reason, a status)."""

    text: str
    url: str
    detail: str = ""
    warn: bool = False
    sheet: Sheet | None = None  # a submitted sheet its department may still withdraw


@dataclass(frozen=True)
class Task:
    """A counted to-do item of a home page; ``key`` names it for tests and the browser."""

    key: str
    label: str
    count: int
    url: str
    lines: list[Line] = field(default_factory=list)
    more: int = 0  # lines not listed (the first ``SHOWN`` are)
    inline: bool = False  # short lines (months) side by side


@dataclass(frozen=True)
class Readiness:
    """The year end's readiness panel: what is missing and where to fix it."""

    year: Year
    ready: bool
    problems: list[tuple[str, str | None]]


@dataclass
class Todo:
    """A user's home page: the tasks of each role the user holds (roles combine)."""

    office: list[Task] = field(default_factory=list)
    leader: list[Task] = field(default_factory=list)
    assessor: list[Task] = field(default_factory=list)
    unit: list[Task] = field(default_factory=list)
    unit_info: list[Task] = field(default_factory=list)  # results to read, not to do
    readiness: Readiness | None = None

    @property
    def count(self) -> int:
        return sum(t.count for t in self.office + self.leader + self.assessor + self.unit)


def _month(sheet_or_cycle: Sheet | Cycle) -> str:
    cycle = sheet_or_cycle.cycle if isinstance(sheet_or_cycle, Sheet) else sheet_or_cycle
    return _("%(year)s, month %(month)s") % {"year": cycle.year.year, "month": cycle.month}


def todo_for(user: User, year: Year | None, today: dt.date | None = None) -> Todo:
    """Every role's list for ``user``; ``year`` is the current year (the newest)."""
    today = today or timezone.localdate()
    todo = Todo()
    if user.is_office:
        todo.office = _office(user, today)
    if user.is_leader:
        todo.leader = _leader(user)
    if (user.is_office or user.is_leader) and year is not None:
        todo.readiness = year_readiness(year, office=user.is_office)
    if user.department_id:
        todo.assessor = _assessor(user, today)
    if user.unit_id:
        todo.unit, todo.unit_info = _unit(user, year, today)
    return todo


def year_readiness(year: Year, *, office: bool = True) -> Readiness | None:
    """The readiness panel of a year not yet published (a published year needs none); a
    leader is not linked to the office's evaluation page, which it may not open."""
    stage = Closing.objects.filter(year=year).values_list("stage", flat=True).first()
    if stage in PUBLIC_STAGES:
        return None
    state = readiness(year)
    problems = readiness_problems(state)
    links: list[str | None] = [
        reverse("cycle", args=[year.year, gap.month])
        if gap.opened
        else reverse("year", args=[year.year])
        for gap in state.months
    ]
    if state.pending_declarations:
        links.append(reverse("declarations", args=[year.year]))
    if state.pending_vetoes:
        links.append(reverse("confirmations"))
    if state.pending_cells:
        links.append(reverse("confirmations"))
    if state.evaluation != "closed":
        links.append(reverse("evaluation", args=[year.year]) if office else None)
    return Readiness(year, state.ready, list(zip(problems, links, strict=True)))


def _confirmations_task(user: User) -> Task:
    pending = pending_confirmations(user)
    lines = [
        Line(
            f"{c.entry.unit.name} · {c.entry.sheet.department.name} · {_month(c.entry.sheet)}",
            reverse("confirmations"),
            _("%(points)s points") % {"points": f"{c.points:.2f}"},
        )
        for c in pending.cells[:SHOWN]
    ] + [
        Line(
            f"{v.declaration.unit.name} · {v.declaration.year.year}",
            reverse("confirmations"),
            _("veto fault"),
            warn=True,
        )
        for v in pending.vetoes[:SHOWN]
    ]
    return Task(
        "confirmations",
        _("Second confirmations waiting"),
        len(pending),
        reverse("confirmations"),
        lines[:SHOWN],
        len(pending) - len(lines[:SHOWN]),
    )


def _office(user: User, today: dt.date) -> list[Task]:
    submitted = list(
        Sheet.objects.filter(status=Sheet.Status.SUBMITTED)
        .select_related("cycle__year", "department")
        .order_by("cycle__year__year", "cycle__month", "department_id")
    )
    to_accept = Task(
        "sheets-to-accept",
        _("Sheets to accept"),
        len(submitted),
        reverse("years"),
        [
            Line(
                f"{s.department.name} · {_month(s)}",
                reverse("cycle", args=[s.cycle.year.year, s.cycle.month]),
                _("late") if s.late else "",
                warn=s.late,
            )
            for s in submitted[:SHOWN]
        ],
        max(0, len(submitted) - SHOWN),
    )
    overdue = list(
        Sheet.objects.filter(
            cycle__status=Cycle.Status.OPEN,
            cycle__due_date__lt=today,
            status__in=[Sheet.Status.DRAFT, Sheet.Status.RETURNED],
        )
        .select_related("cycle__year", "department")
        .order_by("cycle__due_date", "department_id")
    )
    late = Task(
        "late-departments",
        _("Departments past the due date"),
        len(overdue),
        reverse("years"),
        [
            Line(
                f"{s.department.name} · {_month(s)}",
                reverse("cycle", args=[s.cycle.year.year, s.cycle.month]),
                _("due %(date)s") % {"date": s.cycle.due_date.isoformat()},
                warn=True,
            )
            for s in overdue[:SHOWN]
        ],
        max(0, len(overdue) - SHOWN),
    )
    pending = {
        (row["year__year"], row["kind"]): row["n"]
        for row in Declaration.objects.filter(status=Declaration.Status.PENDING)
        .values("year__year", "kind")
        .annotate(n=Count("id"))
        .order_by("-year__year", "kind")
    }

    def declarations_task(key: str, label: str, kind: str) -> Task:
        by_year = [(y, n) for (y, k), n in pending.items() if k == kind]
        return Task(
            key,
            label,
            sum(n for _y, n in by_year),
            reverse("declarations", args=[by_year[0][0]]) if by_year else "",
            [
                Line(
                    _("%(year)s: %(n)s waiting") % {"year": y, "n": n},
                    reverse("declarations", args=[y]),
                )
                for y, n in by_year
            ],
        )

    objections = list(
        Objection.objects.filter(answer="", year__closing__stage=Closing.Stage.PUBLISHED)
        .values("year__year")
        .annotate(n=Count("id"))
        .order_by("-year__year")
    )
    escalations = list(
        EscalationCase.objects.exclude(status=EscalationCase.Status.DONE)
        .values("year__year")
        .annotate(n=Count("id"))
        .order_by("-year__year")
    )
    return [
        to_accept,
        late,
        declarations_task(
            "declarations-to-verify", _("Declarations to verify"), Declaration.Kind.ACHIEVEMENT
        ),
        declarations_task("faults-to-review", _("Faults to review"), Declaration.Kind.FAULT),
        Task(
            "objections",
            _("Objections to answer"),
            sum(r["n"] for r in objections),
            reverse("results", args=[objections[0]["year__year"]]) if objections else "",
            [
                Line(
                    _("%(year)s: %(n)s waiting") % {"year": r["year__year"], "n": r["n"]},
                    reverse("results", args=[r["year__year"]]),
                )
                for r in objections
            ],
        ),
        Task(
            "escalations",
            _("Talks and written reports to arrange"),
            sum(r["n"] for r in escalations),
            reverse("escalations", args=[escalations[0]["year__year"]]) if escalations else "",
            [
                Line(
                    _("%(year)s: %(n)s waiting") % {"year": r["year__year"], "n": r["n"]},
                    reverse("escalations", args=[r["year__year"]]),
                )
                for r in escalations
            ],
        ),
        _confirmations_task(user),
    ]


def _leader(user: User) -> list[Task]:
    waiting = list(
        Closing.objects.filter(stage=Closing.Stage.SUBMITTED)
        .select_related("year")
        .order_by("-year__year")
    )
    review = Task(
        "results-to-review",
        _("Results awaiting review"),
        len(waiting),
        reverse("results", args=[waiting[0].year.year]) if waiting else "",
        [
            Line(
                _("%(year)s annual results") % {"year": c.year.year},
                reverse("results", args=[c.year.year]),
                _("computed %(date)s")
                % {"date": timezone.localtime(c.computed_at).strftime("%Y-%m-%d %H:%M")}
                if c.computed_at
                else "",
            )
            for c in waiting
        ],
    )
    tasks = [review]
    if not user.is_office:  # the office's list has them already
        tasks.append(_confirmations_task(user))
    return tasks


def _assessor(user: User, today: dt.date) -> list[Task]:
    sheets = list(
        Sheet.objects.filter(department=user.department)
        .exclude(status=Sheet.Status.ACCEPTED)
        .select_related("cycle__year", "department")
        .order_by("cycle__due_date", "cycle__month")
    )
    open_ = [s for s in sheets if s.editable]
    submitted = [s for s in sheets if s.status == Sheet.Status.SUBMITTED]
    tasks = [
        Task(
            "open-sheets",
            _("Sheets to score and submit"),
            len(open_),
            reverse("sheet", args=[open_[0].pk]) if open_ else "",
            [
                Line(
                    _month(s),
                    reverse("sheet", args=[s.pk]),
                    (
                        _("returned: %(reason)s") % {"reason": s.return_reason}
                        if s.status == Sheet.Status.RETURNED
                        else _("due %(date)s") % {"date": s.cycle.due_date.isoformat()}
                    )
                    + (_(" (past due)") if s.cycle.due_date < today else ""),
                    warn=s.status == Sheet.Status.RETURNED or s.cycle.due_date < today,
                )
                for s in open_[:SHOWN]
            ],
            max(0, len(open_) - SHOWN),
        ),
        Task(
            "submitted-sheets",
            _("Submitted, waiting for the office (may be withdrawn until accepted)"),
            len(submitted),
            reverse("sheet", args=[submitted[0].pk]) if submitted else "",
            [
                Line(
                    _month(s),
                    reverse("sheet", args=[s.pk]),
                    _("submitted %(date)s")
                    % {"date": timezone.localtime(s.submitted_at).strftime("%Y-%m-%d")}
                    if s.submitted_at
                    else "",
                    sheet=s,
                )
                for s in submitted[:SHOWN]
            ],
            max(0, len(submitted) - SHOWN),
        ),
    ]
    tasks.append(_confirmations_task(user))  # the queue, linked even when empty
    refused = refused_cell_confirmations(user)
    if refused:
        tasks.append(
            Task(
                "refused-deductions",
                _("Deductions refused by the second person, to correct"),
                len(refused),
                reverse("confirmations"),
                [
                    Line(
                        f"{c.entry.unit.name} · {_month(c.entry.sheet)}",
                        reverse("sheet", args=[c.entry.sheet.pk]),
                        c.reason,
                        warn=True,
                    )
                    for c in refused[:SHOWN]
                ],
                max(0, len(refused) - SHOWN),
            )
        )
    return tasks


def _unit(user: User, year: Year | None, today: dt.date) -> tuple[list[Task], list[Task]]:
    unit = user.unit
    assert unit is not None  # noqa: S101 - called for unit users only
    closings = list(Closing.objects.select_related("year").order_by("-year__year"))
    deadlines: list[Line] = []
    for closing in closings:
        if closing.declarations_open:
            deadlines.append(
                Line(
                    _("%(year)s: the declaration window is open") % {"year": closing.year.year},
                    reverse("declarations", args=[closing.year.year]),
                    _("declare achievements and report faults before the office closes it"),
                )
            )
        if notice_open(closing, today) and closing.notice_ends_on is not None:
            deadlines.append(
                Line(
                    _("%(year)s: results under notice, objections until %(date)s")
                    % {"year": closing.year.year, "date": closing.notice_ends_on.isoformat()},
                    reverse("notice", args=[closing.year.year]),
                    _("read the notice; object on its page, in writing, before the period ends"),
                    warn=True,
                )
            )
    declarations = list(
        Declaration.objects.filter(unit=unit).select_related("year").order_by("-year__year", "-id")
    )
    tasks = [
        Task(
            "deadlines",
            _("Deadlines"),
            len(deadlines),
            deadlines[0].url if deadlines else "",
            deadlines,
        ),
        Task(
            "my-declarations",
            _("Our declarations"),
            sum(1 for d in declarations if d.status == Declaration.Status.PENDING),
            reverse("declarations", args=[declarations[0].year.year]) if declarations else "",
            [
                Line(
                    f"{d.year.year} · {d.get_kind_display()} · {d.content or d.description[:30]}",
                    reverse("declaration", args=[d.pk]),
                    d.get_status_display()
                    + (f": {d.decision_reason}" if d.decision_reason else ""),
                    warn=d.status == Declaration.Status.REJECTED,
                )
                for d in declarations[:SHOWN]
            ],
            max(0, len(declarations) - SHOWN),
        ),
    ]
    info: list[Task] = []
    if year is not None:
        months = complete_months(year)
        info.append(
            Task(
                "monthly-results",
                _("Monthly results of %(year)s") % {"year": year.year},
                len(months),
                reverse("unit", args=[year.year, unit.code]),
                [
                    Line(
                        _("Month %(month)s") % {"month": m},
                        reverse("unit", args=[year.year, unit.code]) + f"?month={m}",
                    )
                    for m in months
                ],
                inline=True,
            )
        )
    annual = [c for c in closings if c.stage in PUBLIC_STAGES and c.results]
    info.append(
        Task(
            "annual-results",
            _("Annual results"),
            len(annual),
            reverse("annual-unit", args=[annual[0].year.year, unit.code]) if annual else "",
            [
                Line(
                    _("%(year)s: total %(total)s, %(rank)s")
                    % {"year": c.year.year, **_standing(c.results, unit.code)},
                    reverse("annual-unit", args=[c.year.year, unit.code]),
                    c.get_stage_display(),
                )
                for c in annual
            ],
        )
    )
    return tasks, info


def _standing(results: dict[str, Any] | None, code: str) -> dict[str, str]:
    """The unit's published total and rank, as the notice shows them."""
    row = (results or {}).get("units", {}).get(code)
    if row is None:
        return {"total": "—", "rank": _("not ranked")}
    total = f"{Decimal(str(row['total'])):.2f}"
    if row.get("vetoed"):
        return {"total": total, "rank": _("vetoed")}
    return {"total": total, "rank": _("rank %(rank)s") % {"rank": row.get("rank")}}
