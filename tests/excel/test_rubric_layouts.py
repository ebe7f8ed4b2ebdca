"""Rubric workbooks as offices type them (issue 9, point 3): wrapped header cells, title rows,
merged section cells, weights in every width, and a clear refusal when the headers still do
not match."""

from __future__ import annotations

import io
from collections.abc import Callable, Sequence
from decimal import Decimal

import pytest
from openpyxl import Workbook
from openpyxl.worksheet.worksheet import Worksheet

from kaohe.engine import InputError, Scheme, load_scheme
from kaohe.engine.explain import fmt
from kaohe.excel.rubric import HEADERS, import_rubrics

SCHEME = load_scheme("district-2014")
STREET = SCHEME.rubric("street")
NAMES = {d.key: d.name for d in SCHEME.departments}
WIDE = str.maketrans("0123456789.", "０１２３４５６７８９．")
TITLE = STREET.title  # 2014年组织工作目标完成情况评分细则(街道), half-width parentheses

# The weight after a target as offices type it; the first is the attachment's own.
WEIGHTS: list[Callable[[str], str]] = [
    lambda w: f"（{w}分）",
    lambda w: f"({w}分)",
    lambda w: f"{w}分",
    lambda w: f"（{w}）",
    lambda w: f"{w}(分)",
    lambda w: f"（{w.translate(WIDE)}分）",
    lambda w: f"({w}分)。",  # item 6 of the attachment: a full stop after the weight
    lambda w: f"( {w} 分 )",
]


def save(wb: Workbook) -> bytes:
    out = io.BytesIO()
    wb.save(out)
    return out.getvalue()


def shares(item_departments: Sequence[tuple[str, Decimal]], wrapped: bool) -> str:
    if len(item_departments) == 1:
        return NAMES[item_departments[0][0]]
    if wrapped:
        return "\n".join(f"{NAMES[d]}({fmt(p)}分)" for d, p in item_departments)
    return "、".join(f"{NAMES[d]}{fmt(p)}分" for d, p in item_departments)


def clean_workbook() -> bytes:
    """The street rubric typed cleanly in the attachment's eight columns: one title row, the
    header row, section cells merged down, every weight as (4分)."""
    wb = Workbook()
    ws = wb.active
    ws.title = "街道"
    ws.append([TITLE])
    ws.append(HEADERS)
    for section in STREET.sections:
        first = ws.max_row + 1
        for item in section.items:
            ws.append(
                [
                    f"{section.name}({fmt(section.weight)}分)",
                    f"{item.number}、{item.target}({fmt(item.weight)}分)",
                    item.standard,
                    item.method,
                    None,
                    None,
                    shares([(s.department, s.points) for s in item.departments], False),
                    item.remarks,
                ]
            )
        ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
    return save(wb)


def wrap(text: str) -> str:
    """A line break typed inside the cell (Alt+Enter), as the attachment's cells have."""
    middle = len(text) // 2
    return text[:middle] + "\n" + text[middle:] if len(text) > 1 else text


def office_workbook() -> bytes:
    """The same rubric as an office types it: "附件", a blank row and the title (other
    parentheses, a space) above the header; wrapped header cells with spaces and no 得分 /
    扣分及激励原因 columns; the first section's cell merged down and written on four lines,
    repeated with title and header after a page break; the second section on a row of its
    own merged across; the third written in its first row only; weights in every form;
    shares on separate lines; a total row at the end; a sheet named Sheet1."""
    wb = Workbook()
    ws = wb.active
    ws.title = "Sheet1"
    title = TITLE.replace("(", " (").replace(")", ")")
    header = ["项　目", "具体目标\n及权重", "评分\n标准", "考核\n方式", "考核\n部门", "备 注"]
    ws.append(["附件"])
    ws.append([None])
    ws.append([title])
    ws.merge_cells("A3:F3")
    ws.append(header)
    count = 0

    def item_row(section_cell: str | None, item_index: int) -> list[str | None]:
        item = STREET.items()[item_index]
        weight = WEIGHTS[item_index % len(WEIGHTS)](fmt(item.weight))
        return [
            section_cell,
            f"{item.number}、{wrap(item.target)}\n{weight}",
            wrap(item.standard),
            item.method.replace("、", "、\n", 1),
            shares([(s.department, s.points) for s in item.departments], True),
            "加分\n项" if item.remarks == "加分项" else item.remarks,
        ]

    for number, section in enumerate(STREET.sections, start=1):
        weight = fmt(section.weight)
        if number == 1:  # merged down, on four lines, split by a page break after item 8
            cell = "基层\n组织\n建设\n（" + weight + "分）"
            first = ws.max_row + 1
            for _ in range(8):
                ws.append(item_row(cell, count))
                count += 1
            ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
            ws.append([title])
            ws.append(header)
            first = ws.max_row + 1
            for _ in section.items[8:]:
                ws.append(item_row(cell, count))
                count += 1
            ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
        elif number == 2:  # a row of its own, merged across the columns
            ws.append([f"{section.name}({weight}分)"])
            ws.merge_cells(start_row=ws.max_row, start_column=1, end_row=ws.max_row, end_column=6)
            for _ in section.items:
                ws.append(item_row(None, count))
                count += 1
        elif number == 3:  # written in the first row only (a merge undone by hand)
            for index, _ in enumerate(section.items):
                ws.append(item_row(f"{section.name}（{weight}分）" if index == 0 else None, count))
                count += 1
        else:  # merged down, half-width parentheses, a blank row before it
            ws.append([None])  # a blank row ([] would not count in max_row)
            first = ws.max_row + 1
            for _ in section.items:
                ws.append(item_row(f"{section.name} ({weight}分)", count))
                count += 1
            ws.merge_cells(start_row=first, start_column=1, end_row=ws.max_row, end_column=1)
    ws.append(["合  计", "100分"])
    return save(wb)


