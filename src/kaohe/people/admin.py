from typing import Any

from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.contrib.auth.forms import AdminPasswordChangeForm
from django.db import transaction
from django.http import HttpRequest
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from kaohe.audit.services import record

from .models import Department, Unit, User
from .services import end_sessions
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


class KaoheAdminPasswordChangeForm(AdminPasswordChangeForm):
    """A password set here is known to whoever typed it: the user changes it at the next login
    (the rules of AUTH_PASSWORD_VALIDATORS apply, as on every form that sets one)."""

    def save(self, commit: bool = True) -> Any:
        self.user.must_change_password = True
        self.user.password_changed_at = timezone.now()
        return super().save(commit)


@admin.register(User)
class KaoheUserAdmin(VersionedAdmin, UserAdmin):
    change_password_form = KaoheAdminPasswordChangeForm
    readonly_fields = ("password_changed_at",)

    def save_model(self, request: HttpRequest, obj: User, form: Any, change: bool) -> None:
        """Role changes are audited in the same transaction as the change; a new account's
        password was chosen by the office, so the user changes it at the first login; a
        disabled account's sessions end at once."""
        before = _roles(User.objects.get(pk=obj.pk)) if change else None
        if not change:
            obj.must_change_password = True
        with transaction.atomic():
            super().save_model(request, obj, form, change)
            after = _roles(obj)
            if before is not None and before["is_active"] and not after["is_active"]:
                end_sessions(obj)
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
        (_("Password"), {"fields": ("must_change_password", "password_changed_at")}),
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
