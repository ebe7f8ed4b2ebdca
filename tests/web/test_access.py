"""The role × page matrix: every page checked for who may and who may not (SPEC §1)."""

from __future__ import annotations

from collections.abc import Callable

import pytest
from django.urls import reverse

from .conftest import CAST, World

Allowed = set[str]
EVERYONE = {"office", "leader", "assessor_org", "assessor_cadre", "unit_a", "unit_b"}
OVERSEERS = {"office", "leader"}

PAGES: list[tuple[str, Callable[[World], str], Allowed]] = [
    ("home", lambda w: reverse("home"), EVERYONE),
    ("years", lambda w: reverse("years"), OVERSEERS),
    ("year", lambda w: reverse("year", args=[2014]), OVERSEERS),
    ("targets", lambda w: reverse("targets", args=[2014]), {"office"}),
    ("own letter", lambda w: reverse("letter", args=[2014, "S1"]), OVERSEERS | {"unit_a"}),
    ("month", lambda w: reverse("cycle", args=[2014, 1]), OVERSEERS),
    ("ranking", lambda w: reverse("ranking", args=[2014, 1]), OVERSEERS),
    ("unit page", lambda w: reverse("unit", args=[2014, "S1"]), OVERSEERS | {"unit_a"}),
    ("escalations", lambda w: reverse("escalations", args=[2014]), OVERSEERS),
    (
        "org sheet",
        lambda w: reverse("sheet", args=[w.sheet("org").pk]),
        OVERSEERS | {"assessor_org"},
    ),
    ("org cell", lambda w: reverse("cell", args=[w.sheet("org").pk, "S1", "1"]), {"assessor_org"}),
    ("admin", lambda w: reverse("admin:index"), set()),  # nobody here is staff
]


@pytest.mark.parametrize(("name", "url", "allowed"), PAGES, ids=[p[0] for p in PAGES])
@pytest.mark.parametrize("who", CAST)
def test_page_access(
    world: World, name: str, url: Callable[[World], str], allowed: Allowed, who: str
) -> None:
    response = world.client(who).get(url(world))
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif who in allowed:
        assert response.status_code == 200, (name, who)
    elif name == "admin":
        assert response.status_code == 302  # admin sends non-staff to its own login
    else:
        assert response.status_code == 403, (name, who)


ACTIONS: list[tuple[str, Callable[[World], str], dict[str, str], Allowed]] = [
    ("open month", lambda w: reverse("year", args=[2014]), {"month": "2"}, {"office"}),
    ("set targets", lambda w: reverse("targets", args=[2014]), {}, {"office"}),
    ("create year", lambda w: reverse("years"), {"builtin": "district-2014"}, {"office"}),
    (
        "mark clean",
        lambda w: reverse("sheet-clean", args=[w.sheet("org").pk]),
        {},
        {"assessor_org"},
    ),
    ("submit", lambda w: reverse("sheet-submit", args=[w.sheet("org").pk]), {}, {"assessor_org"}),
    ("accept", lambda w: reverse("sheet-accept", args=[w.sheet("org").pk]), {}, {"office"}),
    (
        "return",
        lambda w: reverse("sheet-return", args=[w.sheet("org").pk]),
        {"reason": "x"},
        {"office"},
    ),
    (
        "score cell",
        lambda w: reverse("cell", args=[w.sheet("org").pk, "S1", "2"]),
        {"c0-count": "0"},
        {"assessor_org"},
    ),
]


@pytest.mark.parametrize(("name", "url", "data", "allowed"), ACTIONS, ids=[a[0] for a in ACTIONS])
@pytest.mark.parametrize("who", CAST)
def test_action_access(
    world: World,
    name: str,
    url: Callable[[World], str],
    data: dict[str, str],
    allowed: Allowed,
    who: str,
) -> None:
    response = world.client(who).post(url(world), data)
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif who in allowed:
        assert response.status_code in (200, 302), (name, who)
    else:
        assert response.status_code == 403, (name, who)


def test_a_unit_sees_its_own_page_and_not_another_units(world: World) -> None:
    client = world.client("unit_a")
    assert client.get(reverse("unit", args=[2014, "S1"])).status_code == 200
    assert client.get(reverse("unit", args=[2014, "S2"])).status_code == 403
    assert client.get(reverse("letter", args=[2014, "S2"])).status_code == 403


def test_an_assessor_cannot_open_another_departments_cells(world: World) -> None:
    client = world.client("assessor_cadre")
    assert client.get(reverse("cell", args=[world.sheet("org").pk, "S1", "1"])).status_code == 403
    # and its own sheet has no cell for another department's item
    assert client.get(reverse("cell", args=[world.sheet("cadre").pk, "S1", "1"])).status_code == 404
