"""The district and cast of tests/web."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    World,
    english_messages,
    fast_password_hasher,
    world,
)
