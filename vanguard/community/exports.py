"""What the community pages export, as sheets for vanguard.dataio's xlsx formatter: the names behind a
number of the community's book (在职党员信息簿), with what the book counts them by."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanguard.core.masking import mask_phone
from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import Registration


def book_export(registrations: QuerySet[Registration], *, title: str) -> ListExport:
    return ListExport(
        title=title,
        columns=[
            ListColumn(_("姓名"), "member.person.name", width=12),
            ListColumn(_("报到社区"), "community.name", width=14),
            ListColumn(_("职业"), "occupation", width=14),
            ListColumn(_("特长"), "strengths", width=24),
            ListColumn(_("服务意愿"), "wishes", width=30),
            ListColumn(_("所在党组织"), "member.organisation.name", width=24),
            ListColumn(_("手机号"), lambda r: mask_phone(r.member.person.mobile), width=14, text=True),
            ListColumn(_("报到方式"), lambda r: r.get_channel_display(), width=12),
            ListColumn(_("确认时间"), lambda r: r.confirmed_at, width=18),
        ],
        queryset=registrations,
    )
