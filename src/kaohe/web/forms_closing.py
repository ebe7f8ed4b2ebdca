"""Forms of the closing pages: the results actions, objections, the recognition evaluation
and the ballot. Every field is bounded by ``web.fields``; the services check the rest."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.people.models import Unit
from kaohe.yearend.models import Objection
from kaohe.years.models import Year

from .fields import TextField

# a version or a primary key: any positive 32-bit integer (no larger value can be stored)
ID_MAX = 2**31 - 1


class ResultsForm(forms.Form):
    """One action on the results page, with the closing version the page showed."""

    ACTIONS = (
        "compute",
        "submit",
        "approve",
        "return",
        "publish",
        "finalize",
        "reopen",
        "answer",
    )

    action = forms.ChoiceField(choices=[(a, a) for a in ACTIONS])
    version = forms.IntegerField(min_value=0, max_value=ID_MAX, widget=forms.HiddenInput)
    comment = TextField(label=_("Comments (required to return)"), required=False, rows=2)
    reason = TextField(label=_("Reason"), required=False, rows=2)
    objection = forms.IntegerField(min_value=1, max_value=ID_MAX, required=False)
    answer = TextField(label=_("Answer"), required=False, rows=2)

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.year = year

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action == "return" and not (data.get("comment") or "").strip():
            self.add_error("comment", _("Say why the results are returned."))
        if action == "reopen" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the published results are reopened."))
        if action == "answer":
            if not (data.get("answer") or "").strip():
                self.add_error("answer", _("Write the answer."))
            pk = data.get("objection")
            found = Objection.objects.filter(year=self.year, pk=pk).first() if pk else None
            if found is None:
                self.add_error("objection", _("Choose an objection of this year."))
            data["objection_row"] = found
        return data


class ObjectionForm(forms.Form):
    text = TextField(label=_("Objection"), rows=3)

    def clean_text(self) -> str:
        text = str(self.cleaned_data["text"]).strip()
        if not text:
            raise forms.ValidationError(_("Write the objection."))
        return text


class EvaluationForm(forms.Form):
    """Open, issue codes, print or reprint a group's list, close."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("open", "issue", "print", "reprint", "close")]
    )
    group = forms.ChoiceField(label=_("Rater group"), required=False)
    count = forms.IntegerField(
        label=_("Codes"), min_value=1, max_value=limits.CODES_MAX, required=False
    )
    reason = TextField(label=_("Reason for printing again"), required=False, rows=1)

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        groups = [(g.key, g.name) for g in year.scheme.recognition.groups]
        self.fields["group"].choices = groups  # type: ignore[attr-defined]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        action = data.get("action")
        if action in ("issue", "print", "reprint") and not data.get("group"):
            self.add_error("group", _("Choose a rater group."))
        if action == "issue" and data.get("count") is None and "count" not in self.errors:
            self.add_error("count", _("How many codes?"))
        if action == "reprint" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Say why the code list is printed again."))
        return data


class BallotForm(forms.Form):
    """One option for every rated unit (``u-<unit id>``)."""

    def __init__(self, *args: Any, units: list[Unit], options: list[str], **kwargs: Any):
        super().__init__(*args, **kwargs)
        choices = [(o, o) for o in options]
        for unit in units:
            self.fields[f"u-{unit.pk}"] = forms.ChoiceField(
                label=unit.name,
                choices=choices,
                error_messages={"required": _("Rate every unit with one of the options.")},
            )
        self.units = units

    def ratings(self) -> dict[int, str]:
        return {u.pk: self.cleaned_data[f"u-{u.pk}"] for u in self.units}
