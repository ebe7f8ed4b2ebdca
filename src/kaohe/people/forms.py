"""Account forms: every field bounded (kaohe.engine.limits), the password rules from
AUTH_PASSWORD_VALIDATORS applied by Django's own forms."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib.auth.forms import PasswordChangeForm
from django.core.validators import MaxLengthValidator
from django.utils.translation import gettext_lazy as _

from kaohe.engine import limits
from kaohe.web.fields import LineField, RefField


class OwnPasswordForm(PasswordChangeForm):
    """The current password, then the new one twice (checked against every rule, with the
    user's unit and names)."""

    def __init__(self, *args: Any, **kwargs: Any) -> None:
        super().__init__(*args, **kwargs)
        for name in ("old_password", "new_password1", "new_password2"):
            self.fields[name].validators.append(MaxLengthValidator(limits.NAME_MAX))
            self.fields[name].widget.attrs["maxlength"] = limits.NAME_MAX


class CodeForm(forms.Form):
    token = RefField(
        label=_("Code"),
        widget=forms.TextInput(
            attrs={"autocomplete": "one-time-code", "inputmode": "numeric", "autofocus": True}
        ),
    )


class ReasonForm(forms.Form):
    reason = LineField(label=_("Reason"), required=False)
