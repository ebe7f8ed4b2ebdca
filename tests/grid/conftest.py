"""The district and cast of tests/web (and its browser)."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    World,
    browser,
    english_messages,
    fast_password_hasher,
    live_world,
    world,
)
