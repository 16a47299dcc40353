from __future__ import annotations

from django import template

from vanguard.accounts import scope

register = template.Library()


@register.filter
def can_import(user) -> bool:
    """Whether the roster import is for this user: office and secretaries, who may edit organisations."""
    return user.is_authenticated and scope.edits_organisations(user)
