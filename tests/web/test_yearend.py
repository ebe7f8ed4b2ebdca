"""The year end: declarations, evidence, ballots, review, notice, objections, results use."""

from __future__ import annotations

import datetime as dt
import io
import json
import subprocess
from decimal import Decimal
from pathlib import Path

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse
from django.utils import translation

from kaohe.cli import main
from kaohe.yearend.models import Closing, Declaration, Evaluation
from kaohe.yearend.selectors import (
    published_changes,
    recompute_differences,
    what_if,
    year_end_data,
    year_end_result,
)
from kaohe.yearend.services import (
    YearEndError,
    add_working_days,
    ballot_cast,
    closing_compute,
    closing_finalize,
    closing_of,
    closing_publish,
    closing_reopen,
    closing_review,
    closing_submit,
    codes_issue,
    declaration_decide,
    declaration_submit,
    evaluation_close,
    evaluation_open,
    evidence_add,
    fault_record,
    objection_answer,
    objection_lodge,
    window_set,
)

from .closing_helpers import make_ready, publish
from .conftest import World

PDF = b"%PDF-1.4\n1 0 obj<<>>endobj\ntrailer<<>>\n%%EOF\n"


@pytest.fixture
def settings_evidence(settings, tmp_path: Path):  # type: ignore[no-untyped-def]
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return settings


def declare(world: World, who: str = "unit_a", **fields) -> Declaration:  # type: ignore[no-untyped-def]
    user = world.users[who]
    base = {
        "kind": "achievement",
        "award": "innovation",
        "level": "major",
        "content": "网格党建",
        "description": "获评重大创新项目",
    }
    return declaration_submit(acting_user=user, year=world.year, unit=user.unit, **(base | fields))


def open_window(world: World) -> None:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)


def test_declarations_need_an_open_window_and_are_a_units_own(world: World) -> None:
    with pytest.raises(YearEndError, match="closed"):
        declare(world)
    open_window(world)
    d = declare(world)
    assert d.status == Declaration.Status.PENDING
    with pytest.raises(YearEndError, match="itself"):
        declaration_submit(
            acting_user=world.users["unit_a"],
            year=world.year,
            unit=world.units["S2"],
            kind="fault",
            fault_type="report_late",
            description="x",
        )
    with pytest.raises(YearEndError, match="level"):
        declare(world, level="national")


def test_the_office_verifies_and_what_if_shows_the_change_first(world: World) -> None:
    open_window(world)
    d = declare(world)
    changes = what_if(world.year, d)
    assert any(c.unit == "S1" and c.field == "total" and c.after - c.before == 20 for c in changes)
    with pytest.raises(YearEndError, match="reason"):
        declaration_decide(acting_user=world.users["office"], declaration=d, accept=False)
    with pytest.raises(YearEndError):
        declaration_decide(
            acting_user=world.users["leader"], declaration=d, accept=True, reason="已核对原件"
        )
    declaration_decide(
        acting_user=world.users["office"], declaration=d, accept=True, reason="已核对原件"
    )
    assert year_end_result(world.year).units["S1"].b.amount == 20
    other = declare(world, content="另一项")
    declaration_decide(
        acting_user=world.users["office"], declaration=other, accept=False, reason="无红头文件"
    )
    page = world.client("unit_a").get(reverse("declarations", args=[2014])).content.decode()
    assert "无红头文件" in page


def test_an_undeclared_fault_found_counts_double_and_a_veto_type_vetoes(world: World) -> None:
    office = world.users["office"]
    fault_record(
        acting_user=office,
        year=world.year,
        unit=world.units["S1"],
        fault_type="report_late",
        occurrences=2,
        description="未上报,经查实",
    )
    veto = fault_record(
        acting_user=office,
        year=world.year,
        unit=world.units["S2"],
        fault_type="cadre_selection",
        occurrences=1,
        description="违规用人,被通报",
    )
    assert not year_end_result(world.year).units["S2"].vetoed  # waits: tests/second
    from kaohe.people.models import User
    from kaohe.yearend.services import veto_decide

    second = User.objects.create_user("office-second", is_office=True)
    veto_decide(acting_user=second, confirmation=veto.veto_confirmation, confirm=True)
    result = year_end_result(world.year)
    assert result.units["S1"].f.amount == Decimal(2)  # 0.5 × 2 × 2
    assert result.units["S2"].vetoed and result.ranks["S2"].rank is None
    with pytest.raises(YearEndError):
        fault_record(
            acting_user=world.users["assessor_org"],
            year=world.year,
            unit=world.units["S1"],
            fault_type="report_late",
            occurrences=1,
            description="x",
        )


