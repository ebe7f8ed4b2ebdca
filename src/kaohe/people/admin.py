from django.contrib import admin
from django.contrib.auth.admin import UserAdmin
from django.utils.translation import gettext_lazy as _

from .models import Department, Unit, User


@admin.register(User)
class KaoheUserAdmin(UserAdmin):
    fieldsets = (
        *UserAdmin.fieldsets,
        (_("Roles"), {"fields": ("display_name", "is_office", "is_leader", "department", "unit")}),
    )
    list_display = ("username", "display_name", "is_office", "is_leader", "department", "unit")
    list_filter = ("is_office", "is_leader", "department")


@admin.register(Department)
class DepartmentAdmin(admin.ModelAdmin):
    list_display = ("key", "name", "email")


@admin.register(Unit)
class UnitAdmin(admin.ModelAdmin):
    list_display = ("code", "name", "category", "kind", "secretary", "active")
    list_filter = ("category", "kind", "active")
    search_fields = ("code", "name")
    filter_horizontal = ("member_of",)
