"""Forms of the declarations pages: every value bounded by ``engine.limits`` (via
``web.fields``), choices taken from the year's scheme, files checked by the service."""

from __future__ import annotations

from typing import Any

from django import forms
from django.conf import settings
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.people.models import Unit
from kaohe.years.models import Year

from .fields import LineField, RefField, TextField

_INPUT = "form-control form-control-sm"
_SELECT = "form-select form-select-sm"


class MultipleFileInput(forms.ClearableFileInput):
    allow_multiple_selected = True


class EvidenceFilesField(forms.FileField):
    """Several files in one input; each is checked (type, size, quota) by the service."""

    def __init__(self, **kwargs: Any) -> None:
        kwargs.setdefault("widget", MultipleFileInput(attrs={"class": _INPUT}))
        kwargs.setdefault("required", False)
        kwargs.setdefault("label", _("Evidence files (PDF, images, .docx, .xlsx, .pptx)"))
        super().__init__(**kwargs)

    def clean(self, data: Any, initial: Any = None) -> list[Any]:
        items = data if isinstance(data, (list, tuple)) else [data] if data else []
        if self.required and not items:
            raise forms.ValidationError(self.error_messages["required"], code="required")
        cleaned = [super(EvidenceFilesField, self).clean(item, initial) for item in items]
        limit = settings.DATA_UPLOAD_MAX_NUMBER_FILES
        if len(cleaned) > limit:
            raise forms.ValidationError(
                _("At most %(count)s files at a time."), params={"count": limit}
            )
        return cleaned


def _styled(form: forms.Form) -> None:
    for field in form.fields.values():
        widget = field.widget
        if isinstance(widget, forms.Select):
            widget.attrs.setdefault("class", _SELECT)
        elif not isinstance(widget, forms.HiddenInput):
            widget.attrs.setdefault("class", _INPUT)


def fault_type_choices(year: Year) -> list[tuple[str, str]]:
    choices = []
    for fault in year.scheme.faults.types:
        mark = f"【{gettext('veto')}】" if fault.severity == "veto" else f"({fault.points}分)"
        choices.append((fault.key, f"{mark}{fault.name}"))
    return choices


class ActionForm(forms.Form):
    """Which of the page's forms was sent (the button or hidden field ``action``)."""

    action = forms.ChoiceField(
        choices=[(a, a) for a in ("open", "close", "achievement", "fault", "preview-fault")]
    )


class DetailActionForm(forms.Form):
    action = forms.ChoiceField(choices=[(a, a) for a in ("evidence", "decide", "withdraw")])


class AchievementForm(forms.Form):
    """A unit declares an achievement (业绩) with its evidence."""

    award_level = forms.ChoiceField(label=_("Award and level"))
    content = RefField(label=_("Content (one content counts once, the highest award)"))
    document_no = LineField(label=_("Document number"), required=False)
    document_date = forms.DateField(
        label=_("Document date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = TextField(label=_("Description"), rows=2)
    evidence = EvidenceFilesField()

    def __init__(self, *args: Any, year: Year, **kwargs: Any) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        scheme = year.scheme
        self.fields["award_level"].choices = [  # type: ignore[attr-defined]
            (
                f"{a.key}:{level}",
                f"{a.name}({scheme.achievements.level_names.get(level, level)},{points}分)",
            )
            for a in scheme.achievements.awards
            for level, points in a.levels.items()
        ]
        self.fields["description"].widget.attrs["id"] = "a-description"
        self.fields["evidence"].widget.attrs["id"] = "a-evidence"
        _styled(self)

    def declaration_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        award, _sep, level = data["award_level"].partition(":")
        return {
            "kind": "achievement",
            "award": award,
            "level": level,
            "content": data["content"].strip(),
            "document_no": data["document_no"].strip(),
            "document_date": data["document_date"],
            "description": data["description"],
        }


class FaultForm(forms.Form):
    """A fault: self-reported by the unit (with evidence), or found by the office (``unit``)."""

    unit = forms.ModelChoiceField(label=_("Unit"), queryset=Unit.objects.none())
    fault_type = forms.ChoiceField(label=_("Fault type"))
    occurrences = forms.IntegerField(
        label=_("Occurrences"), min_value=1, max_value=limits.OCCURRENCES_MAX, initial=1
    )
    occurred_on = forms.DateField(
        label=_("Date"), required=False, widget=forms.DateInput(attrs={"type": "date"})
    )
    description = TextField(label=_("Description"), rows=2)
    evidence = EvidenceFilesField()

    def __init__(
        self, *args: Any, year: Year, units: Any = None, evidence: bool = False, **kwargs: Any
    ) -> None:
        kwargs.setdefault("auto_id", "%s")
        super().__init__(*args, **kwargs)
        # no fault type is pre-selected: a self-report must name its fault (never a veto by default)
        self.fields["fault_type"].choices = [  # type: ignore[attr-defined]
            ("", gettext("— choose the fault type —")),
            *fault_type_choices(year),
        ]
        if units is None:
            del self.fields["unit"]
        else:
            self.fields["unit"].queryset = units  # type: ignore[attr-defined]
        if not evidence:
            del self.fields["evidence"]
        else:
            self.fields["evidence"].widget.attrs["id"] = "f-evidence"
        self.fields["description"].widget.attrs["id"] = "f-description"
        _styled(self)

    def declaration_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "kind": "fault",
            "fault_type": data["fault_type"],
            "occurrences": data["occurrences"],
            "occurred_on": data["occurred_on"],
            "description": data["description"],
        }


class DecisionForm(forms.Form):
    """The office verifies or rejects, naming the version it saw."""

    decision = forms.ChoiceField(
        choices=[("accept", _("Accept")), ("reject", _("Reject"))], widget=forms.HiddenInput
    )
    reason = TextField(
        label=_("Reason (required to reject; the unit sees it)"), required=False, rows=2
    )
    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        _styled(self)

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        if data.get("decision") == "reject" and not (data.get("reason") or "").strip():
            self.add_error("reason", _("Give the reason for rejecting it; the unit will see it."))
        return data


class VersionForm(forms.Form):
    """A withdrawal, naming the version the unit saw."""

    version = forms.IntegerField(min_value=1, max_value=2**31 - 1, widget=forms.HiddenInput)


class EvidenceForm(forms.Form):
    evidence = EvidenceFilesField(required=True, label=_("Add evidence"))
