"""Hashing of audit events and of the chain head; pure functions, also used by migrations.

Events written before the chain was keyed carry ``algo = "sha256"`` (plain SHA-256 of the
canonical payload) and stay verifiable as they are; every later event is HMAC-SHA-256 keyed
with ``KAOHE_AUDIT_KEY``, so whoever edits a row cannot re-hash the rest without the key."""

from __future__ import annotations

import hashlib
import hmac
import json
from typing import Any

from django.conf import settings

GENESIS = "0" * 64
PLAIN = "sha256"
KEYED = "hmac-sha256"


def audit_key() -> bytes:
    return str(settings.KAOHE_AUDIT_KEY).encode("utf-8")


def canonical(payload: dict[str, Any]) -> bytes:
    return json.dumps(payload, sort_keys=True, ensure_ascii=False, default=str).encode("utf-8")


def digest(algo: str, payload: dict[str, Any]) -> str:
    data = canonical(payload)
    if algo == PLAIN:
        return hashlib.sha256(data).hexdigest()
    if algo == KEYED:
        return hmac.new(audit_key(), data, hashlib.sha256).hexdigest()
    raise ValueError(f"unknown audit hash algorithm {algo!r}")


def head_mac(count: int, last_id: int | None, last_hash: str, legacy_last_id: int) -> str:
    """The head's own seal, so the head cannot be moved back over a deleted tail."""
    text = f"{count}|{last_id or 0}|{last_hash}|{legacy_last_id}"
    return hmac.new(audit_key(), text.encode("ascii"), hashlib.sha256).hexdigest()
