from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.db import transaction
from django.http import HttpRequest
from django.utils.translation import gettext_lazy as _

from kaohe.audit.services import record

from .models import Department, Unit, User
from .versioned_admin import VersionedAdmin

ROLE_FIELDS = (
    "is_office",
    "is_leader",
    "department_id",
    "unit_id",
    "is_active",
    "is_staff",
    "is_superuser",
)


def _roles(user: User) -> dict[str, Any]:
    return {name.removesuffix("_id"): getattr(user, name) for name in ROLE_FIELDS}


@admin.register(User)
class KaoheUserAdmin(VersionedAdmin, UserAdmin):
    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Role changes are audited in the same transaction as the change."""
        before = _roles(User.objects.get(pk=obj.pk)) if change else None
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = _roles(obj)
            if before != after:
                record(
                    acting_user=request.user,
                    action="user.roles",
                    obj=obj,
                    before=before,
                    after=after,
                    reason="set-up",
                )

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: nothing is hard-deleted

    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Roles"), {"fields": ("display_name", "is_office", "is_leader", "department", "unit")}),
    )
    list_display = ("username", "display_name", "is_office", "is_leader", "department", "unit")
    list_filter = ("is_office", "is_leader", "department")


@admin.register(Department)
class DepartmentAdmin(VersionedAdmin, admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    list_display = ("key", "name", "email")


@admin.register(Unit)
class UnitAdmin(VersionedAdmin, admin.ModelAdmin):
    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # deactivate instead: nothing is hard-deleted

    list_display = ("code", "name", "category", "kind", "secretary", "active")
    list_filter = ("category", "kind", "active")
    search_fields = ("code", "name")
    filter_horizontal = ("member_of",)
