"""The audit chain: every change is recorded, and tampering is found and named."""

from __future__ import annotations

from itertools import pairwise

import pytest
from django.core.management import call_command
from django.core.management.base import CommandError
from django.db import transaction

from kaohe.audit.models import AuditEvent
from kaohe.audit.services import record, verify_chain
from kaohe.cli import main
from kaohe.monthly.services import entry_save

from .conftest import World


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
