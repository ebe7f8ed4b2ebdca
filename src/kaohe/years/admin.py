from typing import Any

from django.contrib import admin
from django.http import HttpRequest

from .models import Target, Year


@admin.register(Year)
class YearAdmin(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # frozen: years are made from the Years page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    list_display = ("year", "title", "scheme_name", "created_at")
    readonly_fields = ("scheme_text", "scheme_sha256")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    def has_change_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False  # targets are set (and audited) on the targets page

    def has_add_permission(self, request: HttpRequest) -> bool:
        return False

    def has_delete_permission(self, request: HttpRequest, obj: Any = None) -> bool:
        return False

    list_display = ("year", "unit", "item", "target")
    list_filter = ("year", "item")
