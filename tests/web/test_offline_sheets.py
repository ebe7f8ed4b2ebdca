"""Offline scoring sheets: download, fill, upload — all or nothing, errors by row and column."""

from __future__ import annotations

import io
from collections.abc import Iterator

import pytest
from django.urls import reverse
from django.utils import translation
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook
from openpyxl.cell.cell import MergedCell

from kaohe.audit.models import AuditEvent
from kaohe.excel.sheets import export_sheet, import_sheet
from kaohe.monthly.models import Entry
from kaohe.monthly.selectors import sheet_grid
from kaohe.monthly.services import CycleError

from .conftest import World


@pytest.fixture(autouse=True)
def chinese_messages(english_messages: None) -> Iterator[None]:
    """These tests read the refusals as a user does: in Chinese, the default language."""
    with translation.override("zh-hans"):
        yield


def filled(
    world: World, edits: dict[tuple[str, str], dict[str, object]], department: str = "org"
) -> bytes:
    """The downloaded sheet with some rows filled in, as an assessor would."""
    book = load_workbook(io.BytesIO(export_sheet(world.sheet(department))))
    ws = book["评分表"]
    columns = {name: i + 1 for i, name in enumerate(c.value for c in ws[2])}
    for row in range(3, ws.max_row + 1):
        key = (ws.cell(row=row, column=1).value, ws.cell(row=row, column=3).value)
        for name, value in edits.get(key, {}).items():
            ws.cell(row=row, column=columns[name]).value = value
    out = io.BytesIO()
    book.save(out)
    return out.getvalue()


def test_a_correct_file_saves_every_row_as_one_audited_change(world: World) -> None:
    content = filled(
        world,
        {
            ("S1", "1"): {
                "检查项(下拉选择;多项用;分隔,次数写×2)": "no_plan=1;missing_material=3",
                "扣分及激励原因": "无计划",
            },
            ("S2", "2"): {"数量": 2, "扣分及激励原因": "2村未换届"},
            ("S3", "3"): {"未完成": "是", "扣分及激励原因": "后进村未转化"},
            ("S4", "8"): {"扣分": 1.5, "扣分及激励原因": "环节不全"},
        },
    )
    before = AuditEvent.objects.count()
    changed = import_sheet(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        content=content,
        name="组织科1月.xlsx",
    )
    grid = sheet_grid(world.sheet("org"))
    # only the four filled rows are scored: the untouched blank rows stay unscored
    assert changed == 4 and grid.scored == 4 and grid.with_findings == 4 and grid.cells > 4
    assert list(AuditEvent.objects.values_list("action", flat=True)[before:]) == ["sheet.upload"]
    assert AuditEvent.objects.last().action == "sheet.upload"
    assert Entry.objects.get(unit__code="S1", item="1").values == {
        "checks": {"no_plan": 1, "missing_material": 3}
    }
    assert Entry.objects.get(unit__code="S4", item="8").values == {"deduction": "1.5"}


def test_any_error_rejects_the_whole_file_and_lists_every_error(world: World) -> None:
    content = filled(
        world,
        {
            ("S1", "1"): {"检查项(下拉选择;多项用;分隔,次数写×2)": "no_plan=1"},  # no reason
            ("S2", "2"): {"数量": "两个", "扣分及激励原因": "x"},
            ("S3", "8"): {"扣分": 9, "扣分及激励原因": "x"},
            ("S4", "7"): {
                "检查项(下拉选择;多项用;分隔,次数写×2)": "bogus=1",
                "扣分及激励原因": "x",
            },
        },
    )
    with pytest.raises(CycleError) as caught:
        import_sheet(
            acting_user=world.users["assessor_org"],
            sheet=world.sheet("org"),
            content=content,
            name="f.xlsx",
        )
    message = str(caught.value)
    assert "K 列:请填写扣分或激励的原因" in message
    assert "请输入整数" in message and "扣分:应在0至4分之间" in message
    assert "G 列:未知的检查项 bogus" in message
    assert "f.xlsx,工作表 评分表,第" in message
    assert not Entry.objects.exists()


def test_a_sheet_for_another_department_or_an_unreadable_file_is_refused(world: World) -> None:
    cadre_file = export_sheet(world.sheet("cadre"))
    with pytest.raises(CycleError, match="此文件属于其他部门或月份"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=cadre_file
        )
    with pytest.raises(CycleError, match=r"不是可读取的 \.xlsx 文件"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=b"nope"
        )
    assert not Entry.objects.exists()


