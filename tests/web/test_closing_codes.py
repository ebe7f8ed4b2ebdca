"""Ballot codes (issue 14): printed once, then counts only; a reprint needs a reason."""

from __future__ import annotations

import re

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.yearend.models import BallotCode, Evaluation
from kaohe.yearend.services import (
    YearEndError,
    ballot_cast,
    codes_issue,
    codes_print,
    codes_reprint,
    evaluation_open,
)

from .conftest import World

LINK = re.compile(r"/ballot/([\w-]+)/")


def test_the_office_prints_a_groups_list_once_then_sees_counts_only(world: World) -> None:
    client = world.client("office")
    url = reverse("evaluation", args=[2014])
    client.post(url, {"action": "open"})
    issued = client.post(url, {"action": "issue", "group": "leaders", "count": "6"})
    assert issued.status_code == 302
    codes = set(BallotCode.objects.values_list("code", flat=True))
    assert len(codes) == 6
    page = client.get(url).content.decode()
    assert not LINK.search(page) and not any(c in page for c in codes)
    assert 'id="print-leaders"' in page

    printed = client.post(url, {"action": "print", "group": "leaders"})
    assert printed.status_code == 200 and "no-store" in printed["Cache-Control"]
    assert set(LINK.findall(printed.content.decode())) == codes
    assert BallotCode.objects.filter(printed_at__isnull=True).count() == 0
    event = AuditEvent.objects.get(action="ballots.print")
    assert event.after == {"group": "leaders", "count": 6}

    # one code is used; afterwards the page shows issued, used and unused counts, no code
    ratings = {u.pk: "满意" for u in world.units.values()}
    ballot_cast(code=sorted(codes)[0], ratings=ratings)
    page = client.get(url).content.decode()
    assert not any(c in page for c in codes) and 'id="print-leaders"' not in page
    row = re.search(r"<tr><td>区委领导和部务会成员</td>(.*?)</tr>", page, re.S)
    assert row is not None
    cells = re.findall(r"<td>(\d+)</td>", row.group(1))
    assert cells[:3] == ["6", "1", "5"]  # issued, used, unused
    again = client.post(url, {"action": "print", "group": "leaders"}, follow=True)
    assert not any(c in again.content.decode() for c in codes)
    assert "重新打印须说明理由" in again.content.decode()


def test_printing_again_needs_a_reason_is_audited_and_marks_the_list(world: World) -> None:
    office = world.users["office"]
    evaluation = evaluation_open(acting_user=office, year=world.year)
    codes = codes_issue(acting_user=office, evaluation=evaluation, group="served", count=3)
    with pytest.raises(YearEndError, match="Print the list first"):
        codes_reprint(acting_user=office, evaluation=evaluation, group="served", reason="丢失")
    assert codes_print(acting_user=office, evaluation=evaluation, group="served") == codes
    with pytest.raises(YearEndError, match="reprint needs a reason"):
        codes_print(acting_user=office, evaluation=evaluation, group="served")
    with pytest.raises(YearEndError, match="printed again"):
        codes_reprint(acting_user=office, evaluation=evaluation, group="served", reason=" ")

    client = world.client("office")
    url = reverse("evaluation", args=[2014])
    refused = client.post(url, {"action": "reprint", "group": "served", "reason": ""})
    assert refused.status_code == 400 and "请说明重新打印评价码清单的理由" in (
        refused.content.decode()
    )
    assert not AuditEvent.objects.filter(action="ballots.reprint").exists()
    reprinted = client.post(url, {"action": "reprint", "group": "served", "reason": "清单遗失"})
    assert set(LINK.findall(reprinted.content.decode())) == set(codes)
    event = AuditEvent.objects.get(action="ballots.reprint")
    assert event.reason == "清单遗失" and event.after["reprints"] == 1
    lists = Evaluation.objects.get().code_lists["served"]
    assert lists["reprints"] == 1 and lists["reprinted_at"]
    page = client.get(url).content.decode()
    assert "已重新打印1次" in page and not any(c in page for c in codes)

    # a new batch is printed without a reason, and only the new codes are on it
    more = codes_issue(acting_user=office, evaluation=evaluation, group="served", count=2)
    assert codes_print(acting_user=office, evaluation=evaluation, group="served") == more
