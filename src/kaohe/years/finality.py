"""Finality (结果确定): once a year's results are final, nothing that feeds them may change.

Every service that writes a fact of a year (a score, a correction, a declaration, a fault,
a ballot) calls ``refuse_if_final`` inside its transaction. Reopening a final year is an
office action in the year-end services.
"""

from __future__ import annotations

from django.apps import apps
from django.utils.translation import gettext as _

from .models import Year


class YearFinal(ValueError):
    """A write refused because the year's results are final."""


def year_is_final(year: Year) -> bool:
    closing_model = apps.get_model("yearend", "Closing")
    return bool(closing_model.objects.filter(year=year, stage="final").exists())


def refuse_if_final(year: Year) -> None:
    if year_is_final(year):
        raise YearFinal(
            _(
                "The results of %(year)s are final: nothing that feeds them can change. "
                "The office may reopen the year, with a reason."
            )
            % {"year": year.year}
        )
