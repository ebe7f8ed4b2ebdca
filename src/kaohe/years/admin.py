from django.contrib import admin

from .models import Target, Year


@admin.register(Year)
class YearAdmin(admin.ModelAdmin):
    list_display = ("year", "title", "scheme_name", "created_at")
    readonly_fields = ("scheme_text", "scheme_sha256")


@admin.register(Target)
class TargetAdmin(admin.ModelAdmin):
    list_display = ("year", "unit", "item", "target")
    list_filter = ("year", "item")