def test_the_office_typed_workbook_imports_every_item_as_the_clean_layout_does() -> None:
    clean, clean_warnings = import_rubrics(clean_workbook(), SCHEME, "clean.xlsx")
    office, office_warnings = import_rubrics(office_workbook(), SCHEME, "office.xlsx")
    assert office == clean
    # each item has no rule (to confirm), and item 6 (加分项) is imported without its bonus
    assert len(office_warnings) == len(clean_warnings) == 23
    assert "第 6 项备注为“加分项”" in office_warnings[6]
    street = office.rubric("street")
    assert street.title == TITLE
    assert [s.name for s in street.sections] == [s.name for s in STREET.sections]
    assert [s.weight for s in street.sections] == [40, 20, 15, 10, 10, 5]
    assert [i.number for i in street.items()] == [str(n) for n in range(1, 23)]
    for imported, written in zip(street.items(), STREET.items(), strict=True):
        assert (imported.target, imported.weight, imported.standard, imported.method) == (
            written.target,
            written.weight,
            written.standard,
            written.method,
        )
        assert imported.departments == written.departments
        assert imported.remarks == written.remarks and not imported.bonus


def one_sheet(
    header: Sequence[str | None] = tuple(HEADERS),
    rows: Sequence[Sequence[str | None]] = (),
    above: Sequence[Sequence[str | None]] = ((TITLE,),),
    arrange: Callable[[Worksheet], None] | None = None,
    title: str = "街道",
) -> bytes:
    wb = Workbook()
    ws = wb.active
    ws.title = title
    for row in above:
        ws.append(list(row))
    ws.append(list(header))
    for row in rows:
        ws.append(list(row))
    if arrange is not None:
        arrange(ws)
    return save(wb)


def row(
    section: str | None, target: str, department: str = "组织科", remarks: str = ""
) -> list[str | None]:
    """A row of the eight-column layout."""
    return [section, target, "酌情扣分。", "查阅", None, None, department, remarks]


# 40 + 60 = 100: the street rubric replaced by three items
ROWS = [
    row("基层组织建设(40分)", "1、抓好教育培训。(4分)"),
    row("基层组织建设(40分)", "2、做好换届工作。(36分)"),
    row("党建工作责任制(60分)", "3、专题研究党建。(60分)", "组织科30分、干部科30分"),
]


def items(scheme: Scheme) -> list[tuple[str, str, Decimal, list[tuple[str, Decimal]]]]:
    return [
        (i.number, i.target, i.weight, [(s.department, s.points) for s in i.departments])
        for i in scheme.rubric("street").items()
    ]


EXPECTED = [
    ("1", "抓好教育培训。", Decimal(4), [("org", Decimal(4))]),
    ("2", "做好换届工作。", Decimal(36), [("org", Decimal(36))]),
    ("3", "专题研究党建。", Decimal(60), [("org", Decimal(30)), ("cadre", Decimal(30))]),
]


