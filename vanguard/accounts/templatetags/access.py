"""What a user's navigation offers, asked of the scoping module so that no link leads to a refusal."""

from __future__ import annotations

from django import template

from vanguard.accounts import scope

register = template.Library()


@register.filter
def has_business_role(user) -> bool:
    """Any role that reads business data (not an auditor alone, not a login with no role)."""
    return user.is_authenticated and scope.has_any_role(user)


@register.filter
def has_org_role(user) -> bool:
    """A role over part of the organisation tree: office, secretary, supervisor."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


@register.filter
def works_in_branch(user) -> bool:
    """Branch work (reports, contacts, tasks): the organisation roles, and members for their own."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths) or s.person_id is not None
