"""The branch's two lists as Excel sheets (vanguard.dataio's ListExport): the page's own query, with its
filters and the user's scope, read in chunks. Mobile numbers are masked as on the page."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanguard.core.masking import mask_phone
from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import ContactAssignment


def below_two_export(members: QuerySet, *, year: int) -> ListExport:
    return ListExport(
        title=_("联系对象不足两人的党员"),
        columns=[
            ListColumn(_("姓名"), "person.name", width=12),
            ListColumn(_("所在党组织"), lambda m: m.organisation.name, width=24),
            ListColumn(_("年度"), lambda m: year, width=8),
            ListColumn(_("联系对象人数"), "contact_count", width=14),
            ListColumn(_("手机号"), lambda m: mask_phone(m.person.mobile), width=14, text=True),
        ],
        queryset=members,
    )


def not_visited_export(assignments: QuerySet, *, month: dt.date) -> ListExport:
    kinds = {value: str(label) for value, label in ContactAssignment.Kind.choices}
    return ListExport(
        title=_("本月未谈心走访的联系对象"),
        columns=[
            ListColumn(_("党员"), "member.person.name", width=12),
            ListColumn(_("所在党组织"), lambda a: a.member.organisation.name, width=24),
            ListColumn(_("联系对象"), "person.name", width=12),
            ListColumn(_("类型"), lambda a: kinds.get(a.kind, a.kind), width=10),
            ListColumn(_("居住社区"), lambda a: a.person.residence.name if a.person.residence_id else ""),
            ListColumn(_("确定日期"), "assigned_on", width=12),
            ListColumn(_("最近一次谈话"), "last_talk", width=14),
            ListColumn(_("月份"), lambda a: month.strftime("%Y-%m"), width=10),
        ],
        queryset=assignments,
    )


def _below_two_sheets(user) -> list:
    from . import selectors

    year = selectors.today().year
    return [below_two_export(selectors.members_below_two(user=user, year=year), year=year).sheet()]


def _not_visited_sheets(user) -> list:
    from . import selectors

    month = selectors.current_month()
    return [not_visited_export(selectors.contacts_not_visited(user=user, month=month), month=month).sheet()]


def register_kinds() -> None:
    """`vanguard export contacts-below-two` / `contacts-not-visited`: this year's and this month's lists."""
    from vanguard.dataio import exporters

    kinds = [
        exporters.ExportKind(
            name="contacts-below-two",
            title="联系对象不足两人的党员",
            object_type="org.member",
            sheets=_below_two_sheets,
            description="本年度联系对象不足两人的党员",
        ),
        exporters.ExportKind(
            name="contacts-not-visited",
            title="本月未谈心走访的联系对象",
            object_type="contacts.contactassignment",
            sheets=_not_visited_sheets,
            description="本月尚未谈心走访的联系对象",
        ),
    ]
    for kind in kinds:
        if kind.name not in exporters.KINDS:
            exporters.register(kind)
