"""The audit chain: every change is recorded, and tampering is found and named."""

from __future__ import annotations

import hashlib
import importlib
import io
import threading
from itertools import pairwise
from pathlib import Path
from types import SimpleNamespace
from typing import Any

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import connection, transaction

from kaohe.audit.chain import GENESIS, PLAIN, canonical, head_mac
from kaohe.audit.models import AuditEvent, AuditHead
from kaohe.audit.services import anchor_text, record, verify_chain
from kaohe.cli import main
from kaohe.monthly.services import entry_save

from .conftest import World

create_head = importlib.import_module(
    "kaohe.audit.migrations.0003_keyed_chain_and_head"
).create_head


def test_changes_are_chained_and_the_chain_verifies(world: World) -> None:
    entry_save(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        unit=world.units["S1"],
        item="2",
        values={"count": 1},
        reason="1村未换届",
    )
    events = list(AuditEvent.objects.order_by("id"))
    assert [e.action for e in events] == ["year.create", "cycle.open", "entry.save"]
    assert events[-1].after["values"] == {"count": 1} and events[-1].actor_name == "org"
    assert all(b.prev_hash == a.hash for a, b in pairwise(events))
    assert verify_chain().ok and verify_chain().checked == 3


def test_an_edited_record_is_named(world: World, capsys: pytest.CaptureFixture[str]) -> None:
    event = AuditEvent.objects.get(action="cycle.open")
    AuditEvent.objects.filter(pk=event.pk).update(reason="changed behind our back")
    report = verify_chain()
    assert report.broken_at == event.pk and "hash" in report.problem
    with pytest.raises(CommandError, match=f"#{event.pk}"):
        call_command("verify_audit")
    assert main(["audit", "verify"]) == 1
    assert f"#{event.pk}" in capsys.readouterr().err


def test_a_removed_record_breaks_the_link(world: World) -> None:
    first, second = AuditEvent.objects.order_by("id")[:2]
    AuditEvent.objects.filter(pk=first.pk)._raw_delete(AuditEvent.objects.db)  # type: ignore[attr-defined]
    report = verify_chain()
    assert report.broken_at == second.pk and "link" in report.problem


def test_events_cannot_be_changed_or_deleted_through_the_model(world: World) -> None:
    event = AuditEvent.objects.first()
    assert event is not None
    with pytest.raises(ValueError, match="append-only"):
        event.save()
    with pytest.raises(ValueError, match="append-only"):
        event.delete()


def test_record_refuses_to_run_outside_the_changes_transaction(transactional_db: None) -> None:
    with pytest.raises(RuntimeError):
        record(acting_user=None, action="x", obj=("t", "1"))
    with transaction.atomic():
        record(acting_user=None, action="x", obj=("t", "1"))
    assert verify_chain().ok


def test_role_changes_in_set_up_are_audited(world: World) -> None:
    from django.test import Client
    from django.urls import reverse

    from kaohe.people.models import User

    admin = User.objects.create_superuser("root", password="x-very-long-pass", is_office=True)
    client = Client()
    client.force_login(admin)
    user = world.users["unit_b"]
    url = reverse("admin:people_user_change", args=[user.pk])
    page = client.get(url)
    assert page.status_code == 200
    form = page.context["adminform"].form
    data = {
        k: v for k, v in form.initial.items() if v is not None and not isinstance(v, list | tuple)
    }
    data.update(
        {
            "username": user.username,
            "is_leader": "on",
            "date_joined_0": "2014-01-01",
            "date_joined_1": "00:00:00",
            "unit": str(user.unit_id),
        }
    )
    data.pop("password", None)
    data.pop("last_login", None)
    data.pop("date_joined", None)
    response = client.post(url, data)
    assert response.status_code == 302, response.content.decode()[:2000]
    event = AuditEvent.objects.filter(action="user.roles").last()
    assert event is not None
    assert event.before["is_leader"] is False and event.after["is_leader"] is True