def test_download_and_upload_through_the_pages(world: World) -> None:
    client = world.client("assessor_org")
    url = reverse("sheet-xlsx", args=[world.sheet("org").pk])
    assert client.get(url).status_code == 200
    assert world.client("assessor_cadre").get(url).status_code == 403
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "1村未换届"}})
    response = client.post(url, {"file": SimpleUploadedFile("s.xlsx", content)})
    assert response.status_code == 302 and Entry.objects.filter(unit__code="S2", item="2").exists()
    assert (
        world.client("office")
        .post(url, {"file": SimpleUploadedFile("s.xlsx", content)})
        .status_code
        == 403
    )


junk = st.one_of(
    st.none(),
    st.integers(-(10**15), 10**15),
    st.floats(allow_nan=False, allow_infinity=False),
    st.text(st.characters(exclude_categories=("Cc", "Cs")), max_size=20),
    st.just("=1/0"),
)


@settings(
    max_examples=40, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.lists(st.tuples(st.integers(1, 60), st.integers(1, 13), junk), max_size=15))
def test_junk_in_any_cell_never_causes_a_crash_or_a_partial_save(world: World, edits) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    for row, column, value in edits:
        cell = ws.cell(row=row, column=column)
        if not isinstance(cell, MergedCell):  # the instruction's merged cells take no input
            cell.value = value
    out = io.BytesIO()
    book.save(out)
    count = Entry.objects.count()
    try:
        import_sheet(
            acting_user=world.users["assessor_org"],
            sheet=world.sheet("org"),
            content=out.getvalue(),
        )
    except CycleError:
        assert Entry.objects.count() == count


def test_a_sheet_filled_and_saved_in_libreoffice_uploads(world: World) -> None:
    from tests.excel.libreoffice import resave

    content = resave(filled(world, {("S2", "2"): {"数量": 2, "扣分及激励原因": "2村未换届"}}))
    import_sheet(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        content=content,
        name="libreoffice.xlsx",
    )
    assert Entry.objects.get(unit__code="S2", item="2").values == {"count": 2}
    assert sheet_grid(world.sheet("org")).scored == 1  # the blank rows stay unscored


# --- a locked sheet, the round trip, and hostile files (issue 8 point 2, issue 14) ---

S1_ITEM1 = ("S1", "1")


def _accept(world: World) -> None:
    from kaohe.monthly.services import mark_rest_clean, sheet_accept, sheet_submit

    sheet = world.sheet("org")
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_accept(acting_user=world.users["office"], sheet=sheet)


def _state() -> tuple[list[tuple[object, ...]], int]:
    entries = list(
        Entry.objects.order_by("pk").values_list(
            "pk", "values", "reason", "evidence", "superseded_at"
        )
    )
    return entries, AuditEvent.objects.count()


def test_a_locked_sheet_is_refused_and_nothing_changes(world: World) -> None:
    """The accepted (locked) sheet: a filled file and its own unmodified download are both
    refused by name, before the file is read; no entry and no event is written."""
    sheet = world.sheet("org")
    content = filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "1村"}})
    _accept(world)
    unmodified = export_sheet(sheet)
    before = _state()
    for file in (content, unmodified):
        with pytest.raises(CycleError) as caught:
            import_sheet(
                acting_user=world.users["assessor_org"],
                sheet=world.sheet("org"),
                content=file,
                name="锁定.xlsx",
            )
        assert str(caught.value) == "锁定.xlsx:本表状态为“已确认”,不再接受上传。"
    assert _state() == before
    assert not Entry.objects.filter(unit__code="S2", item="2").exclude(values={}).exists()


def test_a_locked_sheet_upload_through_the_page_shows_the_refusal(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    content = filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "1村"}})
    _accept(world)
    before = _state()
    url = reverse("sheet-xlsx", args=[world.sheet("org").pk])
    page = world.client("assessor_org").post(
        url, {"file": SimpleUploadedFile("s.xlsx", content)}, follow=True
    )
    assert page.status_code == 200 and "不再接受上传" in page.content.decode()
    assert _state() == before


def _score_some(world: World) -> None:
    """Cells scored on the web: findings, texts that look like formulas, a clean cell."""
    from kaohe.monthly.services import entry_save

    user, sheet, units = world.users["assessor_org"], world.sheet("org"), world.units
    entry_save(
        acting_user=user,
        sheet=sheet,
        unit=units["S1"],
        item="1",
        values={"checks": {"no_plan": 1, "missing_material": 3}},
        reason='=HYPERLINK("http://x")',
        evidence="=1+1",
    )
    entry_save(
        acting_user=user,
        sheet=sheet,
        unit=units["S2"],
        item="2",
        values={"count": 2},
        reason="-2村未换届\r\n第二行",
        evidence="+86 123",
    )
    entry_save(
        acting_user=user,
        sheet=sheet,
        unit=units["S3"],
        item="3",
        values={"met": False},
        reason="@后进村",
        evidence="\t制表符开头",
    )
    entry_save(
        acting_user=user,
        sheet=sheet,
        unit=units["S4"],
        item="8",
        values={"deduction": "1.5"},
        reason="环节不全",
    )
    entry_save(acting_user=user, sheet=sheet, unit=units["S4"], item="1", values={})


