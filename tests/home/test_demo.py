"""The demo tells one story in one time (issue 10 point 9): its 2015 lives in 2015, its 2014
evaluation shows the ballots its explanations count, and its months agree with their sheets."""

from __future__ import annotations

import datetime as dt

import axes.attempts
import pytest
from django.db.models import Sum
from django.urls import reverse
from django.utils import timezone

from kaohe.engine import explain_unit
from kaohe.monthly.models import Cycle, Sheet
from kaohe.monthly.services import mark_rest_clean, sheet_submit
from kaohe.people.models import User
from kaohe.web import demo
from kaohe.web.todo import todo_for
from kaohe.yearend.models import BallotCode, Tally
from kaohe.yearend.selectors import year_end_result
from kaohe.years.models import Year


@pytest.mark.django_db
def test_the_demo_lives_in_2015_counts_its_real_ballots_and_settles_its_months(
    monkeypatch: pytest.MonkeyPatch, client
) -> None:  # type: ignore[no-untyped-def]
    monkeypatch.setattr(timezone, "now", timezone.now)  # restored after the test
    monkeypatch.setattr(axes.attempts, "now", axes.attempts.now)
    monkeypatch.delenv("KAOHE_DEMO_CLOCK", raising=False)
    start = demo.demo_clock_start()  # as `kaohe manage load_demo` does, before loading
    assert start is not None
    assert timezone.localdate() == dt.date(2015, 7, 8)
    demo.load_demo()

    # one time: nothing is late on 8 July 2015, June's sheets are due on the 10th
    office = User.objects.get(username="office")
    current = Year.objects.get(year=2015)
    tasks = {t.key: t for t in todo_for(office, current).office}
    assert tasks["late-departments"].count == 0
    assert tasks["sheets-to-accept"].count == 2
    assessor = User.objects.get(username="assessor-talent")
    june = Sheet.objects.get(cycle__year=current, cycle__month=6, department=assessor.department)
    mark_rest_clean(acting_user=assessor, sheet=june)
    june = sheet_submit(acting_user=assessor, sheet=june)
    assert june.late is False
    assert timezone.localtime(june.submitted_at).date() == dt.date(2015, 7, 8)
    # a restart keeps the clock where it was: it does not jump back nor to the machine's date
    again = demo.demo_clock_start()
    assert again is not None and start <= again < start + dt.timedelta(minutes=10)

    # months agree with their sheets: every accepted month is closed, June is open
    states = dict(
        Cycle.objects.filter(year=current).values_list("month", "status").order_by("month")
    )
    assert states == {1: "closed", 2: "closed", 3: "closed", 4: "closed", 5: "closed", 6: "open"}
    assert set(Cycle.objects.filter(year__year=2014).values_list("status", flat=True)) == {"closed"}

    # the 2014 evaluation: 10, 15 and 25 codes issued and used, each ballot rating every unit
    done = Year.objects.get(year=2014)
    codes = {
        group: (
            BallotCode.objects.filter(evaluation__year=done, group=group).count(),
            BallotCode.objects.filter(
                evaluation__year=done, group=group, used_at__isnull=False
            ).count(),
        )
        for group in demo.BALLOTS
    }
    assert codes == {"leaders": (10, 10), "departments": (15, 15), "served": (25, 25)}
    per_unit = {
        (row["unit__code"], row["group"]): row["n"]
        for row in Tally.objects.filter(evaluation__year=done)
        .values("unit__code", "group")
        .annotate(n=Sum("count"))
    }
    assert len(per_unit) == 60 * 3
    assert all(n == demo.BALLOTS[group] for (_unit, group), n in per_unit.items())
    text = str(explain_unit(year_end_result(done), "S01").to_dict())
    assert "有效票10张" in text and "有效票15张" in text and "有效票25张" in text
    client.force_login(office)
    page = client.get(reverse("evaluation", args=[2014])).content.decode()
    assert "<td>10</td><td>10</td><td>0</td>" in page
    assert "<td>25</td><td>25</td><td>0</td>" in page
