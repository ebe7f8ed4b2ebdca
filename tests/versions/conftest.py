"""The web tests' district and cast (tests/web/conftest.py), for the version pages."""

from tests.web.conftest import (  # noqa: F401
    World,
    english_messages,
    fast_password_hasher,
    world,
)