def test_the_plain_layout_reads_as_expected() -> None:
    scheme, _ = import_rubrics(one_sheet(rows=ROWS), SCHEME)
    assert items(scheme) == EXPECTED
    assert [(s.name, s.weight) for s in scheme.rubric("street").sections] == [
        ("基层组织建设", 40),
        ("党建工作责任制", 60),
    ]


@pytest.mark.parametrize(
    "header",
    [
        [
            "项目",
            "具体目标\n及权重",
            "评分标准",
            "考核方式",
            "得分",
            "扣分及激励原因",
            "考核\n部门",
            "备注",
        ],
        [
            "项　目",
            "具体目标及权重",
            "评 分 标 准",
            "考核方式",
            "得分",
            "扣分及激励原因",
            "考核部门",
            "备注",
        ],
        [
            "项目:",
            "具体目标及权重:",
            "评分标准",
            "考核方式",
            "得分",
            "扣分及激励原因",
            "考核部门",
            "备注",
        ],
        [
            " 项目 ",
            "具体目标及权重\u200b",
            "评分标准\r\n",
            "考核方式",
            "得 分",
            "扣分及\n激励原因",
            "考核部门",
            "备注",
        ],
        ["项目", "具体目标及权重", "评分标准", "考核方式", None, None, "考核部门", "备注"],
    ],
    ids=[
        "line-breaks",
        "full-width-spaces",
        "full-width-colons",
        "margins-and-zero-width",
        "blank",
    ],
)
def test_header_cells_match_whatever_their_spacing_and_width(header: list[str | None]) -> None:
    scheme, _ = import_rubrics(one_sheet(header=header, rows=ROWS), SCHEME)
    assert items(scheme) == EXPECTED


def test_the_columns_to_fill_by_hand_may_be_left_out_and_columns_may_move() -> None:
    header = ["项目", "具体目标及权重", "考核部门", "评分标准"]  # no 考核方式, 得分, 扣分…, 备注
    rows = [[r[0], r[1], r[6], r[2]] for r in ROWS]
    scheme, _ = import_rubrics(one_sheet(header=header, rows=rows), SCHEME)
    assert items(scheme) == EXPECTED
    assert {i.method for i in scheme.rubric("street").items()} == {""}


@pytest.mark.parametrize(
    "above",
    [
        [],
        [[TITLE]],
        [["附件"], [TITLE]],
        [["附件"], [], [TITLE], []],
        [[], [], ["附件"], [None, None, TITLE]],
    ],
    ids=["none", "title", "two-title-rows", "title-rows-and-blank-rows", "title-off-column-a"],
)
def test_title_and_blank_rows_above_the_header_row(above: list[list[str | None]]) -> None:
    scheme, _ = import_rubrics(one_sheet(rows=ROWS, above=above), SCHEME)
    assert items(scheme) == EXPECTED
    # the title is the row nearest above the header; the sheet's name when there is none
    assert scheme.rubric("street").title == (TITLE if above else "街道")


def test_a_title_typed_in_other_widths_is_the_rubric_even_on_a_sheet_named_otherwise() -> None:
    typed = "2014年组织工作目标完成情况评分细则 （街道）"
    scheme, _ = import_rubrics(one_sheet(rows=ROWS, above=[[typed]], title="Sheet1"), SCHEME)
    assert scheme.rubric("street").title == TITLE and items(scheme) == EXPECTED


@pytest.mark.parametrize(
    ("typed", "weight"),
    [
        ("（4分）", "4"),
        ("(4分)", "4"),
        ("4分", "4"),
        ("（4）", "4"),
        ("(4)", "4"),
        ("4(分)", "4"),
        ("4（分）", "4"),
        ("（４分）", "4"),
        ("(4分)。", "4"),
        ("( 4 分 )", "4"),
        ("\n(4分)", "4"),
        ("(0.5分)", "0.5"),
        ("（０．５分）", "0.5"),
    ],
)
def test_weights_as_offices_type_them(typed: str, weight: str) -> None:
    rows = [
        row("基层组织建设(40分)", f"1、抓好教育培训。{typed}"),
        row("基层组织建设(40分)", f"2、做好换届工作。({40 - Decimal(weight)}分)"),
        ROWS[2],
    ]
    scheme, _ = import_rubrics(one_sheet(rows=rows), SCHEME)
    first = scheme.rubric("street").items()[0]
    assert (first.number, first.target, first.weight) == ("1", "抓好教育培训。", Decimal(weight))


