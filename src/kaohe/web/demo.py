"""The demo district: one completed, published year (2014) and the current year in progress
(2015, the same measures), 60 units, a login per role, months already scored.

Scores come from the engine's synthetic year (kaohe.demofacts) and are written in bulk, one
audit event per sheet, so a newcomer can click through a real month at once."""

from __future__ import annotations

import datetime as dt
import os
import random
import secrets
import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.audit.services import record
from kaohe.demofacts import demo_facts
from kaohe.engine.loader import read_scheme_text
from kaohe.monthly.models import Cycle, Entry, EscalationCase, Sheet
from kaohe.monthly.scope import columns_for
from kaohe.monthly.services import cycle_open, escalations_sync
from kaohe.people.models import Department, Unit, User
from kaohe.people.services import require_new_passwords
from kaohe.yearend.models import BallotCode, Closing, Declaration, Evaluation, Tally
from kaohe.yearend.selectors import figures_sha, published_figures, year_end_result
from kaohe.yearend.services import add_working_days
from kaohe.years.models import Target, Year
from kaohe.years.services import year_create

DEMO_PASSWORD = "kaohe-demo-2014"  # noqa: S105 - printed on start, demo data only
CURRENT_ACCEPTED = (1, 2, 3, 4, 5)
CURRENT_OPEN = 6
# The demo's "today" when it is loaded: June's sheets are due on 10 July 2015, two of them
# are in, the declaration window is open. The demo clock runs from here (see demo_clock_start).
DEMO_START = (2015, 7, 8, 9)
# raters per group of the 2014 recognition evaluation: one code each, every code used
BALLOTS = {"leaders": 10, "departments": 15, "served": 25}
ABSTAIN = "弃权"
_real_now = timezone.now  # the machine's clock, kept before the demo clock replaces it


def demo_start() -> dt.datetime:
    year, month, day, hour = DEMO_START
    return dt.datetime(year, month, day, hour, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE))


def demo_clock_start() -> dt.datetime | None:
    """Make the process live in the demo's time (``kaohe run``, ``kaohe manage load_demo``):
    ``timezone.now()`` returns the demo's start plus the real time elapsed since the demo was
    loaded, so a sheet submitted in the demo is on time in July 2015 and a notice published
    there is dated 2015, and the clock still moves forward across restarts. The anchor is
    the demo's ``demo.clock`` audit event; a database without one starts the clock now.
    ``KAOHE_DEMO_CLOCK=off`` keeps the machine's clock. Returns the demo's now, or None."""
    if os.environ.get("KAOHE_DEMO_CLOCK", "").lower() in ("off", "0", "no", "false"):
        return None
    offset = _real_now() - demo_start()
    anchor = (
        AuditEvent.objects.filter(action="demo.clock")
        .order_by("id")
        .values_list("after", flat=True)
        .first()
    )
    if isinstance(anchor, dict):
        real = dt.datetime.fromisoformat(anchor["real"])
        offset = real - dt.datetime.fromisoformat(anchor["demo"])

    def demo_now() -> dt.datetime:
        return _real_now() - offset

    timezone.now = demo_now
    import axes.attempts  # login throttling compares attempts with its own copy of now()

    axes.attempts.now = demo_now
    return timezone.now()


def demo_logins() -> list[tuple[str, str]]:
    rows = [("office", "区绩效办"), ("leader", "部务会")]
    rows += [(f"assessor-{d.key}", d.name) for d in Department.objects.order_by("id")]
    rows += [
        (f"unit-{code.lower()}", name)
        for code, name in Unit.objects.filter(code__in=["S01", "S02", "D01"]).values_list(
            "code", "name"
        )
    ]
    return rows


def _aware(day: dt.date, hour: int = 10) -> dt.datetime:
    return dt.datetime(
        day.year, day.month, day.day, hour, tzinfo=zoneinfo.ZoneInfo(settings.TIME_ZONE)
    )