def test_evidence_is_checked_by_content_and_served_only_to_whom_may_see_it(
    world: World,
    settings_evidence,  # type: ignore[no-untyped-def]
) -> None:
    open_window(world)
    d = declare(world)
    unit_a = world.users["unit_a"]
    renamed = SimpleUploadedFile(
        "证明.pdf", b"MZ\x90\x00" + b"\x00" * 400, content_type="application/pdf"
    )
    with pytest.raises(YearEndError, match="content"):
        evidence_add(acting_user=unit_a, declaration=d, upload=renamed)
    settings_evidence.EVIDENCE_MAX_BYTES = 100
    with pytest.raises(YearEndError, match="larger"):
        evidence_add(
            acting_user=unit_a, declaration=d, upload=SimpleUploadedFile("a.pdf", PDF * 10)
        )
    settings_evidence.EVIDENCE_MAX_BYTES = 10_000
    item = evidence_add(
        acting_user=unit_a, declaration=d, upload=SimpleUploadedFile("文件.pdf", PDF)
    )
    assert item.content_type == "application/pdf" and item.stored_name != "文件.pdf"
    assert (settings_evidence.EVIDENCE_ROOT / item.stored_name).read_bytes() == PDF
    url = reverse("evidence", args=[item.pk])
    assert world.client("unit_a").get(url).status_code == 200
    assert world.client("office").get(url).status_code == 200
    assert world.client("unit_b").get(url).status_code == 403
    assert world.client("assessor_org").get(url).status_code == 403
    assert world.client("anonymous").get(url).status_code == 302


def test_a_ballot_code_works_once_and_a_closed_evaluation_takes_none(world: World) -> None:
    office = world.users["office"]
    evaluation = evaluation_open(acting_user=office, year=world.year)
    codes = codes_issue(acting_user=office, evaluation=evaluation, group="leaders", count=6)
    ids = {u.pk: "满意" for u in world.units.values()}
    for code in codes[:5]:
        ballot_cast(code=code, ratings=ids)
    with pytest.raises(YearEndError, match="used"):
        ballot_cast(code=codes[0], ratings=ids)
    with pytest.raises(YearEndError, match="every unit"):
        ballot_cast(code=codes[5], ratings={next(iter(ids)): "满意"})
    assert year_end_result(world.year).units["S1"].r.amount == 0  # open: nothing counts yet
    evaluation_close(acting_user=office, evaluation=evaluation)
    with pytest.raises(YearEndError, match="closed"):
        ballot_cast(code=codes[5], ratings=ids)
    # only the leaders' group has 5 ballots: its weight takes all, each rated 满意
    assert year_end_result(world.year).units["S1"].r.amount == 20
    assert world.client("anonymous").get(reverse("ballot", args=[codes[5]])).status_code == 200
    assert world.client("anonymous").get(reverse("ballot", args=["nonsense"])).status_code == 404


def test_a_ballot_page_casts_without_an_account(world: World) -> None:
    office = world.users["office"]
    evaluation = evaluation_open(acting_user=office, year=world.year)
    code = codes_issue(acting_user=office, evaluation=evaluation, group="served", count=1)[0]
    data = {f"u-{u.pk}": "基本满意" for u in world.units.values()}
    response = world.client("anonymous").post(reverse("ballot", args=[code]), data)
    assert response.status_code == 200 and "感谢" in response.content.decode()
    assert Evaluation.objects.get().tallies.filter(option="基本满意").count() == len(world.units)
    again = world.client("anonymous").post(reverse("ballot", args=[code]), data)
    assert again.status_code == 400


