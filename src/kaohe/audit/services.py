"""Writing, verifying and anchoring the audit chain."""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass, replace
from typing import Any

from django.db import DEFAULT_DB_ALIAS, models, transaction
from django.utils import timezone

from .chain import GENESIS, KEYED, PLAIN, head_mac
from .models import AuditEvent, AuditHead

__all__ = ["GENESIS", "anchor_line", "anchor_text", "record", "verify_chain"]


def _seal(head: AuditHead) -> None:
    head.mac = head_mac(head.count, head.last_id, head.last_hash, head.legacy_last_id)


def _locked_head() -> AuditHead:
    """The chain head, locked until the caller's transaction ends. A missing head is created
    only for an empty chain (a fresh or flushed database); with events present it means the
    head was removed, and writing on would hide that."""
    head = AuditHead.objects.select_for_update().filter(pk=1).first()
    if head is not None:
        return head
    if AuditEvent.objects.exists():
        # a first writer may have committed the head with its event between our two reads
        # (they commit together, so events seen means its head is visible now)
        head = AuditHead.objects.select_for_update().filter(pk=1).first()
        if head is not None:
            return head
        raise RuntimeError("the audit chain head is missing: run `kaohe audit verify`")
    fresh = AuditHead(pk=1)
    _seal(fresh)
    with transaction.atomic():  # a concurrent creator wins; we then wait for its lock
        AuditHead.objects.bulk_create([fresh], ignore_conflicts=True)
    return AuditHead.objects.select_for_update().get(pk=1)


def record(
    *,
    acting_user: Any,
    action: str,
    obj: models.Model | tuple[str, str],
    before: Any = None,
    after: Any = None,
    reason: str = "",
) -> AuditEvent:
    """Append one event in the caller's transaction. The head row is locked first, so every
    append waits for the previous one to commit and links to it (PostgreSQL and SQLite)."""
    if not transaction.get_connection().in_atomic_block:
        raise RuntimeError("audit.record must run inside the change's transaction")
    if isinstance(obj, tuple):
        object_type, object_id = obj
    else:
        object_type, object_id = obj._meta.label_lower, str(obj.pk)
    head = _locked_head()
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
        prev_hash=head.last_hash,
        algo=KEYED,
    )
    event.hash = event.compute_hash()
    event.save()
    head.count += 1
    head.last_id = event.pk
    head.last_hash = event.hash
    _seal(head)
    head.save()
    return event


@dataclass(frozen=True)
class Anchor:
    """One line of an anchor file: the chain had ``count`` events, the last ``last_id``."""

    count: int
    last_id: int
    hash: str
    line_no: int = 0


@dataclass(frozen=True)
class ChainReport:
    checked: int
    broken_at: int | None
    problem: str
    problem_zh: str = ""
    truncated: bool = False
    anchors: int = 0

    @property
    def ok(self) -> bool:
        return self.broken_at is None and not self.problem

    def verdict(self) -> str:
        """One bilingual line for the CLI."""
        if self.ok:
            anchored = f",{self.anchors} 个锚点一致" if self.anchors else ""
            return f"审计链完整:{self.checked} 条记录{anchored}。audit chain intact: {self.checked} records"
        where = f"#{self.broken_at}" if self.broken_at is not None else ""
        return (
            f"审计链被破坏{(':记录 ' + where) if where else ''} — {self.problem_zh}"
            f"(此前 {self.checked} 条已核对)。audit chain broken at record {where}: "
            f"{self.problem} ({self.checked} records verified before it)"
        )


def _broken(checked: int, at: int | None, en: str, zh: str, **kw: Any) -> ChainReport:
    return ChainReport(checked, at, en, zh, **kw)


def verify_chain(anchors: Iterable[Anchor] = (), *, using: str = DEFAULT_DB_ALIAS) -> ChainReport:
    """Recompute every hash in order and compare the tail with the head; name the first record
    whose hash or link is wrong, a deleted tail, or an anchor the chain no longer extends.
    The head is locked while reading, so concurrent writers cannot make the tail look moved."""
    wanted = {a.count: a for a in anchors}
    given = len(wanted)
    with transaction.atomic(using=using):
        head = AuditHead.objects.using(using).select_for_update().filter(pk=1).first()
        report = _walk(head, wanted, using)
    return replace(report, anchors=given) if report.ok else report