def test_an_unmodified_download_uploads_as_no_change(world: World) -> None:
    _score_some(world)
    before = _state()
    scored = sheet_grid(world.sheet("org")).scored
    changed = import_sheet(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        content=export_sheet(world.sheet("org")),
        name="原样.xlsx",
    )
    assert changed == 0
    assert _state() == before  # no entry written or superseded, no audit event
    grid = sheet_grid(world.sheet("org"))
    assert grid.scored == scored == 5 and grid.with_findings == 4


def test_an_unmodified_download_of_an_unscored_sheet_leaves_every_cell_unscored(
    world: World,
) -> None:
    before = _state()
    content = export_sheet(world.sheet("org"))
    assert (
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=content
        )
        == 0
    )
    assert _state() == before and sheet_grid(world.sheet("org")).scored == 0


def test_the_page_says_no_cell_changed_for_an_unmodified_file(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    _score_some(world)
    before = _state()
    url = reverse("sheet-xlsx", args=[world.sheet("org").pk])
    client = world.client("assessor_org")
    download = client.get(url).content
    page = client.post(url, {"file": SimpleUploadedFile("s.xlsx", download)}, follow=True)
    assert page.status_code == 200 and "0" in page.content.decode()
    assert _state() == before


def test_scored_nothing_found_is_written_as_yes_in_the_scored_column(world: World) -> None:
    """已评 = 是 records "scored, nothing found"; a clean cell exports as 是 and reads back
    the same; a blank row with 已评 empty stays unscored."""
    content = filled(world, {("S1", "2"): {"已评": "是"}, ("S2", "3"): {"已评": "是"}})
    changed = import_sheet(
        acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=content
    )
    grid = sheet_grid(world.sheet("org"))
    assert changed == 2 and grid.scored == 2 and grid.with_findings == 0
    assert {(e.unit.code, e.item) for e in Entry.objects.all()} == {("S1", "2"), ("S2", "3")}
    assert all(e.values == {} for e in Entry.objects.all())
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    marks = {
        (ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): ws.cell(
            row=r, column=13
        ).value
        for r in range(3, ws.max_row + 1)
    }
    assert marks[("S1", "2")] == "是" and marks[("S2", "3")] == "是"
    assert marks[("S3", "1")] in (None, "")


def test_a_scored_cell_cannot_be_made_unscored_by_clearing_the_mark(world: World) -> None:
    _score_some(world)
    before = _state()
    content = filled(world, {("S4", "1"): {"已评": None}})
    with pytest.raises(CycleError, match="M 列:该格已评分,不能改回未评分"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=content
        )
    assert _state() == before


def test_a_reason_without_findings_or_mark_is_refused_not_guessed(world: World) -> None:
    content = filled(world, {("S1", "2"): {"佐证材料": "会议记录"}})
    with pytest.raises(CycleError, match="请在“已评”列填“是”"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=content
        )
    assert not Entry.objects.exists()


def test_texts_that_look_like_formulas_are_exported_as_text_and_read_back(world: World) -> None:
    _score_some(world)
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    rows = {
        (ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value): r
        for r in range(3, ws.max_row + 1)
    }
    for key, column, text in (
        (("S1", "1"), 11, '=HYPERLINK("http://x")'),
        (("S1", "1"), 12, "=1+1"),
        (("S2", "2"), 12, "+86 123"),
        (("S3", "3"), 11, "@后进村"),
    ):
        cell = ws.cell(row=rows[key], column=column)
        assert (cell.value, cell.data_type) == (text, "s")  # text, never a formula
        assert cell.quotePrefix
    # the file uploads again, with one more change, and the texts survive
    ws.cell(row=rows[("S2", "2")], column=8).value = 3
    out = io.BytesIO()
    book.save(out)
    changed = import_sheet(
        acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=out.getvalue()
    )
    assert changed == 1
    s1 = Entry.objects.get(unit__code="S1", item="1", superseded_at__isnull=True)
    assert (s1.reason, s1.evidence) == ('=HYPERLINK("http://x")', "=1+1")
    s2 = Entry.objects.get(unit__code="S2", item="2", superseded_at__isnull=True)
    assert s2.values == {"count": 3} and s2.evidence == "+86 123"


def test_a_reason_starting_with_equals_typed_into_the_file_uploads_as_text(world: World) -> None:
    content = filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "'=1+1"}})
    book = load_workbook(io.BytesIO(content))
    ws = book["评分表"]
    for r in range(3, ws.max_row + 1):
        if (ws.cell(row=r, column=1).value, ws.cell(row=r, column=3).value) == ("S2", "2"):
            from kaohe.excel.cells import as_text

            ws.cell(row=r, column=11).value = "=1+1"
            as_text(ws.cell(row=r, column=11))
    out = io.BytesIO()
    book.save(out)
    import_sheet(
        acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=out.getvalue()
    )
    assert Entry.objects.get(unit__code="S2", item="2").reason == "=1+1"
    again = export_sheet(world.sheet("org"))
    assert (
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=again
        )
        == 0
    )


