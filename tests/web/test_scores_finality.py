"""Finality: once a year's results are final, no write of a month's facts goes through; the
refusal is a Chinese message and nothing changes."""

from __future__ import annotations

import io

from django.urls import reverse
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.excel.sheets import export_sheet
from kaohe.monthly.models import Confirmation, Cycle, Entry, Sheet
from kaohe.monthly.selectors import year_result
from kaohe.monthly.services import (
    deduction_confirm,
    entry_save,
    mark_rest_clean,
    sheet_accept,
    sheet_submit,
)
from kaohe.yearend.models import Closing

from .conftest import World

FINAL = "年度考核结果已确定"


def make_final(world: World) -> None:
    Closing.objects.update_or_create(year=world.year, defaults={"stage": "final"})


def accepted_with_a_finding(world: World) -> Sheet:
    sheet = world.sheet("org")
    who = world.users["assessor_org"]
    entry_save(
        acting_user=who,
        sheet=sheet,
        unit=world.units["S2"],
        item="3",
        values={"met": False},
        reason="后进村未转化",
    )
    mark_rest_clean(acting_user=who, sheet=sheet)
    sheet_submit(acting_user=who, sheet=sheet)
    deduction_confirm(  # the whole weight of item 3 waits for a second person (tests/second)
        acting_user=world.users["office"], confirmation=Confirmation.objects.get(entry__item="3")
    )
    return sheet_accept(acting_user=world.users["office"], sheet=sheet)


def ledger() -> tuple[int, int, list[tuple[int, str]]]:
    return (
        Entry.objects.count(),
        AuditEvent.objects.count(),
        list(Sheet.objects.order_by("pk").values_list("version", "status")),
    )


def test_a_correction_to_a_month_of_a_final_year_is_refused(world: World) -> None:
    sheet = accepted_with_a_finding(world)
    score = year_result(world.year).units["S2"].months[1].score
    make_final(world)
    before = ledger()
    url = reverse("cell", args=[sheet.pk, "S2", "3"])
    entry = Entry.objects.get(unit__code="S2", item="3", superseded_at__isnull=True)
    response = world.client("assessor_org").post(
        url,
        {"c0-based_on": str(entry.pk), "c0-reason": "", "correction_reason": "复核后撤销扣分"},
    )
    assert response.status_code == 200
    assert FINAL in response.content.decode()
    assert ledger() == before
    assert year_result(world.year).units["S2"].months[1].score == score


def test_every_monthly_write_of_a_final_year_is_refused_with_a_message(world: World) -> None:
    org = world.sheet("org")
    cadre = world.sheet("cadre")
    mark_rest_clean(acting_user=world.users["assessor_cadre"], sheet=cadre)
    sheet_submit(acting_user=world.users["assessor_cadre"], sheet=cadre)
    workbook = load_workbook(io.BytesIO(export_sheet(org)))
    workbook.active["K3"] = "上传的原因"
    workbook.active["H3"] = 1  # D1, item 15: one study session short
    upload = io.BytesIO()
    workbook.save(upload)
    upload.seek(0)
    make_final(world)
    before = ledger()
    assessor, office = world.client("assessor_org"), world.client("office")
    posts = [
        (
            assessor,
            reverse("cell", args=[org.pk, "S1", "1"]),
            {"c0-check_no_plan": "1", "c0-reason": "x"},
        ),
        (assessor, reverse("sheet-clean", args=[org.pk]), {"confirmed": "1"}),
        (assessor, reverse("sheet-submit", args=[org.pk]), {"confirmed": "1"}),
        (office, reverse("sheet-accept", args=[cadre.pk]), {"confirmed": "1"}),
        (office, reverse("sheet-return", args=[cadre.pk]), {"reason": "请复核"}),
    ]
    for client, url, data in posts:
        response = client.post(url, data, follow=True)
        assert response.status_code == 200, url
        assert FINAL in response.content.decode(), url
    upload.name = "sheet.xlsx"
    response = assessor.post(reverse("sheet-xlsx", args=[org.pk]), {"file": upload}, follow=True)
    assert FINAL in response.content.decode()
    response = office.post(reverse("year", args=[2014]), {"month": "2"})
    assert response.status_code == 200 and FINAL in response.content.decode()
    assert not Cycle.objects.filter(month=2).exists()
    targets = office.post(reverse("targets", args=[2014]), {f"t-{world.units['S1'].pk}-6": "9"})
    assert targets.status_code == 200 and FINAL in targets.content.decode()
    assert ledger() == before
