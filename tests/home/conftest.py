"""The district and cast of tests/web, plus a second assessor of 组织科 (a colleague)."""

from __future__ import annotations

import pytest

from kaohe.people.models import User
from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    PASSWORD,
    World,
    build_world,
    english_messages,
    fast_password_hasher,
)


def build_home_world() -> World:
    world = build_world()
    org = world.users["assessor_org"].department
    world.users["colleague_org"] = User.objects.create_user(
        "org-2", password=PASSWORD, department=org
    )
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_home_world()
