"""No dead ends: every link on each role's home page opens for that role (issue 10)."""

from __future__ import annotations

import re

import pytest

from tests.web.closing_helpers import accept_months

from .conftest import World

HREF = re.compile(r'href="(/[^"#?]*)[^"]*"')
ROLES = ["office", "leader", "assessor_org", "assessor_cadre", "unit_a"]


@pytest.mark.parametrize("who", ROLES)
def test_every_link_on_the_home_page_opens(world: World, who: str) -> None:
    accept_months(world, range(1, 4))  # months done, a year end in sight: more to-do links
    client = world.client(who)
    page = client.get("/").content.decode()
    links = sorted({href for href in HREF.findall(page) if not href.startswith("/static/")})
    assert len(links) > 3
    answers = {href: client.get(href).status_code for href in links}
    assert {href: code for href, code in answers.items() if code not in (200, 302)} == {}
