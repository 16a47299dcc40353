"""What the year's navigation offers, asked of the scoping module so that no link leads to a refusal."""

from __future__ import annotations

from django import template

from vanguard.assessment import selectors_year as selectors

register = template.Library()


@register.filter
def is_assessment_office(user) -> bool:
    """The office: settings, roll-ups to make, the branch review and the secretaries' performance."""
    return user.is_authenticated and selectors.is_office(user)


@register.filter
def reads_assessment_year(user) -> bool:
    """The year's pages: the organisation roles, and members for their own rectifications and appraisal."""
    if not user.is_authenticated:
        return False
    return selectors.reads_organisations(user) or selectors.own_member(user) is not None
