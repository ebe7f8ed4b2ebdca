"""One write path for scores: the web cell form and the Excel upload save through
``scores_save`` — the same checks, the same ledger, one audit event per use."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.excel.sheets import COLUMNS, export_sheet
from kaohe.monthly.models import Entry, Sheet
from kaohe.monthly.services import CellInput, CycleError, Source, entry_state, scores_save

from .conftest import World


def upload(world: World, rows: dict[tuple[str, str], dict[str, object]]) -> object:
    """The org sheet downloaded, the given rows filled in, uploaded through the page."""
    sheet = world.sheet("org")
    book = load_workbook(io.BytesIO(export_sheet(sheet)))
    ws = book.active
    for r in range(3, ws.max_row + 1):
        key = (str(ws.cell(r, 1).value), str(ws.cell(r, 3).value))
        for header, value in rows.get(key, {}).items():
            ws.cell(r, COLUMNS.index(header) + 1, value)
    out = io.BytesIO()
    book.save(out)
    out.seek(0)
    out.name = "org.xlsx"
    return world.client("assessor_org").post(
        reverse("sheet-xlsx", args=[sheet.pk]), {"file": out}, follow=True
    )


def state(entry: Entry) -> dict[str, object]:
    found = entry_state(entry) or {}
    return {k: v for k, v in found.items() if k != "unit"}


def test_the_cell_form_and_the_upload_leave_the_same_ledger_and_one_event_each(
    world: World,
) -> None:
    before = AuditEvent.objects.count()
    web = world.client("assessor_org").post(
        reverse("cell", args=[world.sheet("org").pk, "S1", "8"]),
        {
            "c0-based_on": "0",
            "c0-deduction": "1.50",
            "c0-reason": "工作不扎实",
            "c0-evidence": "督查通报",
        },
    )
    assert web.status_code == 302
    assert list(AuditEvent.objects.values_list("action", flat=True)[before:]) == ["entry.save"]
    middle = AuditEvent.objects.count()
    response = upload(
        world, {("S2", "8"): {"扣分": 1.5, "扣分及激励原因": "工作不扎实", "佐证材料": "督查通报"}}
    )
    assert response.status_code == 200
    assert list(AuditEvent.objects.values_list("action", flat=True)[middle:]) == ["sheet.upload"]
    by_web = Entry.objects.get(unit__code="S1", item="8")
    by_file = Entry.objects.get(unit__code="S2", item="8")
    assert state(by_web) == state(by_file)
    assert by_web.values == {"deduction": "1.5"}
    sheet = Sheet.objects.get(pk=world.sheet("org").pk)
    assert sheet.version == 2  # each use is one new version of the sheet


@pytest.mark.parametrize("source", [Source.CELL, Source.UPLOAD])
def test_both_routes_refuse_the_same_things(world: World, source: Source) -> None:
    sheet = world.sheet("org")
    s1 = world.units["S1"]
    refused = [
        CellInput(s1, "8", "", {"deduction": "1"}, reason=""),  # no reason
        CellInput(s1, "8", "", {"deduction": "9"}, reason="x"),  # over the item's weight
        CellInput(s1, "11", "", {}, reason=""),  # another department's item
        CellInput(s1, "8", "", {"deduction": "1"}, reason="x\x00"),  # a NUL byte
        CellInput(s1, "8", "", {"deduction": "1"}, reason="x", evidence="a\nb"),
        CellInput(s1, "2", "", {"count": 10**9}, reason="x"),  # over the count limit
    ]
    for cell in refused:
        with pytest.raises(CycleError):
            scores_save(world.users["assessor_org"], sheet, [cell], source=source)
    with pytest.raises(CycleError, match="department"):
        scores_save(world.users["assessor_cadre"], sheet, [refused[0]], source=source)
    assert not Entry.objects.exists()


def test_an_unchanged_cell_writes_nothing_and_mark_clean_goes_through_the_same_path(
    world: World,
) -> None:
    sheet = world.sheet("org")
    cell = CellInput(world.units["S1"], "8", "", {"deduction": "1"}, reason="原因")
    user = world.users["assessor_org"]
    assert len(scores_save(user, sheet, [cell], source=Source.CELL)) == 1
    events = AuditEvent.objects.count()
    assert scores_save(user, sheet, [cell], source=Source.CELL) == []
    assert AuditEvent.objects.count() == events
    response = world.client("assessor_org").post(
        reverse("sheet-clean", args=[sheet.pk]), {"version": "1", "confirmed": "1"}
    )
    assert response.status_code == 302
    assert list(AuditEvent.objects.values_list("action", flat=True)[events:]) == [
        "sheet.mark_clean"
    ]
    assert not Entry.objects.filter(
        superseded_at__isnull=True, unit__code="S1", item="8", values={}
    ).exists()