@pytest.mark.parametrize(
    "section",
    [
        "基层组织建设(40分)",
        "基层\n组织\n建设\n（40分）",
        "基层组织建设 (40分)",
        "基层组织建设（４０分）",
    ],
)
def test_section_cells_in_every_width_and_on_several_lines(section: str) -> None:
    rows = [row(section, ROWS[0][1]), row(section, ROWS[1][1]), ROWS[2]]
    scheme, _ = import_rubrics(one_sheet(rows=rows), SCHEME)
    assert [(s.name, s.weight) for s in scheme.rubric("street").sections] == [
        ("基层组织建设", 40),
        ("党建工作责任制", 60),
    ]


def test_a_section_cell_merged_down_over_its_items() -> None:
    rows = [row("基层\n组织\n建设\n（40分）", ROWS[0][1]), row(None, ROWS[1][1]), ROWS[2]]

    def merge(ws: Worksheet) -> None:
        ws.merge_cells("A3:A4")

    scheme, _ = import_rubrics(one_sheet(rows=rows, arrange=merge), SCHEME)
    assert items(scheme) == EXPECTED


def test_a_section_on_a_row_of_its_own_merged_across_the_columns() -> None:
    rows = [
        ["基层组织建设(40分)"],
        row(None, ROWS[0][1]),
        row(None, ROWS[1][1]),
        ["党建工作责任制(60分)"],
        row(None, ROWS[2][1], "组织科30分、干部科30分"),
    ]

    def merge(ws: Worksheet) -> None:
        ws.merge_cells("A3:H3")
        ws.merge_cells("A6:H6")

    scheme, _ = import_rubrics(one_sheet(rows=rows, arrange=merge), SCHEME)
    assert items(scheme) == EXPECTED


def test_a_section_written_in_its_first_row_only() -> None:
    rows = [ROWS[0], row(None, ROWS[1][1]), ROWS[2]]
    scheme, _ = import_rubrics(one_sheet(rows=rows), SCHEME)
    assert items(scheme) == EXPECTED


def test_a_row_of_a_section_with_a_standard_but_no_target_is_refused_not_passed_over() -> None:
    rows = [*ROWS[:2], ["基层组织建设(40分)", None, "少一项扣1分。"], ROWS[2]]
    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(rows=rows), SCHEME)
    assert caught.value.errors == [
        "工作表 街道,第 5 行,“具体目标及权重”列:请按 1、目标(4分) 的格式填写"
    ]


def test_a_blank_section_cell_with_no_section_above_is_refused() -> None:
    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(rows=[row(None, ROWS[0][1]), *ROWS[1:]]), SCHEME)
    assert caught.value.errors == [
        "工作表 街道,第 3 行,“项目”列:请写明板块分值,如 基层组织建设(40分)"
    ]


def test_items_below_a_section_name_without_points_are_not_given_to_the_section_above() -> None:
    rows = [*ROWS[:2], ["党建工作责任制"], row(None, ROWS[2][1], "组织科30分、干部科30分")]
    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(rows=rows), SCHEME)
    assert caught.value.errors == [
        "工作表 街道,第 6 行,“项目”列:请写明板块分值,如 基层组织建设(40分)"
    ]


def test_a_note_under_the_table_is_ignored_with_a_warning_and_the_total_row_silently() -> None:
    rows = [*ROWS, ["合　计", "100分"], ["考核人:", None, "日期:"]]
    scheme, warnings = import_rubrics(one_sheet(rows=rows), SCHEME, "街道.xlsx")
    assert items(scheme) == EXPECTED
    assert (
        warnings[-1]
        == "街道.xlsx,工作表 街道,第 7 行:既无具体目标也无分值,此行未导入:考核人: 日期:"
    )
    assert len(warnings) == 4  # three items without a rule, and the note


@pytest.mark.parametrize(
    "typed",
    [
        "组织科30分、干部科30分",
        "组织科(30分)\n干部科(30分)",
        "组织科（３０分），干部科（３０分）",
        "组织科\n30分\n干部科\n30分",
        "组 织 科 30分;干部科 30 分",
    ],
)
def test_department_shares_as_offices_type_them(typed: str) -> None:
    rows = [*ROWS[:2], row("党建工作责任制(60分)", ROWS[2][1], typed)]
    scheme, _ = import_rubrics(one_sheet(rows=rows), SCHEME)
    assert items(scheme) == EXPECTED