def test_an_upload_in_the_old_layout_asks_for_a_new_download(world: World) -> None:
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    ws.delete_cols(13)
    out = io.BytesIO()
    book.save(out)
    with pytest.raises(CycleError, match="列与考核评分表不符;请重新下载评分表"):
        import_sheet(
            acting_user=world.users["assessor_org"],
            sheet=world.sheet("org"),
            content=out.getvalue(),
        )


def _hostile_files() -> list[tuple[str, bytes, str]]:
    """(label, file, the refusal's words): small sizes of each attack, quick to build."""
    from tests.excel import hostile

    return [
        ("far_cell", hostile.far_cell(), "超出可接受的范围"),
        ("far_dimension", hostile.far_dimension(), "A1:XFD1048576 超出可接受的范围"),
        ("far_merge", hostile.far_merge(), "A1:XFD1048576 超出可接受的范围"),
        ("unnumbered", hostile.unnumbered_cells(200), "BM1 超出可接受的范围"),
        ("bomb", hostile.zip_bomb(80 * 1024 * 1024), "解压后超过 64 MB"),
        ("ratio", hostile.zip_bomb(8 * 1024 * 1024), "压缩比超过 100 倍"),
        ("lying", hostile.lying_bomb(8 * 1024 * 1024), "不是可读取的 .xlsx 文件"),
        ("members", hostile.many_members(300), "部件超过 200 个"),
        ("strings", hostile.huge_shared_strings(200_001), "共享字符串超过 200000 个"),
        ("fanout", hostile.shared_string_fanout(600), "单元格文字超过 16000000 个字符"),
        ("laughs", hostile.billion_laughs(), "声明了 DTD 或实体"),
        ("nesting", hostile.deep_nesting(1000), "嵌套超过 64 层"),
        ("external", hostile.external_link(), "外部链接"),
        ("macros", hostile.macros(), "含有宏"),
        ("oversized", hostile.oversized(), "文件超过 10 MB"),
    ]


def test_every_hostile_file_is_refused_by_name_and_writes_nothing(world: World) -> None:
    _score_some(world)
    before = _state()
    for label, content, words in _hostile_files():
        name = f"恶意-{label}.xlsx"
        with pytest.raises(CycleError) as caught:
            import_sheet(
                acting_user=world.users["assessor_org"],
                sheet=world.sheet("org"),
                content=content,
                name=name,
            )
        message = str(caught.value)
        assert message.startswith(name) and words in message, (label, message)
        assert _state() == before, label


def test_the_worst_file_through_the_page_is_a_message_not_a_500(world: World) -> None:
    from django.core.files.uploadedfile import SimpleUploadedFile

    from tests.excel import hostile

    url = reverse("sheet-xlsx", args=[world.sheet("org").pk])
    page = world.client("assessor_org").post(
        url, {"file": SimpleUploadedFile("far.xlsx", hostile.far_cell())}, follow=True
    )
    assert page.status_code == 200
    assert "far.xlsx,工作表 评分表:" in page.content.decode()
    assert not Entry.objects.exists()


@settings(
    max_examples=60, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(
    st.lists(st.tuples(st.integers(0, 10**6), st.integers(0, 255)), min_size=1, max_size=8),
    st.integers(0, 10**6),
)
def test_corrupted_files_are_refused_cleanly_or_read_whole(  # type: ignore[no-untyped-def]
    world: World, flips, cut
) -> None:
    """Bytes of a real download flipped and the file cut short: a CycleError or a clean
    import, never another exception and never a partial write."""
    content = bytearray(filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "1村未换届"}}))
    for at, value in flips:
        content[at % len(content)] = value
    data = bytes(content[: max(1, len(content) - cut % len(content))])
    count = Entry.objects.count()
    try:
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=data
        )
    except CycleError:
        assert Entry.objects.count() == count


def test_an_empty_workbook_is_refused_by_name(world: World) -> None:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(CycleError, match=r"空\.xlsx:没有名为 评分表 的工作表"):
        import_sheet(
            acting_user=world.users["assessor_org"],
            sheet=world.sheet("org"),
            content=out.getvalue(),
            name="空.xlsx",
        )
