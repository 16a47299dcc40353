from __future__ import annotations

from django import template

from vanguard.audit import policy, selectors

register = template.Library()


@register.filter
def model_name(label: str) -> str:
    return selectors.model_name(label or "") if label else ""


@register.filter
def can_read_audit(user) -> bool:
    """For the navigation: `{% if user|can_read_audit %}` shows the link to the trail."""
    return policy.can_read_trail(user)
