"""Rubrics as .xlsx in the attachment's own column layout (项目, 具体目标及权重, 评分标准,
考核方式, 得分, 扣分及激励原因, 考核部门, 备注), plus optional machine columns that carry each
item's rule, so that export → import gives back the same scheme."""

from __future__ import annotations

import io
import json
import re
import unicodedata
from decimal import Decimal, InvalidOperation
from typing import Any

from openpyxl import Workbook, load_workbook
from openpyxl.styles import Alignment, Border, Font, Side
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.engine import InputError, Scheme, scheme_from_data
from kaohe.engine.explain import fmt
from kaohe.engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    PerCountRule,
    SubRubricRule,
    TargetCountRule,
)
from kaohe.excel.cells import append_text
from kaohe.excel.guard import RUBRIC_LIMITS, UnsafeWorkbook, _, check_xlsx
from kaohe.excel.headers import MIN_MATCHES, HeaderRow, describe, find_header_row, normalise

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
REQUIRED = ["项目", "具体目标及权重", "评分标准", "考核部门"]
OPTIONAL = [h for h in HEADERS if h not in REQUIRED]  # 得分, 扣分及激励原因: blanks to fill by hand
MACHINE = ["规则", "适用类型", "来源", "注释"]
# the rule in words for the office, beside the machine columns (which carry it for the import)
READABLE = "计分规则"
SHEET_CHARS = re.compile(r"[\[\]:*?/\\]")
META_SHEET = "_kaohe"
# Points as offices type them, at the end of a cell: (4分), (4分), (４分), 4分, (4), 4(分),
# ( 0.5 分 ), and the attachment's own "(4分)。" with a full stop after the weight.
_NUM = r"[0-9０-９]+(?:[.．][0-9０-９]+)?"
WEIGHT = re.compile(
    rf"(?:[(（]\s*(?P<p>{_NUM})\s*(?:分\s*)?[)）]|(?P<n>{_NUM})\s*(?:分|[(（]\s*分\s*[)）]))"
    r"[\s。.．,，;；]*$"
)
# The item's number before its target: 1、 1. 1． １、 (1) 1) (also with letters: A、)
_KEY = r"[0-9A-Za-z０-９Ａ-Ｚａ-ｚ]+"
NUMBER = re.compile(rf"^\s*(?:[(（]\s*(?P<p>{_KEY})\s*[)）]|(?P<n>{_KEY})\s*[、.．)）])\s*")
SHARE = re.compile(rf"^(?P<name>.+?)(?:(?P<a>{_NUM})分|[(（](?P<b>{_NUM})分?[)）])$")
BREAKS = re.compile(r"[\r\n\u2028\u2029]+")
TOTALS = ("合计", "总计", "小计", "总分")
THIN = Side(style="thin", color="444444")


