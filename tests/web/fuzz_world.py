"""The fuzzer's district: the conftest world grown into every state a URL can point at.

2014 (the conftest year): months 1 and 2 open, 组织科's month-1 sheet scored and submitted,
the declaration window open with an achievement (with a PDF) and a fault, the recognition
evaluation open with unused ballot codes, an escalation case. 2013: results published, the
notice period running, one objection lodged. Rows are written directly where a service would
demand a whole year of work first (the fuzzer needs the states, not the path to them)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from typing import Any

from django.core.files.uploadedfile import SimpleUploadedFile
from django.utils import timezone

from kaohe.engine.loader import read_scheme_text
from kaohe.jobs.models import Job
from kaohe.monthly.models import EscalationCase, Sheet
from kaohe.monthly.scope import columns_for
from kaohe.monthly.services import cycle_open, mark_rest_clean, sheet_submit
from kaohe.yearend.models import Closing, Objection
from kaohe.yearend.selectors import published_figures, year_end_result
from kaohe.yearend.services import (
    codes_issue,
    declaration_submit,
    evaluation_open,
    evidence_add,
    fault_record,
    figures_sha,
    window_set,
)
from kaohe.years.services import version_upload, year_create

from .conftest import World, build_world

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"
HUGE_INT = 10**30


@dataclass
class FuzzWorld:
    """The world plus, per URL argument, the values that exist and some that do not."""

    world: World
    valid: dict[str, list[Any]] = field(default_factory=dict)
    wrong: dict[str, list[Any]] = field(default_factory=dict)
    items: dict[int, list[str]] = field(default_factory=dict)  # sheet pk → item numbers


def build_fuzz_world() -> FuzzWorld:
    world = build_world()
    office = world.users["office"]
    office.is_staff = office.is_superuser = True  # the admin is a page too
    office.save()
    year = world.year
    cycle_open(acting_user=office, year=year, month=2)
    org = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=org)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=org)

    window_set(acting_user=office, year=year, open_=True)
    unit_a = world.users["unit_a"]
    achievement = declaration_submit(
        acting_user=unit_a,
        year=year,
        unit=unit_a.unit,
        kind="achievement",
        award="innovation",
        level="major",
        content="网格党建",
        description="获评重大创新项目",
    )
    evidence = evidence_add(
        acting_user=unit_a,
        declaration=achievement,
        upload=SimpleUploadedFile("证明.pdf", PDF, content_type="application/pdf"),
    )
    fault = fault_record(
        acting_user=office,
        year=year,
        unit=world.units["S2"],
        fault_type="report_late",
        occurrences=1,
        description="未按时上报",
    )
    evaluation = evaluation_open(acting_user=office, year=year)
    codes = codes_issue(acting_user=office, evaluation=evaluation, group="leaders", count=3)
    codes += codes_issue(acting_user=office, evaluation=evaluation, group="served", count=2)
    case = EscalationCase.objects.create(
        year=year, unit=world.units["S3"], action="talk", month=1, months=[1]
    )

    _source, text = read_scheme_text("district-2014")
    version = version_upload(  # a draft scheme version (第五条) waiting for the office
        acting_user=office,
        year=year,
        scheme_text=text,
        source="v2.yaml",
        from_month=7,
        reason="追加目标",
        approved_by="部务会",
    )

    published = _published_year(world)
    objection = Objection.objects.create(
        year=published, unit=world.units["S1"], text="第6项有误", created_by=unit_a
    )

    job = Job.objects.create(kind=Job.Kind.RESULTS, year=year, created_by=world.users["office"])

    sheets = list(Sheet.objects.filter(cycle__year=year).order_by("pk"))
    items = {
        s.pk: sorted(
            {c.item.number for c in columns_for(year.scheme, s.department.key, world.units["S1"])}
        )
        for s in sheets
    }
    decl_pks = [achievement.pk, fault.pk]
    valid: dict[str, list[Any]] = {
        "year": [year.year, published.year],
        "month": [1, 2],
        "sheet_id": [s.pk for s in sheets],
        "unit": ["S1", "S2", "D1"],
        "decl": decl_pks,
        "evidence": [evidence.pk],
        "ballot": codes,
        "fmt": ["xlsx", "pdf"],
        "case": [case.pk],
        "objection": [objection.pk],
        "version": [version.pk],
        "job": [job.pk],
        "user": [world.users["unit_b"].pk],
    }
    wrong: dict[str, list[Any]] = {
        "year": [1999, 0, HUGE_INT],
        "month": [0, 3, 13, HUGE_INT],
        "sheet_id": [0, max(valid["sheet_id"]) + 10_000, HUGE_INT],
        "decl": [0, max(decl_pks) + 10_000, HUGE_INT],
        "evidence": [0, evidence.pk + 10_000, HUGE_INT],
        "version": [0, version.pk + 10_000, HUGE_INT],
        "job": [0, job.pk + 10_000, HUGE_INT],
        "user": [0, world.users["unit_b"].pk + 10_000, HUGE_INT],
    }
    return FuzzWorld(world, valid, wrong, items)


def _published_year(world: World) -> Any:
    """2013 with the same measures, its results published and the notice period running."""
    source, text = read_scheme_text("district-2014")
    text = text.replace("year: 2014", "year: 2013", 1)
    year = year_create(acting_user=world.users["office"], scheme_text=text, source=source)
    figures = published_figures(year_end_result(year))
    today = timezone.localdate()
    Closing.objects.create(
        year=year,
        stage=Closing.Stage.PUBLISHED,
        results=figures,
        results_sha256=figures_sha(figures),
        computed_at=timezone.now(),
        leader_comment="同意公示。",
        published_at=timezone.now(),
        notice_ends_on=today + dt.timedelta(days=30),
    )
    return year
