"""Offline scoring sheets: download, fill, upload — all or nothing, errors by row and column."""

from __future__ import annotations

import io

import pytest
from django.urls import reverse
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st
from openpyxl import load_workbook

from kaohe.audit.models import AuditEvent
from kaohe.excel.sheets import export_sheet, import_sheet
from kaohe.monthly.models import Entry
from kaohe.monthly.selectors import sheet_grid
from kaohe.monthly.services import CycleError

from .conftest import World


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
                "检查项(代码=次数;…)": "no_plan=1;missing_material=3",
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
    assert changed == grid.cells and grid.scored == grid.cells and grid.with_findings == 4
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
            ("S1", "1"): {"检查项(代码=次数;…)": "no_plan=1"},  # no reason
            ("S2", "2"): {"数量": "两个", "扣分及激励原因": "x"},
            ("S3", "8"): {"扣分": 9, "扣分及激励原因": "x"},
            ("S4", "7"): {"检查项(代码=次数;…)": "bogus=1", "扣分及激励原因": "x"},
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
    assert "column K: give the reason" in message
    assert "enter a whole number" in message and "between 0 and 4" in message
    assert "column G: unknown check bogus" in message
    assert "f.xlsx, sheet 评分表, row" in message
    assert not Entry.objects.exists()


def test_a_sheet_for_another_department_or_a_locked_one_is_refused(world: World) -> None:
    cadre_file = export_sheet(world.sheet("cadre"))
    with pytest.raises(CycleError, match="another department or month"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=cadre_file
        )
    with pytest.raises(CycleError, match="not a readable"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=world.sheet("org"), content=b"nope"
        )


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
@given(st.lists(st.tuples(st.integers(1, 60), st.integers(1, 12), junk), max_size=15))
def test_junk_in_any_cell_never_causes_a_crash_or_a_partial_save(world: World, edits) -> None:  # type: ignore[no-untyped-def]
    book = load_workbook(io.BytesIO(export_sheet(world.sheet("org"))))
    ws = book["评分表"]
    for row, column, value in edits:
        ws.cell(row=row, column=column).value = value
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
    assert sheet_grid(world.sheet("org")).scored == sheet_grid(world.sheet("org")).cells


def test_an_accepted_sheet_takes_no_upload(world: World) -> None:
    from kaohe.monthly.services import mark_rest_clean, sheet_accept, sheet_submit

    sheet = world.sheet("org")
    content = filled(world, {("S2", "2"): {"数量": 1, "扣分及激励原因": "1村"}})
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=sheet)
    sheet_accept(acting_user=world.users["office"], sheet=sheet)
    with pytest.raises(CycleError, match="uploads are closed"):
        import_sheet(
            acting_user=world.users["assessor_org"], sheet=sheet, content=content, name="x.xlsx"
        )
    assert not Entry.objects.filter(unit__code="S2", item="2").exclude(values={}).exists()


def test_an_empty_workbook_is_refused_by_name() -> None:
    from openpyxl import Workbook

    out = io.BytesIO()
    Workbook().save(out)
    with pytest.raises(CycleError, match="no sheet named 评分表"):
        import_sheet(acting_user=None, sheet=None, content=out.getvalue(), name="空.xlsx")  # type: ignore[arg-type]
