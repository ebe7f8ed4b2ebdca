"""The web tests' district and cast, shared with the working-days tests."""

from tests.web.conftest import (  # noqa: F401  (fixtures are found by name)
    english_messages,
    fast_password_hasher,
    shared_world,
    world,
)
