"""The leaders' review kept as dated history, and stale closing actions refused (409)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.audit.models import AuditEvent
from kaohe.yearend.models import Closing
from kaohe.yearend.services import (
    ClosingConflict,
    closing_compute,
    closing_of,
    closing_publish,
    closing_review,
    closing_submit,
)

from .closing_helpers import make_ready
from .conftest import PASSWORD, World

URL = reverse("results", args=[2014])


def test_a_return_comment_becomes_dated_history_once_resubmitted(world: World) -> None:
    office, leader = world.users["office"], world.users["leader"]
    make_ready(world)
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=leader, year=world.year, approve=False, comment="请核实公认度")
    page = world.client("office").get(URL).content.decode()
    assert 'id="leader-comment"' in page and "请核实公认度" in page  # current: returned

    closing_compute(acting_user=office, year=world.year)
    closing = closing_submit(acting_user=office, year=world.year)
    assert closing.leader_comment == ""
    note = closing.review_notes[-1]
    assert note["approve"] is False and note["comment"] == "请核实公认度"
    page = world.client("leader").get(URL).content.decode()
    assert 'id="leader-comment"' not in page
    history = page[page.index('id="review-history"') :]
    today = timezone.localtime(dt.datetime.fromisoformat(note["at"])).strftime("%Y-%m-%d")
    assert "请核实公认度" in history and today in history and "部务会退回" in history

    closing_review(acting_user=leader, year=world.year, approve=True, comment="同意")
    notes = closing_of(world.year).review_notes
    assert [n["approve"] for n in notes] == [False, True]


def test_two_office_users_publishing_the_second_gets_a_conflict(world: World) -> None:
    office, leader = world.users["office"], world.users["leader"]
    make_ready(world)
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=leader, year=world.year, approve=True, comment="同意")
    from kaohe.people.models import User

    User.objects.create_user("office2", password=PASSWORD, is_office=True, display_name="李华")
    first, second = world.client("office"), world.client("office")
    second.force_login(User.objects.get(username="office2"))
    seen = str(closing_of(world.year).version)  # both pages loaded at this version
    assert (
        first.post(URL, {"action": "publish", "version": seen, "confirmed": "1"}).status_code == 302
    )
    published = closing_of(world.year)
    response = second.post(URL, {"action": "publish", "version": seen, "confirmed": "1"})
    text = response.content.decode()
    assert response.status_code == 409 and 'id="conflict"' in text
    assert "公示中" in text  # the newer state, who made it and when
    assert '修改人</dt><dd class="col-sm-10">office</dd>' in text
    assert published.updated_at is not None
    when = timezone.localtime(published.updated_at).strftime("%Y-%m-%d %H:%M")
    assert when in text
    assert published.updated_at is not None
    assert AuditEvent.objects.filter(action="notice.publish").count() == 1
    after = closing_of(world.year)
    assert after.version == published.version and after.published_at == published.published_at


def test_a_leader_approving_results_recomputed_since_the_page_loaded_is_refused(
    world: World,
) -> None:
    office, leader = world.users["office"], world.users["leader"]
    make_ready(world)
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=leader, year=world.year, approve=False, comment="复核")
    closing_compute(acting_user=office, year=world.year)
    closing = closing_submit(acting_user=office, year=world.year)
    stale = closing.version
    # the leader's page is loaded; meanwhile nothing else may slip in unseen
    with pytest.raises(ClosingConflict):
        closing_review(
            acting_user=leader,
            year=world.year,
            approve=True,
            comment="",
            expected_version=stale - 1,
        )
    response = world.client("leader").post(
        URL,
        {"action": "approve", "version": str(stale - 2), "comment": "同意公示", "confirmed": "1"},
    )
    text = response.content.decode()
    assert response.status_code == 409 and "同意公示" in text  # the typed comment is kept
    assert closing_of(world.year).stage == Closing.Stage.SUBMITTED
    ok = world.client("leader").post(
        URL, {"action": "approve", "version": str(stale), "confirmed": "1"}
    )
    assert ok.status_code == 302 and closing_of(world.year).stage == Closing.Stage.APPROVED
    with pytest.raises(ClosingConflict):
        closing_publish(acting_user=office, year=world.year, expected_version=stale)
