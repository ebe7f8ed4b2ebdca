"""The scoring grid (issue 10, point 7): short names in the headers, a complete legend,
"save and next cell", and cell editing in place with htmx beside the full-page forms."""

from __future__ import annotations

from django.urls import reverse

from kaohe.monthly.models import Entry, Sheet
from kaohe.monthly.services import CellInput, Source, scores_save
from tests.web.conftest import World

HX = {"HTTP_HX_REQUEST": "true"}


def test_headers_show_each_items_short_name_and_the_full_target_on_hover(world: World) -> None:
    page = world.client("assessor_org").get(reverse("sheet", args=[world.sheet("org").pk]))
    text = page.content.decode()
    assert '<div class="item-short">干部教育培训</div>' in text
    assert 'title="第1项:认真抓好社区、农村“三委”干部' in text
    assert '<div class="item-short">红色覆盖</div>' in text


def test_every_2014_item_has_a_short_name(world: World) -> None:
    items = [i for r in world.year.scheme.rubrics for i in r.items()]
    assert len(items) > 30 and all(0 < len(i.short) <= 8 for i in items), [
        i.number for i in items if not i.short
    ]


def test_the_legend_explains_done_zero_points_and_the_coverage_figures(world: World) -> None:
    sheet = world.client("assessor_org").get(reverse("sheet", args=[world.sheet("org").pk]))
    legend = sheet.content.decode().split('id="grid-legend"')[1].split("</div>")[0]
    assert "完成1" in legend and "本月完成数,计入年度目标" in legend
    assert "0分" in legend and "本月该项全部失分" in legend
    assert "−2" in legend and "扣分" in legend
    cycle = world.client("office").get(reverse("cycle", args=[2014, 1])).content.decode()
    assert "B/A · C:本科室对该单位共A个单元格,已评B个,其中C个有扣分。" in cycle


def test_save_and_next_without_javascript_goes_to_the_next_cell_in_reading_order(
    world: World,
) -> None:
    sheet = world.sheet("org")
    client = world.client("assessor_org")
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    response = client.post(url, {"c0-check_no_plan": "1", "c0-reason": "无计划", "then": "next"})
    assert response.status_code == 302
    assert response["Location"] == reverse("cell", args=[sheet.pk, "S1", "2"])
    assert Entry.objects.get(unit__code="S1", item="1").values["checks"] == {"no_plan": 1}
    # a plain save goes back to the grid, at the unit's row
    plain = client.post(reverse("cell", args=[sheet.pk, "S1", "2"]), {"c0-reason": ""})
    assert plain["Location"] == reverse("sheet", args=[sheet.pk]) + "#u-S1"


def test_save_and_next_on_the_last_cell_returns_to_the_grid_and_says_so(world: World) -> None:
    sheet = world.sheet("org")
    client = world.client("assessor_org")
    page = client.get(reverse("sheet", args=[sheet.pk])).content.decode()
    last = page.rsplit('href="/sheets/', 1)[1].split('"')[0]  # the last cell link
    _sheet, _cells, code, item, _ = last.split("/")
    response = client.post(
        reverse("cell", args=[sheet.pk, code, item]), {"c0-reason": "", "then": "next"}, follow=True
    )
    assert "这已是本表最后一个单元格。" in response.content.decode()
    assert response.redirect_chain[-1][0].startswith(reverse("sheet", args=[sheet.pk]))


def test_a_cell_opens_in_place_as_a_fragment_with_htmx_and_as_a_page_without(
    world: World,
) -> None:
    sheet = world.sheet("org")
    client = world.client("assessor_org")
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    fragment = client.get(url, **HX).content.decode()
    assert "<html" not in fragment and "navbar" not in fragment
    assert f'hx-post="{url}" hx-target="#cell-editor"' in fragment
    assert 'id="save-next"' in fragment and "data-close-editor" in fragment
    page = client.get(url).content.decode()
    assert "<html" in page and "hx-post" not in page and 'id="save-next"' in page
    grid = client.get(reverse("sheet", args=[sheet.pk])).content.decode()
    assert 'id="cell-editor"' in grid and f'hx-get="{url}" hx-target="#cell-editor"' in grid
    assert "vendor/htmx.min.js" in grid


