"""PDF (WeasyPrint, with an embedded CJK font) and Excel (openpyxl) of the results."""

from __future__ import annotations

import io
from typing import Any

from openpyxl import Workbook
from openpyxl.styles import Alignment, Font

from kaohe.audit.services import anchor_text
from kaohe.engine import YearResult
from kaohe.excel.cells import append_text
from kaohe.years.models import Year


def results_pdf(html: str) -> bytes:
    from weasyprint import HTML  # heavy import, only when a PDF is asked for

    return bytes(HTML(string=html).write_pdf())


def _sheet(
    wb: Workbook, title: str, heading: str, header: list[str], rows: list[list[Any]]
) -> None:
    ws = wb.create_sheet(title[:31])
    ws.append([heading])
    ws["A1"].font = Font(bold=True, size=14)
    ws.append(header)
    for cell in ws[2]:
        cell.font = Font(bold=True)
        cell.alignment = Alignment(horizontal="center")
    for row in rows:
        append_text(ws, row)  # a unit name or reason starting with = stays text
        for cell in ws[ws.max_row]:
            if isinstance(cell.value, float):  # points: exact in the cell, shown to 2 places
                cell.number_format = "0.00"
    ws.append([])
    ws.append([anchor_text()])  # the audit chain head this export was made from
    ws.freeze_panes = "A3"
    for i, width in enumerate([8, 30, 12, 12, 12, 12, 12, 14][: len(header)], start=1):
        ws.column_dimensions[chr(64 + i)].width = width
    ws.print_title_rows = "2:2"
    ws.page_setup.orientation = "landscape"


def ranking_workbook(year: Year, month: int, result: YearResult) -> bytes:
    """A month's ranking per category (月度排名), bottom two marked."""
    wb = Workbook()
    wb.remove(wb.active)
    for category in year.scheme.categories:
        rows = []
        for row in result.monthly[month].get(category.key, []):
            unit = result.units[row.unit].unit
            rows.append([row.rank, unit.name, float(row.value), "后两名" if row.in_bottom else ""])
        _sheet(
            wb,
            category.name,
            f"{year.year}年{month}月组织工作考核排名({category.name})",
            ["名次", "单位", "月度目标得分", "备注"],
            rows,
        )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def use_workbook(year: Year, context: dict[str, Any]) -> bytes:
    """Each results-use list on its own sheet, titled, with frozen headers, ready to print."""
    wb = Workbook()
    wb.remove(wb.active)
    units = context["units"]
    for table in context["tables"]:
        name = table["category"].name
        _sheet(
            wb,
            f"{name}排名",
            f"{year.year}年度组织工作考核排名({name})",
            ["名次", "单位", "目标T", "业绩B", "过错F", "公认度R", "总分"],
            [
                [
                    "否决" if r["vetoed"] else r["rank"],
                    r["name"],
                    *(float(r[k]) for k in ("T", "B", "F", "R", "total")),
                ]
                for r in table["rows"]
            ],
        )
        use = table["use"]
        _sheet(
            wb,
            f"{name}先进",
            f"{year.year}年度组织工作先进单位推荐({name},名额{use.get('quota', 0)})",
            ["名次", "单位"],
            [[a["rank"], units[a["unit"]]["name"]] for a in use.get("advanced", [])],
        )
        _sheet(
            wb,
            f"{name}否决",
            f"{year.year}年度考核被否决单位及不得评先的干部({name})",
            ["单位", "干部", "职务"],
            [
                [
                    units[c["unit"]]["name"],
                    c["name"],
                    "党组织主要负责人" if c["role"] == "secretary" else "分管领导",
                ]
                for c in use.get("ineligible_cadres", [])
            ]
            + [[units[u["unit"]]["name"], "", ""] for u in use.get("ineligible_units", [])],
        )
    _sheet(
        wb,
        "约谈与报告",
        f"{year.year}年度月考核后两名处理记录",
        ["月份", "单位", "处理方式", "排后两名月份"],
        [
            [
                f"{e['month']}月",
                units[e["unit"]]["name"],
                "组织约谈" if e["action"] == "talk" else "书面报告",
                "、".join(f"{m}月" for m in e["months"]),
            ]
            for e in context["escalations"]
        ],
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()
