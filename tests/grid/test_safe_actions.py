"""Safe actions (issue 10, point 6): every irreversible or bulk action asks first, naming
its consequence — a confirmation page without JavaScript, a dialog with it — and nothing
happens until the user confirms; no answer or fault type is chosen for the user; the office
accepting a declaration without evidence is warned and must say why (audited)."""

from __future__ import annotations

import datetime as dt
import html
import re
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.monthly.models import Entry, Sheet
from kaohe.monthly.selectors import sheet_grid
from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.yearend.models import BallotCode, Closing, Declaration, Evaluation, Tally
from kaohe.yearend.services import (
    YearEndError,
    closing_compute,
    closing_review,
    closing_submit,
    codes_issue,
    declaration_decide,
    declaration_submit,
    evaluation_open,
    evidence_add,
    window_set,
)
from tests.web.closing_helpers import make_ready, publish
from tests.web.conftest import World
from tests.web.declaration_files import PDF


def org(world: World) -> Sheet:
    return world.sheet("org")


def filled(world: World) -> None:
    mark_rest_clean(acting_user=world.users["assessor_org"], sheet=org(world))


def submitted(world: World) -> None:
    filled(world)
    sheet_submit(acting_user=world.users["assessor_org"], sheet=org(world))


def evaluation_opened(world: World) -> None:
    evaluation_open(acting_user=world.users["office"], year=world.year)


def results_submitted(world: World) -> None:
    make_ready(world)
    closing_compute(acting_user=world.users["office"], year=world.year)
    closing_submit(acting_user=world.users["office"], year=world.year)


def results_approved(world: World) -> None:
    results_submitted(world)
    closing_review(acting_user=world.users["leader"], year=world.year, approve=True, comment="同意")


def results_published(world: World) -> None:
    make_ready(world)
    publish(world, today=dt.date(2015, 1, 5))


def declared(world: World) -> Declaration:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    user = world.users["unit_a"]
    return declaration_submit(
        acting_user=user,
        year=world.year,
        unit=user.unit,
        kind="achievement",
        award="innovation",
        level="major",
        content="网格党建",
        description="获评重大创新项目",
    )


def stage(world: World) -> str:
    closing = Closing.objects.filter(year=world.year).first()
    return closing.stage if closing else ""


def closing_version(world: World) -> int:
    return Closing.objects.get(year=world.year).version


@dataclass
class Case:
    name: str
    who: str
    setup: Callable[[World], Any]
    url: Callable[[World], str]
    data: Callable[[World], dict[str, Any]]
    done: Callable[[World], bool]
    consequence: str  # the page's words


CASES = [
    Case(
        "submit (报送)",
        "assessor_org",
        filled,
        lambda w: reverse("sheet-submit", args=[org(w).pk]),
        lambda w: {"version": org(w).version},
        lambda w: org(w).status == Sheet.Status.SUBMITTED,
        "报送后评分表对本科室只读;只有区绩效办可以确认或退回修改。",
    ),
    Case(
        "the rest clean (其余单元格全部记为…)",
        "assessor_org",
        lambda w: None,
        lambda w: reverse("sheet-clean", args=[org(w).pk]),
        lambda w: {"version": org(w).version},
        lambda w: Entry.objects.filter(sheet=org(w)).exists(),
        "将全部记为已评分、无扣分:这些单位本月在这些项目上不扣分。",
    ),
    Case(
        "accept a sheet (确认)",
        "office",
        submitted,
        lambda w: reverse("sheet-accept", args=[org(w).pk]),
        lambda w: {"version": org(w).version},
        lambda w: org(w).status == Sheet.Status.ACCEPTED,
        "确认后评分表锁定,分数计入月度排名",
    ),
    Case(
        "close the evaluation (结束评价)",
        "office",
        evaluation_opened,
        lambda w: reverse("evaluation", args=[2014]),
        lambda w: {"action": "close"},
        lambda w: Evaluation.objects.get().status == Evaluation.Status.CLOSED,
        "结束后不能再投票:未使用的评价码作废",
    ),
    Case(
        "approve the results (同意)",
        "leader",
        results_submitted,
        lambda w: reverse("results", args=[2014]),
        lambda w: {"action": "approve", "version": closing_version(w), "comment": "同意公示"},
        lambda w: stage(w) == Closing.Stage.APPROVED,
        "同意后区绩效办即可将结果发布公示",
    ),
    Case(
        "publish the notice (发布公示)",
        "office",
        results_approved,
        lambda w: reverse("results", args=[2014]),
        lambda w: {"action": "publish", "version": closing_version(w)},
        lambda w: stage(w) == Closing.Stage.PUBLISHED,
        "发布后结果在公示页面向所有人公开,公示期开始",
    ),
    Case(
        "finalise the results (定稿)",
        "office",
        results_published,
        lambda w: reverse("results", args=[2014]),
        lambda w: {"action": "finalize", "version": closing_version(w)},
        lambda w: stage(w) == Closing.Stage.FINAL,
        "定稿后本年度结果不能再更改",
    ),
    Case(
        "accept a declaration (确认)",
        "office",
        declared,
        lambda w: reverse("declaration", args=[Declaration.objects.get().pk]),
        lambda w: {
            "action": "decide",
            "decision": "accept",
            "version": Declaration.objects.get().version,
            "reason": "已核对原件",
        },
        lambda w: Declaration.objects.get().status == Declaration.Status.ACCEPTED,
        "确认后该申报计入第1街道党工委的年度得分,单位不能再撤回。",
    ),
]


