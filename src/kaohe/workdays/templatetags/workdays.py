"""Calendar notes on the pages where the office fixes a date: opening a month (its due date)
and publishing the notice (its end). ``{% load workdays %}``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import template
from django.utils import timezone

from kaohe.years.models import Year

from ..selectors import add_working_days, month_due, unknown_year_warning, work_calendar

register = template.Library()


@register.inclusion_tag("web/workdays_due.html")
def workdays_due(year: Year) -> dict[str, Any]:
    """The due date a month opened now gets by default, and a warning for every month not
    yet open whose due date falls in a year of unknown holidays."""
    calendar = work_calendar()
    due_day = year.scheme.procedure.due_day
    opened = set(year.cycles.values_list("month", flat=True))
    waiting = [m for m in range(1, 13) if m not in opened]
    dues = {m: month_due(year.year, m, due_day, calendar=calendar) for m in waiting}
    warnings = list(dict.fromkeys(w for a in dues.values() for w in a.warnings))
    affected = [(m, a.date) for m, a in dues.items() if a.warnings]
    return {
        "next": (waiting[0], dues[waiting[0]].date) if waiting else None,
        "due_day": due_day,
        "warnings": warnings,
        "affected": affected,
    }


@register.inclusion_tag("web/workdays_notice.html")
def workdays_notice(year: Year, closing: Any) -> dict[str, Any]:
    """Before publication: the day the notice period would end if published today. After:
    a warning when the period ran through a year of unknown holidays."""
    days = year.scheme.procedure.notice_working_days
    if closing.stage == "approved":
        answer = add_working_days(timezone.localdate(), days)
        return {"ends_on": answer.date, "days": days, "warnings": answer.warnings}
    if closing.stage == "published" and closing.published_at and closing.notice_ends_on:
        start = timezone.localdate(closing.published_at)
        span = (start + dt.timedelta(days=n) for n in range((closing.notice_ends_on - start).days))
        unknown = work_calendar().unknown_years(d + dt.timedelta(days=1) for d in span)
        return {"warnings": [unknown_year_warning(y) for y in unknown]}
    return {}
