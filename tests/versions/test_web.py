"""The office's flow for a scheme version (第五条): upload a draft, read every item and figure
it changes, confirm it (audited); months from its month are scored with it, the letter shows
the added target. Office only; refused when the year is final or the scores do not fit."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import translation

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Cycle
from kaohe.monthly.selectors import pending_cell_confirmations, sheet_grid, year_result
from kaohe.monthly.services import (
    cycle_open,
    deduction_confirm,
    entry_save,
    mark_rest_clean,
    sheet_accept,
    sheet_submit,
)
from kaohe.people.models import User
from kaohe.yearend.models import Closing
from kaohe.years.models import SchemeVersion, Year
from kaohe.years.services import YearError, version_discard, version_upload
from tests.engine.helpers import scheme

from .conftest import World
from .helpers import REASON, amended, yaml_text

ADDED_TEXT = "征地拆迁一线党建"


def upload(world: World, who: str = "office", text: str | None = None, **fields: Any) -> Any:
    body = text if text is not None else yaml_text(amended(scheme()))
    data = {
        "upload": SimpleUploadedFile("v2.yaml", body.encode("utf-8")),
        "from_month": 7,
        "reason": REASON,
        "approved_by": "部务会",
        **fields,
    }
    return world.client(who).post(reverse("versions", args=[2014]), data)


def open_and_accept(world: World, month: int, scores: list[tuple[str, str, str]] = ()) -> Cycle:  # type: ignore[assignment]
    """Open ``month``, the 组织科 deducts (unit, item, points) at its discretion, every
    department scores the rest clean and the office accepts every sheet."""
    office = world.users["office"]
    cycle = Cycle.objects.filter(year=world.year, month=month).first() or cycle_open(
        acting_user=office, year=world.year, month=month
    )
    for unit, item, points in scores:
        entry_save(
            acting_user=world.users["assessor_org"],
            sheet=cycle.sheets.get(department__key="org"),
            unit=world.units[unit],
            item=item,
            values={"deduction": points},
            reason="检查发现",
        )
    for sheet in cycle.sheets.select_related("department"):
        user, _ = User.objects.get_or_create(
            username=f"a-{sheet.department.key}", defaults={"department": sheet.department}
        )
        mark_rest_clean(acting_user=user, sheet=sheet)
        sheet_submit(acting_user=user, sheet=sheet)
    for confirmation in pending_cell_confirmations(office):  # second eyes on large deductions
        deduction_confirm(acting_user=office, confirmation=confirmation)
    for sheet in cycle.sheets.all():
        sheet_accept(acting_user=office, sheet=sheet)
    return cycle


def test_a_july_added_target_shows_in_the_diff_the_explanations_and_the_letters_addendum(
    world: World,
) -> None:
    open_and_accept(world, 1)
    response = upload(world)
    draft = SchemeVersion.objects.get(year=world.year)
    assert response.status_code == 302
    assert response["Location"] == reverse("version", args=[2014, draft.pk])
    assert (draft.number, draft.from_month, draft.status) == (2, 7, "draft")
    assert AuditEvent.objects.filter(action="scheme_version.upload").count() == 1
    year = Year.objects.get(pk=world.year.pk)
    assert (
        year.version == 1 and year.scheme_for(7) == year.base_scheme
    )  # a draft counts for nothing

    page = world.client("office").get(reverse("version", args=[2014, draft.pk]))
    text = page.content.decode()
    items = text[text.index('id="items-changed"') : text.index('id="figures-moved"')]
    assert ADDED_TEXT in items and "23" in items
    assert "rubrics.street.total: 100 → 105" in text

    confirmed = world.client("office").post(reverse("version-confirm", args=[2014, draft.pk]))
    assert confirmed.status_code == 302
    draft.refresh_from_db()
    assert draft.status == "confirmed" and draft.confirmed_by == world.users["office"]
    event = AuditEvent.objects.get(action="scheme_version.confirm")
    assert event.reason == REASON
    log = world.client("office").get(reverse("audit-log")).content.decode()
    assert "方案新版本确认" in log and "方案版本草稿上传" in log
    year = Year.objects.get(pk=world.year.pk)
    assert year.version == 2
    assert year.scheme_for(6).version is None
    assert year.scheme_for(7).version is not None and year.scheme_for(12).version.number == 2  # type: ignore[union-attr]

    # July's sheet has the added item; January's does not
    open_and_accept(world, 7, [("S1", "23", "2")])
    july, january = (Cycle.objects.get(year=world.year, month=m) for m in (7, 1))
    org = "org"

    def items_of(cycle: Cycle) -> set[str]:
        grid = sheet_grid(cycle.sheets.get(department__key=org))
        return {column.item.number for _, cells in grid.rows for column, _ in cells}

    assert "23" in items_of(july) and "23" not in items_of(january)

    # explanations: January with version 1 (100); July with version 2: 105 − 2 = 103,
    # scaled 103 ÷ 105 × 100 = 98.0952380952
    result = year_result(year)
    assert result.units["S1"].months[1].score == Decimal(100)
    assert result.units["S1"].months[7].score == Decimal("98.0952380952")
    assert result.month_line("S1", 7).note == "方案第2版(7月起)"
    assert result.month_line("S1", 1).note == "方案第1版"
    unit_page = world.client("unit_a").get(reverse("unit", args=[2014, "S1"]) + "?month=7")
    assert "方案第2版(7月起)" in unit_page.content.decode()

    # the responsibility letter: version 1's items, then the addendum with item 23
    letter = world.client("unit_a").get(reverse("letter", args=[2014, "S1"])).content.decode()
    main, addendum = letter.split('id="addendum"')
    assert ADDED_TEXT not in main
    assert ADDED_TEXT in addendum and REASON in addendum and "部务会" in addendum
    with translation.override("zh-hans"):
        zh = world.client("unit_a").get(
            reverse("letter", args=[2014, "S1"]), HTTP_ACCEPT_LANGUAGE="zh-hans"
        )
    assert "7月起(方案第2版)" in zh.content.decode()


def test_the_diff_lists_the_figures_the_change_moves(world: World) -> None:
    # July under version 1: S1 loses 2 on item 8 → 98. With version 2 from July (item 23
    # added, full marks 105): 103 ÷ 105 × 100 = 98.0952… → shown 98.10; the others stay 100.
    open_and_accept(world, 7, [("S1", "8", "2")])
    upload(world)
    draft = SchemeVersion.objects.get(year=world.year)
    text = world.client("office").get(reverse("version", args=[2014, draft.pk])).content.decode()
    figures = text[text.index('id="figures-moved"') :]
    assert "98.00" in figures and "98.10" in figures
    assert world.units["S1"].name in figures and world.units["S2"].name not in figures


def test_a_draft_the_stored_scores_do_not_fit_cannot_be_confirmed(world: World) -> None:
    # July: S1 loses 4 on item 8 (weight 4); a version from July lowering item 8 to 2 points
    # cannot take that finding
    open_and_accept(world, 7, [("S1", "8", "4")])

    def lower_item_8(data: dict[str, Any]) -> None:
        items = data["rubrics"][0]["sections"][0]["items"]
        items[7]["weight"], items[7]["departments"][0]["points"] = "2", "2"
        items[8]["weight"], items[8]["departments"][0]["points"] = "6", "6"

    upload(world, text=yaml_text(amended(scheme(), lower_item_8)))
    draft = SchemeVersion.objects.get(year=world.year)
    page = world.client("office").get(reverse("version", args=[2014, draft.pk])).content.decode()
    assert "扣分最多为权重 2 分" in page
    items = page[page.index('id="items-changed"') : page.index('id="figures-moved"')]
    assert "<strong>权重</strong>:<del>4</del> → 2" in items  # item 8
    assert "<strong>权重</strong>:<del>4</del> → 6" in items  # item 9
    refused = world.client("office").post(reverse("version-confirm", args=[2014, draft.pk]))
    assert refused.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"
    assert Year.objects.get(pk=world.year.pk).version == 1
    assert not AuditEvent.objects.filter(action="scheme_version.confirm").exists()


@pytest.mark.parametrize("who", ["leader", "assessor_org", "assessor_cadre", "unit_a", "unit_b"])
def test_only_the_office_may_see_upload_confirm_or_discard_versions(world: World, who: str) -> None:
    client = world.client(who)
    assert client.get(reverse("versions", args=[2014])).status_code == 403
    assert upload(world, who).status_code == 403
    assert not SchemeVersion.objects.exists()
    upload(world)
    draft = SchemeVersion.objects.get()
    assert client.get(reverse("version", args=[2014, draft.pk])).status_code == 403
    assert client.post(reverse("version-confirm", args=[2014, draft.pk])).status_code == 403
    discard = reverse("version-discard", args=[2014, draft.pk])
    assert client.post(discard, {"reason": "不需要"}).status_code == 403
    draft.refresh_from_db()
    assert draft.status == "draft" and Year.objects.get(pk=world.year.pk).version == 1


def test_anonymous_is_sent_to_log_in(world: World) -> None:
    response = world.client("anonymous").get(reverse("versions", args=[2014]))
    assert response.status_code == 302 and reverse("login") in response["Location"]


def test_the_office_sees_the_versions_page(world: World) -> None:
    assert world.client("office").get(reverse("versions", args=[2014])).status_code == 200


def test_no_version_can_be_uploaded_or_confirmed_when_the_year_is_final(world: World) -> None:
    upload(world)
    draft = SchemeVersion.objects.get()
    Closing.objects.create(year=world.year, stage="final")
    refused = world.client("office").post(reverse("version-confirm", args=[2014, draft.pk]))
    assert refused.status_code == 409
    draft.refresh_from_db()
    assert draft.status == "draft"
    version_discard(acting_user=world.users["office"], version=draft, reason="年度已确定")
    response = upload(world)
    assert response.status_code == 400
    assert SchemeVersion.objects.filter(status="draft").count() == 0


def test_a_bad_version_is_refused_with_its_reasons_and_nothing_is_saved(world: World) -> None:
    other_year = yaml_text(amended(scheme(), lambda d: d.update(year=2015)))
    response = upload(world, text=other_year)
    assert response.status_code == 400
    assert "2015 不是本年度 2014" in response.content.decode()
    assert upload(world, from_month=1).status_code == 400  # version 1 holds month 1
    assert upload(world, reason="  ").status_code == 400
    assert upload(world, text="- not a mapping").status_code == 400
    assert not SchemeVersion.objects.exists()
    assert not AuditEvent.objects.filter(action="scheme_version.upload").exists()


def test_one_draft_at_a_time_and_a_discarded_draft_is_kept_and_audited(world: World) -> None:
    upload(world)
    assert upload(world).status_code == 400
    draft = SchemeVersion.objects.get()
    discard = reverse("version-discard", args=[2014, draft.pk])
    assert world.client("office").post(discard, {"reason": ""}).status_code == 400
    assert world.client("office").post(discard, {"reason": "方案有误,重新上传"}).status_code == 302
    draft.refresh_from_db()
    assert draft.status == "discarded"
    event = AuditEvent.objects.get(action="scheme_version.discard")
    assert event.reason == "方案有误,重新上传"
    with pytest.raises(ValueError, match="never deleted"):
        draft.delete()
    kept = world.client("office").get(reverse("version", args=[2014, draft.pk]))
    assert kept.status_code == 200 and ADDED_TEXT in kept.content.decode()
    assert (
        'action="' + reverse("version-confirm", args=[2014, draft.pk]) not in kept.content.decode()
    )
    assert upload(world).status_code == 302  # a new draft, number 2 again
    assert SchemeVersion.objects.count() == 2


def test_a_later_version_must_apply_after_the_previous_one(world: World) -> None:
    upload(world)
    world.client("office").post(
        reverse("version-confirm", args=[2014, SchemeVersion.objects.get().pk])
    )
    year = Year.objects.get(pk=world.year.pk)
    with pytest.raises(YearError) as caught:
        version_upload(
            acting_user=world.users["office"],
            year=year,
            scheme_text=yaml_text(amended(scheme())),
            source="v3.yaml",
            from_month=7,
            reason="再次调整",
            approved_by="部务会",
        )
    assert any("须在 7 月(上一版本的起始月份)之后" in e for e in caught.value.errors)
    v3 = version_upload(
        acting_user=world.users["office"],
        year=year,
        scheme_text=yaml_text(amended(scheme())),
        source="v3.yaml",
        from_month=9,
        reason="再次调整",
        approved_by="部务会",
    )
    assert v3.number == 3 and v3.scheme.version.number == 3  # type: ignore[union-attr]


def test_a_year_without_versions_reads_its_scheme_without_a_query(world: World) -> None:
    year = Year.objects.get(pk=world.year.pk)
    with CaptureQueriesContext(connection) as captured:
        assert year.scheme == year.scheme_for(7) == year.base_scheme
    assert len(captured) == 0


def test_the_office_may_upload_the_rubric_workbook_with_the_added_row(world: World) -> None:
    from kaohe.excel.rubric import export_rubrics

    workbook = export_rubrics(amended(scheme()))  # the year's rubric with item 23 typed in
    response = world.client("office").post(
        reverse("versions", args=[2014]),
        {
            "upload": SimpleUploadedFile("细则.xlsx", workbook),
            "from_month": 7,
            "reason": REASON,
            "approved_by": "区委组织部部长",
        },
    )
    assert response.status_code == 302
    draft = SchemeVersion.objects.get()
    assert draft.approved_by == "区委组织部部长"
    assert draft.scheme.version is not None and draft.scheme.version.from_month == 7
    page = world.client("office").get(reverse("version", args=[2014, draft.pk])).content.decode()
    items = page[page.index('id="items-changed"') : page.index('id="figures-moved"')]
    assert ADDED_TEXT in items and items.count("<tr>") == 2  # the header and item 23 only
