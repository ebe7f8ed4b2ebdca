"""The web tests' district and cast (tests/web/conftest.py), for the account pages."""

from __future__ import annotations

from tests.web.conftest import (  # noqa: F401
    CAST,
    PASSWORD,
    World,
    english_messages,
    fast_password_hasher,
    world,
)

from .helpers import password_login, totp  # noqa: F401
