"""Small forms; the services validate what the forms cannot."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from functools import cached_property
from typing import Any, cast

from django import forms
from django.contrib.auth.forms import AuthenticationForm
from django.core.validators import MaxLengthValidator
from django.forms.formsets import ManagementForm
from django.utils.translation import gettext_lazy as _

from kaohe.engine import builtin_names, limits
from kaohe.engine.scheme import (
    AllOrNothingRule,
    ChecksRule,
    DiscretionaryRule,
    PerCountRule,
    TargetCountRule,
)
from kaohe.excel.guard import MB, SHEET_LIMITS
from kaohe.monthly.models import Entry, EscalationCase
from kaohe.monthly.scope import Column

from .fields import AmountField, CountField, LineField, TextField, line_validator


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

    def clean_due_date(self) -> dt.date | None:
        return _bounded_day(self.cleaned_data.get("due_date"))


def _bounded_day(day: dt.date | None) -> dt.date | None:
    """A day within the years the system keeps (far dates overflow time-zone arithmetic)."""
    if day is not None and not limits.YEAR_MIN <= day.year <= limits.YEAR_MAX + 1:
        raise forms.ValidationError(
            _("A date between %(a)s and %(b)s.") % {"a": limits.YEAR_MIN, "b": limits.YEAR_MAX + 1}
        )
    return day


# ---- monthly scores: cells, sheets, escalations, query parameters ------------------------

VERSION_MAX = 2**31 - 1


class VersionField(forms.IntegerField):
    """The version a form was based on. Optional: a client that omits it skips the check
    (our pages always post it; the check guards users against each other, not against a
    client that could as well reload first)."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", forms.HiddenInput)
        super().__init__(required=False, min_value=0, max_value=VERSION_MAX, **kwargs)


