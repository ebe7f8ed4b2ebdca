"""The demo district: one completed, published year (2014) and the current year in progress
(2015, the same measures), 60 units, a login per role, months already scored.

Scores come from the engine's synthetic year (kaohe.demofacts) and are written in bulk, one
audit event per sheet, so a newcomer can click through a real month at once."""

from __future__ import annotations

import datetime as dt
import zoneinfo
from collections import defaultdict
from typing import Any

from django.conf import settings
from django.db import transaction

from kaohe.audit.services import record
from kaohe.demofacts import demo_facts
from kaohe.engine.loader import read_scheme_text
from kaohe.monthly.models import Cycle, Entry, Sheet
from kaohe.monthly.scope import columns_for
from kaohe.monthly.services import cycle_open, escalations_sync
from kaohe.people.models import Department, Unit, User
from kaohe.people.services import require_new_passwords
from kaohe.yearend.models import Closing, Declaration, Evaluation, Tally
from kaohe.yearend.selectors import figures_sha, published_figures, year_end_result
from kaohe.yearend.services import add_working_days
from kaohe.years.models import Target, Year
from kaohe.years.services import year_create

DEMO_PASSWORD = "kaohe-demo-2014"  # noqa: S105 - printed on start, demo data only
CURRENT_ACCEPTED = (1, 2, 3, 4, 5)
CURRENT_OPEN = 6


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
    Tally.objects.bulk_create(
        [
            Tally(
                evaluation=evaluation,
                unit=units[t["unit"]],
                group=t["group"],
                option=option,
                count=count,
            )
            for t in data["recognition"]
            for option, count in t["counts"].items()
        ]
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
