"""The web tests' district and cast (tests/web/conftest.py), for the logging tests."""

from tests.web.conftest import (  # noqa: F401  (fixtures used by name)
    World,
    english_messages,
    fast_password_hasher,
    world,
)
