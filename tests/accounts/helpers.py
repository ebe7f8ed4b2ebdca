"""The authenticator app's side of TOTP (RFC 6238), written here so the tests do not trust the
library they check; and a real login through the login page."""

from __future__ import annotations

import hashlib
import hmac
import struct
import time

from django.test import Client

from tests.web.conftest import PASSWORD


def totp(key: bytes, *, steps_ahead: int = 0, at: float | None = None) -> str:
    """The six digits an authenticator app shows (SHA-1, 30 s steps)."""
    counter = int((time.time() if at is None else at) // 30) + steps_ahead
    digest = hmac.new(key, struct.pack(">Q", counter), hashlib.sha1).digest()
    offset = digest[-1] & 0x0F
    value = struct.unpack(">I", digest[offset : offset + 4])[0] & 0x7FFFFFFF
    return f"{value % 1_000_000:06d}"


def password_login(username: str, password: str = PASSWORD) -> Client:
    """A real login through the login page (signals, axes, the session policy), not force_login."""
    client = Client()
    response = client.post("/login/", {"username": username, "password": password})
    assert response.status_code == 302, response.content[:500]
    return client
