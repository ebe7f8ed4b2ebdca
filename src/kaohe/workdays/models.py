"""The office's own calendar entries: extra holidays and extra working days."""

from __future__ import annotations

from typing import Any

from django.conf import settings
from django.db import models
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.web.fields import line_validator

from .calendar import Kind


class CalendarDay(models.Model):
    """One date the office sets as a holiday or a working day, over the built-in calendar.

    One row per date. Removing an entry marks it removed (the package's reading applies
    again); entering the date again brings the row back. Rows are never deleted."""

    class Kind(models.TextChoices):
        HOLIDAY = Kind.HOLIDAY.value, _("holiday (no work)")
        WORKDAY = Kind.WORKDAY.value, _("working day (调休)")

    date = models.DateField(_("date"), unique=True)
    kind = models.CharField(_("kind"), max_length=16, choices=Kind.choices)
    note = models.CharField(
        _("note"), max_length=limits.LINE_MAX, blank=True, validators=[line_validator]
    )
    removed = models.BooleanField(_("removed"), default=False)
    version = models.PositiveIntegerField(default=1)
    updated_by = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.PROTECT, related_name="+", verbose_name=_("changed by")
    )
    updated_at = models.DateTimeField(_("changed"), auto_now=True)

    class Meta:
        verbose_name = _("calendar entry")
        verbose_name_plural = _("calendar entries")
        ordering = ["date"]

    def __str__(self) -> str:
        return f"{self.date.isoformat()} {self.get_kind_display()}"

    def delete(self, *args: Any, **kwargs: Any) -> tuple[int, dict[str, int]]:
        raise ValueError("calendar entries are never deleted; mark them removed")
