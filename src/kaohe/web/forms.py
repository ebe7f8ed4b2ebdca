"""Small forms; the services validate what the forms cannot."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.engine import builtin_names
from kaohe.monthly.models import EscalationCase


class YearCreateForm(forms.Form):
    builtin = forms.ChoiceField(label=_("Built-in scheme"), required=False)
    upload = forms.FileField(
        label=_("Or upload a scheme file (YAML) or a rubric (.xlsx)"), required=False
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["builtin"].choices = [("", "—")] + [(n, n) for n in builtin_names()]  # type: ignore[attr-defined]

    def clean(self) -> dict[str, object]:
        data = super().clean() or {}
        if bool(data.get("builtin")) == bool(data.get("upload")):
            raise forms.ValidationError(_("Choose a built-in scheme or upload a file, not both."))
        upload = data.get("upload")
        if upload is not None and getattr(upload, "size", 0) > 2_000_000:
            raise forms.ValidationError(_("A scheme file is at most 2 MB."))
        return data


class OpenMonthForm(forms.Form):
    month = forms.IntegerField(label=_("Month"), min_value=1, max_value=12)
    due_date = forms.DateField(
        label=_("Due date"),
        required=False,
        help_text=_("Empty: the 10th of the next month."),
        widget=forms.DateInput(attrs={"type": "date"}),
    )


class ReturnForm(forms.Form):
    reason = forms.CharField(label=_("Reason for return"), widget=forms.Textarea(attrs={"rows": 2}))


class EscalationForm(forms.Form):
    status = forms.ChoiceField(label=_("Status"), choices=EscalationCase.Status.choices)
    notes = forms.CharField(
        label=_("Notes"), required=False, widget=forms.Textarea(attrs={"rows": 2})
    )
