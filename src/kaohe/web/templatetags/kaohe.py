"""Template helpers."""

from __future__ import annotations

from typing import Any

from django import template

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ names|get_item:key }}``: a mapping's value, or the key itself when absent."""
    return mapping.get(key, key) if hasattr(mapping, "get") else key
