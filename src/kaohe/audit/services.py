"""Writing and verifying the audit chain."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.db import models, transaction
from django.utils import timezone

from .models import AuditEvent

GENESIS = "0" * 64


def record(
    *,
    acting_user: Any,
    action: str,
    obj: models.Model | tuple[str, str],
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event in the caller's transaction; the chain's tail is locked first so two
    writers cannot both link to the same predecessor."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the change's transaction")
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    last = AuditEvent.objects.select_for_update().order_by("-id").only("hash").first()
    user = acting_user if getattr(acting_user, "pk", None) else None
    event = AuditEvent(
        at=timezone.now(),
        actor=user,
        actor_name=user.get_username() if user else "system",
        action=action,
        object_type=object_type,
        object_id=object_id,
        before=before,
        after=after,
        reason=reason,
        prev_hash=last.hash if last else GENESIS,
    )
    event.hash = event.compute_hash()
    event.save()
    return event


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str

    @property
    def ok(self) -> bool:
        return self.broken_at is None


def verify_chain() -> ChainReport:
    """Recompute every hash in order; name the first record whose hash or link is wrong."""
    previous = GENESIS
    checked = 0
    for event in AuditEvent.objects.order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return ChainReport(checked, event.pk, "link to the previous record is broken")
        if event.compute_hash() != event.hash:
            return ChainReport(checked, event.pk, "content does not match its hash")
        previous = event.hash
        checked += 1
    return ChainReport(checked, None, "")
