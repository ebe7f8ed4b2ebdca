"""Rubrics as .xlsx in the attachment's own column layout (项目, 具体目标及权重, 评分标准,
考核方式, 得分, 扣分及激励原因, 考核部门, 备注), plus optional machine columns that carry each
item's rule, so that export → import gives back the same scheme."""

from __future__ import annotations

import io
import json
import re
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.engine import InputError, Scheme, scheme_from_data
from kaohe.engine.explain import fmt
from kaohe.excel.cells import append_text
from kaohe.excel.guard import RUBRIC_LIMITS, UnsafeWorkbook, check_xlsx

HEADERS = [
    "项目",
    "具体目标及权重",
    "评分标准",
    "考核方式",
    "得分",
    "扣分及激励原因",
    "考核部门",
    "备注",
]
MACHINE = ["规则", "适用类型", "来源", "注释"]
META_SHEET = "_kaohe"
WEIGHT = re.compile(r"[((]\s*(\d+(?:\.\d+)?)\s*分\s*[))]\s*$")
NUMBER = re.compile(r"^\s*([0-9A-Za-z]+)\s*[、.．]\s*")
SHARE = re.compile(r"^(.+?)\s*(\d+(?:\.\d+)?)\s*分$")
THIN = Side(style="thin", color="444444")


