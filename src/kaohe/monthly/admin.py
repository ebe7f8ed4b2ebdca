"""Set-up of the second confirmation: the office names each department's head."""

from __future__ import annotations

from typing import Any

from django import forms
from django.contrib import admin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kaohe.audit.services import record
from kaohe.people.versioned_admin import VersionedAdmin

from .models import DepartmentHead


class DepartmentHeadForm(forms.ModelForm):
    class Meta:
        model = DepartmentHead
        fields = ["department", "user", "active"]

    def clean(self) -> dict[str, Any]:
        data = super().clean() or {}
        department, user = data.get("department"), data.get("user")
        if department is not None and user is not None and user.department_id != department.pk:
            raise forms.ValidationError(_("A department's head is one of its own assessors."))
        return data


@admin.register(DepartmentHead)
class DepartmentHeadAdmin(VersionedAdmin, admin.ModelAdmin):
    form = DepartmentHeadForm
    list_display = ("department", "user", "active")
    list_filter = ("department", "active")

    def get_readonly_fields(self, request: HttpRequest, obj: Any = None) -> Any:
        return ("department", "user") if obj is not None else ()

    def save_model(
        self, request: HttpRequest, obj: DepartmentHead, form: Any, change: bool
    ) -> None:
        """Naming or ending a head is audited in the same transaction."""
        with transaction.atomic():
            if obj.created_by_id is None:
                obj.created_by = request.user  # type: ignore[assignment]
            super().save_model(request, obj, form, change)
            record(
                acting_user=request.user,
                action="department.head",
                obj=obj,
                after={
                    "department": obj.department.key,
                    "user": obj.user.username,
                    "active": obj.active,
                },
                reason="set-up",
            )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # end it (active off) instead: nothing is hard-deleted
