"""A whole year end in Debian's headless Chromium: declarations to the final results."""

from __future__ import annotations

import datetime as dt
import re
import subprocess
from decimal import Decimal

import pytest

from .closing_helpers import accept_months
from .conftest import ARTIFACTS, World, login

pytestmark = pytest.mark.browser

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


def test_the_year_end_from_declarations_to_final_results(
    browser,
    live_server,
    live_world: World,  # type: ignore[no-untyped-def]
    tmp_path,
) -> None:
    from kaohe.yearend.models import Closing

    base = live_server.url
    ARTIFACTS.mkdir(exist_ok=True)
    accept_months(live_world)  # the twelve months are in: only the year end remains
    office = login(browser, live_server, "office")
    office.goto(f"{base}/years/2014/declarations/")
    office.click("button[value=open]")

    unit = login(browser, live_server, "unit-a")
    unit.goto(f"{base}/years/2014/declarations/")
    unit.select_option("#award_level", "innovation:major")
    unit.fill("#content", "网格化党建")
    unit.fill("#document_no", "区组发〔2014〕30号")
    unit.fill("#a-description", "“网格化党建”获评区组织工作重大创新项目")
    evidence = tmp_path / "红头文件.pdf"
    evidence.write_bytes(PDF)
    unit.set_input_files("#a-evidence", str(evidence))
    unit.click("#declare-achievement")
    assert "待认定" in unit.inner_text("table")

    office.goto(f"{base}/years/2014/declarations/")
    office.click("table a")
    # the what-if before accepting: the unit's total rises by the award's 20 points
    row = office.locator("tr", has_text="第1街道党工委").first
    name, _field, now, then, move = row.locator("td").all_inner_texts()
    assert name == "第1街道党工委" and Decimal(then) - Decimal(now) == 20 and move == "+20.00"
    office.click("#accept-declaration")
    office.goto(f"{base}/years/2014/declarations/")
    office.select_option("#unit", label="第2街道党工委")
    office.select_option("#fault_type", "report_late")
    office.fill("#occurrences", "2")
    office.fill("#f-description", "未上报,经查实迟报组工信息")
    office.click("#record-fault")
    assert "未上报、经查实" in office.inner_text("table")

    office.goto(f"{base}/years/2014/evaluation/")
    office.click("button[value=open]")
    office.fill("input[name=count]", "5")
    office.click("button:has-text('生成评价码')")
    assert not re.findall(r"/ballot/[\w-]+/", office.inner_text("body"))  # counts only
    with office.expect_popup() as printed:
        office.click("#print-leaders")
    links = re.findall(r"/ballot/[\w-]+/", printed.value.inner_text("body"))
    assert len(links) == 5
    office.reload()
    assert not re.findall(r"/ballot/[\w-]+/", office.inner_text("body"))
    rater = browser.new_page(locale="zh-CN")
    for link in links:
        rater.goto(base + link)
        for radio in rater.locator("tbody tr td:nth-child(2) input[type=radio]").all():
            radio.check()  # nothing is pre-selected
        rater.click("#cast")
        assert "评价已计入" in rater.inner_text("body")
    rater.goto(base + links[0])
    assert "已使用" in rater.inner_text("body")
    office.goto(f"{base}/years/2014/evaluation/")
    office.click("button[value=close]")

    office.goto(f"{base}/years/2014/results/")
    office.click("#compute")
    office.click("#submit-review")
    leader = login(browser, live_server, "leader")
    leader.goto(f"{base}/years/2014/results/")
    leader.fill("#comment", "请复核第2街道过错扣分")
    leader.click("#return")
    assert "部务会退回" in leader.inner_text("body")
    office.goto(f"{base}/years/2014/results/")
    office.click("#compute")
    office.click("#submit-review")
    leader.goto(f"{base}/years/2014/results/")
    leader.click("#approve")
    office.goto(f"{base}/years/2014/results/")
    office.click("#publish")

    public = browser.new_page(viewport={"width": 1400, "height": 950}, locale="zh-CN")
    public.goto(f"{base}/notices/")
    public.click("text=2014年度组织工作考核结果公示")
    body = public.inner_text("body")
    assert "第1街道党工委\t100.00\t20.00\t0.00\t20.00\t140.00" in body  # 5 ballots, all 满意
    public.screenshot(path=str(ARTIFACTS / "notice.png"), full_page=True)
    pdf = public.request.get(f"{base}/notices/2014/notice.pdf")
    assert pdf.ok and pdf.body().startswith(b"%PDF")
    (ARTIFACTS / "notice.pdf").write_bytes(pdf.body())
    subprocess.run(
        [
            "pdftoppm",
            "-png",
            "-r",
            "70",
            "-f",
            "1",
            "-l",
            "1",
            str(ARTIFACTS / "notice.pdf"),
            str(ARTIFACTS / "notice-pdf"),
        ],
        check=True,
    )

    unit.goto(f"{base}/notices/2014/")
    unit.fill("#objection", "本单位第6项新组建数统计有误")
    unit.click("#lodge")
    assert "等待答复" in unit.inner_text("body")
    office.goto(f"{base}/years/2014/results/")
    office.fill("input[name=answer]", "经复核,统计无误")
    office.click("button[value=answer]")
    # the notice period passes
    Closing.objects.update(notice_ends_on=dt.date(2015, 1, 27))
    office.goto(f"{base}/years/2014/results/")
    office.click("#finalize")
    assert "已确定" in office.inner_text("h1")
    unit.goto(f"{base}/years/2014/use/")
    assert "推荐先进单位" in unit.inner_text("body")
    unit.screenshot(path=str(ARTIFACTS / "results-use.png"), full_page=True)
