"""Readiness gates: no results before every month, declaration and ballot is in."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse

from kaohe.monthly.models import Sheet
from kaohe.yearend.models import Closing, Declaration, Evaluation
from kaohe.yearend.selectors import readiness
from kaohe.yearend.services import (
    YearEndError,
    closing_compute,
    closing_of,
    closing_publish,
    closing_review,
    closing_submit,
    declaration_decide,
    declaration_submit,
    evaluation_open,
    window_set,
)

from .closing_helpers import accept_months, close_evaluation, make_ready
from .conftest import World


def pending_declaration(world: World) -> Declaration:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    return declaration_submit(
        acting_user=world.users["unit_a"],
        year=world.year,
        unit=world.units["S1"],
        kind="achievement",
        award="innovation",
        level="major",
        content="网格化党建",
        description="获评重大创新项目",
    )


def test_compute_is_refused_until_months_declarations_and_evaluation_are_in(
    world: World,
) -> None:
    office = world.users["office"]
    accept_months(world, range(1, 7))  # six of twelve months scored
    declaration = pending_declaration(world)
    evaluation_open(acting_user=office, year=world.year)
    with pytest.raises(YearEndError) as refused:
        closing_compute(acting_user=office, year=world.year)
    message = str(refused.value)
    assert "Month 7 is not open." in message and "Month 12 is not open." in message
    assert "Month 6" not in message
    assert "1 declarations are not decided." in message
    assert "still open" in message
    assert closing_of(world.year).stage == Closing.Stage.COLLECTING
    assert closing_of(world.year).results is None

    accept_months(world)
    Sheet.objects.filter(cycle__month=9, department__key="org").update(
        status=Sheet.Status.SUBMITTED
    )
    state = readiness(world.year)
    assert [(g.month, g.opened) for g in state.months] == [(9, True)]
    assert state.months[0].departments == [
        d.name for d in world.year.scheme.departments if d.key == "org"
    ]
    Sheet.objects.filter(cycle__month=9).update(status=Sheet.Status.ACCEPTED)
    declaration_decide(acting_user=office, declaration=declaration, accept=False, reason="不符")
    close_evaluation(world)
    assert readiness(world.year).ready
    assert closing_compute(acting_user=office, year=world.year).stage == Closing.Stage.COMPUTED


def test_submit_approve_and_publish_are_refused_when_the_year_is_no_longer_ready(
    world: World,
) -> None:
    office, leader = world.users["office"], world.users["leader"]
    make_ready(world)
    closing_compute(acting_user=office, year=world.year)
    sheet = Sheet.objects.filter(cycle__month=3).first()
    assert sheet is not None
    Sheet.objects.filter(pk=sheet.pk).update(status=Sheet.Status.RETURNED)
    with pytest.raises(YearEndError, match="Month 3 is not accepted from"):
        closing_submit(acting_user=office, year=world.year)
    Sheet.objects.filter(pk=sheet.pk).update(status=Sheet.Status.ACCEPTED)
    closing_submit(acting_user=office, year=world.year)

    Evaluation.objects.update(status=Evaluation.Status.OPEN)  # as if never closed
    with pytest.raises(YearEndError, match="evaluation is still open"):
        closing_review(acting_user=leader, year=world.year, approve=True, comment="")
    assert closing_of(world.year).stage == Closing.Stage.SUBMITTED
    # a return needs nothing to be ready: it sends the results back
    closing_review(acting_user=leader, year=world.year, approve=False, comment="公认度未完成")
    Evaluation.objects.update(status=Evaluation.Status.CLOSED)
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=leader, year=world.year, approve=True, comment="同意")

    pending_declaration(world)
    with pytest.raises(YearEndError, match="declarations are not decided"):
        closing_publish(acting_user=office, year=world.year, today=dt.date(2026, 11, 25))
    assert closing_of(world.year).stage == Closing.Stage.APPROVED
    assert closing_of(world.year).published_at is None


def test_the_readiness_panel_lists_what_is_missing_with_links(world: World) -> None:
    pending_declaration(world)
    url = reverse("results", args=[2014])
    office = world.client("office").get(url).content.decode()
    assert 'id="readiness"' in office
    assert f'href="{reverse("cycle", args=[2014, 1])}"' in office  # month 1 open, not accepted
    assert f'href="{reverse("year", args=[2014])}"' in office  # months 2–12 to be opened
    assert f'href="{reverse("declarations", args=[2014])}"' in office
    assert f'href="{reverse("evaluation", args=[2014])}"' in office
    assert "尚未开展公认度评价" in office and "尚有1项申报未认定" in office
    leader = world.client("leader").get(url).content.decode()
    assert 'id="readiness"' in leader and "2月尚未开启考核" in leader
    assert f'href="{reverse("evaluation", args=[2014])}"' not in leader  # office's page only
    # the monthly ranking stays available all year
    assert world.client("office").get(reverse("ranking", args=[2014, 1])).status_code == 200


def test_the_page_refuses_compute_with_the_chinese_list_and_changes_nothing(
    world: World,
) -> None:
    client = world.client("office")
    response = client.post(
        reverse("results", args=[2014]), {"action": "compute", "version": "0"}, follow=True
    )
    text = response.content.decode()
    assert "本年度尚不具备汇总结果的条件" in text and "12月尚未开启考核" in text
    assert closing_of(world.year).results is None


def test_a_ready_year_shows_no_panel(world: World) -> None:
    make_ready(world)
    page = world.client("office").get(reverse("results", args=[2014])).content.decode()
    assert 'id="readiness"' not in page


@pytest.mark.django_db
def test_the_demo_builds_with_2014_ready_and_2015_not() -> None:
    from kaohe.web.demo import load_demo
    from kaohe.years.models import Year

    load_demo()
    done = readiness(Year.objects.get(year=2014))
    assert done.ready, done
    assert Closing.objects.get(year__year=2014).stage == Closing.Stage.FINAL
    current = readiness(Year.objects.get(year=2015))
    assert not current.ready and current.evaluation == "missing"
    assert current.pending_declarations == 2 and current.months
