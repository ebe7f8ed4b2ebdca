"""Forms of the second confirmation (SPEC §11): confirm with an optional note, refuse with
the reason."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from .fields import TextField


class ConfirmForm(forms.Form):
    reason = TextField(label=_("Note"), required=False, rows=1)


class RefuseForm(forms.Form):
    reason = TextField(label=_("Reason for refusing"), rows=1)