def hidden_fields(page: str) -> dict[str, str]:
    form = page.split('id="consequence"')[1]
    return {
        html.unescape(name): html.unescape(value)
        for name, value in re.findall(r'<input type="hidden" name="([^"]+)" value="([^"]*)">', form)
    }


@pytest.mark.parametrize("case", CASES, ids=[c.name for c in CASES])
def test_an_irreversible_action_asks_first_naming_its_consequence(world: World, case: Case) -> None:
    case.setup(world)
    client = world.client(case.who)
    url, data = case.url(world), case.data(world)
    events = AuditEvent.objects.count()
    first = client.post(url, data)
    page = first.content.decode()
    assert first.status_code == 200 and 'id="consequence"' in page, page[:3000]
    assert case.consequence in page
    assert not case.done(world) and AuditEvent.objects.count() == events  # nothing yet
    # the page's one button posts the same fields again, confirmed (no JavaScript needed)
    fields = hidden_fields(page)
    assert fields.pop("confirmed") == "1" and fields.pop("csrfmiddlewaretoken")
    assert fields == {k: str(v) for k, v in data.items()}
    confirmed = client.post(url, fields | {"confirmed": "1"})
    assert confirmed.status_code == 302
    assert case.done(world)


def test_a_refused_role_gets_no_confirmation_page_and_changes_nothing(world: World) -> None:
    filled(world)
    sheet = org(world)
    for who in ("unit_a", "assessor_cadre", "leader"):
        for name in ("sheet-submit", "sheet-clean"):
            response = world.client(who).post(
                reverse(name, args=[sheet.pk]), {"version": sheet.version}
            )
            assert response.status_code == 403, (who, name)
    submitted(world)
    for who in ("assessor_org", "leader", "unit_a"):
        response = world.client(who).post(
            reverse("sheet-accept", args=[sheet.pk]), {"version": org(world).version}
        )
        assert response.status_code == 403, who
    evaluation_opened(world)
    refused = world.client("leader").post(reverse("evaluation", args=[2014]), {"action": "close"})
    assert refused.status_code == 403
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN
    assert org(world).status == Sheet.Status.SUBMITTED
    results_submitted(world)
    version = closing_version(world)
    for who, action in (("office", "approve"), ("leader", "publish"), ("leader", "finalize")):
        response = world.client(who).post(
            reverse("results", args=[2014]), {"action": action, "version": version}, follow=True
        )
        assert 'id="consequence"' not in response.content.decode(), (who, action)
    assert stage(world) == Closing.Stage.SUBMITTED


def test_the_buttons_carry_the_consequence_for_the_javascript_dialog(world: World) -> None:
    page = world.client("assessor_org").get(reverse("sheet", args=[org(world).pk]))
    text = page.content.decode()
    assert re.search(r'id="submit-sheet" data-confirm="报送后评分表对本科室只读', text)
    cells = sheet_grid(org(world)).cells  # none scored yet
    assert f'id="clean-sheet" data-confirm="尚未评分的{cells}个单元格将全部记为已评分' in text
    submitted(world)
    cycle = world.client("office").get(reverse("cycle", args=[2014, 1])).content.decode()
    assert 'data-confirm="确认后评分表锁定' in cycle