def test_saving_in_place_updates_the_grid_cell_and_opens_the_next_one(world: World) -> None:
    sheet = world.sheet("org")
    client = world.client("assessor_org")
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    data = {"c0-check_no_plan": "1", "c0-reason": "无计划", "then": "next"}
    response = client.post(url, data, **HX)
    text = response.content.decode()
    assert response.status_code == 200 and "<html" not in text
    # the saved cell, swapped out of band into the grid
    oob = text.split('<span id="c-S1-1" hx-swap-oob="true">')[1].split("</span>")[0]
    assert "cell-found" in oob and "−2" in oob
    assert "已保存:第1街道党工委 第1项。" in text
    progress = text.split('<span id="grid-progress" hx-swap-oob="true">')[1].split("</span>")[0]
    assert "已评1个,其中有扣分1个" in progress  # the sheet's counts, updated too
    # the grid's submit and mark-clean buttons now post the sheet's new version
    version = Sheet.objects.get(pk=sheet.pk).version
    for oob in ("version-clean", "version-submit"):
        assert (
            f'<input type="hidden" name="version" value="{version}" id="{oob}" hx-swap-oob="true">'
            in text
        )
    # the next cell's form, posting in place too
    nxt = reverse("cell", args=[sheet.pk, "S1", "2"])
    assert f'hx-post="{nxt}"' in text and "村级换届" in text
    # a plain save in place: the grid cell and a message, no form
    again = client.post(nxt, {"c0-reason": ""}, **HX).content.decode()
    assert '<span id="c-S1-2" hx-swap-oob="true">' in again and "cell-clean" in again
    assert "<form" not in again


def test_a_refused_save_in_place_shows_the_errors_in_the_fragment(world: World) -> None:
    sheet = world.sheet("org")
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    response = world.client("assessor_org").post(
        url, {"c0-check_missing_material": "-1", "c0-reason": "x"}, **HX
    )
    text = response.content.decode()
    assert "<html" not in text and "未保存" in text and "hx-swap-oob" not in text
    assert not Entry.objects.filter(unit__code="S1", item="1").exists()


def test_a_cell_saved_meanwhile_is_a_conflict_in_place_too(world: World) -> None:
    sheet = world.sheet("org")
    user = world.users["assessor_org"]
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    client = world.client("assessor_org")
    client.get(url, **HX)
    scores_save(
        user,
        sheet,
        [CellInput(world.units["S1"], "1", "", {"checks": {"no_plan": 1}}, "同事", "")],
        source=Source.CELL,
    )
    response = client.post(url, {"c0-based_on": "0", "c0-reason": "", "then": "next"}, **HX)
    assert response.status_code == 409
    assert 'id="conflict"' in response.content.decode()


def test_only_the_departments_assessor_may_open_or_save_a_cell_in_place(world: World) -> None:
    sheet = world.sheet("org")
    url = reverse("cell", args=[sheet.pk, "S1", "1"])
    assert world.client("assessor_org").get(url, **HX).status_code == 200
    for who in ("assessor_cadre", "unit_a", "leader"):
        client = world.client(who)
        assert client.get(url, **HX).status_code in (403, 404), who
        response = client.post(url, {"c0-reason": "", "then": "next"}, **HX)
        assert response.status_code in (403, 404), who
    assert world.client("anonymous").get(url, **HX).status_code == 302  # to the login
    assert not Entry.objects.exists()


def test_a_read_only_grid_has_no_editor_and_no_in_place_links(world: World) -> None:
    page = world.client("office").get(reverse("sheet", args=[world.sheet("org").pk]))
    text = page.content.decode()
    assert 'id="cell-editor"' not in text and "hx-get" not in text
    assert '<div class="item-short">干部教育培训</div>' in text
