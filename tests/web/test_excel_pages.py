"""Excel from the web: the year's rubric, uploading a rubric to set up a year, rankings."""

from __future__ import annotations

import io

from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from openpyxl import load_workbook

from kaohe.excel.rubric import export_rubrics
from kaohe.years.models import Year

from .conftest import World

XLSX = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def test_the_rubric_downloads_in_the_attachments_layout(world: World) -> None:
    response = world.client("office").get(reverse("rubric-xlsx", args=[2014]))
    assert response["Content-Type"] == XLSX
    sheet = load_workbook(io.BytesIO(response.content))["街道"]
    assert [c.value for c in sheet[2]][:8] == [
        "项目",
        "具体目标及权重",
        "评分标准",
        "考核方式",
        "得分",
        "扣分及激励原因",
        "考核部门",
        "备注",
    ]
    assert sheet["B3"].value.startswith("1、认真抓好社区")
    assert world.client("unit_a").get(reverse("rubric-xlsx", args=[2014])).status_code == 403


def test_a_year_can_be_set_up_from_a_rubric_workbook(world: World) -> None:
    content = export_rubrics(world.year.scheme)
    upload = SimpleUploadedFile("细则.xlsx", content, content_type=XLSX)
    Year.objects.filter(year=2014).update(year=2013)  # make room: the rubric's scheme is 2014
    response = world.client("office").post(reverse("years"), {"upload": upload})
    assert response.status_code == 302
    assert Year.objects.get(year=2014).scheme.rubrics == world.year.scheme.rubrics


def test_a_bad_rubric_workbook_is_refused_with_its_errors(world: World) -> None:
    upload = SimpleUploadedFile("坏.xlsx", b"PK\x03\x04 not really", content_type=XLSX)
    response = world.client("office").post(reverse("years"), {"upload": upload})
    assert (
        response.status_code == 200
        and "坏.xlsx:不是可读取的 .xlsx 文件" in response.content.decode()
    )
    assert Year.objects.count() == 1


def test_the_monthly_ranking_exports_to_excel(world: World) -> None:
    response = world.client("leader").get(reverse("ranking-xlsx", args=[2014, 1]))
    book = load_workbook(io.BytesIO(response.content))
    assert book.sheetnames == ["街道", "区直单位"]
    assert book["街道"]["A1"].value == "2014年1月组织工作考核排名(街道)"
    assert book["街道"].freeze_panes == "A3"
    assert world.client("unit_a").get(reverse("ranking-xlsx", args=[2014, 1])).status_code == 403


def test_rubric_warnings_are_confirmed_before_the_year_is_set_up(world: World) -> None:
    from tests.excel.test_rubric import office_file

    Year.objects.filter(year=2014).update(year=2013)
    client = world.client("office")
    upload = SimpleUploadedFile("街道.xlsx", office_file(), content_type=XLSX)
    page = client.post(reverse("years"), {"upload": upload})
    assert page.status_code == 200 and "第1项没有计分规则" in page.content.decode()
    assert not Year.objects.filter(year=2014).exists()  # nothing yet
    assert client.post(reverse("years"), {"confirm": "1"}).status_code == 302
    street = Year.objects.get(year=2014).scheme.rubric("street")
    assert [i.rule.kind for i in street.items()] == ["discretionary"] * 3
