"""A year ready for its closing: every month accepted, the evaluation held and closed."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from kaohe.monthly.models import Sheet
from kaohe.monthly.services import cycle_open
from kaohe.yearend.models import Closing, Evaluation
from kaohe.yearend.services import (
    closing_compute,
    closing_publish,
    closing_review,
    closing_submit,
    evaluation_close,
    evaluation_open,
)

from .conftest import World


def accept_months(world: World, months: range = range(1, 13)) -> None:
    """Open the missing months and mark every sheet accepted (set-up, as the demo does:
    scoring every cell through the services would only slow the tests down)."""
    office = world.users["office"]
    opened = set(world.year.cycles.values_list("month", flat=True))
    for month in months:
        if month not in opened:
            cycle_open(acting_user=office, year=world.year, month=month)
    Sheet.objects.filter(cycle__year=world.year, cycle__month__in=list(months)).update(
        status=Sheet.Status.ACCEPTED, decided_at=timezone.now()
    )


def close_evaluation(world: World) -> Evaluation:
    office = world.users["office"]
    evaluation = Evaluation.objects.filter(year=world.year).first() or evaluation_open(
        acting_user=office, year=world.year
    )
    if evaluation.status == Evaluation.Status.OPEN:
        evaluation = evaluation_close(acting_user=office, evaluation=evaluation)
    return evaluation


def make_ready(world: World) -> None:
    accept_months(world)
    close_evaluation(world)


def publish(world: World, today: dt.date) -> Closing:
    """Compute, submit, approve and publish the year's results."""
    office = world.users["office"]
    closing_compute(acting_user=office, year=world.year)
    closing_submit(acting_user=office, year=world.year)
    closing_review(acting_user=world.users["leader"], year=world.year, approve=True, comment="同意")
    return closing_publish(acting_user=office, year=world.year, today=today)