def assert_cjk_font_embedded(pdf: bytes, folder: Path) -> None:
    """pdffonts (poppler-utils) lists the Noto CJK font as embedded ("emb yes")."""
    path = folder / "notice.pdf"
    path.write_bytes(pdf)
    listing = subprocess.run(
        ["pdffonts", str(path)], capture_output=True, text=True, check=True
    ).stdout
    cjk = [line for line in listing.splitlines() if "Noto-Sans-CJK-SC" in line]
    assert cjk and all(line.split()[-5] == "yes" for line in cjk), listing


def test_review_return_then_approve_publish_object_answer_finalise(
    world: World, tmp_path: Path
) -> None:
    office, leader, unit_a = world.users["office"], world.users["leader"], world.users["unit_a"]
    make_ready(world)
    with pytest.raises(YearEndError):
        closing_submit(acting_user=office, year=world.year)  # nothing computed yet
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    with pytest.raises(YearEndError, match="leaders"):
        closing_review(acting_user=office, year=world.year, approve=True, comment="")
    with pytest.raises(YearEndError, match="why"):
        closing_review(acting_user=leader, year=world.year, approve=False, comment="")
    closing = closing_review(
        acting_user=leader, year=world.year, approve=False, comment="请核实公认度"
    )
    assert closing.stage == Closing.Stage.RETURNED
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=leader, year=world.year, approve=True, comment="同意")
    with pytest.raises(YearEndError):
        objection_lodge(acting_user=unit_a, year=world.year, text="x")  # not published yet
    closing = closing_publish(acting_user=office, year=world.year, today=dt.date(2026, 11, 25))
    assert closing.notice_ends_on == dt.date(2026, 12, 2)  # 5 working days, the weekend skipped
    page = world.client("anonymous").get(reverse("notice", args=[2014]))
    assert page.status_code == 200 and "第1街道党工委" in page.content.decode()
    assert "2014" in world.client("anonymous").get(reverse("notices")).content.decode()
    pdf = world.client("anonymous").get(reverse("notice-pdf", args=[2014]))
    assert pdf["Content-Type"] == "application/pdf" and pdf.content.startswith(b"%PDF")
    assert_cjk_font_embedded(pdf.content, tmp_path)
    objection = objection_lodge(acting_user=unit_a, year=world.year, text="第6项完成数统计有误")
    translation.activate("en")  # the page requests above left Chinese active in this thread
    with pytest.raises(YearEndError, match="period"):
        closing_finalize(acting_user=office, year=world.year, today=dt.date(2026, 12, 1))
    with pytest.raises(YearEndError, match="objection"):
        closing_finalize(acting_user=office, year=world.year, today=dt.date(2026, 12, 3))
    objection_answer(acting_user=office, objection=objection, answer="经复核,统计无误")
    # a second answer (another office user's, at the same time) is refused, the first kept
    with pytest.raises(YearEndError, match="office answered this objection"):
        objection_answer(acting_user=office, objection=objection, answer="另一份答复")
    objection.refresh_from_db()
    assert objection.answer == "经复核,统计无误"
    closing = closing_finalize(acting_user=office, year=world.year, today=dt.date(2026, 12, 3))
    assert closing.stage == Closing.Stage.FINAL
    use = world.client("unit_a").get(reverse("use", args=[2014]))
    assert use.status_code == 200
    xlsx = world.client("office").get(reverse("use-export", args=[2014, "xlsx"]))
    from openpyxl import load_workbook

    book = load_workbook(io.BytesIO(xlsx.content))
    assert "街道排名" in book.sheetnames and book["街道排名"]["A1"].value.startswith("2014年度")
    assert (
        world.client("office")
        .get(reverse("use-export", args=[2014, "pdf"]))
        .content.startswith(b"%PDF")
    )