@transaction.atomic
def load_demo() -> Year:
    """Set up the demo district once; a second call changes nothing."""
    existing = Year.objects.filter(year=2015).first()
    if existing is not None:
        return existing
    source, text = read_scheme_text("district-2014")
    real_start, clock_now = _real_now(), timezone.now()
    office = User.objects.create_user(
        "office",
        password=DEMO_PASSWORD,
        display_name="区绩效办 张敏",
        is_office=True,
        is_staff=True,
        is_superuser=True,
    )
    done = year_create(acting_user=office, scheme_text=text, source=source)
    data = demo_facts(done.scheme, units=60, seed=2014)
    units = {
        row["id"]: Unit.objects.create(
            code=row["id"],
            name=row["name"],
            category=row["category"],
            kind=row.get("kind", ""),
            secretary=row["secretary"],
            leaders=",".join(row["leaders"]),
        )
        for row in data["units"]
    }
    departments = {d.key: d for d in Department.objects.all()}
    leader = User.objects.create_user(
        "leader", password=DEMO_PASSWORD, display_name="部务会 王强", is_leader=True
    )
    assessors = {
        key: User.objects.create_user(
            f"assessor-{key}", password=DEMO_PASSWORD, display_name=f"{d.name}考核员", department=d
        )
        for key, d in departments.items()
    }
    unit_users = {
        code: User.objects.create_user(
            f"unit-{code.lower()}",
            password=DEMO_PASSWORD,
            display_name=f"{units[code].name}联络员",
            unit=units[code],
        )
        for code in ("S01", "S02", "D01")
    }
    require_new_passwords([office, leader, *assessors.values(), *unit_users.values()])
    _months(done, data, units, assessors, office, accepted=tuple(range(1, 13)), open_month=None)
    _year_end(done, data, units, office, leader)

    current_text = text.replace("year: 2014", "year: 2015", 1).replace(
        "title: 区组织工作考核办法(2014年)", "title: 区组织工作考核办法(2015年,沿用2014年办法)", 1
    )
    current = year_create(
        acting_user=office, scheme_text=current_text, source="district-2014 → 2015"
    )
    data = demo_facts(current.scheme, units=60, seed=2015)
    _months(
        current, data, units, assessors, office, accepted=CURRENT_ACCEPTED, open_month=CURRENT_OPEN
    )
    closing, _created = Closing.objects.get_or_create(year=current)
    closing.declarations_open = True
    closing.save()
    Declaration.objects.create(
        year=current,
        unit=units["S01"],
        kind="achievement",
        award="innovation",
        level="major",
        content="网格化党建",
        document_no="区组发〔2015〕21号",
        description="“网格化党建”被评为区组织工作重大创新项目",
        created_by=unit_users["S01"],
    )
    Declaration.objects.create(
        year=current,
        unit=units["S02"],
        kind="fault",
        fault_type="meeting_absent",
        occurrences=1,
        description="6月组织工作例会无故缺席1次",
        created_by=unit_users["S02"],
    )
    # the demo clock's anchor: this real moment is the demo's clock_now (see demo_clock_start)
    record(
        acting_user=office,
        action="demo.clock",
        obj=("demo", "clock"),
        after={"real": real_start.isoformat(), "demo": clock_now.isoformat()},
        reason="demo data",
    )
    return current


def _months(
    year: Year,
    data: dict[str, Any],
    units: dict[str, Unit],
    assessors: dict[str, User],
    office: User,
    accepted: tuple[int, ...],
    open_month: int | None,
) -> None:
    Target.objects.bulk_create(
        [
            Target(year=year, unit=units[t["unit"]], item=t["item"], target=t["target"])
            for t in data["targets"]
        ]
    )
    findings: dict[tuple[int, str, str, str, str], dict[str, Any]] = {}
    for f in data["findings"]:
        findings[(f["month"], f["department"], f["unit"], f["item"], f.get("sub_item") or "")] = f
    for month in (*accepted, *([open_month] if open_month else [])):
        cycle = cycle_open(acting_user=office, year=year, month=month)
        _fill(cycle, units, assessors, findings, complete=month in accepted)
        # opened near the month's end; every sheet accepted: the month is settled, not 进行中
        cycle.opened_at = _aware(dt.date(year.year, month, 25))
        if month in accepted:
            cycle.status = Cycle.Status.CLOSED
        cycle.save(update_fields=["opened_at", "status"])
    escalations_sync(year=year)


def _fill(
    cycle: Cycle,
    units: dict[str, Unit],
    assessors: dict[str, User],
    findings: dict[tuple[int, str, str, str, str], dict[str, Any]],
    complete: bool,
) -> None:
    scheme = cycle.year.scheme
    submitted_day = cycle.due_date - dt.timedelta(days=3)
    for index, sheet in enumerate(cycle.sheets.select_related("department")):
        key = sheet.department.key
        # in the open month: two sheets submitted, one half done, the rest untouched
        if not complete and index >= 3:
            continue
        entries = []
        counts: dict[str, int] = defaultdict(int)
        for code, unit in units.items():
            for column in columns_for(scheme, key, unit):
                if not complete and index == 2 and code > "S06":
                    continue
                f = findings.get((cycle.month, key, code, *column.key))
                values = (
                    {k: f[k] for k in ("checks", "count", "met", "deduction") if k in f}
                    if f
                    else {}
                )
                entries.append(
                    Entry(
                        sheet=sheet,
                        unit=unit,
                        item=column.key[0],
                        sub_item=column.key[1],
                        values=values,
                        reason=f["reason"] if f else "",
                        evidence=f.get("evidence", "") if f else "",
                        created_at=_aware(submitted_day - dt.timedelta(days=1)),
                        created_by=assessors[key],
                    )
                )
                counts["found" if values else "clean"] += 1
        Entry.objects.bulk_create(entries)
        if complete or index < 2:
            sheet.status = Sheet.Status.ACCEPTED if complete else Sheet.Status.SUBMITTED
            sheet.submitted_at = _aware(submitted_day)
            sheet.decided_at = _aware(submitted_day + dt.timedelta(days=1)) if complete else None
            sheet.save()
        record(
            acting_user=assessors[key],
            action="demo.seed",
            obj=sheet,
            after={"status": sheet.status, **counts},
            reason="demo data",
        )


