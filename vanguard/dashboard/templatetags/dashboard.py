"""Figures as the dashboard prints them: a rate with one decimal and its sign, hours without a needless
".0", a dash for a figure that has no value (nothing expected is not 100%)."""

from __future__ import annotations

from django import template

from vanguard.dashboard.charts import number

register = template.Library()


@register.filter
def pct(value) -> str:
    return number(value, "%")


@register.filter
def hours(value) -> str:
    return number(value)
