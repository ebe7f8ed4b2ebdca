"""Offline scoring sheets: a department's month as .xlsx — one row per unit and item (or
sub-item), identity columns protected, inputs by rule — and the upload that saves it whole
or not at all."""

from __future__ import annotations

import io
from dataclasses import dataclass
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Font, PatternFill, Protection
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from kaohe.monthly.models import Sheet
from kaohe.monthly.selectors import sheet_grid
from kaohe.monthly.services import CellInput, CycleError, Source, parse_values, scores_save
from kaohe.people.models import User

TITLE = "评分表"
COLUMNS = [
    "单位编号",
    "单位",
    "项目",
    "子项",
    "具体目标",
    "评分标准",
    "检查项(代码=次数;…)",
    "数量",
    "未完成",
    "扣分",
    "扣分及激励原因",
    "佐证材料",
]
INPUT_FROM = 7  # columns G… are inputs; A–F identify the cell and are locked
YELLOW = PatternFill("solid", fgColor="FFF8DC")


def export_sheet(sheet: Sheet) -> bytes:
    grid = sheet_grid(sheet)
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    cycle = sheet.cycle
    ws.append(
        [f"{sheet.department.name} {cycle.year.year}年{cycle.month}月评分表(sheet {sheet.pk})"]
    )
    ws["A1"].font = Font(bold=True, size=13)
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    numbers = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    ws.add_data_validation(yes_no)
    ws.add_data_validation(numbers)
    row = 2
    for unit, cells in grid.rows:
        for column, entry in cells:
            item = column.rule_item
            values = entry.values if entry else {}
            checks = ";".join(f"{k}={n}" for k, n in values.get("checks", {}).items())
            ws.append(
                [
                    unit.code,
                    unit.name,
                    column.item.number,
                    column.key[1],
                    item.target,
                    item.standard,
                    checks,
                    values.get("count"),
                    "是" if values.get("met") is False else "",
                    values.get("deduction"),
                    entry.reason if entry else "",
                    entry.evidence if entry else "",
                ]
            )
            row += 1  # counted: ws.max_row rescans the sheet each time
            for col in range(INPUT_FROM, len(COLUMNS) + 1):
                ws.cell(row=row, column=col).protection = Protection(locked=False)
                ws.cell(row=row, column=col).fill = YELLOW
    last = max(row, 3)
    yes_no.add(f"I3:I{last}")  # one range each: adding cell by cell is quadratic in openpyxl
    numbers.add(f"H3:H{last}")
    numbers.add(f"J3:J{last}")
    ws.protection.sheet = True  # identity columns locked; inputs are not
    ws.freeze_panes = "C3"
    for letter, width in zip(
        "ABCDEFGHIJKL", [10, 22, 6, 6, 40, 40, 24, 8, 8, 8, 30, 16], strict=True
    ):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


@dataclass(frozen=True)
class Row:
    unit: Any
    item: str
    sub_item: str
    values: dict[str, Any]
    reason: str
    evidence: str


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def import_sheet(
    *, acting_user: User, sheet: Sheet, content: bytes, name: str = "sheet.xlsx"
) -> int:
    """Check every row, then save them all in one transaction with one audit event; on any
    error nothing is saved and every error is listed with its sheet, row and column."""
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = book.sheet_names
        table = (
            book.get_sheet_by_name(TITLE).to_python(skip_empty_area=False)
            if TITLE in names
            else None
        )
    except Exception as exc:  # calamine raises its own errors for a broken file
        raise CycleError(f"{name}: not a readable .xlsx file ({exc.__class__.__name__})") from exc
    if table is None:
        raise CycleError(f"{name}: no sheet named {TITLE}")
    errors: list[str] = []
    if len(table) < 2:
        raise CycleError(f"{name}, sheet {TITLE}: the title and header rows are missing")
    heading = _text(table[0][0]) if table[0] else ""
    if f"(sheet {sheet.pk})" not in heading:
        errors.append(f"{name}, sheet {TITLE}, row 1: this file is for another department or month")
    header = ([_text(v) for v in table[1]] + [""] * len(COLUMNS))[: len(COLUMNS)]
    if header != COLUMNS:
        errors.append(
            f"{name}, sheet {TITLE}, row 2: the columns are not those of a Kaohe scoring sheet"
        )
    if errors:
        raise CycleError("\n".join(errors))
    grid = sheet_grid(sheet)
    cells = {
        (unit.code, *column.key): (unit, column) for unit, cs in grid.rows for column, _e in cs
    }
    rows: list[Row] = []
    seen: set[tuple[str, str, str]] = set()
    for r, values_row in enumerate(table[2:], start=3):
        raw = (list(values_row) + [None] * len(COLUMNS))[: len(COLUMNS)]
        if all(v is None or _text(v) == "" for v in raw):
            continue
        where = f"{name}, sheet {TITLE}, row {r}"
        key = (_text(raw[0]), _text(raw[2]), _text(raw[3]))
        if key not in cells:
            errors.append(
                f"{where}, columns A–D: no such unit and item on this sheet ({'/'.join(key)})"
            )
            continue
        if key in seen:
            errors.append(f"{where}: the same unit and item appear twice")
            continue
        seen.add(key)
        unit, column = cells[key]
        data: dict[str, Any] = {
            "count": _text(raw[7]),
            "deduction": _text(raw[9]),
            "not_met": _text(raw[8]) in ("是", "1", "yes", "Y"),
        }
        for part in _text(raw[6]).split(";"):
            if part.strip():
                code, _eq, n = part.partition("=")
                data[f"check_{code.strip()}"] = n.strip() or "1"
        known = {f"check_{c.key}" for c in getattr(column.rule_item.rule, "checks", [])}
        unknown = [
            k.removeprefix("check_") for k in data if k.startswith("check_") and k not in known
        ]
        if unknown:
            errors.append(f"{where}, column G: unknown check {', '.join(unknown)}")
            continue
        values, problems = parse_values(column.rule_item, data)
        errors.extend(f"{where}: {p}" for p in problems)
        reason = _text(raw[10])
        if values and not reason:
            errors.append(f"{where}, column K: give the reason for the deduction or bonus")
        rows.append(Row(unit, key[1], key[2], values, reason, _text(raw[11])))
    if errors:
        raise CycleError("\n".join(errors))
    return _save(acting_user, sheet, rows, name)


def _save(acting_user: User, sheet: Sheet, rows: list[Row], name: str) -> int:
    """Save checked rows through the one write path for scores (one transaction, one audit
    event); changed cells get new entries replacing the current ones."""
    cells = [
        CellInput(row.unit, row.item, row.sub_item, row.values, row.reason, row.evidence)
        for row in rows
    ]
    return len(scores_save(acting_user, sheet, cells, source=Source.UPLOAD, name=name))
