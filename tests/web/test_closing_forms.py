"""Every POST of the closing pages goes through a bounded form: bad values get a Chinese
message next to the field, never a 500, and change nothing."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.engine import limits
from kaohe.yearend.models import BallotCode, Closing, Evaluation, Objection, Tally
from kaohe.yearend.services import codes_issue, evaluation_open

from .closing_helpers import make_ready, publish
from .conftest import World

HOSTILE = ["abc", "", "-1", "1e9", "9" * 400, "1.5", "1\x00", "NaN", "\u202e1"]


@pytest.mark.parametrize("version", HOSTILE)
def test_the_results_page_refuses_a_bad_version_in_chinese(world: World, version: str) -> None:
    response = world.client("office").post(
        reverse("results", args=[2014]), {"action": "compute", "version": version}
    )
    text = response.content.decode()
    assert response.status_code == 400 and 'id="form-errors"' in text
    assert not Closing.objects.filter(year=world.year).exists()  # refused: nothing written


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "publish!"}, "选择一个有效的选项"),
        ({"action": "return", "comment": ""}, "请写明退回意见"),
        ({"action": "return", "comment": "x" * (limits.TEXT_MAX + 1)}, "4000"),
        ({"action": "return", "comment": "退回\x00"}, "U+0000"),
        ({"action": "reopen", "reason": ""}, "请写明撤回公示"),
        ({"action": "answer", "objection": "abc", "answer": "好"}, "输入整数"),
        ({"action": "answer", "objection": str(2**70), "answer": "好"}, "2147483647"),
        ({"action": "answer", "objection": "999", "answer": "好"}, "请选择本年度的一条异议"),
    ],
)
def test_results_fields_get_chinese_messages(
    world: World, data: dict[str, str], message: str
) -> None:
    who = "leader" if data["action"] == "return" else "office"
    response = world.client(who).post(reverse("results", args=[2014]), {"version": "0", **data})
    text = response.content.decode()
    assert response.status_code == 400 and message in text, text[:2000]
    assert not Closing.objects.filter(year=world.year).exists()  # refused: nothing written


def test_an_answer_is_bounded_and_the_objection_form_keeps_the_text(world: World) -> None:
    make_ready(world)
    publish(world, dt.date(2026, 11, 25))
    unit = world.client("unit_a")
    notice = reverse("notice", args=[2014])
    long_text = "异" * (limits.TEXT_MAX + 1)
    response = unit.post(notice, {"text": long_text})
    assert response.status_code == 400 and long_text in response.content.decode()
    assert "4000" in response.content.decode() and not Objection.objects.exists()
    assert unit.post(notice, {"text": "第6项有误"}).status_code == 302
    objection = Objection.objects.get()
    office = world.client("office")
    bad = office.post(
        reverse("results", args=[2014]),
        {
            "action": "answer",
            "version": "0",
            "objection": str(objection.pk),
            "answer": "答" * (limits.TEXT_MAX + 1),
        },
    )
    assert bad.status_code == 400
    objection.refresh_from_db()
    assert objection.answer == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"action": "issue", "group": "leaders", "count": "abc"}, "输入整数"),
        ({"action": "issue", "group": "leaders", "count": "0"}, "大于或等于1"),
        (
            {"action": "issue", "group": "leaders", "count": str(limits.CODES_MAX + 1)},
            str(limits.CODES_MAX),
        ),
        ({"action": "issue", "group": "leaders", "count": "9" * 500}, str(limits.CODES_MAX)),
        ({"action": "issue", "group": "nobody", "count": "3"}, "选择一个有效的选项"),
        ({"action": "issue", "group": "leaders"}, "请填写生成数量"),
        ({"action": "reprint", "group": "leaders", "reason": ""}, "请说明重新打印"),
        ({"action": "drop"}, "选择一个有效的选项"),
    ],
)
def test_evaluation_fields_get_chinese_messages(
    world: World, data: dict[str, str], message: str
) -> None:
    evaluation_open(acting_user=world.users["office"], year=world.year)
    response = world.client("office").post(reverse("evaluation", args=[2014]), data)
    text = response.content.decode()
    assert response.status_code == 400 and message in text, text[:2000]
    assert not BallotCode.objects.exists()
    assert Evaluation.objects.get().status == Evaluation.Status.OPEN


def test_an_invalid_ballot_code_shows_a_chinese_page_with_navigation(world: World) -> None:
    client = world.client("anonymous")
    for code in ("nonsense", "x" * 300, "%E2%80%AE"):
        response = client.get(f"/ballot/{code}/")
        text = response.content.decode()
        assert response.status_code == 404 and "评价码无效" in text, code
        assert 'class="navbar' in text and reverse("notices") in text
    assert client.post("/ballot/nonsense/", {"u-1": "满意"}).status_code == 404


def test_a_ballot_with_a_bad_choice_is_refused_and_counts_nothing(world: World) -> None:
    office = world.users["office"]
    evaluation = evaluation_open(acting_user=office, year=world.year)
    code = codes_issue(acting_user=office, evaluation=evaluation, group="served", count=1)[0]
    url = reverse("ballot", args=[code])
    data = {f"u-{u.pk}": "满意" for u in world.units.values()}
    first = next(iter(world.units.values())).pk
    for bad in ({**data, f"u-{first}": "非常满意"}, {**data, f"u-{first}": "\x00"}, {}):
        response = world.client("anonymous").post(url, bad)
        assert response.status_code == 400 and "请对每个单位" in response.content.decode()
    assert not Tally.objects.exists()
    assert BallotCode.objects.get().used_at is None
    kept = world.client("anonymous").post(url, {**data, f"u-{first}": "bad"}).content.decode()
    second = list(world.units.values())[1].pk
    assert f'name="u-{second}" value="满意" required checked' in kept  # the rest kept
