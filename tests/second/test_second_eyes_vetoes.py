"""Second eyes on vetoes (issue 9 point 6): a veto-level fault stands only once a second
office user has confirmed it; the year's results wait for it."""

from __future__ import annotations

import pytest
from django.urls import reverse

from kaohe.audit.models import AuditEvent
from kaohe.yearend.models import Declaration, VetoConfirmation
from kaohe.yearend.selectors import pending_confirmations, readiness, year_end_result
from kaohe.yearend.services import (
    YearEndError,
    declaration_decide,
    declaration_submit,
    fault_record,
    readiness_problems,
    veto_decide,
    window_set,
)
from tests.web.conftest import World


def record_veto(world: World, who: str = "office", fault_type: str = "cadre_selection"):
    return fault_record(
        acting_user=world.users[who],
        year=world.year,
        unit=world.units["S2"],
        fault_type=fault_type,
        occurrences=1,
        description="违规用人,被通报",
    )


def vetoed(world: World) -> bool:
    return year_end_result(world.year).units["S2"].vetoed


def test_a_recorded_veto_fault_does_not_veto_until_a_second_office_user_confirms(
    world: World,
) -> None:
    d = record_veto(world)
    assert d.status == Declaration.Status.ACCEPTED and not vetoed(world)
    confirmation = d.veto_confirmation
    assert readiness(world.year).pending_vetoes == 1
    assert any("second confirmation" in p for p in readiness_problems(readiness(world.year)))
    with pytest.raises(YearEndError, match="second person"):
        veto_decide(acting_user=world.users["office"], confirmation=confirmation, confirm=True)
    assert not vetoed(world)
    veto_decide(acting_user=world.users["office2"], confirmation=confirmation, confirm=True)
    assert vetoed(world) and readiness(world.year).pending_vetoes == 0
    event = AuditEvent.objects.filter(action="veto.confirm").get()
    assert event.actor_id == world.users["office2"].pk


def test_a_refused_veto_fault_does_not_stand(world: World) -> None:
    d = record_veto(world)
    with pytest.raises(YearEndError, match="reason"):
        veto_decide(
            acting_user=world.users["office2"], confirmation=d.veto_confirmation, confirm=False
        )
    veto_decide(
        acting_user=world.users["office2"],
        confirmation=d.veto_confirmation,
        confirm=False,
        reason="通报对象不是该单位",
    )
    d.refresh_from_db()
    assert d.status == Declaration.Status.REJECTED and d.decision_reason == "通报对象不是该单位"
    assert not vetoed(world) and readiness(world.year).pending_vetoes == 0
    assert AuditEvent.objects.filter(action="veto.refuse", reason="通报对象不是该单位").exists()


def test_a_declared_veto_fault_waits_after_verification(world: World) -> None:
    window_set(acting_user=world.users["office"], year=world.year, open_=True)
    d = declaration_submit(
        acting_user=world.users["unit_b"],
        year=world.year,
        unit=world.units["S2"],
        kind="fault",
        fault_type="major_incident",
        description="发生群体性事件",
    )
    declaration_decide(
        acting_user=world.users["office"], declaration=d, accept=True, reason="已核对原件"
    )
    assert not vetoed(world)
    veto_decide(
        acting_user=world.users["office2"],
        confirmation=VetoConfirmation.objects.get(declaration=d),
        confirm=True,
    )
    assert vetoed(world)


def test_a_general_fault_counts_at_once(world: World) -> None:
    record_veto(world, fault_type="report_late")
    assert not VetoConfirmation.objects.exists()
    assert year_end_result(world.year).units["S2"].f.amount == 1  # 0.5 × 2, undeclared


def test_vetoes_without_second_eyes_is_a_scheme_setting(world: World) -> None:
    import hashlib

    text = world.year.scheme_text + "\nsecond_eyes: {vetoes: false}\n"
    type(world.year).objects.filter(pk=world.year.pk).update(
        scheme_text=text, scheme_sha256=hashlib.sha256(text.encode()).hexdigest()
    )
    world.year.refresh_from_db()
    record_veto(world)
    assert not VetoConfirmation.objects.exists() and vetoed(world)


CAST = ["office", "office2", "leader", "head_org", "assessor_org", "unit_a", "unit_b"]


@pytest.mark.parametrize("who", CAST)
def test_only_another_office_user_confirms_a_veto(world: World, who: str) -> None:
    d = record_veto(world)
    url = reverse("veto-confirm", args=[d.veto_confirmation.pk])
    response = world.client(who).post(url)
    status = VetoConfirmation.objects.get(pk=d.veto_confirmation.pk).status
    assert (status == "confirmed") == (who == "office2"), who
    if who in ("office", "office2"):
        assert response.status_code == 302  # office: refused with a message (self)
    else:
        assert response.status_code == 403, who


@pytest.mark.parametrize("who", CAST)
def test_only_another_office_user_refuses_a_veto(world: World, who: str) -> None:
    d = record_veto(world)
    url = reverse("veto-refuse", args=[d.veto_confirmation.pk])
    world.client(who).post(url, {"reason": "证据不足"})
    status = VetoConfirmation.objects.get(pk=d.veto_confirmation.pk).status
    assert (status == "refused") == (who == "office2"), who


def test_the_queue_lists_a_waiting_veto_for_the_office(world: World) -> None:
    d = record_veto(world)
    assert [v.pk for v in pending_confirmations(world.users["office2"]).vetoes] == [
        d.veto_confirmation.pk
    ]
    assert not pending_confirmations(world.users["head_org"]).vetoes
    page = world.client("office2").get(reverse("confirmations")).content.decode()
    assert "违规用人" in page and reverse("veto-confirm", args=[d.veto_confirmation.pk]) in page
    own = world.client("office").get(reverse("confirmations")).content.decode()
    assert "违规用人" in own and reverse("veto-confirm", args=[d.veto_confirmation.pk]) not in own


def test_a_final_year_takes_no_confirmation(world: World) -> None:
    from kaohe.monthly.services import CycleError, deduction_confirm, entry_save
    from kaohe.yearend.models import Closing

    d = record_veto(world)
    entry = entry_save(
        acting_user=world.users["assessor_org"],
        sheet=world.sheet("org"),
        unit=world.units["S1"],
        item="10",
        values={"deduction": "6"},
        reason="未落实",
    )
    Closing.objects.create(year=world.year, stage=Closing.Stage.FINAL)
    response = world.client("office2").post(
        reverse("veto-confirm", args=[d.veto_confirmation.pk]), follow=True
    )
    assert response.status_code == 200 and "2014" in response.content.decode()
    assert VetoConfirmation.objects.get().status == "pending"
    with pytest.raises(CycleError):
        deduction_confirm(acting_user=world.users["office"], confirmation=entry.confirmation)
    response = world.client("office").post(
        reverse("deduction-confirm", args=[entry.confirmation.pk])
    )
    assert response.status_code == 302 and entry.confirmation.__class__.objects.get().status == (
        "pending"
    )