# ---- the ballot and the fault self-report choose nothing for the user --------------------


def test_a_ballot_has_no_answer_chosen_and_an_unrated_unit_is_named(world: World) -> None:
    office = world.users["office"]
    evaluation = evaluation_open(acting_user=office, year=world.year)
    code = codes_issue(acting_user=office, evaluation=evaluation, group="served", count=1)[0]
    url = reverse("ballot", args=[code])
    client = world.client("anonymous")
    page = client.get(url).content.decode()
    assert 'type="radio"' in page and "checked" not in page
    units = list(world.units.values())
    data = {f"u-{u.pk}": "满意" for u in units[1:]}  # the first unit left unrated
    refused = client.post(url, data)
    text = refused.content.decode()
    assert refused.status_code == 400
    assert f"请对每个单位选择一个评价等次。尚未评价:{units[0].name}。" in text
    assert 'class="table-danger unrated"' in text
    assert not Tally.objects.exists() and BallotCode.objects.get().used_at is None
    assert client.post(url, data | {f"u-{units[0].pk}": "基本满意"}).status_code == 200
    assert BallotCode.objects.get().used_at is not None


def test_a_fault_self_report_has_no_fault_type_chosen(world: World) -> None:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    client = world.client("unit_a")
    page = client.get(reverse("declarations", args=[2014])).content.decode()
    select = page.split('name="fault_type"')[1].split("</select>")[0]
    assert '<option value="" selected>— 请选择过错类型 —</option>' in select
    assert select.count("selected") == 1
    data = {"action": "fault", "occurrences": "1", "description": "迟报组工信息"}
    refused = client.post(reverse("declarations", args=[2014]), data)
    assert refused.status_code == 400 and "这个字段是必填项" in refused.content.decode()
    assert not Declaration.objects.exists()
    ok = client.post(reverse("declarations", args=[2014]), data | {"fault_type": "report_late"})
    assert ok.status_code == 302 and Declaration.objects.get().fault_type == "report_late"


# ---- a declaration without evidence ------------------------------------------------------


def test_accepting_a_declaration_without_evidence_needs_a_reason_that_is_audited(
    world: World,
) -> None:
    d = declared(world)
    office = world.users["office"]
    with pytest.raises(YearEndError, match="no evidence file"):
        declaration_decide(acting_user=office, declaration=d, accept=True)
    url = reverse("declaration", args=[d.pk])
    page = world.client("office").get(url).content.decode()
    assert 'id="no-evidence"' in page and "该申报没有证明材料" in page
    data = {"action": "decide", "decision": "accept", "version": d.version, "confirmed": "1"}
    refused = world.client("office").post(url, data)
    assert refused.status_code == 400 and "如仍要确认,请填写理由" in refused.content.decode()
    assert Declaration.objects.get().status == Declaration.Status.PENDING
    warned = world.client("office").post(url, {k: v for k, v in data.items() if k != "confirmed"})
    assert "注意:该申报没有证明材料。" in warned.content.decode()
    ok = world.client("office").post(url, data | {"reason": "原件已当面核对"})
    assert ok.status_code == 302
    event = AuditEvent.objects.filter(action="declaration.decide").get()
    assert event.reason == "原件已当面核对" and event.after["without_evidence"] is True


def test_a_declaration_with_evidence_is_accepted_without_a_reason(
    world: World, settings: Any, tmp_path: Any
) -> None:
    settings.EVIDENCE_ROOT = tmp_path
    d = declared(world)
    evidence_add(
        acting_user=world.users["unit_a"],
        declaration=d,
        upload=SimpleUploadedFile("红头文件.pdf", PDF),
    )
    url = reverse("declaration", args=[d.pk])
    assert 'id="no-evidence"' not in world.client("office").get(url).content.decode()
    d.refresh_from_db()
    declaration_decide(acting_user=world.users["office"], declaration=d, accept=True)
    event = AuditEvent.objects.filter(action="declaration.decide").get()
    assert "without_evidence" not in event.after
