"""What the community and time-bank navigation offers, asked of the scope already loaded (no query), so
that no link leads to a refusal."""

from __future__ import annotations

from django import template

from vanguard.community import selectors_pages as selectors

register = template.Library()


@register.filter
def acts_as_member(user) -> bool:
    return user.is_authenticated and selectors.is_member(user)


@register.filter
def works_in_community(user) -> bool:
    return user.is_authenticated and selectors.is_worker(user)


@register.filter
def reads_branch_registrations(user) -> bool:
    return user.is_authenticated and selectors.reads_branch(user)


@register.filter
def uses_community(user) -> bool:
    """社区报到: community workers, members, and the branch roles (who read their members' registrations)."""
    return user.is_authenticated and selectors.uses_community(user)


@register.filter
def uses_timebank(user) -> bool:
    """时间银行: community workers and members."""
    return user.is_authenticated and (selectors.is_worker(user) or selectors.is_member(user))