def _walk(head: AuditHead | None, wanted: dict[int, Anchor], using: str) -> ChainReport:
    legacy_last_id = head.legacy_last_id if head else 0
    previous, checked, last_id = GENESIS, 0, None
    for event in AuditEvent.objects.using(using).order_by("id").iterator(chunk_size=2000):
        if event.prev_hash != previous:
            return _broken(
                checked,
                event.pk,
                "link to the previous record is broken",
                "与前一条记录的链接断开(有记录被删除或插入)",
            )
        if event.algo != KEYED and not (event.algo == PLAIN and event.pk <= legacy_last_id):
            return _broken(
                checked, event.pk, "record is not keyed", "记录未用密钥签名(疑被重新计算)"
            )
        if event.compute_hash() != event.hash:
            return _broken(
                checked,
                event.pk,
                "content does not match its hash",
                "内容与其哈希不符(记录被修改,或被不知密钥者重算)",
            )
        previous, last_id = event.hash, event.pk
        checked += 1
        anchor = wanted.pop(checked, None)
        if anchor is not None and (anchor.last_id != event.pk or anchor.hash != event.hash):
            return _broken(
                checked,
                event.pk,
                f"differs from anchor line {anchor.line_no} (#{anchor.last_id})",
                f"与锚点文件第 {anchor.line_no} 行(#{anchor.last_id})不符",
            )
    if head is None:
        if checked:
            return _broken(checked, None, "the chain head is missing", "链头记录缺失")
        return ChainReport(0, None, "")
    if head.mac != head_mac(head.count, head.last_id, head.last_hash, head.legacy_last_id):
        return _broken(checked, None, "the chain head was altered", "链头记录被改动")
    if checked < head.count:
        return _broken(
            checked,
            head.last_id,
            f"the last {head.count - checked} record(s) were deleted (the head names "
            f"#{head.last_id} as record {head.count})",
            f"末尾 {head.count - checked} 条记录被删除(链头记载第 {head.count} 条为 "
            f"#{head.last_id})",
            truncated=True,
        )
    if checked > head.count or last_id != head.last_id or previous != head.last_hash:
        return _broken(
            checked,
            last_id,
            "the table's last record is not the one the head names",
            "表中最后一条记录与链头记载不一致",
        )
    if wanted:
        lost = min(wanted.values(), key=lambda a: a.count)
        return _broken(
            checked,
            lost.last_id,
            f"anchor line {lost.line_no} names record {lost.count}, beyond the chain",
            f"锚点文件第 {lost.line_no} 行记载的第 {lost.count} 条记录已不在链中",
            truncated=True,
        )
    return ChainReport(checked, None, "")


# -- anchoring ---------------------------------------------------------------------------

ANCHOR_RE = re.compile(r"count=(\d+)\s+last=#?(\d+)\s+hash=([0-9a-f]{64})")


def _head() -> AuditHead | None:
    return AuditHead.objects.filter(pk=1).first()


def anchor_line() -> str:
    """The head as one line for an anchor file: count, last id, hash and the time now."""
    head = _head()
    now = timezone.localtime().isoformat(timespec="seconds")
    if head is None or not head.count:
        return f"审计链 count=0 last=#0 hash={GENESIS} at={now}"
    return f"审计链 count={head.count} last=#{head.last_id} hash={head.last_hash} at={now}"


def read_anchors(lines: Iterable[str]) -> list[Anchor]:
    """Parse an anchor file; lines that name no head (comments, blanks) are skipped."""
    anchors = []
    for number, line in enumerate(lines, start=1):
        match = ANCHOR_RE.search(line)
        if match and int(match[1]):
            anchors.append(Anchor(int(match[1]), int(match[2]), match[3], number))
    return anchors


def anchor_text() -> str:
    """A short line to print on notices and exports, e.g. "审计链 #1234 3f2a9c1b0d7e…
    (2026-11-25 14:00)": the event count, the head hash and the time of the last event."""
    head = _head()
    if head is None or head.last_id is None:
        return "审计链 #0"
    last = AuditEvent.objects.filter(pk=head.last_id).values_list("at", flat=True).first()
    when = f"({timezone.localtime(last):%Y-%m-%d %H:%M})" if last else ""
    return f"审计链 #{head.count} {head.last_hash[:12]}…{when}"
