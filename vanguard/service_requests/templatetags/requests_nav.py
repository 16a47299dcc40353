"""What the pages of residents' requests show besides the fields: whether the navigation offers them (asked
of the scope already loaded, so that no link leads to a refusal), a status's badge, how late a request is."""

from __future__ import annotations

import datetime as dt

from django import template
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.service_requests import selectors
from vanguard.service_requests.models import Status

register = template.Library()

_BADGES = {
    Status.QUEUED: "text-bg-warning",
    Status.ASSIGNED: "text-bg-info",
    Status.ACCEPTED: "text-bg-primary",
    Status.IN_PROGRESS: "text-bg-primary",
    Status.RESOLVED: "text-bg-success",
    Status.CLOSED: "text-bg-secondary",
}


@register.filter
def uses_requests(user) -> bool:
    """群众诉求: everyone with a business role (not an auditor alone, not a login with no role)."""
    return user.is_authenticated and selectors.uses_requests(user)


@register.filter
def status_badge(status: str) -> str:
    """The Bootstrap badge class of a request's status."""
    return _BADGES.get(status, "text-bg-light")


def late_text(late: dt.timedelta) -> str:
    """已超期 5小时 / 已超期 3天: hours for the first two days, then days."""
    hours = int(late.total_seconds() // 3600)
    if hours < 1:
        return _("已超期 %(n)d分钟") % {"n": max(int(late.total_seconds() // 60), 1)}
    if hours < 48:
        return _("已超期 %(n)d小时") % {"n": hours}
    return _("已超期 %(n)d天") % {"n": hours // 24}


@register.filter
def overdue_text(req) -> str:
    """ "已超期 N小时/天" for an open request past its deadline, else ""."""
    late = selectors.overdue_by(req, timezone.now())
    return late_text(late) if late is not None else ""
