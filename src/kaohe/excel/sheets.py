"""Offline scoring sheets: a department's month as .xlsx — one row per unit and item (or
sub-item), identity columns protected, inputs by rule — and the upload that saves it whole
or not at all."""

from __future__ import annotations

import io
import re
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext as _
from openpyxl import Workbook
from openpyxl.styles import Alignment, Font, PatternFill, Protection
from openpyxl.utils import get_column_letter
from openpyxl.worksheet.cell_range import MultiCellRange
from openpyxl.worksheet.datavalidation import DataValidation
from python_calamine import CalamineWorkbook

from kaohe.engine.scheme import ChecksRule
from kaohe.excel.cells import append_text, as_text
from kaohe.excel.guard import SHEET_LIMITS, UnsafeWorkbook, check_xlsx
from kaohe.monthly.models import Sheet
from kaohe.monthly.selectors import sheet_grid
from kaohe.monthly.services import (
    CellInput,
    CycleError,
    Source,
    parse_values,
    scores_save,
)
from kaohe.people.models import User

TITLE = "评分表"
# row 1: "…(sheet <id> · 版本 <ledger mark>)"; files from before versions lack the mark
HEADING = re.compile(r"\(sheet (\d{1,18})(?: · 版本 (\d{1,18}))?\)")
COLUMNS = [
    "单位编号",
    "单位",
    "项目",
    "子项",
    "具体目标",
    "评分标准",
    "检查项(下拉选择;多项用;分隔,次数写×2)",
    "数量",
    "未完成",
    "扣分",
    "扣分及激励原因",
    "佐证材料",
    "已评",
]
# files downloaded before the drop-downs name column G by its machine codes: still accepted
OLD_CHECKS_HEADER = "检查项(代码=次数;…)"
OPTIONS = "选项"  # the hidden sheet holding each item's check labels for the drop-downs
INPUT_FROM = 7  # columns G… are inputs; A–F identify the cell and are locked
SCORED = 12  # column M (0-based 12): 是 = scored (nothing found unless G–J say otherwise)
YES = ("是", "1", "yes", "Y", "y")
YELLOW = PatternFill("solid", fgColor="FFF8DC")
# one check: its label, or (older files) its code; "×n" or "=n" after it for n times
CHECK_TIMES = re.compile(r"^(.*?)\s*(?:[×xX*＊=＝]\s*(\d{1,9}))?$")
INSTRUCTIONS = (
    "填写说明:只填黄色列。有扣分或激励的,填检查项、数量、未完成或扣分,并写明原因;"
    "检查项从下拉列表选择,多项用“;”分隔,发生多次的写“×次数”(如“缺少会议或党课(每次)×2”);"
    "已评分且未发现问题的,在“已评”列填“是”;“已评”为空且未填扣分的行保持未评分。"
    "原样上传未改动的文件不会改变任何数据。以 = + - @ 开头的文字按文字保存。"
)