def test_a_department_name_ending_in_a_digit_is_not_read_as_points() -> None:
    rows = [*ROWS[:2], row("党建工作责任制(60分)", ROWS[2][1], "组织科2")]
    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(rows=rows), SCHEME)
    assert caught.value.errors == ["工作表 街道,第 5 行,“考核部门”列:未知的部门“组织科2”"]


def test_bonus_remarks_wrapped_onto_two_lines_mark_a_bonus_item_that_has_its_rule() -> None:
    rule = '{"kind": "target_count", "short_points": "1", "over_points": "1", "over_cap": "3"}'
    rows = [
        [*row("基层组织建设(40分)", ROWS[0][1], remarks="加分\n项"), rule],
        [*ROWS[1], '{"kind": "discretionary"}'],
        [*ROWS[2], '{"kind": "discretionary"}'],
    ]
    scheme, warnings = import_rubrics(one_sheet(header=[*HEADERS, "规则"], rows=rows), SCHEME)
    assert [i.bonus for i in scheme.rubric("street").items()] == [True, False, False]
    assert warnings == []


def test_a_bonus_item_without_its_rule_is_imported_without_the_bonus_and_a_warning() -> None:
    rows = [row("基层组织建设(40分)", ROWS[0][1], remarks="加分项"), *ROWS[1:]]
    scheme, warnings = import_rubrics(one_sheet(rows=rows), SCHEME, "街道.xlsx")
    first = scheme.rubric("street").items()[0]
    assert (first.remarks, first.bonus) == ("加分项", False)
    assert warnings[1] == (
        "街道.xlsx,工作表 街道,第 3 行:第 1 项备注为“加分项”,但只有按目标数量计分的项目才能加分;"
        "已按不加分导入,请在导入后设置其计分规则。"
    )


def test_headers_that_still_do_not_match_are_refused_naming_expected_found_and_missing() -> None:
    header = ["项 目", "具体目标\n及权重", "评分标准", "考核方式", "考核科室", "备注"]
    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(header=header, rows=ROWS), SCHEME, "街道细则.xlsx")
    assert caught.value.errors == [
        "街道细则.xlsx,工作表 街道,第 2 行:表头与评分细则的列不符。"
        "应有的列:项目、具体目标及权重、评分标准、考核方式、得分、扣分及激励原因、考核部门、备注"
        "(其中 考核方式、得分、扣分及激励原因、备注 可省略);"
        "找到的列:A“项 目”、B“具体目标 及权重”、C“评分标准”、D“考核方式”、E“考核科室”、F“备注”;"
        "缺少:考核部门。"
    ]


def test_a_workbook_without_the_header_row_is_refused_showing_what_each_sheet_holds() -> None:
    wb = Workbook()
    ws = wb.active
    ws.title = "细则"
    ws.append([TITLE])
    ws.append(["序号", "工作目标", "分值", "责任科室"])
    ws.append(["1", "抓好教育培训", "4", "组织科"])
    wb.create_sheet("说明")
    with pytest.raises(InputError) as caught:
        import_rubrics(save(wb), SCHEME, "细则.xlsx")
    assert caught.value.errors == [
        "细则.xlsx:没有找到评分细则的表头行。"
        "应有的列:项目、具体目标及权重、评分标准、考核方式、得分、扣分及激励原因、考核部门、备注"
        "(其中 考核方式、得分、扣分及激励原因、备注 可省略);"
        "找到的是:工作表 细则 第 2 行:A“序号”、B“工作目标”、C“分值”、D“责任科室”;工作表 说明 为空。"
    ]


def test_a_sheet_of_notes_beside_the_rubric_is_passed_over() -> None:
    wb = Workbook()
    notes = wb.active
    notes.title = "填表说明"
    notes.append(["项目、具体目标及权重等列请勿改动"])
    notes.append(["备注", "可空"])
    street = wb.create_sheet("街道")
    street.append([TITLE])
    street.append(HEADERS)
    for values in ROWS:
        street.append(values)
    scheme, _ = import_rubrics(save(wb), SCHEME)
    assert items(scheme) == EXPECTED


def test_the_upload_guard_still_comes_first() -> None:
    def far_merge(ws: Worksheet) -> None:
        ws.merge_cells("A3:A5000")  # beyond the rubric limits' 2,000 rows

    with pytest.raises(InputError) as caught:
        import_rubrics(one_sheet(rows=ROWS, arrange=far_merge), SCHEME, "大.xlsx")
    assert caught.value.errors[0].startswith("大.xlsx,工作表 街道:")