def _year_end(
    year: Year, data: dict[str, Any], units: dict[str, Unit], office: User, leader: User
) -> None:
    """Verified declarations, closed ballots, and results reviewed, published and final."""
    decided = _aware(dt.date(year.year + 1, 1, 12))
    declarations = [
        Declaration(
            year=year,
            unit=units[a["unit"]],
            kind="achievement",
            award=a["award"],
            level=a["level"],
            content=a["content"],
            document_no=a.get("document", ""),
            description=a["description"],
            status="accepted",
            created_by=office,
            decided_by=office,
            decided_at=decided,
        )
        for a in data["achievements"]
    ] + [
        Declaration(
            year=year,
            unit=units[f["unit"]],
            kind="fault",
            fault_type=f["type"],
            occurrences=f.get("occurrences", 1),
            declared=f["declared"],
            description=f["description"],
            status="accepted",
            created_by=office,
            decided_by=office,
            decided_at=decided,
        )
        for f in data["faults"]
    ]
    Declaration.objects.bulk_create(declarations)
    evaluation = Evaluation.objects.create(year=year, status="closed", closed_at=decided)
    _ballots(evaluation, data, units, decided)
    # the talks and written reports of a finished year were held
    EscalationCase.objects.filter(year=year).update(
        status=EscalationCase.Status.DONE, notes="已约谈/已提交书面报告(演示数据)"
    )
    figures = published_figures(year_end_result(year))
    published = dt.date(year.year + 1, 1, 20)
    closing = Closing.objects.create(
        year=year,
        stage=Closing.Stage.FINAL,
        results=figures,
        results_sha256=figures_sha(figures),
        computed_at=decided,
        leader_comment="同意公示。",
        published_at=_aware(published),
        notice_ends_on=add_working_days(published, year.scheme.procedure.notice_working_days),
    )
    for action, who in (
        ("results.compute", office),
        ("results.approve", leader),
        ("notice.publish", office),
        ("results.finalize", office),
    ):
        record(
            acting_user=who,
            action=action,
            obj=closing,
            after={"sha256": closing.results_sha256},
            reason="demo data",
        )


def _ballots(
    evaluation: Evaluation, data: dict[str, Any], units: dict[str, Unit], decided: dt.datetime
) -> None:
    """The recognition evaluation as it was held: ``BALLOTS`` raters per group, each with a
    printed single-use code that was used, each rating every unit. The synthetic facts' mix
    of answers per unit and group is kept; a unit whose group had too few valid ballots keeps
    them, the rest of that group's raters having abstained (有效票不足)."""
    rng = random.Random(2014)  # noqa: S311 - demo data, not security
    printed = decided - dt.timedelta(days=10)
    used = decided - dt.timedelta(days=5)
    codes = [
        BallotCode(
            evaluation=evaluation,
            group=group,
            code=secrets.token_urlsafe(9),
            printed_at=printed,
            used_at=used,
        )
        for group, n in BALLOTS.items()
        for _ in range(n)
    ]
    BallotCode.objects.bulk_create(codes)
    evaluation.code_lists = {
        group: {"printed_at": printed.isoformat(), "reprints": 0, "reprinted_at": None}
        for group in BALLOTS
    }
    evaluation.save(update_fields=["code_lists"])
    minimum = evaluation.year.scheme.recognition.min_ballots
    tallies = []
    for row in data["recognition"]:
        n = BALLOTS[row["group"]]
        answers = {o: c for o, c in row["counts"].items() if o != ABSTAIN}
        valid = sum(answers.values())
        if valid < minimum:  # the synthetic year's unit with too few valid ballots: keep them
            counts = {**answers, ABSTAIN: n - valid}
        else:
            options, weights = list(answers), list(answers.values())
            counts = {}
            for option in rng.choices(options, weights=weights, k=n):
                counts[option] = counts.get(option, 0) + 1
        tallies += [
            Tally(
                evaluation=evaluation,
                unit=units[row["unit"]],
                group=row["group"],
                option=option,
                count=count,
            )
            for option, count in counts.items()
            if count
        ]
    Tally.objects.bulk_create(tallies)
