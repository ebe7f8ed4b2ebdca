"""The demo district: the 2014 scheme, 60 units, a login per role, months already scored.

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
from kaohe.years.models import Target, Year
from kaohe.years.services import year_create

DEMO_PASSWORD = "kaohe-demo-2014"  # noqa: S105 - printed on start, demo data only
ACCEPTED_MONTHS = (1, 2, 3, 4, 5)
OPEN_MONTH = 6


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
    existing = Year.objects.filter(year=2014).first()
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
    year = year_create(acting_user=office, scheme_text=text, source=source)
    scheme = year.scheme
    data = demo_facts(scheme, units=60, seed=2014)
    units = {}
    for row in data["units"]:
        units[row["id"]] = Unit.objects.create(
            code=row["id"],
            name=row["name"],
            category=row["category"],
            kind=row.get("kind", ""),
            secretary=row["secretary"],
            leaders=",".join(row["leaders"]),
        )
    departments = {d.key: d for d in Department.objects.all()}
    User.objects.create_user(
        "leader", password=DEMO_PASSWORD, display_name="部务会 王强", is_leader=True
    )
    assessors = {
        key: User.objects.create_user(
            f"assessor-{key}", password=DEMO_PASSWORD, display_name=f"{d.name}考核员", department=d
        )
        for key, d in departments.items()
    }
    for code in ("S01", "S02", "D01"):
        User.objects.create_user(
            f"unit-{code.lower()}",
            password=DEMO_PASSWORD,
            display_name=f"{units[code].name}联络员",
            unit=units[code],
        )
    Target.objects.bulk_create(
        [
            Target(year=year, unit=units[t["unit"]], item=t["item"], target=t["target"])
            for t in data["targets"]
        ]
    )
    findings: dict[tuple[int, str, str, str, str], dict[str, Any]] = {}
    for f in data["findings"]:
        key = (f["month"], f["department"], f["unit"], f["item"], f.get("sub_item") or "")
        findings[key] = f
    for month in (*ACCEPTED_MONTHS, OPEN_MONTH):
        cycle = cycle_open(acting_user=office, year=year, month=month)
        _fill(cycle, units, assessors, findings, complete=month in ACCEPTED_MONTHS)
    escalations_sync(year=year)
    return year


def _fill(
    cycle: Cycle,
    units: dict[str, Unit],
    assessors: dict[str, User],
    findings: dict[tuple[int, str, str, str, str], dict[str, Any]],
    complete: bool,
) -> None:
    scheme = cycle.year.scheme
    submitted_day = cycle.due_date - dt.timedelta(days=3)
    sheets = list(cycle.sheets.select_related("department"))
    for index, sheet in enumerate(sheets):
        key = sheet.department.key
        # in the open month: the first sheets are submitted, one is half done, the rest untouched
        if not complete and index >= 3:
            continue
        entries = []
        counts: dict[str, int] = defaultdict(int)
        for code, unit in units.items():
            for column in columns_for(scheme, key, unit):
                f = findings.get((cycle.month, key, code, *column.key))
                if not complete and index == 2 and code > "S06":
                    continue
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
