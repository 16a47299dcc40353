"""Whether a page offers a person's 个人信息 actions, asked of the scoping module so no link leads to a
refusal."""

from __future__ import annotations

from django import template

from vanguard.accounts import scope

register = template.Library()


@register.filter
def handles_personal_data(user, person) -> bool:
    """The party office over `person` (or a superuser): export and anonymise."""
    return person is not None and scope.handles_personal_data(user, person)


@register.filter
def owns_personal_data(user, person) -> bool:
    """`person` is the user's own record: they may export their own copy."""
    return person is not None and scope.owns_personal_data(user, person)