def export_sheet(sheet: Sheet) -> bytes:
    grid = sheet_grid(sheet)
    wb = Workbook()
    ws = wb.active
    ws.title = TITLE
    cycle = sheet.cycle
    # the ledger's high-water mark at download: a cell saved after it is a conflict on upload
    version = max((e.pk for _u, cs in grid.rows for _c, e in cs if e is not None), default=0)
    ws.append(
        [
            f"{sheet.department.name} {cycle.year.year}年{cycle.month}月评分表"
            f"(sheet {sheet.pk} · 版本 {version})"
        ]
    )
    ws["A1"].font = Font(bold=True, size=13)
    ws["E1"] = INSTRUCTIONS
    ws["E1"].alignment = Alignment(wrap_text=True, vertical="top")
    ws.merge_cells(start_row=1, start_column=5, end_row=1, end_column=len(COLUMNS))
    ws.row_dimensions[1].height = 48
    ws.append(COLUMNS)
    for cell in ws[2]:
        cell.font = Font(bold=True)
    yes_no = DataValidation(type="list", formula1='"是,否"', allow_blank=True)
    numbers = DataValidation(
        type="decimal", operator="greaterThanOrEqual", formula1="0", allow_blank=True
    )
    ws.add_data_validation(yes_no)
    ws.add_data_validation(numbers)
    choices = _check_choices(wb, grid)
    check_rows: dict[tuple[str, str], list[str]] = {}
    row = 2
    for unit, cells in grid.rows:
        for column, entry in cells:
            item = column.rule_item
            values = entry.values if entry else {}
            checks = _checks_text(item, values.get("checks", {}))
            deduction = values.get("deduction")
            append_text(
                ws,
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
                    Decimal(str(deduction)) if deduction is not None else None,
                    entry.reason if entry else "",
                    entry.evidence if entry else "",
                    "是" if entry else "",
                ],
            )
            row += 1  # counted: ws.max_row rescans the sheet each time
            if column.key in choices:
                check_rows.setdefault(column.key, []).append(f"G{row}")
            for col in range(INPUT_FROM, len(COLUMNS) + 1):
                ws.cell(row=row, column=col).protection = Protection(locked=False)
                ws.cell(row=row, column=col).fill = YELLOW
    last = max(row, 3)
    yes_no.add(f"I3:I{last}")  # one range each: adding cell by cell is quadratic in openpyxl
    yes_no.add(f"M3:M{last}")
    numbers.add(f"H3:H{last}")
    numbers.add(f"J3:J{last}")
    for key, cells_g in check_rows.items():
        listed = DataValidation(
            type="list",
            formula1=choices[key],
            allow_blank=True,
            showErrorMessage=True,
            errorStyle="information",  # several checks, or "×2", may be typed as well
            errorTitle="检查项",
            error="可从下拉列表选择一项;多项用“;”分隔,发生多次的写“×次数”。",
        )
        listed.sqref = MultiCellRange(" ".join(cells_g))  # one string: no quadratic add
        ws.add_data_validation(listed)
    ws.protection.sheet = True  # identity columns locked; inputs are not
    ws.freeze_panes = "C3"
    for letter, width in zip(
        "ABCDEFGHIJKLM", [10, 22, 6, 6, 40, 40, 24, 8, 8, 8, 30, 16, 6], strict=True
    ):
        ws.column_dimensions[letter].width = width
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _check_choices(wb: Workbook, grid: Any) -> dict[tuple[str, str], str]:
    """Each checks item's labels in a column of the hidden options sheet; the drop-down's
    formula for it, by item and sub-item."""
    options = wb.create_sheet(OPTIONS)
    options.sheet_state = "hidden"
    formulas: dict[tuple[str, str], str] = {}
    for _unit, cells in grid.rows:
        for column, _entry in cells:
            rule = column.rule_item.rule
            if column.key in formulas or not isinstance(rule, ChecksRule):
                continue
            letter = get_column_letter(len(formulas) + 1)
            for r, check in enumerate(rule.checks, start=1):
                as_text(options.cell(row=r, column=len(formulas) + 1, value=check.label))
            formulas[column.key] = f"'{OPTIONS}'!${letter}$1:${letter}${len(rule.checks)}"
    return formulas


def _checks_text(item: Any, checks: dict[str, int]) -> str:
    """An entry's checks in words: "label" once, "label×n" for n times, joined by ";"."""
    labels = {c.key: c.label for c in getattr(item.rule, "checks", [])}
    return ";".join(labels.get(k, k) + (f"×{n}" if n != 1 else "") for k, n in checks.items())