def test_the_notice_equals_kaohe_compute_and_recompute_finds_tampering(
    world: World, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    office = world.users["office"]
    fault_record(
        acting_user=office,
        year=world.year,
        unit=world.units["S3"],
        fault_type="task_late",
        occurrences=1,
        description="x",
    )
    make_ready(world)
    closing = closing_compute(acting_user=office, year=world.year)
    facts = tmp_path / "facts.json"
    facts.write_text(
        json.dumps(year_end_data(world.year), default=str, ensure_ascii=False), "utf-8"
    )
    scheme = tmp_path / "scheme.yaml"
    scheme.write_text(world.year.scheme_text, "utf-8")
    assert main(["compute", "--scheme", str(scheme), "--facts", str(facts), "--json"]) == 0
    computed = json.loads(capsys.readouterr().out)
    assert computed == closing.results
    assert recompute_differences(world.year) == []
    results = closing.results
    results["units"]["S3"]["total"] = "99"
    Closing.objects.filter(pk=closing.pk).update(results=results)
    problems = recompute_differences(world.year)
    assert "units.S3.total: published '99'" in " ".join(problems)
    assert any("SHA-256" in p for p in problems)


def test_working_days_skip_weekends(db: None) -> None:  # the office's calendar is read
    assert add_working_days(dt.date(2015, 1, 20), 5) == dt.date(2015, 1, 27)
    assert add_working_days(dt.date(2015, 1, 23), 1) == dt.date(2015, 1, 26)


def test_year_end_pages_and_actions_by_role(world: World) -> None:
    pages = {
        "declarations": reverse("declarations", args=[2014]),
        "evaluation": reverse("evaluation", args=[2014]),
        "results": reverse("results", args=[2014]),
    }
    allowed = {
        "declarations": {"office", "leader", "unit_a", "unit_b"},
        "evaluation": {"office"},
        "results": {"office", "leader"},
    }
    for name, url in pages.items():
        for who in ("office", "leader", "assessor_org", "unit_a", "unit_b"):
            expected = 200 if who in allowed[name] else 403
            assert world.client(who).get(url).status_code == expected, (name, who)
    closing_of(world.year)
    response = world.client("leader").post(pages["results"], {"action": "compute", "version": "0"})
    assert response.status_code == 302
    assert Closing.objects.get().stage == Closing.Stage.COLLECTING  # refused: office only


def test_the_office_previews_a_fault_before_recording_it(world: World) -> None:
    client = world.client("office")
    data = {
        "action": "preview-fault",
        "unit": world.units["S2"].pk,
        "fault_type": "cadre_selection",
        "occurrences": "1",
        "description": "违规用人",
    }
    page = client.post(reverse("declarations", args=[2014]), data)
    text = page.content.decode()
    assert page.status_code == 200 and "被否决" in text and "第2街道党工委" in text
    assert not Declaration.objects.exists()  # a preview saves nothing
    assert (
        client.post(reverse("declarations", args=[2014]), data | {"action": "fault"}).status_code
        == 302
    )
    assert Declaration.objects.get().declared is False


def test_an_upheld_objection_is_previewed_then_the_notice_is_withdrawn_and_republished(
    world: World,
) -> None:
    office, unit_a = world.users["office"], world.users["unit_a"]
    make_ready(world)
    publish(world, dt.date(2026, 11, 25))
    objection_lodge(acting_user=unit_a, year=world.year, text="第2街道漏报过错未扣分")
    assert published_changes(world.year) == []
    fault_record(
        acting_user=office,
        year=world.year,
        unit=world.units["S2"],
        fault_type="task_late",
        occurrences=1,
        description="经核实",
    )
    changes = published_changes(world.year)
    assert any(
        c.unit == "S2" and c.field == "total" and Decimal(c.before) - Decimal(c.after) == 4
        for c in changes
    )  # 2 points, doubled: not declared
    page = world.client("office").get(reverse("results", args=[2014])).content.decode()
    assert "第2街道党工委" in page and 'id="reopen"' in page
    with pytest.raises(YearEndError):
        closing_reopen(acting_user=office, year=world.year, reason=" ")
    closing = closing_reopen(acting_user=office, year=world.year, reason="异议成立,重新核算")
    assert closing.stage == Closing.Stage.COLLECTING
    closing = publish(world, dt.date(2026, 11, 30))
    assert closing.results["units"]["S2"]["F"] == "4" and published_changes(world.year) == []