# -- concurrency, truncation, keying, anchoring ------------------------------------------


def _append(n: int, action: str = "t.write") -> list[AuditEvent]:
    events = []
    for i in range(n):
        with transaction.atomic():
            events.append(record(acting_user=None, action=action, obj=("t", str(i))))
    return events


def test_six_writers_racing_for_ten_rounds_keep_one_chain(transactional_db: None) -> None:
    """Six threads (assessors of three departments) save at the same moment, ten rounds: every
    event links to the one before it, no two to the same predecessor (SQLite and PostgreSQL)."""
    from django.db import connection, connections
    from django.db.models import Count

    writers, rounds = 6, 10
    barrier = threading.Barrier(writers)
    errors: list[BaseException] = []

    def writer(n: int) -> None:
        try:
            for r in range(rounds):
                barrier.wait(timeout=60)
                with transaction.atomic():
                    record(
                        acting_user=None,
                        action="entry.save",
                        obj=("monthly.sheet", f"dept{n % 3}"),
                        after={"writer": n, "round": r},
                    )
        except BaseException as exc:  # reported to the main thread below
            errors.append(exc)
            barrier.abort()
        finally:
            connections.close_all()

    threads = [threading.Thread(target=writer, args=(n,)) for n in range(writers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert not errors, errors
    assert AuditEvent.objects.count() == writers * rounds
    forks = AuditEvent.objects.values("prev_hash").annotate(n=Count("id")).filter(n__gt=1)
    assert list(forks) == []
    report = verify_chain()
    assert report.ok and report.checked == writers * rounds, report.verdict()
    assert connection.vendor in ("sqlite", "postgresql")


def test_a_deleted_tail_is_reported(db: None, capsys: pytest.CaptureFixture[str]) -> None:
    events = _append(5)
    with connection.cursor() as cursor:
        cursor.execute(
            "DELETE FROM audit_auditevent WHERE id >= %s", [events[3].pk]
        )  # bypasses the model, as someone with database access would
    report = verify_chain()
    assert not report.ok and report.truncated and report.broken_at == events[4].pk
    assert main(["audit", "verify"]) == 1
    err = capsys.readouterr().err
    assert "末尾 2 条记录被删除" in err and f"#{events[4].pk}" in err


def test_a_row_rehashed_without_the_key_is_reported(db: None, settings: Any) -> None:
    events = _append(4)
    victim = events[1]
    settings.KAOHE_AUDIT_KEY = "a-guess-at-the-key"  # the forger re-hashes the rest
    previous = events[0].hash
    for event in AuditEvent.objects.filter(pk__gte=victim.pk).order_by("id"):
        if event.pk == victim.pk:
            event.reason = "rewritten"
        event.prev_hash = previous
        event.hash = event.compute_hash()
        AuditEvent.objects.filter(pk=event.pk).update(
            reason=event.reason, prev_hash=event.prev_hash, hash=event.hash
        )
        previous = event.hash
    head = AuditHead.objects.get()
    AuditHead.objects.filter(pk=1).update(
        last_hash=previous, mac=head_mac(head.count, head.last_id, previous, head.legacy_last_id)
    )
    settings.KAOHE_AUDIT_KEY = "kaohe-development-audit-key-not-for-production"
    report = verify_chain()
    assert report.broken_at == victim.pk and "hash" in report.problem


def test_a_row_rehashed_as_plain_sha256_is_reported(db: None) -> None:
    events = _append(3)
    victim = AuditEvent.objects.get(pk=events[2].pk)
    victim.reason, victim.algo = "rewritten", PLAIN
    AuditEvent.objects.filter(pk=victim.pk).update(
        reason=victim.reason, algo=PLAIN, hash=victim.compute_hash()
    )
    report = verify_chain()
    assert report.broken_at == victim.pk and "keyed" in report.problem


def test_a_moved_back_head_is_reported(db: None) -> None:
    events = _append(3)
    AuditHead.objects.filter(pk=1).update(count=2, last_id=events[1].pk, last_hash=events[1].hash)
    assert "head" in verify_chain().problem


def test_chains_written_before_the_key_still_verify(transactional_db: None) -> None:
    """Events hashed with plain SHA-256 (before this change) are kept as they are; the
    migration's head marks where they end, and keyed events follow on."""
    from django.apps import apps
    from django.utils import timezone

    previous = GENESIS
    legacy = []
    for i in range(3):
        event = AuditEvent(
            at=timezone.now(), actor_name="system", action="old", object_type="t",
            object_id=str(i), prev_hash=previous, algo=PLAIN,
        )  # fmt: skip
        event.hash = hashlib.sha256(canonical(event.payload())).hexdigest()
        event.save()
        legacy.append(event)
        previous = event.hash
    AuditHead.objects.all().delete()

    class Editor:
        connection = connection

    create_head(apps, Editor())
    assert verify_chain().ok and verify_chain().checked == 3
    _append(2)
    assert verify_chain().ok and verify_chain().checked == 5
    # an edited legacy row, the legacy part re-hashed: the first keyed event no longer links
    AuditEvent.objects.filter(pk=legacy[1].pk).update(reason="edited")
    previous = legacy[0].hash
    for event in AuditEvent.objects.filter(pk__in=[legacy[1].pk, legacy[2].pk]).order_by("id"):
        event.prev_hash = previous
        event.hash = hashlib.sha256(canonical(event.payload())).hexdigest()
        AuditEvent.objects.filter(pk=event.pk).update(prev_hash=event.prev_hash, hash=event.hash)
        previous = event.hash
    report = verify_chain()
    assert not report.ok and report.broken_at == legacy[2].pk + 1 and "link" in report.problem


def test_anchors_are_checked_by_verify(
    db: None, tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    anchors = tmp_path / "anchors.txt"
    events = _append(3)
    assert main(["audit", "anchor", "-o", str(anchors)]) == 0
    _append(2)
    assert main(["audit", "anchor", "-o", str(anchors)]) == 0
    lines = anchors.read_text("utf-8").splitlines()
    assert len(lines) == 2 and f"count=3 last=#{events[2].pk} hash={events[2].hash}" in lines[0]
    capsys.readouterr()
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 0
    assert "审计链完整:5 条记录,2 个锚点一致" in capsys.readouterr().out
    # someone holding the key rebuilds the tail from record 3 on: the chain verifies alone,
    # the anchors kept outside the database do not
    AuditEvent.objects.filter(pk__gte=events[2].pk)._raw_delete(AuditEvent.objects.db)  # type: ignore[attr-defined]
    head = AuditHead.objects.get()
    head.count, head.last_id, head.last_hash = 2, events[1].pk, events[1].hash
    head.mac = head_mac(head.count, head.last_id, head.last_hash, head.legacy_last_id)
    head.save()
    _append(3, action="t.forged")
    assert verify_chain().ok
    assert main(["audit", "verify", "--anchor", str(anchors)]) == 1
    assert "锚点文件第 1 行" in capsys.readouterr().err


def test_the_anchor_text_is_printed_on_notices_and_exports(db: None) -> None:
    from django.template.loader import render_to_string
    from openpyxl import load_workbook

    from kaohe.yearend.exports import use_workbook

    _append(2)
    text = anchor_text()
    head = AuditHead.objects.get()
    assert text.startswith(f"审计链 #2 {head.last_hash[:12]}…(")
    book = load_workbook(
        io.BytesIO(
            use_workbook(SimpleNamespace(year=2014), {"units": {}, "tables": [], "escalations": []})
        )
    )  # type: ignore[arg-type]
    assert text in [c.value for row in book.active.iter_rows() for c in row]
    html = render_to_string(
        "web/notice_pdf.html",
        {"year": SimpleNamespace(year=2014, title="t"), "closing": None, "tables": []},
    )
    assert text in html