def export_rubrics(scheme: Scheme) -> bytes:
    """Every rubric of the scheme on its own sheet, printable, rules in the machine columns."""
    names = {d.key: d.name for d in scheme.departments}
    wb = Workbook()
    wb.remove(wb.active)
    meta: dict[str, Any] = {"scheme": scheme.name, "rubrics": []}
    titles: set[str] = set()
    for rubric in scheme.rubrics:
        categories = "、".join(c.name for c in scheme.categories if c.rubric == rubric.key)
        ws = wb.create_sheet(_sheet_title(categories or rubric.title, rubric.key, titles))
        ws.append([rubric.title])
        ws.merge_cells(start_row=1, start_column=1, end_row=1, end_column=len(HEADERS))
        ws["A1"].font = Font(bold=True, size=14)
        ws["A1"].alignment = Alignment(horizontal="center")
        ws.append([*HEADERS, READABLE, *MACHINE])
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
                        rule_text(item.rule, scheme),
                        json.dumps(
                            item.rule.model_dump(mode="json", exclude_defaults=True),
                            ensure_ascii=False,
                        ),
                        ",".join(item.kinds),
                        item.source,
                        json.dumps(
                            {
                                "note": item.note,
                                "short": item.short,
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


def _sheet_title(title: str, key: str, taken: set[str]) -> str:
    """The rubric's category (街道) or title as the sheet's name (Excel: at most 31
    characters, no brackets, colon, star, question mark or slashes); the import finds the
    rubric by the hidden sheet's record, or else by this name."""
    name = SHEET_CHARS.sub("", title).strip()[:31] or key[:31]
    if name in taken or name == META_SHEET:
        name = f"{name[:26]}({key})"[:31]
    taken.add(name)
    return name


def rule_text(rule: Any, scheme: Scheme) -> str:
    """An item's rule in the office's words (the 规则 column beside it keeps it for machines)."""
    if isinstance(rule, ChecksRule):
        parts = []
        for check in rule.checks:
            each = "每次" if check.per_occurrence else ""
            most = f",最多{check.max_occurrences}次" if check.max_occurrences else ""
            parts.append(f"{check.label}:{each}扣{fmt(check.points)}分{most}")
        return "按检查项扣分,扣完为止。" + ";".join(parts) + "。"
    if isinstance(rule, PerCountRule):
        return f"每{rule.counted}扣{fmt(rule.points)}分,扣完为止。"
    if isinstance(rule, TargetCountRule):
        text = f"对照目标数,每少1{rule.counted}扣{fmt(rule.short_points)}分"
        if rule.over_cap > 0:
            text += f";每多1{rule.counted}加{fmt(rule.over_points)}分,最多加{fmt(rule.over_cap)}分"
        return text + "。"
    if isinstance(rule, AllOrNothingRule):
        return "完成得满分,未完成不得分。"
    if isinstance(rule, DiscretionaryRule):
        return "由考核部门酌情扣分(最多扣完本项分值),须写明理由。"
    if isinstance(rule, SubRubricRule):
        titles = {r.key: r.title for r in scheme.rubrics}
        return f"按《{titles.get(rule.rubric, rule.rubric)}》评分,折算为本项分值。"
    return ""


def _layout(ws: Worksheet) -> None:
    widths = [14, 48, 40, 20, 8, 20, 14, 10, 40, 30, 12, 8, 20]
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
    ws.column_dimensions.group("J", "M", hidden=True)  # the machine columns, for the import


def import_rubrics(
    content: bytes, base: Scheme, source: str = "rubric.xlsx"
) -> tuple[Scheme, list[str]]:
    """Read rubrics from .xlsx into ``base`` (whose other settings are kept). Returns the
    validated scheme and warnings; raises InputError naming sheet, row and column.

    The attachment's layout is read as offices type it: title rows and blank rows above the
    header row, header texts compared after ``headers.normalise`` (line breaks, spaces,
    full/half width), 得分 and 扣分及激励原因 optional, section cells merged down (or across a
    row of their own, or left blank below the first), weights as (4分), 4分, (4), 4(分)."""
    try:
        check_xlsx(content, source, RUBRIC_LIMITS)
    except UnsafeWorkbook as exc:
        raise InputError(source, [str(exc)]) from exc
    try:
        wb = load_workbook(io.BytesIO(content), data_only=True)
    except Exception as exc:  # openpyxl raises many kinds for a broken file
        raise InputError(
            source,
            [_("not a readable .xlsx file (%(error)s)") % {"error": exc.__class__.__name__}],
        ) from exc
    meta: dict[str, Any] = {}
    if META_SHEET in wb.sheetnames:
        try:
            meta = json.loads(str(wb[META_SHEET]["A1"].value or "{}"))
        except json.JSONDecodeError:
            meta = {}
    if not isinstance(meta, dict):
        meta = {}
    rubric_meta = meta.get("rubrics")
    by_sheet = {
        r.get("sheet"): r
        for r in (rubric_meta if isinstance(rubric_meta, list) else [])
        if isinstance(r, dict)
    }
    names = {normalise(d.name): d.key for d in base.departments}
    errors: list[str] = []
    warnings: list[str] = []
    rubrics = []
    unrecognised: list[str] = []
    for ws in wb.worksheets:
        if ws.title == META_SHEET or ws.sheet_state != "visible":
            continue
        header = find_header_row(ws, HEADERS + MACHINE, HEADERS)
        if header is None or header.matches(HEADERS) < MIN_MATCHES:
            unrecognised.append(_sheet_found(ws.title, header))
            continue
        where = _("%(file)s, sheet %(sheet)s") % {"file": source, "sheet": ws.title}
        if header.missing(REQUIRED):
            errors.append(_header_mismatch(where, header))
            continue
        rubric = _read_sheet(ws, header, where, names, by_sheet.get(ws.title, {}), errors, warnings)
        if rubric is not None and not by_sheet.get(ws.title):
            key = _rubric_key(base, ws.title, rubric["title"])
            if key is None:
                keys = ", ".join(r.key for r in base.rubrics)
                errors.append(
                    _(
                        "sheet %(sheet)s: which rubric is it? Name the sheet %(keys)s, a "
                        "category, or title it as the rubric"
                    )
                    % {"sheet": ws.title, "keys": keys}
                )
                continue
            rubric["key"] = key
            known = next((r.title for r in base.rubrics if r.key == key), None)
            if known is not None and normalise(rubric["title"]) == normalise(known):
                rubric["title"] = known  # the same title, typed with other widths or spaces
        if rubric is not None:
            rubrics.append(rubric)
    if not rubrics and not errors:
        errors.append(
            _(
                "%(file)s: no sheet has the rubric's header row. Expected the columns "
                "%(expected)s (%(optional)s may be left out); found: %(found)s."
            )
            % {
                "file": source,
                "expected": "、".join(HEADERS),
                "optional": "、".join(OPTIONAL),
                "found": ";".join(unrecognised) or _("no visible sheet"),
            }
        )
    if errors:
        raise InputError(source, errors)
    data = base.model_dump(mode="json")
    keep = {r["key"] for r in rubrics}
    data["rubrics"] = [r for r in data["rubrics"] if r["key"] not in keep] + rubrics
    order = [r.key for r in base.rubrics]
    data["rubrics"].sort(key=lambda r: order.index(r["key"]) if r["key"] in order else len(order))
    return scheme_from_data(data, source), warnings


def _header_mismatch(where: str, header: HeaderRow) -> str:
    return _(
        "%(where)s, row %(row)s: the header row does not match the rubric's columns. "
        "Expected %(expected)s (%(optional)s may be left out); found %(found)s; "
        "missing %(missing)s."
    ) % {
        "where": where,
        "row": header.row,
        "expected": "、".join(HEADERS),
        "optional": "、".join(OPTIONAL),
        "found": describe(header.found),
        "missing": "、".join(header.missing(REQUIRED)),
    }


def _sheet_found(sheet: str, header: HeaderRow | None) -> str:
    if header is None:
        return _("sheet %(sheet)s is empty") % {"sheet": sheet}
    return _("sheet %(sheet)s, row %(row)s: %(cells)s") % {
        "sheet": sheet,
        "row": header.row,
        "cells": describe(header.found),
    }


def _rubric_key(base: Scheme, sheet: str, title: str) -> str | None:
    sheet_key, title_key = normalise(sheet), normalise(title)
    for rubric in base.rubrics:
        if sheet_key == normalise(rubric.key) or title_key == normalise(rubric.title):
            return rubric.key
    for category in base.categories:
        if sheet_key in (normalise(category.name), normalise(category.key)):
            return category.rubric
    return None


def _cell(ws: Worksheet, row: int, column: int) -> str:
    if column < 1:
        return ""
    value = ws.cell(row=row, column=column).value
    if value is None:
        return ""
    if isinstance(value, float) and value.is_integer():
        value = int(value)
    return str(value).strip()


def _one_line(text: str) -> str:
    """A wrapped cell's text without its line breaks (the attachment wraps long targets)."""
    return BREAKS.sub("", text).strip()


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


def _weight(match: re.Match[str]) -> str:
    return unicodedata.normalize("NFKC", match.group("p") or match.group("n"))


def _title(ws: Worksheet, header_row: int) -> str:
    """The rubric's title: the non-empty row nearest above the header row (an office may put
    "附件" and a blank row above it), else the sheet's name."""
    for row in range(header_row - 1, 0, -1):
        for column in range(1, ws.max_column + 1):
            text = _one_line(_cell(ws, row, column))
            if text:
                return text
    return str(ws.title)


def _read_sheet(
    ws: Worksheet,
    header: HeaderRow,
    place: str,
    names: dict[str, str],
    meta: dict[str, Any],
    errors: list[str],
    warnings: list[str],
) -> dict[str, Any] | None:
    columns = header.columns
    title = _title(ws, header.row)
    sections: list[dict[str, Any]] = []
    section_meta = meta.get("sections")
    section_meta = section_meta if isinstance(section_meta, list) else []
    others = [columns[h] for h in ("评分标准", "考核方式", "考核部门", "备注") if h in columns]
    repeated_header = {normalise(h) for h in HEADERS}
    open_section = False  # may a blank 项目 cell continue the section above?
    for row in range(header.row + 1, ws.max_row + 1):
        where = _("sheet %(sheet)s, row %(row)s") % {"sheet": ws.title, "row": row}
        section_text = _merged_value(ws, row, columns["项目"])
        target_text = _cell(ws, row, columns["具体目标及权重"])
        section_key, target_key = normalise(section_text), normalise(target_text)
        if section_key in repeated_header or target_key in repeated_header:
            continue  # a header repeated on a continuation page
        if not target_text and not section_text:
            continue
        if section_key.endswith("评分细则") or (target_text == "" and "细则" in section_key):
            continue  # a title repeated on a continuation page
        if section_key.startswith(TOTALS) or (not section_key and target_key.startswith(TOTALS)):
            continue  # the total row under the table (合计 100分)
        weight_match = WEIGHT.search(section_text)
        if not section_text and open_section:
            pass  # a section cell unmerged by hand keeps its text in the first row only
        elif weight_match is None:
            open_section = False
            if not target_text:
                warnings.append(
                    _(
                        "%(where)s, row %(row)s: no target and no points; the row is ignored: %(text)s"
                    )
                    % {"where": place, "row": row, "text": _row_text(ws, row)[:80]}
                )
                continue
            errors.append(
                _("%(where)s, column 项目: write the section's points, e.g. 基层组织建设(40分)")
                % {"where": where}
            )
            continue
        else:
            open_section = True
            section_name = "".join(section_text[: weight_match.start()].split())
            if not sections or sections[-1]["name"] != section_name:
                extra = section_meta[len(sections)] if len(sections) < len(section_meta) else {}
                if not isinstance(extra, dict):
                    extra = {}
                sections.append(
                    {
                        "key": extra.get("key") or f"s{len(sections) + 1}",
                        "name": section_name,
                        "weight": _weight(weight_match),
                        "items": [],
                        **{k: extra[k] for k in ("source", "note") if k in extra},
                    }
                )
        if not target_text and not any(_cell(ws, row, c) for c in others):
            continue  # the section's own row (its name merged across the columns)
        item = _read_item(ws, row, place, columns, names, where, errors, warnings)
        if item is not None:
            sections[-1]["items"].append(item)
    if not sections:
        errors.append(_("sheet %(sheet)s: no items below the header row") % {"sheet": ws.title})
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


def _row_text(ws: Worksheet, row: int) -> str:
    cells = (_one_line(_cell(ws, row, c)) for c in range(1, ws.max_column + 1))
    return " ".join(text for text in cells if text)


def _shares(text: str) -> list[tuple[str, str | None]]:
    """考核部门 as typed: "组织科30分、干部科30分", "组织科(30分)⏎干部科(30分)", "组织科⏎30分"
    (a share's points wrapped onto the next line) → [(normalised name, points or None)]."""
    shares: list[tuple[str, str | None]] = []
    for part in re.split(r"[、,,;;/\n]+", unicodedata.normalize("NFKC", text)):
        part = normalise(part)
        if not part:
            continue
        points = re.fullmatch(rf"[(（]?({_NUM})分[)）]?", part)
        if points and shares and shares[-1][1] is None:
            shares[-1] = (shares[-1][0], points.group(1))
            continue
        match = SHARE.match(part)
        if match:
            shares.append((match.group("name"), match.group("a") or match.group("b")))
        else:
            shares.append((part, None))
    return shares


def _read_item(
    ws: Worksheet,
    row: int,
    place: str,
    columns: dict[str, int],
    names: dict[str, str],
    where: str,
    errors: list[str],
    warnings: list[str],
) -> dict[str, Any] | None:
    text = _one_line(_cell(ws, row, columns["具体目标及权重"]))
    number = NUMBER.match(text)
    weight = WEIGHT.search(text)
    if number is None or weight is None or weight.start() < number.end():
        errors.append(
            _("%(where)s, column 具体目标及权重: write it as 1、目标(4分)") % {"where": where}
        )
        return None
    item: dict[str, Any] = {
        "number": unicodedata.normalize("NFKC", number.group("p") or number.group("n")),
        "target": text[number.end() : weight.start()].strip(),
        "weight": _weight(weight),
        "standard": _one_line(_cell(ws, row, columns["评分标准"])),
        "method": _one_line(_cell(ws, row, columns.get("考核方式", 0))),
        "remarks": _one_line(_cell(ws, row, columns.get("备注", 0))),
    }
    shares = []
    for name, points in _shares(_cell(ws, row, columns["考核部门"])):
        if name not in names:
            errors.append(
                _("%(where)s, column 考核部门: unknown department %(name)s")
                % {"where": where, "name": name}
            )
            return None
        shares.append({"department": names[name], "points": points or item["weight"]})
    if not shares:
        errors.append(
            _("%(where)s, column 考核部门: name the assessing department") % {"where": where}
        )
        return None
    item["departments"] = shares
    rule_text = _cell(ws, row, columns["规则"]) if "规则" in columns else ""
    if rule_text:
        try:
            item["rule"] = json.loads(rule_text)
        except json.JSONDecodeError:
            errors.append(_("%(where)s, column 规则: not valid JSON") % {"where": where})
            return None
    else:
        item["rule"] = {"kind": "discretionary"}
        warnings.append(
            _("%(where)s: item %(number)s has no rule; imported as discretionary (酌情扣分)")
            % {"where": where, "number": item["number"]}
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
                {
                    k: v
                    for k, v in extra.items()
                    if k in ("note", "short", "bonus", "added_on") and v
                }
            )
    if normalise(item["remarks"]) == "加分项":
        if rule_text:
            item["bonus"] = True
        else:  # only a target_count rule can add points: the office sets it after import
            warnings.append(
                _(
                    "%(where)s, row %(row)s: item %(number)s is marked 加分项, but only an "
                    "item counted against a target can add points; it is imported without "
                    "the bonus: set its rule after the import."
                )
                % {"where": place, "row": row, "number": item["number"]}
            )
    return item
