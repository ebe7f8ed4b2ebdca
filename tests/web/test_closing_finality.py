"""A final year refuses every write that feeds its results; reopening needs a reason."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.yearend.models import BallotCode, Closing, Evaluation, Objection, Tally
from kaohe.yearend.services import (
    YearEndError,
    ballot_cast,
    closing_compute,
    closing_finalize,
    closing_of,
    closing_reopen,
    codes_issue,
    codes_print,
    evaluation_close,
    evaluation_open,
    fault_record,
    objection_answer,
    objection_lodge,
)
from kaohe.years.finality import YearFinal

from .closing_helpers import accept_months, publish
from .conftest import World

TODAY = dt.date(2026, 11, 25)
AFTER_NOTICE = dt.date(2026, 12, 3)


def final_world(world: World) -> tuple[Evaluation, list[str], Objection]:
    """A final year with an unused ballot code and an answered objection."""
    office = world.users["office"]
    accept_months(world)
    evaluation = evaluation_open(acting_user=office, year=world.year)
    codes = codes_issue(acting_user=office, evaluation=evaluation, group="leaders", count=2)
    evaluation_close(acting_user=office, evaluation=evaluation)
    publish(world, TODAY)
    objection = objection_lodge(acting_user=world.users["unit_a"], year=world.year, text="有误")
    objection_answer(acting_user=office, objection=objection, answer="经复核无误")
    closing_finalize(acting_user=office, year=world.year, today=AFTER_NOTICE)
    assert closing_of(world.year).stage == Closing.Stage.FINAL
    return evaluation, codes, objection


def test_a_final_year_refuses_each_write(world: World) -> None:
    office = world.users["office"]
    evaluation, codes, objection = final_world(world)
    ratings = {u.pk: "满意" for u in world.units.values()}
    events = AuditEvent.objects.count()
    version = closing_of(world.year).version
    refused = [
        lambda: ballot_cast(code=codes[0], ratings=ratings),
        lambda: codes_issue(acting_user=office, evaluation=evaluation, group="leaders", count=1),
        lambda: codes_print(acting_user=office, evaluation=evaluation, group="leaders"),
        lambda: evaluation_close(acting_user=office, evaluation=evaluation),
        lambda: evaluation_open(acting_user=office, year=world.year),
        lambda: objection_answer(acting_user=office, objection=objection, answer="改答复"),
        lambda: closing_compute(acting_user=office, year=world.year),
    ]
    for write in refused:
        with pytest.raises(YearFinal, match="final"):
            write()
    assert not Tally.objects.exists()
    assert BallotCode.objects.filter(used_at__isnull=False).count() == 0
    assert BallotCode.objects.count() == 2
    objection.refresh_from_db()
    assert objection.answer == "经复核无误"
    closing = closing_of(world.year)
    assert closing.stage == Closing.Stage.FINAL and closing.version == version
    assert AuditEvent.objects.count() == events  # nothing recorded either


def test_the_final_pages_refuse_with_the_chinese_message(world: World) -> None:
    _evaluation, codes, _objection = final_world(world)
    data = {f"u-{u.pk}": "满意" for u in world.units.values()}
    page = world.client("anonymous").post(reverse("ballot", args=[codes[0]]), data)
    assert page.status_code == 400 and "结果已确定" in page.content.decode()
    response = world.client("office").post(
        reverse("results", args=[2014]),
        {"action": "compute", "version": str(closing_of(world.year).version)},
        follow=True,
    )
    assert "结果已确定" in response.content.decode()
    assert closing_of(world.year).stage == Closing.Stage.FINAL


def test_reopening_needs_a_reason_and_allows_a_correction(world: World) -> None:
    office = world.users["office"]
    final_world(world)
    before = closing_of(world.year)
    with pytest.raises(YearEndError, match="why"):
        closing_reopen(acting_user=office, year=world.year, reason="  ")
    assert closing_of(world.year).stage == Closing.Stage.FINAL
    with pytest.raises(YearEndError, match="performance office"):
        closing_reopen(acting_user=world.users["leader"], year=world.year, reason="x")

    closing = closing_reopen(acting_user=office, year=world.year, reason="第2街道过错漏计")
    assert closing.stage == Closing.Stage.COLLECTING
    event = AuditEvent.objects.filter(action="results.reopen").get()
    assert event.reason == "第2街道过错漏计" and event.before["stage"] == "final"
    past = closing.past_notices[-1]
    assert past["stage"] == "final" and past["reason"] == "第2街道过错漏计"
    assert past["results_sha256"] == before.results_sha256 and past["results"] == before.results
    assert closing.published_at is None and closing.notice_ends_on is None
    # the correction, then the year goes again through compute, review and a new notice
    fault_record(
        acting_user=office,
        year=world.year,
        unit=world.units["S2"],
        fault_type="task_late",
        occurrences=1,
        description="经核实",
    )
    republished = publish(world, dt.date(2026, 12, 7))
    assert republished.results["units"]["S2"]["F"] == "4"
    assert republished.results_sha256 != before.results_sha256
    assert len(republished.past_notices) == 1  # the old notice is kept
    assert world.client("anonymous").get(reverse("notice", args=[2014])).status_code == 200


def test_the_office_reopens_a_final_year_on_the_page_with_a_reason(world: World) -> None:
    final_world(world)
    client = world.client("office")
    url = reverse("results", args=[2014])
    page = client.get(url).content.decode()
    assert 'id="reopen-final"' in page
    version = str(closing_of(world.year).version)
    missing = client.post(url, {"action": "reopen", "version": version, "reason": ""})
    assert (
        missing.status_code == 400 and "请写明撤回公示、重新核算的原因" in missing.content.decode()
    )
    assert closing_of(world.year).stage == Closing.Stage.FINAL
    done = client.post(url, {"action": "reopen", "version": version, "reason": "异议成立"})
    assert done.status_code == 302
    assert closing_of(world.year).stage == Closing.Stage.COLLECTING
    history = client.get(url).content.decode()
    assert 'id="past-notices"' in history and "异议成立" in history
