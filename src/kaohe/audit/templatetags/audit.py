"""`{% load audit %}{% audit_anchor %}`: the chain head printed on notices and exports."""

from django import template

from kaohe.audit.services import anchor_text

register = template.Library()


@register.simple_tag
def audit_anchor() -> str:
    return anchor_text()
