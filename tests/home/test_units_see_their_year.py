"""A unit reads its own annual explanation once the notice is published, never another's; the
web notice says how and until when to object (issue 10 point 5)."""

from __future__ import annotations

import datetime as dt

import pytest
from django.urls import reverse
from django.utils import timezone

from kaohe.yearend.models import Closing
from kaohe.yearend.services import closing_compute, closing_finalize
from tests.web.closing_helpers import make_ready, publish

from .conftest import World

OWN = reverse("annual-unit", args=[2014, "S1"])
OTHER = reverse("annual-unit", args=[2014, "S2"])


def status(world: World, who: str, url: str) -> int:
    return world.client(who).get(url).status_code


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("unit_a", 403, 403),
        ("unit_b", 403, 403),
        ("assessor_org", 403, 403),
        ("office", 200, 200),
        ("leader", 200, 200),
        ("anonymous", 302, 302),
    ],
)
def test_before_the_notice_only_the_office_and_leaders_read_annual_explanations(
    world: World, who: str, own: int, other: int
) -> None:
    make_ready(world)
    closing_compute(acting_user=world.users["office"], year=world.year)
    assert status(world, who, OWN) == own
    assert status(world, who, OTHER) == other


@pytest.mark.parametrize(
    ("who", "own", "other"),
    [
        ("unit_a", 200, 403),
        ("unit_b", 403, 200),
        ("assessor_org", 403, 403),
        ("office", 200, 200),
        ("leader", 200, 200),
        ("anonymous", 302, 302),
    ],
)
def test_once_published_a_unit_reads_its_own_and_no_other(
    world: World, who: str, own: int, other: int
) -> None:
    make_ready(world)
    publish(world, today=dt.date(2015, 1, 20))
    assert status(world, who, OWN) == own
    assert status(world, who, OTHER) == other


def test_a_unit_still_reads_its_own_once_final_and_not_of_a_code_that_is_not_its_own(
    world: World,
) -> None:
    make_ready(world)
    publish(world, today=dt.date(2015, 1, 20))
    Closing.objects.update(notice_ends_on=dt.date(2015, 1, 27))
    closing_finalize(acting_user=world.users["office"], year=world.year)
    page = world.client("unit_a").get(OWN)
    assert page.status_code == 200
    text = page.content.decode()
    assert "目标成绩" in text and reverse("notice", args=[2014]) in text
    assert status(world, "unit_a", reverse("annual-unit", args=[2014, "NOPE"])) == 403
    assert status(world, "unit_a", reverse("annual-unit", args=[2099, "S1"])) == 404


def test_the_notice_links_the_units_own_explanation_and_says_how_and_until_when_to_object(
    world: World,
) -> None:
    make_ready(world)
    closing = publish(world, today=timezone.localdate())  # the notice period runs now
    start = timezone.localdate(closing.published_at).isoformat()  # type: ignore[arg-type]
    ends = closing.notice_ends_on.isoformat()  # type: ignore[union-attr]
    notice = reverse("notice", args=[2014])
    unit = world.client("unit_a").get(notice).content.decode()
    assert f"公示期自{start}至{ends}" in unit
    assert f"请在公示期内({ends}前)向区绩效办反映" in unit
    assert "本单位可在本页下方书面提出异议" in unit
    assert f'href="{OWN}"' in unit and OTHER not in unit
    public = world.client("anonymous").get(notice).content.decode()
    assert f"公示期自{start}至{ends}" in public
    assert "被考核单位请登录本单位账号后在本页书面提出异议" in public
    assert OWN not in public and OTHER not in public
    Closing.objects.update(notice_ends_on=dt.date(2015, 1, 21))
    closed = world.client("unit_a").get(notice).content.decode()
    assert "公示期已于2015-01-21结束,不再受理异议。" in closed
