"""The web tests' district and cast (tests/web/conftest.py), for background jobs."""

import pytest

from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    CAST,
    World,
    build_world,
    english_messages,
    fast_password_hasher,
    world,
)


@pytest.fixture
def committed_world(transactional_db: None) -> World:
    """The district, committed: the worker closes and reopens connections between tasks, as
    it does in production, which a test's wrapping transaction would not survive."""
    return build_world()
