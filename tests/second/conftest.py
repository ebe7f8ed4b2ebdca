"""The district and cast of tests/web, plus a department head and a second office user."""

from __future__ import annotations

import pytest

from kaohe.monthly.models import DepartmentHead
from kaohe.people.models import User
from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    PASSWORD,
    World,
    build_world,
    english_messages,
    fast_password_hasher,
)


def build_second_world() -> World:
    world = build_world()
    users = world.users
    org = users["assessor_org"].department
    users["head_org"] = User.objects.create_user("head-org", password=PASSWORD, department=org)
    DepartmentHead.objects.create(department=org, user=users["head_org"])
    users["office2"] = User.objects.create_user("office2", password=PASSWORD, is_office=True)
    return world


@pytest.fixture
def world(db: None) -> World:
    return build_second_world()
