"""The office's calendar forms, bounded by ``engine.limits``."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.web.fields import LineField

from .models import CalendarDay

VERSION_MAX = 2**31 - 1


class CalendarDayForm(forms.Form):
    date = forms.DateField(
        label=_("Date"),
        # a date input takes ISO dates only, whatever the language's date format
        widget=forms.DateInput(format="%Y-%m-%d", attrs={"type": "date"}),
    )
    kind = forms.ChoiceField(label=_("Kind"), choices=CalendarDay.Kind.choices)
    note = LineField(
        label=_("Note"),
        required=False,
        help_text=_(
            "For example: the State Council General Office's notice on the holidays of 2027."
        ),
    )
    # the version of the entry being changed; empty when a new date is entered
    version = forms.IntegerField(
        required=False, min_value=1, max_value=VERSION_MAX, widget=forms.HiddenInput
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("date", "note"):
            self.fields[name].widget.attrs["class"] = "form-control"
        self.fields["kind"].widget.attrs["class"] = "form-select"

    def clean_date(self) -> dt.date:
        day: dt.date = self.cleaned_data["date"]
        if not limits.YEAR_MIN <= day.year <= limits.YEAR_MAX:
            raise forms.ValidationError(
                _("Enter a date between %(first)s and %(last)s."),
                params={"first": limits.YEAR_MIN, "last": limits.YEAR_MAX},
            )
        return day


class RemoveForm(forms.Form):
    entry = forms.IntegerField(min_value=1, max_value=VERSION_MAX, widget=forms.HiddenInput)
    version = forms.IntegerField(min_value=1, max_value=VERSION_MAX, widget=forms.HiddenInput)


class EditForm(forms.Form):
    """Which entry the page opens for a change (``?edit=<id>``)."""

    edit = forms.IntegerField(min_value=1, max_value=VERSION_MAX)
