"""The charts' and the results cache's tests share the web tests' world and settings."""

from tests.web.conftest import (  # noqa: F401  (fixtures, found by pytest by name)
    english_messages,
    fast_password_hasher,
    world,
)