def _checks_read(item: Any, text: str) -> tuple[dict[str, str], list[str]]:
    """Column G read back: labels (from the drop-down) or, from older files, codes; each
    optionally "×n" (or "=n"). Returns the form's check fields and the parts not understood."""
    by_label = {c.label: c.key for c in getattr(item.rule, "checks", [])}
    codes = set(by_label.values())
    data: dict[str, str] = {}
    unknown: list[str] = []
    for part in re.split(r"[;；\n]", text):
        part = part.strip()
        if not part:
            continue
        found = CHECK_TIMES.match(part)
        name, times = (found[1].strip(), found[2]) if found else (part, None)
        key = by_label.get(name) or (name if name in codes else None)
        if key is None:
            unknown.append(part)
            continue
        data[f"check_{key}"] = times or "1"
    return data, unknown


def _text(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _same_text(stored: str, read: str) -> bool:
    """A stored text and what the sheet gave back: equal but for line endings and margins."""
    return stored.replace("\r\n", "\n").strip() == read.replace("\r\n", "\n").strip()


def _inputs(values: dict[str, Any]) -> dict[str, Any]:
    """An entry's values as the sheet's inputs, to compare them as the upload reads them."""
    data: dict[str, Any] = {
        "count": _text(values.get("count")),
        "deduction": _text(values.get("deduction")),
        "not_met": values.get("met") is False,
    }
    data.update({f"check_{k}": str(n) for k, n in values.get("checks", {}).items()})
    return data


def _open(content: bytes, name: str, sheet: Sheet, acting_user: User) -> list[list[Any]]:
    """Refuse before reading what cannot be saved or must not be parsed; then read the rows."""
    if acting_user.department_id != sheet.department_id:
        raise CycleError(_("%(file)s: only the sheet's department may upload it.") % {"file": name})
    if not sheet.editable:
        raise CycleError(
            _("%(file)s: the sheet is %(status)s; uploads are closed.")
            % {"file": name, "status": sheet.get_status_display()}
        )
    try:
        check_xlsx(content, name, SHEET_LIMITS)
    except UnsafeWorkbook as exc:
        raise CycleError(str(exc)) from exc
    try:
        book = CalamineWorkbook.from_filelike(io.BytesIO(content))
        names = book.sheet_names
        table = (
            book.get_sheet_by_name(TITLE).to_python(skip_empty_area=False)
            if TITLE in names
            else None
        )
    except Exception as exc:  # calamine raises its own errors for a broken file
        raise CycleError(_("%(file)s: not a readable .xlsx file.") % {"file": name}) from exc
    if table is None:
        raise CycleError(_("%(file)s: no sheet named %(sheet)s.") % {"file": name, "sheet": TITLE})
    return table


def import_sheet(
    *, acting_user: User, sheet: Sheet, content: bytes, name: str = "sheet.xlsx"
) -> int:
    """Check every row, then save the changed ones in one transaction with one audit event;
    on any error nothing is saved and every error is listed with its sheet, row and column.
    A file that changes nothing saves nothing and records no event."""
    table = _open(content, name, sheet, acting_user)
    where_sheet = _("%(file)s, sheet %(sheet)s") % {"file": name, "sheet": TITLE}
    errors: list[str] = []
    if len(table) < 2:
        raise CycleError(
            _("%(where)s: the title and header rows are missing; download the sheet again.")
            % {"where": where_sheet}
        )
    heading = _text(table[0][0]) if table[0] else ""
    found = HEADING.search(heading)
    if found is None or int(found[1]) != sheet.pk:
        errors.append(
            _("%(where)s, row 1: this file is for another department or month.")
            % {"where": where_sheet}
        )
    elif found[2] is None:
        errors.append(
            _("%(where)s, row 1: the file has no version; download the sheet again.")
            % {"where": where_sheet}
        )
    downloaded = int(found[2]) if found is not None and found[2] is not None else 0
    header = ([_text(v) for v in table[1]] + [""] * len(COLUMNS))[: len(COLUMNS)]
    if header[INPUT_FROM - 1] == OLD_CHECKS_HEADER:
        header[INPUT_FROM - 1] = COLUMNS[INPUT_FROM - 1]
    if header != COLUMNS:
        errors.append(
            _(
                "%(where)s, row 2: the columns are not those of a Kaohe scoring sheet; "
                "download the sheet again."
            )
            % {"where": where_sheet}
        )
    if errors:
        raise CycleError("\n".join(errors))
    grid = sheet_grid(sheet)
    cells = {
        (unit.code, *column.key): (unit, column, e) for unit, cs in grid.rows for column, e in cs
    }
    rows: list[CellInput] = []
    seen: set[tuple[str, str, str]] = set()
    for r, values_row in enumerate(table[2:], start=3):
        raw = (list(values_row) + [None] * len(COLUMNS))[: len(COLUMNS)]
        if all(v is None or _text(v) == "" for v in raw):
            continue
        where = _("%(where)s, row %(row)s") % {"where": where_sheet, "row": r}
        key = (_text(raw[0]), _text(raw[2]), _text(raw[3]))
        if key not in cells:
            errors.append(
                _("%(where)s, columns A–D: no such unit and item on this sheet (%(key)s).")
                % {"where": where, "key": "/".join(key)}
            )
            continue
        if key in seen:
            errors.append(_("%(where)s: the same unit and item appear twice.") % {"where": where})
            continue
        seen.add(key)
        unit, column, entry = cells[key]
        data: dict[str, Any] = {
            "count": _text(raw[7]),
            "deduction": _text(raw[9]),
            "not_met": _text(raw[8]) in YES,
        }
        checks, unknown = _checks_read(column.rule_item, _text(raw[6]))
        data.update(checks)
        if unknown:
            labels = [c.label for c in getattr(column.rule_item.rule, "checks", [])]
            errors.append(
                _("%(where)s, column G: unknown check %(codes)s; choose from: %(choices)s.")
                % {
                    "where": where,
                    "codes": ", ".join(unknown),
                    "choices": ";".join(labels) or _("(this item has no checks)"),
                }
            )
            continue
        values, problems = parse_values(column.rule_item, data)
        if problems:
            errors.extend(f"{where}: {p}" for p in problems)
            continue
        reason, evidence = _text(raw[10]), _text(raw[11])
        if values and not reason:
            errors.append(
                _("%(where)s, column K: give the reason for the deduction or bonus.")
                % {"where": where}
            )
        scored = bool(values) or _text(raw[SCORED]) in YES
        if not scored:
            if entry is not None:
                errors.append(
                    _(
                        "%(where)s, column M: this cell is scored already and cannot become "
                        "unscored; write 是 in 已评 or enter the findings."
                    )
                    % {"where": where}
                )
            elif reason or evidence:
                errors.append(
                    _(
                        "%(where)s, column M: write 是 in 已评 to record the cell as scored "
                        "with nothing found, or clear columns K and L."
                    )
                    % {"where": where}
                )
            continue  # never scored, still blank: stays unscored
        if entry is not None:
            before, _problems = parse_values(column.rule_item, _inputs(entry.values))
            if (
                before == values
                and _same_text(entry.reason, reason)
                and _same_text(entry.evidence, evidence)
            ):
                continue  # unchanged: not passed on, so nothing is written for it
        if entry is not None and entry.pk > downloaded:
            errors.append(
                _(
                    "%(where)s: %(who)s saved this cell at %(when)s, after the file was "
                    "downloaded; download the sheet again so that nothing is lost."
                )
                % {
                    "where": where,
                    "who": entry.created_by.get_username(),
                    "when": timezone.localtime(entry.created_at).strftime("%Y-%m-%d %H:%M"),
                }
            )
            continue
        rows.append(CellInput(unit, key[1], key[2], values, reason, evidence))
    if errors:
        raise CycleError("\n".join(errors))
    if not rows:
        return 0
    return _save(acting_user, sheet, rows, name)


def _save(acting_user: User, sheet: Sheet, cells: list[CellInput], name: str) -> int:
    """Save the changed cells through the one write path for scores (one transaction, one
    audit event)."""
    return len(scores_save(acting_user, sheet, cells, source=Source.UPLOAD, name=name))
