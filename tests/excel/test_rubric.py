"""Rubrics in and out of Excel: lossless round trips, office-made files, malformed files."""

from __future__ import annotations

import io
from pathlib import Path

import pytest
from hypothesis import given, settings
from hypothesis import strategies as st
from openpyxl import Workbook

from kaohe.cli import main
from kaohe.engine import InputError, load_scheme
from kaohe.excel.rubric import HEADERS, export_rubrics, import_rubrics

SCHEME = load_scheme("district-2014")


def test_scheme_to_xlsx_to_scheme_is_identical() -> None:
    scheme, warnings = import_rubrics(export_rubrics(SCHEME), SCHEME)
    assert scheme == SCHEME and warnings == []


def test_the_command_line_round_trip(tmp_path: Path) -> None:
    xlsx, yaml_file = tmp_path / "r.xlsx", tmp_path / "s.yaml"
    assert main(["rubric", "export", "district-2014", "-o", str(xlsx)]) == 0
    assert main(["rubric", "import", str(xlsx), "-o", str(yaml_file)]) == 0
    assert load_scheme(str(yaml_file)) == SCHEME


def office_file() -> bytes:
    """A rubric as an office types it: merged section cells, line breaks, weights in the
    text, a title and header repeated on a continuation page, no machine columns."""
    wb = Workbook()
    ws = wb.active
    ws.title = "街道"
    ws.append(["2014年组织工作目标完成情况评分细则(街道)"])
    ws.append(HEADERS)
    rows = [
        (
            "基层组织建设(40分)",
            "1、认真抓好教育培训。\n(4分)",
            "没有学习培训计划的扣2分。",
            "组织科",
        ),
        ("基层组织建设(40分)", "2、做好换届工作。(36分)", "每村扣1分。", "组织科"),
    ]
    for section, target, standard, department in rows:
        ws.append([section, target, standard, "查阅", None, None, department, ""])
    ws.merge_cells("A3:A4")
    ws.append(["2014年组织工作目标完成情况评分细则(街道)"])
    ws.append(HEADERS)
    ws.append(
        [
            "党建工作责任制(60分)",
            "3、专题研究党建。(60分)",
            "酌情扣分",
            "查阅",
            None,
            None,
            "组织科30分、干部科30分",
            "",
        ]
    )
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def test_an_office_made_file_imports_with_every_item_discretionary_and_a_warning_each() -> None:
    scheme, warnings = import_rubrics(office_file(), SCHEME, "街道.xlsx")
    street = scheme.rubric("street")
    assert [i.number for i in street.items()] == ["1", "2", "3"]
    assert street.items()[0].target == "认真抓好教育培训。" and street.items()[0].weight == 4
    assert [(s.department, s.points) for s in street.items()[2].departments] == [
        ("org", 30),
        ("cadre", 30),
    ]
    assert all(i.rule.kind == "discretionary" for i in street.items())
    assert len(warnings) == 3 and "工作表 街道,第 3 行" in warnings[0]


def test_errors_name_sheet_row_and_column() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "街道"
    ws.append(HEADERS)
    ws.append(["基层组织建设", "1、目标(4分)", "x", "", None, None, "组织科", ""])
    ws.append(["基层组织建设(40分)", "目标没有编号", "x", "", None, None, "宣传科", ""])
    out = io.BytesIO()
    wb.save(out)
    with pytest.raises(InputError) as caught:
        import_rubrics(out.getvalue(), SCHEME, "bad.xlsx")
    assert (
        "工作表 街道,第 2 行,“项目”列:请写明板块分值,如 基层组织建设(40分)" in caught.value.errors
    )
    assert (
        "工作表 街道,第 3 行,“具体目标及权重”列:请按 1、目标(4分) 的格式填写" in caught.value.errors
    )


def test_not_an_xlsx_file() -> None:
    with pytest.raises(InputError, match=r"不是可读取的 \.xlsx 文件"):
        import_rubrics(b"PK\x03\x04 broken", SCHEME)


cell_values = st.one_of(
    st.none(),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=30),
    st.integers(-(10**12), 10**12),
    st.floats(allow_nan=False),
    st.just("=1/0"),
    st.just("=SUM(A1:A3)"),
    st.sampled_from(
        [
            "项目",
            "具体目标及权重",
            "1、目标(4分)",
            "基层(40分)",
            "组织科",
            '{"kind": "checks"}',
            "{",
            "组织科99999999分",
        ]
    ),
)


@settings(max_examples=80, deadline=None)
@given(
    st.lists(st.lists(cell_values, max_size=12), max_size=12),
    st.booleans(),
    st.booleans(),
    st.integers(1, 6),
)
def test_malformed_files_never_crash_and_never_half_load(
    rows, with_header, merge, merge_rows
) -> None:  # type: ignore[no-untyped-def]
    wb = Workbook()
    ws = wb.active
    if with_header:
        ws.append([*HEADERS, "规则"])
    for row in rows:
        ws.append(row)
    if merge:
        ws.merge_cells(start_row=1, start_column=1, end_row=merge_rows, end_column=2)
    out = io.BytesIO()
    wb.save(out)
    try:
        scheme, _warnings = import_rubrics(out.getvalue(), SCHEME, "x.xlsx")
    except InputError as exc:
        assert exc.errors
    else:
        assert scheme.rubrics  # validated in full, or not at all


def test_a_rubric_resaved_by_libreoffice_imports_identically() -> None:
    from .libreoffice import resave

    scheme, warnings = import_rubrics(resave(export_rubrics(SCHEME)), SCHEME, "libreoffice.xlsx")
    assert scheme == SCHEME and warnings == []
