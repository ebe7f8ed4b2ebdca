"""``{% office_charts year %}``: the office home's charts, self-contained (one line in home)."""

from __future__ import annotations

from typing import Any

from django import template

from kaohe.web.charts import office_charts as charts_for
from kaohe.years.models import Year

register = template.Library()


@register.inclusion_tag("web/_chart_office.html")
def office_charts(year: Year | None) -> dict[str, Any]:
    return {"charts": charts_for(year) if year is not None else []}
