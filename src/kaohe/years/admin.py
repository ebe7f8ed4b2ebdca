from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import SchemeVersion, Target, Year


class ReadOnlyAdmin(admin.ModelAdmin):
    """Shown in set-up for reference; changed only through the audited pages."""

    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False


@admin.register(Year)
class YearAdmin(ReadOnlyAdmin):
    """Frozen: years are made from the Years page."""

    list_display = ("year", "title", "scheme_name", "created_at")
    readonly_fields = ("scheme_text", "scheme_sha256")


@admin.register(Target)
class TargetAdmin(ReadOnlyAdmin):
    """Targets are set (and audited) on the targets page."""

    list_display = ("year", "unit", "item", "target")
    list_filter = ("year", "item")


@admin.register(SchemeVersion)
class SchemeVersionAdmin(ReadOnlyAdmin):
    """Uploaded, confirmed or discarded on the scheme-versions page (audited)."""

    list_display = ("year", "number", "from_month", "status", "approved_by", "created_at")
    list_filter = ("year", "status")
    readonly_fields = ("scheme_text", "sha256")
