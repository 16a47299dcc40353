"""The list of residents' requests as one sheet for vanguard.dataio's xlsx formatter: each request with its
place, branch, handler, status, times, rating and escalation. The resident's name and phone are masked: a
file leaves the system, and whoever needs to call the resident opens the request."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core.masking import mask_name, mask_phone
from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import ServiceRequest


def place(req: ServiceRequest) -> str:
    """Where it is: the chosen cell, else the zone, else the community."""
    if req.cell_id is not None:
        return req.cell.name
    if req.zone_id is not None:
        return req.zone.name
    return req.community.name if req.community_id is not None else ""


def _handler(req: ServiceRequest) -> str:
    if req.member_id is not None:
        return req.member.person.name
    return req.team.name if req.team_id is not None else ""


def _escalation(req: ServiceRequest) -> str:
    parts = [str(req.get_escalation_display())] if req.escalation else []
    if req.attention:
        parts.append(_("需书记关注"))
    return "、".join(parts)


def requests_export(queryset: QuerySet[ServiceRequest]) -> ListExport:
    """The requests of `queryset` (the list's tab, filters and the user's scope, with what it joins)."""
    now = timezone.now()

    def overdue(req: ServiceRequest) -> str:
        return _("是") if req.is_open and req.deadline < now else _("否")

    columns = [
        ListColumn(_("查询码"), "tracking_code", width=14, text=True),
        ListColumn(_("类型"), lambda r: r.get_kind_display(), width=10),
        ListColumn(_("类别"), lambda r: r.get_category_display(), width=12),
        ListColumn(_("紧急程度"), lambda r: r.get_urgency_display(), width=10),
        ListColumn(_("位置"), place, width=20),
        ListColumn(_("社区"), lambda r: r.community.name if r.community_id else "", width=14),
        ListColumn(_("责任党组织"), lambda r: r.organisation.name if r.organisation_id else "", width=22),
        ListColumn(_("承办党员"), _handler, width=14),
        ListColumn(_("状态"), lambda r: r.get_status_display(), width=12),
        ListColumn(_("提交时间"), "received_at", width=18),
        ListColumn(_("办理时限"), "deadline", width=18),
        ListColumn(_("是否超期"), overdue, width=10),
        ListColumn(_("受理时间"), "accepted_at", width=18),
        ListColumn(_("办结时间"), "resolved_at", width=18),
        ListColumn(_("满意度"), "rating", width=8),
        ListColumn(_("督办"), _escalation, width=22),
        ListColumn(_("居民称呼"), lambda r: mask_name(r.name), width=10),
        ListColumn(_("联系电话"), lambda r: mask_phone(r.phone), width=14, text=True),
    ]
    return ListExport(title=_("群众诉求"), columns=columns, queryset=queryset)
