"""Withdrawing, versions (a stale decision gets a conflict page) and final years."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import pytest
from django.core.files.uploadedfile import SimpleUploadedFile
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.yearend.models import Closing, Declaration
from kaohe.yearend.selectors import year_end_data
from kaohe.yearend.services import (
    YearEndError,
    closing_of,
    declaration_decide,
    declaration_submit,
    declaration_withdraw,
    evidence_add,
    fault_record,
    window_set,
)
from kaohe.years.finality import YearFinal

from .conftest import World
from .declaration_files import PDF
from .test_declarations_bounds import ACHIEVEMENT


@pytest.fixture(autouse=True)
def evidence_dir(settings: Any, tmp_path: Path) -> Path:
    settings.EVIDENCE_ROOT = tmp_path / "evidence"
    return Path(settings.EVIDENCE_ROOT)


def declared(world: World, content: str = "网格党建") -> Declaration:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    user = world.users["unit_a"]
    return declaration_submit(
        acting_user=user,
        year=world.year,
        unit=user.unit,
        kind="achievement",
        award="innovation",
        level="major",
        content=content,
        description="获评重大创新项目",
    )


def test_a_unit_withdraws_its_pending_declaration_kept_and_audited(world: World) -> None:
    d = declared(world)
    url = reverse("declaration", args=[d.pk])
    page = world.client("unit_a").get(url).content.decode()
    assert 'id="withdraw-declaration"' in page
    other = world.client("unit_b").post(url, {"action": "withdraw", "version": d.version})
    assert other.status_code == 403  # another unit does not even see it
    response = world.client("unit_a").post(url, {"action": "withdraw", "version": d.version})
    assert response.status_code == 302
    d.refresh_from_db()
    assert d.status == Declaration.Status.WITHDRAWN and d.version == 2
    assert d.changed_by == world.users["unit_a"]
    event = AuditEvent.objects.get(action="declaration.withdraw")
    assert event.before["status"] == "pending" and event.after["status"] == "withdrawn"
    # not deleted, not counted, not decidable, not withdrawable twice
    assert Declaration.objects.filter(pk=d.pk).exists()
    assert year_end_data(world.year)["achievements"] == []
    with pytest.raises(YearEndError):
        declaration_decide(
            acting_user=world.users["office"], declaration=d, accept=True, reason="已核对原件"
        )
    again = world.client("unit_a").post(url, {"action": "withdraw", "version": d.version})
    assert again.status_code == 400 and "待认定" in again.content.decode()
    listing = world.client("unit_a").get(reverse("declarations", args=[2014])).content.decode()
    assert "已撤回" in listing


def test_a_decided_declaration_cannot_be_withdrawn(world: World) -> None:
    d = declared(world)
    d = declaration_decide(
        acting_user=world.users["office"], declaration=d, accept=True, reason="已核对原件"
    )
    with pytest.raises(YearEndError):
        declaration_withdraw(acting_user=world.users["unit_a"], declaration=d, version=d.version)
    assert Declaration.objects.get().status == Declaration.Status.ACCEPTED
    assert len(year_end_data(world.year)["achievements"]) == 1


def test_a_decision_on_a_stale_version_gets_a_conflict_page_with_the_newer_state(
    world: World,
) -> None:
    d = declared(world)
    url = reverse("declaration", args=[d.pk])
    office = world.client("office")
    seen = office.get(url).context["decision_form"].initial["version"]
    assert seen == 1
    # meanwhile the unit adds evidence: a new state to decide on
    evidence_add(
        acting_user=world.users["unit_a"], declaration=d, upload=SimpleUploadedFile("a.pdf", PDF)
    )
    response = office.post(
        url, {"action": "decide", "decision": "reject", "reason": "无红头文件", "version": seen}
    )
    assert response.status_code == 409
    page = response.content.decode()
    assert "第 2 版" in page and "unit-a" in page and "a.pdf" in page
    assert "无红头文件" in page  # what the office typed is kept
    d.refresh_from_db()
    assert d.status == Declaration.Status.PENDING and d.version == 2
    # deciding on the version now shown works
    ok = office.post(
        url,
        {"action": "decide", "decision": "accept", "reason": "", "version": 2, "confirmed": "1"},
    )
    assert ok.status_code == 302
    d.refresh_from_db()
    assert d.status == Declaration.Status.ACCEPTED and d.version == 3


def test_two_sessions_deciding_the_same_version_the_second_gets_the_conflict(
    world: World,
) -> None:
    d = declared(world)
    url = reverse("declaration", args=[d.pk])
    first, second = world.client("office"), world.client("office")
    assert (
        first.post(
            url,
            {
                "action": "decide",
                "decision": "accept",
                "version": 1,
                "reason": "已核对原件",
                "confirmed": "1",
            },
        ).status_code
        == 302
    )
    late = second.post(
        url, {"action": "decide", "decision": "reject", "reason": "不符合", "version": 1}
    )
    assert late.status_code == 409
    assert "已认定" in late.content.decode() and "office" in late.content.decode()
    assert Declaration.objects.get().status == Declaration.Status.ACCEPTED
    # a withdrawal based on the old version is a conflict too
    stale = world.client("unit_a").post(url, {"action": "withdraw", "version": 1})
    assert stale.status_code == 409


@pytest.mark.parametrize(
    "data",
    [
        {"action": "decide", "decision": "reject", "reason": "", "version": 1},
        {"action": "decide", "decision": "accept", "version": "abc"},
        {"action": "decide", "decision": "maybe", "version": 1},
        {"action": "decide", "decision": "accept", "version": "9" * 40},
        {"action": "decide", "decision": "reject", "reason": "理由\x00", "version": 1},
    ],
)
def test_a_bad_decision_is_a_field_message(world: World, data: dict[str, Any]) -> None:
    d = declared(world)
    response = world.client("office").post(reverse("declaration", args=[d.pk]), data)
    assert response.status_code == 400 and response.context["decision_form"].errors
    assert Declaration.objects.get().status == Declaration.Status.PENDING


def test_a_final_year_refuses_every_declaration_write(world: World) -> None:
    d = declared(world)
    office, unit_a = world.users["office"], world.users["unit_a"]
    Closing.objects.filter(pk=closing_of(world.year).pk).update(stage=Closing.Stage.FINAL)
    refusals = [
        lambda: declared(world, "另一项"),
        lambda: fault_record(
            acting_user=office,
            year=world.year,
            unit=world.units["S2"],
            fault_type="report_late",
            occurrences=1,
            description="迟报",
        ),
        lambda: declaration_decide(
            acting_user=office, declaration=d, accept=True, reason="已核对原件"
        ),
        lambda: evidence_add(
            acting_user=unit_a, declaration=d, upload=SimpleUploadedFile("a.pdf", PDF)
        ),
        lambda: declaration_withdraw(acting_user=unit_a, declaration=d),
    ]
    for refused in refusals:
        with pytest.raises(YearFinal):
            refused()
    url = reverse("declarations", args=[2014])
    response = world.client("unit_a").post(url, ACHIEVEMENT | {"content": "第三项"})
    assert response.status_code == 400 and "结果已确定" in response.content.decode()
    assert "第三项" in response.content.decode()
    decide = world.client("office").post(
        reverse("declaration", args=[d.pk]),
        {"action": "decide", "decision": "accept", "version": 1, "confirmed": "1"},
    )
    assert decide.status_code == 400 and "结果已确定" in decide.content.decode()
    assert Declaration.objects.count() == 1
    assert Declaration.objects.get().status == Declaration.Status.PENDING
