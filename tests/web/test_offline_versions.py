"""An offline sheet carries the ledger's mark at download: a cell someone saved after it is
refused on upload (no lost update through Excel), and a file without the mark is refused."""

from __future__ import annotations

import io

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.excel.sheets import export_sheet, import_sheet
from kaohe.monthly.models import Entry
from kaohe.monthly.services import CycleError, entry_save
from kaohe.people.models import User

from .conftest import PASSWORD, World


@pytest.fixture(autouse=True)
def chinese() -> object:
    with translation.override("zh-hans"):
        yield


def _ledger() -> tuple[list[tuple[int, object, str]], int]:
    entries = Entry.objects.order_by("pk").values_list("pk", "values", "reason")
    return list(entries), AuditEvent.objects.count()


def test_a_cell_saved_after_the_download_is_refused_and_nothing_changes(world: World) -> None:
    sheet = world.sheet("org")
    download = export_sheet(sheet)  # S1 item 1 unscored in this file
    colleague = User.objects.create_user(
        "org-2", password=PASSWORD, department=world.users["assessor_org"].department
    )
    entry_save(
        acting_user=colleague,
        sheet=sheet,
        unit=world.units["S1"],
        item="1",
        values={"checks": {"no_plan": 1}},
        reason="无年度计划",
    )
    before = _ledger()
    book = load_workbook(io.BytesIO(download))
    ws = book["评分表"]
    for row in range(3, ws.max_row + 1):  # the file's author records "nothing found" for S1/1
        if (ws.cell(row=row, column=1).value, ws.cell(row=row, column=3).value) == ("S1", "1"):
            ws.cell(row=row, column=13).value = "是"
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CycleError) as refused:
        import_sheet(
            acting_user=world.users["assessor_org"],
            sheet=sheet,
            content=out.getvalue(),
            name="旧.xlsx",
        )
    assert "org-2" in str(refused.value) and "重新下载" in str(refused.value)
    assert _ledger() == before  # the colleague's finding stands; nothing written
    # the same edit on a fresh download is accepted (the colleague's finding shown in it)
    fresh = export_sheet(sheet)
    assert (
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=sheet, content=fresh, name="新.xlsx"
        )
        == 0
    )


def test_a_file_without_the_version_mark_is_refused(world: World) -> None:
    sheet = world.sheet("org")
    book = load_workbook(io.BytesIO(export_sheet(sheet)))
    ws = book["评分表"]
    ws["A1"].value = str(ws["A1"].value).split(" · ")[0] + ")"  # "(sheet N)" as before
    out = io.BytesIO()
    book.save(out)
    before = _ledger()
    with pytest.raises(CycleError, match="重新下载"):
        import_sheet(acting_user=world.users["assessor_org"], sheet=sheet, content=out.getvalue())
    assert _ledger() == before
