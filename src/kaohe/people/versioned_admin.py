"""Lost updates in the admin: an edit form carries a fingerprint of the record as it was
shown; saving over a record someone changed since is refused with a message, not applied."""

from __future__ import annotations

import hashlib
import json
from typing import Any

from django import forms
from django.db import models
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

FIELD = "record_fingerprint"
IGNORED = {"last_login"}  # changes by logging in, not by editing


def fingerprint(obj: models.Model) -> str:
    """A hash of the stored record: its concrete fields and many-to-many ids."""
    opts = obj._meta
    data: dict[str, Any] = {
        f.attname: getattr(obj, f.attname) for f in opts.concrete_fields if f.name not in IGNORED
    }
    for m2m in opts.many_to_many:
        data[m2m.name] = sorted(getattr(obj, m2m.name).values_list("pk", flat=True))
    text = json.dumps(data, sort_keys=True, default=str, ensure_ascii=False)
    return hashlib.sha256(text.encode()).hexdigest()


class VersionedAdmin:
    """Mix into a ModelAdmin (before it) so its change form checks the fingerprint."""

    def get_form(
        self, request: HttpRequest, obj: Any = None, change: bool = False, **kwargs: Any
    ) -> Any:
        if kwargs.get("fields"):  # the change view passes its fieldsets' fields
            kwargs["fields"] = [f for f in kwargs["fields"] if f != FIELD]  # not a model field
        base = super().get_form(request, obj, change=change, **kwargs)  # type: ignore[misc]
        if obj is None:
            return base

        class Form(base):  # type: ignore[misc, valid-type]
            record_fingerprint = forms.CharField(
                widget=forms.HiddenInput, required=False, initial=fingerprint(obj)
            )

            def clean(self) -> Any:
                data = super().clean()
                shown = self.data.get(FIELD)
                stored = type(obj)._default_manager.filter(pk=obj.pk).first()
                if shown and stored is not None and shown != fingerprint(stored):
                    raise forms.ValidationError(
                        _(
                            "Someone changed this record after you opened it; nothing was "
                            "saved. Reload the page to see the changes, then edit again."
                        ),
                        code="stale",
                    )
                return data

        return Form

    def get_fieldsets(self, request: HttpRequest, obj: Any = None) -> Any:
        fieldsets = list(super().get_fieldsets(request, obj))  # type: ignore[misc]
        if obj is not None:
            fieldsets.append((None, {"fields": (FIELD,), "classes": ("hidden",)}))
        return fieldsets
