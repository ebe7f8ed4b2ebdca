"""Forms of the scheme-version pages (第五条): upload a draft, discard it, confirm it."""

from __future__ import annotations

from typing import Any

from django import forms
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits

from .fields import LineField, TextField

SCHEME_FILE_MAX = 2_000_000  # as a year's scheme file (YearCreateForm)


class VersionUploadForm(forms.Form):
    upload = forms.FileField(label=_("The new version: scheme file (YAML) or rubric (.xlsx)"))
    from_month = forms.IntegerField(label=_("Applies from month"), min_value=2, max_value=12)
    reason = TextField(label=_("Reason (the target added, the weight corrected …)"), rows=2)
    approved_by = LineField(
        label=_("Approved by (部务会, or the leader who approved)"), initial="部务会"
    )

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for field in self.fields.values():  # styled as the site's other forms
            field.widget.attrs.setdefault("class", "form-control")
        self.fields["from_month"].widget.attrs["style"] = "max-width: 8rem"

    def clean_upload(self) -> Any:
        upload = self.cleaned_data["upload"]
        if getattr(upload, "size", 0) > SCHEME_FILE_MAX:
            raise forms.ValidationError(_("A scheme file is at most 2 MB."))
        return upload

    def clean_reason(self) -> str:
        reason = str(self.cleaned_data["reason"]).strip()
        if not reason:
            raise forms.ValidationError(_("Say why the scheme changes."))
        return reason

    def clean_approved_by(self) -> str:
        who = str(self.cleaned_data["approved_by"]).strip()
        if not who:
            raise forms.ValidationError(_("Name who approved the change."))
        return who


class VersionDiscardForm(forms.Form):
    reason = TextField(label=_("Why the draft is discarded"), rows=2, max_length=limits.TEXT_MAX)
