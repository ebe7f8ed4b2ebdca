"""Offline sheets ask in Chinese (issue 10, point 7): column G offers each item's checks as
a drop-down of their labels (kept in a hidden options sheet), several joined by ";" and
repeated ones as "×n"; uploads accept those labels and, from older files, the codes."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.utils import translation
from openpyxl import load_workbook

from kaohe.excel.sheets import COLUMNS, OLD_CHECKS_HEADER, export_sheet, import_sheet
from kaohe.monthly.models import Entry
from kaohe.monthly.services import CellInput, CycleError, Source, scores_save
from tests.web.conftest import World

G = COLUMNS.index("检查项(下拉选择;多项用;分隔,次数写×2)") + 1
REASON = COLUMNS.index("扣分及激励原因") + 1
NO_PLAN = "没有学习培训计划"
MATERIAL = "缺少培训花名册、笔记、图片、学习体会等资料(每项)"


@pytest.fixture(autouse=True)
def chinese_messages(english_messages: None) -> Iterator[None]:
    with translation.override("zh-hans"):
        yield


def row_of(ws, code: str, item: str) -> int:  # type: ignore[no-untyped-def]
    for row in range(3, ws.max_row + 1):
        if (ws.cell(row, 1).value, ws.cell(row, 3).value) == (code, item):
            return row
    raise AssertionError((code, item))


def upload(world: World, book) -> int:  # type: ignore[no-untyped-def]
    out = io.BytesIO()
    book.save(out)
    return import_sheet(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        content=out.getvalue(),
        name="组织科.xlsx",
    )


def test_column_g_is_a_drop_down_of_the_items_check_labels(world: World) -> None:
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws, options = book["评分表"], book["选项"]
    assert options.sheet_state == "hidden"
    assert ws.cell(2, G).value == "检查项(下拉选择;多项用;分隔,次数写×2)"
    cell = f"G{row_of(ws, 'S1', '1')}"
    listed = [
        dv for dv in ws.data_validations.dataValidation if dv.type == "list" and cell in dv.sqref
    ]
    assert len(listed) == 1
    sheet_name, cells = listed[0].formula1.split("!")
    assert sheet_name == "'选项'"
    column = cells.split(":")[0].replace("$", "").rstrip("0123456789")
    labels = [c.value for c in options[column] if c.value]
    assert labels == [NO_PLAN, MATERIAL]
    assert listed[0].errorStyle == "information"  # "a;b" and "×2" may be typed too
    # the same item of another unit shares the list; an item without checks has none
    assert f"G{row_of(ws, 'S2', '1')}" in listed[0].sqref
    item2 = f"G{row_of(ws, 'S1', '2')}"
    assert not any(item2 in dv.sqref for dv in ws.data_validations.dataValidation)
    assert "code" not in (ws["E1"].value or "") and "下拉列表" in ws["E1"].value


def test_chinese_labels_upload_with_times_and_come_back_as_labels(world: World) -> None:
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    row = row_of(ws, "S1", "1")
    ws.cell(row, G).value = f"{NO_PLAN};{MATERIAL}×3"
    ws.cell(row, REASON).value = "无计划,缺资料"
    assert upload(world, book) == 1
    entry = Entry.objects.get(unit__code="S1", item="1")
    assert entry.values == {"checks": {"no_plan": 1, "missing_material": 3}}
    again = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    assert again["评分表"].cell(row, G).value == f"{NO_PLAN};{MATERIAL}×3"
    assert upload(world, again) == 0  # unchanged: nothing saved again


def test_an_older_file_with_machine_codes_is_still_accepted(world: World) -> None:
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    ws.cell(2, G).value = OLD_CHECKS_HEADER
    row = row_of(ws, "S1", "1")
    ws.cell(row, G).value = "no_plan=1;missing_material=2"
    ws.cell(row, REASON).value = "无计划"
    assert upload(world, book) == 1
    assert Entry.objects.get(unit__code="S1", item="1").values == {
        "checks": {"no_plan": 1, "missing_material": 2}
    }


def test_an_unknown_check_is_refused_naming_the_choices(world: World) -> None:
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    row = row_of(ws, "S1", "1")
    ws.cell(row, G).value = "没有计划"
    ws.cell(row, REASON).value = "x"
    with pytest.raises(CycleError) as caught:
        upload(world, book)
    assert f"第 {row} 行,G 列:未知的检查项 没有计划;可选:{NO_PLAN};{MATERIAL}。" in str(
        caught.value
    )
    assert not Entry.objects.exists()


def test_a_check_scored_in_the_grid_downloads_as_its_label(world: World) -> None:
    scores_save(
        world.users["assessor_org"],
        world.sheet("org"),
        [CellInput(world.units["S2"], "1", "", {"checks": {"no_plan": 1}}, "无计划", "")],
        source=Source.CELL,
    )
    ws = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))["评分表"]
    assert ws.cell(row_of(ws, "S2", "1"), G).value == NO_PLAN