class CellForm(forms.Form):
    """One column of a cell (the item, or one of its sub-items): inputs by the item's rule,
    the reason and evidence, and the entry it was based on (0: none yet)."""

    based_on = VersionField()
    reason = TextField(
        label=_("Reason for deduction or bonus (required when anything is found)"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )
    evidence = LineField(
        label=_("Evidence"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )

    def __init__(self, *args: Any, column: Column, entry: Entry | None, **kwargs: Any) -> None:
        self.column, self.entry = column, entry
        if not kwargs.get("data") and not args:
            kwargs["initial"] = self._initial(entry)
        super().__init__(*args, **kwargs)
        item = column.rule_item
        rule = item.rule
        inputs: dict[str, forms.Field] = {}
        if isinstance(rule, ChecksRule):
            for check in rule.checks:
                inputs[f"check_{check.key}"] = (
                    CountField(
                        label=check.label,
                        required=False,
                        max_value=check.max_occurrences or limits.COUNT_MAX,
                    )
                    if check.per_occurrence
                    else forms.BooleanField(label=check.label, required=False)
                )
                inputs[f"check_{check.key}"].points = check.points  # type: ignore[attr-defined]
        elif isinstance(rule, (PerCountRule, TargetCountRule)):
            label = (
                _("Failures this month")
                if isinstance(rule, PerCountRule)
                else _("Achieved this month")
            )
            inputs["count"] = CountField(label=label, required=False)
            inputs["count"].unit = rule.counted  # type: ignore[attr-defined]
        elif isinstance(rule, AllOrNothingRule):
            inputs["not_met"] = forms.BooleanField(
                label=_("Target not met: the item scores 0"), required=False
            )
        elif isinstance(rule, DiscretionaryRule):
            inputs["deduction"] = AmountField(
                label=_("Points deducted (0–%(w)s)") % {"w": item.weight},
                required=False,
                max_value=Decimal(str(item.weight)),
            )
        self.inputs = list(inputs)
        self.fields = {**inputs, **self.fields}

    @staticmethod
    def _initial(entry: Entry | None) -> dict[str, Any]:
        if entry is None:
            return {"based_on": 0}
        values = entry.values
        initial: dict[str, Any] = {
            "based_on": entry.pk,
            "reason": entry.reason,
            "evidence": entry.evidence,
            "count": values.get("count"),
            "not_met": values.get("met") is False,
            "deduction": values.get("deduction"),
        }
        for key, n in values.get("checks", {}).items():
            initial[f"check_{key}"] = n
        return initial

    def input_fields(self) -> list[forms.BoundField]:
        return [self[name] for name in self.inputs]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        values: dict[str, Any] = {}
        checks = {}
        for name in self.inputs:
            value = data.get(name)
            if not value:
                continue
            if name.startswith("check_"):
                checks[name.removeprefix("check_")] = int(value)
            elif name == "count":
                values["count"] = int(value)
            elif name == "not_met":
                values["met"] = False
            elif name == "deduction":
                values["deduction"] = format(Decimal(value).normalize(), "f")
        if checks:
            values["checks"] = checks
        if values and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for every deduction or bonus."))
        data["values"] = values
        return data


class BaseCellFormSet(forms.BaseFormSet):  # type: ignore[type-arg]
    """The columns of one unit × item cell, saved together. The number of forms is the
    cell's, fixed by the server: the client cannot add or drop sub-items, so no management
    form is read from the post."""

    def __init__(
        self, *args: Any, columns: list[Column], entries: list[Entry | None], **kwargs: Any
    ) -> None:
        self.columns, self.entries = columns, entries
        kwargs.setdefault("prefix", "c")
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)

    def total_form_count(self) -> int:
        return len(self.columns)

    def initial_form_count(self) -> int:
        return len(self.columns)

    @cached_property
    def management_form(self) -> ManagementForm:
        n = len(self.columns)
        form = ManagementForm(
            {f"{self.prefix}-TOTAL_FORMS": n, f"{self.prefix}-INITIAL_FORMS": n},
            auto_id=self.auto_id,
            prefix=self.prefix,
            renderer=getattr(self, "renderer", None),
        )
        form.full_clean()
        return form

    def add_prefix(self, index: Any) -> str:
        return f"{self.prefix}{index}"

    def get_form_kwargs(self, index: int | None) -> dict[str, Any]:
        if index is None:
            return {"column": self.columns[0], "entry": None}
        return {"column": self.columns[index], "entry": self.entries[index]}


CellFormSet = cast(
    type[BaseCellFormSet], forms.formset_factory(CellForm, formset=BaseCellFormSet, extra=0)
)


class CorrectionForm(forms.Form):
    """On an accepted sheet every save is a correction, with its reason."""

    correction_reason = TextField(
        label=_("Reason for this correction (the sheet is accepted)"), required=False, rows=2
    )

    def __init__(self, *args: Any, locked: bool, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        self.fields["correction_reason"].required = locked


class CellThenForm(forms.Form):
    """After saving a cell: back to the grid, or on to the next cell ("save and next")."""

    then = forms.ChoiceField(choices=[("", ""), ("next", "next")], required=False)


class SheetActionForm(forms.Form):
    """Submit, accept or mark clean: the sheet's version the user saw."""

    version = VersionField()


class SheetReturnForm(SheetActionForm):
    reason = TextField(label=_("Reason for return"), rows=2)


class SheetUploadForm(forms.Form):
    file = forms.FileField(label=_("Choose the filled-in .xlsx file."))

    def clean_file(self) -> Any:
        upload = self.cleaned_data["file"]
        # refused by its declared size, before a byte of it is read into memory
        if upload.size > SHEET_LIMITS.file_bytes:
            raise forms.ValidationError(
                _("The file is larger than %(mb)s MB."),
                params={"mb": SHEET_LIMITS.file_bytes // MB},
            )
        return upload


class EscalationUpdateForm(forms.Form):
    """The office's progress on one case, with the case's version."""

    case = forms.IntegerField(widget=forms.HiddenInput, min_value=1, max_value=2**63 - 1)
    version = VersionField()
    status = forms.ChoiceField(label=_("Status"), choices=EscalationCase.Status.choices)
    notes = TextField(
        label=_("Notes"),
        required=False,
        widget=forms.TextInput(attrs={"class": "form-control form-control-sm"}),
    )


class AsOfForm(forms.Form):
    """``?as_of=YYYY-MM-DD`` (and on a unit's page ``?month=N``); a bad value is ignored
    with a message, the page shown as it stands now."""

    as_of = forms.DateField(required=False, input_formats=["%Y-%m-%d"])
    month = forms.IntegerField(required=False, min_value=1, max_value=12)

    def clean_as_of(self) -> dt.date | None:
        return _bounded_day(self.cleaned_data.get("as_of"))


class ConfirmSchemeForm(forms.Form):
    """The office confirms a rubric workbook read with warnings."""

    confirm = forms.CharField(max_length=16)


class TargetsForm(forms.Form):
    """Targets of every unit × target item (``t-<unit id>-<item>``); empty leaves a target
    as it is."""

    def __init__(self, *args: Any, cells: list[tuple[int, str]], **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for unit_id, item in cells:
            self.fields[f"t-{unit_id}-{item}"] = CountField(required=False)
            # the target the page showed: a save based on an older one is a conflict
            self.fields[f"w-{unit_id}-{item}"] = CountField(
                required=False, widget=forms.HiddenInput
            )

    def _by_cell(self, prefix: str) -> dict[tuple[int, str], int | None]:
        out = {}
        for name, value in self.cleaned_data.items():
            kind, unit_id, item = name.split("-", 2)
            if kind == prefix and (kind == "w" or value is not None):
                if kind == "w" and name not in self.data:
                    continue  # not posted: a client that sends no version is not checked
                out[(int(unit_id), item)] = value
        return out

    def targets(self) -> dict[tuple[int, str], int]:
        return {k: v for k, v in self._by_cell("t").items() if v is not None}

    def based_on(self) -> dict[tuple[int, str], int | None]:
        return self._by_cell("w")


class LoginForm(AuthenticationForm):
    """Django's login form with its username length enforced: the stock form only sets the
    widget's maxlength, so a 100,000-character name reached authenticate() and the lockout
    table (varchar 255) and failed there on PostgreSQL."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        username = self.fields["username"]
        username.validators += [MaxLengthValidator(limits.NAME_MAX), line_validator]
        self.fields["password"].validators.append(MaxLengthValidator(limits.TEXT_MAX))