def export_rubrics(scheme: Scheme) -> bytes:
    """Every rubric of the scheme on its own sheet, printable, rules in the machine columns."""
    names = {d.key: d.name for d in scheme.departments}
    wb = Workbook()
    wb.remove(wb.active)
    meta: dict[str, Any] = {"scheme": scheme.name, "rubrics": []}
    for rubric in scheme.rubrics:
        ws = wb.create_sheet(rubric.key[:31])
        ws.append([rubric.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append(HEADERS + MACHINE)
        for cell in ws[2]:
            cell.font = Font(bold=True)
            cell.alignment = Alignment(horizontal="center", vertical="center", wrap_text=True)
        sections = []
        for section in rubric.sections:
            first = ws.max_row + 1
            for item in section.items:
                shares = "、".join(
                    names[s.department]
                    + (f"{fmt(s.points)}分" if len(item.departments) > 1 else "")
                    for s in item.departments
                )
                append_text(
                    ws,
                    [
                        f"{section.name}({fmt(section.weight)}分)",
                        f"{item.number}、{item.target}({fmt(item.weight)}分)",
                        item.standard,
                        item.method,
                        None,
                        None,
                        shares,
                        item.remarks,
                        json.dumps(
                            item.rule.model_dump(mode="json", exclude_defaults=True),
                            ensure_ascii=False,
                        ),
                        ",".join(item.kinds),
                        item.source,
                        json.dumps(
                            {
                                "note": item.note,
                                "bonus": item.bonus,
                                "added_on": item.added_on.isoformat() if item.added_on else None,
                            },
                            ensure_ascii=False,
                        ),
                    ],
                )
            if ws.max_row > first:
                ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
            sections.append({"key": section.key, "source": section.source, "note": section.note})
        meta["rubrics"].append(
            {
                "sheet": ws.title,
                "key": rubric.key,
                "total": fmt(rubric.total),
                "source": rubric.source,
                "note": rubric.note,
                "sections": sections,
            }
        )
        _layout(ws)
    hidden = wb.create_sheet(META_SHEET)
    hidden["A1"] = json.dumps(meta, ensure_ascii=False)
    hidden.sheet_state = "hidden"
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def _layout(ws: Worksheet) -> None:
    widths = [14, 48, 40, 20, 8, 20, 14, 10, 30, 12, 8, 20]
    for i, width in enumerate(widths, start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    for row in ws.iter_rows(min_row=2):
        for cell in row:
            cell.border = Border(left=THIN, right=THIN, top=THIN, bottom=THIN)
            if cell.row > 2:
                cell.alignment = Alignment(vertical="center", wrap_text=True)
    ws.freeze_panes = "C3"
    ws.print_title_rows = "1:2"
    ws.page_setup.orientation = "landscape"
    ws.column_dimensions.group("I", "L", hidden=False)


def import_rubrics(
    content: bytes, base: Scheme, source: str = "rubric.xlsx"
) -> tuple[Scheme, list[str]]:
    """Read rubrics from .xlsx into ``base`` (whose other settings are kept). Returns the
    validated scheme and warnings; raises InputError naming sheet, row and column."""
    try:
        check_xlsx(content, source, RUBRIC_LIMITS)
    except UnsafeWorkbook as exc:
        raise InputError(source, [str(exc)]) from exc
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(source, [f"not a readable .xlsx file ({exc.__class__.__name__})"]) from exc
    meta: dict[str, Any] = {}
    if META_SHEET in wb.sheetnames:
        try:
            meta = json.loads(str(wb[META_SHEET]["A1"].value or "{}"))
        except json.JSONDecodeError:
            meta = {}
    by_sheet = {r.get("sheet"): r for r in meta.get("rubrics", []) if isinstance(r, dict)}
    names = {d.name: d.key for d in base.departments}
    errors: list[str] = []
    warnings: list[str] = []
    rubrics = []
    for ws in wb.worksheets:
        if ws.title == META_SHEET or ws.sheet_state != "visible":
            continue
        rubric = _read_sheet(ws, names, by_sheet.get(ws.title, {}), errors, warnings)
        if rubric is not None and not by_sheet.get(ws.title):
            key = _rubric_key(base, ws.title, rubric["title"])
            if key is None:
                keys = ", ".join(r.key for r in base.rubrics)
                errors.append(
                    f"sheet {ws.title}: which rubric is it? Name the sheet {keys}, "
                    "a category, or title it as the rubric"
                )
                continue
            rubric["key"] = key
        if rubric is not None:
            rubrics.append(rubric)
    if not rubrics and not errors:
        errors.append("no sheet has the rubric's header row (项目, 具体目标及权重, …)")
    if errors:
        raise InputError(source, errors)
    data = base.model_dump(mode="json")
    keep = {r["key"] for r in rubrics}
    data["rubrics"] = [r for r in data["rubrics"] if r["key"] not in keep] + rubrics
    order = [r.key for r in base.rubrics]
    data["rubrics"].sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    return scheme_from_data(data, source), warnings


def _rubric_key(base: Scheme, sheet: str, title: str) -> str | None:
    for rubric in base.rubrics:
        if sheet == rubric.key or title == rubric.title:
            return rubric.key
    for category in base.categories:
        if sheet == category.name or sheet == category.key:
            return category.rubric
    return None


def _cell(ws: Worksheet, row: int, column: int) -> str:
    value = ws.cell(row=row, column=column).value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _merged_value(ws: Worksheet, row: int, column: int) -> str:
    for merged in ws.merged_cells.ranges:
        if merged.min_row <= row <= merged.max_row and merged.min_col <= column <= merged.max_col:
            return _cell(ws, merged.min_row, merged.min_col)
    return _cell(ws, row, column)


def _points(text: str) -> Decimal | None:
    try:
        return Decimal(text)
    except InvalidOperation:
        return None


def _read_sheet(
    ws: Worksheet,
    names: dict[str, str],
    meta: dict[str, Any],
    errors: list[str],
    warnings: list[str],
) -> dict[str, Any] | None:
    header_row = next(
        (
            r
            for r in range(1, min(ws.max_row, 20) + 1)
            if _cell(ws, r, 1) == "项目" and _cell(ws, r, 2).startswith("具体目标")
        ),
        None,
    )
    if header_row is None:
        return None
    columns = {_cell(ws, header_row, c): c for c in range(1, ws.max_column + 1)}
    missing = [h for h in ("项目", "具体目标及权重", "评分标准", "考核部门") if h not in columns]
    if missing:
        errors.append(f"sheet {ws.title}, row {header_row}: missing columns {', '.join(missing)}")
        return None
    title = _cell(ws, 1, 1) if header_row > 1 else ws.title
    sections: list[dict[str, Any]] = []
    section_meta = list(meta.get("sections", []))
    for row in range(header_row + 1, ws.max_row + 1):
        where = f"sheet {ws.title}, row {row}"
        section_text = _merged_value(ws, row, columns["项目"])
        target_text = _cell(ws, row, columns["具体目标及权重"])
        if section_text == "项目" or target_text.startswith("具体目标"):
            continue  # a header repeated on a continuation page
        if not target_text and not section_text:
            continue
        if section_text.endswith("评分细则") or (target_text == "" and "细则" in section_text):
            continue  # a title repeated on a continuation page
        weight_match = WEIGHT.search(section_text)
        if weight_match is None:
            errors.append(
                f"{where}, column 项目: write the section's points, e.g. 基层组织建设(40分)"
            )
            continue
        section_name = section_text[: weight_match.start()].strip()
        if not sections or sections[-1]["name"] != section_name:
            extra = section_meta[len(sections)] if len(sections) < len(section_meta) else {}
            sections.append(
                {
                    "key": extra.get("key") or f"s{len(sections) + 1}",
                    "name": section_name,
                    "weight": weight_match.group(1),
                    "items": [],
                    **{k: extra[k] for k in ("source", "note") if k in extra},
                }
            )
        item = _read_item(ws, row, columns, names, where, errors, warnings)
        if item is not None:
            sections[-1]["items"].append(item)
    if not sections:
        errors.append(f"sheet {ws.title}: no items below the header row")
        return None
    total = meta.get("total") or str(
        sum((_points(s["weight"]) or Decimal(0) for s in sections), Decimal(0))
    )
    rubric: dict[str, Any] = {
        "key": meta.get("key") or ws.title,
        "title": title,
        "total": total,
        "sections": sections,
    }
    rubric.update({k: meta[k] for k in ("source", "note") if k in meta})
    return rubric


def _read_item(
    ws: Worksheet,
    row: int,
    columns: dict[str, int],
    names: dict[str, str],
    where: str,
    errors: list[str],
    warnings: list[str],
) -> dict[str, Any] | None:
    text = _cell(ws, row, columns["具体目标及权重"]).replace("\n", "")
    number = NUMBER.match(text)
    weight = WEIGHT.search(text)
    if number is None or weight is None:
        errors.append(f"{where}, column 具体目标及权重: write it as 1、目标(4分)")
        return None
    item: dict[str, Any] = {
        "number": number.group(1),
        "target": text[number.end() : weight.start()].strip(),
        "weight": weight.group(1),
        "standard": _cell(ws, row, columns["评分标准"]).replace("\n", ""),
        "method": _cell(ws, row, columns.get("考核方式", 0)) if "考核方式" in columns else "",
        "remarks": _cell(ws, row, columns["备注"]) if "备注" in columns else "",
    }
    shares = []
    for part in re.split(r"[、,,;;\n]+", _cell(ws, row, columns["考核部门"])):
        part = part.strip()
        if not part:
            continue
        match = SHARE.match(part)
        name, points = (match.group(1), match.group(2)) if match else (part, item["weight"])
        if name not in names:
            errors.append(f"{where}, column 考核部门: unknown department '{name}'")
            return None
        shares.append({"department": names[name], "points": points})
    if not shares:
        errors.append(f"{where}, column 考核部门: name the assessing department")
        return None
    item["departments"] = shares
    rule_text = _cell(ws, row, columns["规则"]) if "规则" in columns else ""
    if rule_text:
        try:
            item["rule"] = json.loads(rule_text)
        except json.JSONDecodeError:
            errors.append(f"{where}, column 规则: not valid JSON")
            return None
    else:
        item["rule"] = {"kind": "discretionary"}
        warnings.append(
            f"{where}: item {item['number']} has no rule; imported as discretionary (酌情扣分)"
        )
    if "适用类型" in columns and _cell(ws, row, columns["适用类型"]):
        item["kinds"] = [
            k.strip() for k in _cell(ws, row, columns["适用类型"]).split(",") if k.strip()
        ]
    if "来源" in columns and _cell(ws, row, columns["来源"]) in ("seed", "default"):
        item["source"] = _cell(ws, row, columns["来源"])
    if "注释" in columns and _cell(ws, row, columns["注释"]):
        try:
            extra = json.loads(_cell(ws, row, columns["注释"]))
        except json.JSONDecodeError:
            extra = {"note": _cell(ws, row, columns["注释"])}
        if isinstance(extra, dict):
            item.update(
                {k: v for k, v in extra.items() if k in ("note", "bonus", "added_on") and v}
            )
    if item["remarks"] == "加分项":
        item["bonus"] = True
    return item
