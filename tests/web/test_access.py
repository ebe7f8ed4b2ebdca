"""The role × page matrix: every page checked for who may and who may not (SPEC §1)."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import pytest
from django.apps import apps
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import NoReverseMatch, URLResolver, get_resolver, reverse

from kaohe.engine.loader import read_scheme_text
from kaohe.monthly.models import Cycle, Entry, Sheet
from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.people.models import Unit
from kaohe.years.models import Target, Year

from .conftest import CAST, World


@pytest.fixture
def world(shared_world: World, db: None) -> World:
    """One district for the whole matrix; each test's writes are rolled back after it."""
    return shared_world


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
    ("audit log", lambda w: reverse("audit-log"), {"office"}),
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


def scheme_upload(year: int) -> SimpleUploadedFile:
    _source, text = read_scheme_text("district-2014")
    text = text.replace("\nyear: 2014\n", f"\nyear: {year}\n", 1)
    return SimpleUploadedFile(f"district-{year}.yaml", text.encode(), "application/x-yaml")


def org_sheet_filled(w: World) -> None:
    mark_rest_clean(acting_user=w.users["assessor_org"], sheet=w.sheet("org"))


def org_sheet_submitted(w: World) -> None:
    org_sheet_filled(w)
    sheet_submit(acting_user=w.users["assessor_org"], sheet=w.sheet("org"))


def nothing(w: World) -> None:
    pass


@dataclass
class Action:
    """A POST, who may make it, what must be true before it, and its effect, checked in the
    database: an allowed user's POST must have it, a refused one's must not."""

    name: str
    url: Callable[[World], str]
    data: Callable[[], dict[str, object]]
    allowed: Allowed
    effect: Callable[[World], bool]
    before: Callable[[World], None] = nothing


def org_status(w: World) -> str:
    return w.sheet("org").status


ACTIONS: list[Action] = [
    Action(
        "open month",
        lambda w: reverse("year", args=[2014]),
        lambda: {"month": "2"},
        {"office"},
        lambda w: Cycle.objects.filter(year=w.year, month=2).exists(),
    ),
    Action(
        "set targets",
        lambda w: reverse("targets", args=[2014]),
        lambda: {f"t-{Unit.objects.get(code='S1').pk}-6": "7"},
        {"office"},
        lambda w: Target.objects.filter(year=w.year, unit__code="S1", item="6", target=7).exists(),
    ),
    Action(
        "create year",
        lambda w: reverse("years"),
        lambda: {"upload": scheme_upload(2015)},
        {"office"},
        lambda w: Year.objects.filter(year=2015).exists(),
    ),
    Action(
        "mark clean",
        lambda w: reverse("sheet-clean", args=[w.sheet("org").pk]),
        lambda: {"confirmed": "1"},
        {"assessor_org"},
        lambda w: Entry.objects.filter(sheet=w.sheet("org"), values={}).count() > 1,
    ),
    Action(
        "submit",
        lambda w: reverse("sheet-submit", args=[w.sheet("org").pk]),
        lambda: {"confirmed": "1"},
        {"assessor_org"},
        lambda w: org_status(w) == Sheet.Status.SUBMITTED,
        before=org_sheet_filled,
    ),
    Action(
        "accept",
        lambda w: reverse("sheet-accept", args=[w.sheet("org").pk]),
        lambda: {"confirmed": "1"},
        {"office"},
        lambda w: org_status(w) == Sheet.Status.ACCEPTED,
        before=org_sheet_submitted,
    ),
    Action(
        "return",
        lambda w: reverse("sheet-return", args=[w.sheet("org").pk]),
        lambda: {"reason": "缺少佐证材料"},
        {"office"},
        lambda w: (
            org_status(w) == Sheet.Status.RETURNED
            and w.sheet("org").return_reason == "缺少佐证材料"
        ),
        before=org_sheet_submitted,
    ),
    Action(
        "score cell",
        lambda w: reverse("cell", args=[w.sheet("org").pk, "S1", "2"]),
        lambda: {"c0-count": "1", "c0-reason": "未按时报送"},
        {"assessor_org"},
        lambda w: Entry.objects.filter(
            sheet=w.sheet("org"), unit__code="S1", item="2", values={"count": 1}
        ).exists(),
    ),
]


@pytest.mark.parametrize("action", ACTIONS, ids=[a.name for a in ACTIONS])
@pytest.mark.parametrize("who", CAST)
def test_action_access(world: World, action: Action, who: str) -> None:
    action.before(world)
    assert not action.effect(world), "the effect is there before the POST"
    response = world.client(who).post(action.url(world), action.data())
    if who == "anonymous":
        assert response.status_code == 302 and "login" in response["Location"]
    elif who in action.allowed:
        assert response.status_code in (200, 302), (action.name, who)
    else:
        assert response.status_code == 403, (action.name, who)
    assert action.effect(world) == (who in action.allowed), (action.name, who)


def url_for_every_pattern(w: World) -> list[str]:
    """Every URL of the project (admin included), its arguments filled from the world."""
    values = {
        "year": 2014,
        "month": 1,
        "code": "S1",
        "item": "1",
        "sheet_id": w.sheet("org").pk,
        "pk": 1,
        "fmt": "xlsx",
        "app_label": "people",
        "object_id": "1",
    }
    urls = []

    def walk(patterns: list[Any], prefix: str, namespace: str) -> None:
        for pattern in patterns:
            if isinstance(pattern, URLResolver):
                ns = pattern.namespace or namespace
                walk(pattern.url_patterns, prefix + str(pattern.pattern), ns)
            elif pattern.name:
                name = f"{namespace}:{pattern.name}" if namespace else pattern.name
                kwargs = {k: values[k] for k in pattern.pattern.regex.groupindex if k in values}
                try:
                    urls.append(reverse(name, kwargs=kwargs))
                except NoReverseMatch:
                    continue  # a pattern whose arguments the world has no value for

    walk(get_resolver().url_patterns, "", "")
    return sorted(set(urls))


def fingerprint() -> dict[str, int]:
    """How many rows each table holds."""
    return {m._meta.label: m.objects.count() for m in apps.get_models()}


@pytest.mark.parametrize("who", CAST)
def test_a_post_without_a_csrf_token_is_refused_everywhere_and_changes_nothing(
    world: World, who: str
) -> None:
    client = Client(enforce_csrf_checks=True)
    if who != "anonymous":
        client.force_login(world.users[who])
    urls = url_for_every_pattern(world)
    assert (
        len(urls) > 30
        and reverse("login") in urls
        and reverse("cell", args=[world.sheet("org").pk, "S1", "1"]) in urls
    )
    before = fingerprint()
    sheet = world.sheet("org").status
    posts = [(url, {}) for url in urls] + [(a.url(world), a.data()) for a in ACTIONS]
    answers = [(url, client.post(url, data).status_code) for url, data in posts]
    assert [(url, code) for url, code in answers if code != 403] == []
    assert fingerprint() == before and world.sheet("org").status == sheet


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
