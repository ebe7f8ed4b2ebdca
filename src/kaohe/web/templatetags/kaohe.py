"""Template helpers."""

from __future__ import annotations

from typing import Any

from django import template

from kaohe.engine import display_figures

register = template.Library()


@register.filter
def get_item(mapping: dict[Any, Any], key: Any) -> Any:
    """``{{ names|get_item:key }}``: a mapping's value, or the key itself when absent."""
    return mapping.get(key, key) if hasattr(mapping, "get") else key


@register.filter
def figures(text: str) -> str:
    """A note's long figures to two decimals for reading (the engine keeps them exact)."""
    return display_figures(str(text))
