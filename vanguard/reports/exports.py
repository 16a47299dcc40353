"""What the reports app exports, as sheets for vanguard.dataio's xlsx formatter: the archive book
(活动档案簿册) of a member for a year, and a month's missing-report list."""

from __future__ import annotations

import datetime as dt

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanguard.core.masking import mask_phone
from vanguard.dataio.exporters.base import ExportColumn, ExportSheet, ListColumn, ListExport
from vanguard.org.models import Member

from .months import format_month
from .selectors import ArchiveBook

SHEETS = ("基本情况", "责任区", "任务", "联系群众", "谈心走访", "月度汇报")


def _c(header: str, width: float | None = None) -> ExportColumn:
    return ExportColumn(header, width=width)


def _name(obj) -> str:
    return "" if obj is None else obj.name


def _basics(book: ArchiveBook) -> ExportSheet:
    member, person = book.member, book.member.person
    rows = [
        (_("年度"), str(book.year)),
        (_("姓名"), person.name),
        (_("性别"), person.get_gender_display()),
        (_("出生日期"), person.birth_date),
        (_("所在党组织"), member.organisation.name),
        (_("党员状态"), member.get_status_display()),
        (_("党员类别"), member.get_category_display()),
        (_("入党日期"), member.join_date),
        (_("党员证号"), member.badge_no),
        (_("职业"), person.occupation),
        (_("工作单位"), _name(person.workplace)),
        (_("居住社区"), _name(person.residence)),
        (_("手机号"), mask_phone(person.mobile)),
        (_("责任区"), "、".join(z.name for z in book.zones)),
        (_("任务数"), len(book.tasks)),
        (_("联系对象数"), len(book.contacts)),
        (_("谈心走访次数"), len(book.talks)),
        (_("月度汇报次数"), len(book.reports)),
    ]
    return ExportSheet(SHEETS[0], [_c(_("项目"), 16), _c(_("内容"), 40)], rows)


def _zones(book: ArchiveBook) -> ExportSheet:
    columns = [
        _c(_("责任区"), 24),
        _c(_("类型")),
        _c(_("所属党支部"), 20),
        _c(_("角色"), 14),
        _c(_("责任范围"), 40),
        _c(_("承诺"), 40),
        _c(_("服务电话"), 14),
    ]
    rows = (
        (
            r.zone.name,
            r.zone.get_kind_display(),
            r.zone.organisation.name,
            r.kind.name,
            r.zone.scope,
            r.zone.commitment,
            r.zone.service_phone,
        )
        for r in book.zone_roles
    )
    return ExportSheet(SHEETS[1], columns, rows)


def _tasks(book: ArchiveBook) -> ExportSheet:
    columns = [
        _c(_("类别")),
        _c(_("任务"), 36),
        _c(_("所属"), 20),
        _c(_("完成期限"), 12),
        _c(_("状态")),
        _c(_("完成日期"), 12),
        _c(_("说明"), 40),
    ]
    rows = (
        (
            t.get_category_display(),
            t.title,
            t.zone.name if t.zone_id else _("个人任务"),
            t.due_date,
            t.get_status_display(),
            t.done_on,
            t.description,
        )
        for t in book.tasks
    )
    return ExportSheet(SHEETS[2], columns, rows)


def _contacts(book: ArchiveBook) -> ExportSheet:
    columns = [
        _c(_("联系对象"), 14),
        _c(_("类型")),
        _c(_("确定日期"), 12),
        _c(_("谈心走访次数")),
        _c(_("备注"), 40),
    ]
    rows = (
        (c.person.name, c.get_kind_display(), c.assigned_on, len(c.year_talks), c.notes)
        for c in book.contacts
    )
    return ExportSheet(SHEETS[3], columns, rows)


def _talks(book: ArchiveBook) -> ExportSheet:
    columns = [
        _c(_("日期"), 12),
        _c(_("联系对象"), 14),
        _c(_("方式")),
        _c(_("谈话内容"), 40),
        _c(_("反映的问题"), 30),
        _c(_("跟进情况"), 30),
    ]
    rows = (
        (
            r.talk.held_on,
            r.contact.person.name,
            r.talk.get_kind_display(),
            r.talk.content,
            r.talk.problems,
            r.talk.follow_up,
        )
        for r in book.talks
    )
    return ExportSheet(SHEETS[4], columns, rows)


def _reports(book: ArchiveBook) -> ExportSheet:
    columns = [
        _c(_("月份"), 10),
        _c(_("责任区"), 20),
        _c(_("责任区工作情况"), 50),
        _c(_("设想和建议"), 40),
        _c(_("群众意见"), 40),
        _c(_("状态")),
        _c(_("提交时间"), 18),
        _c(_("审阅意见"), 30),
        _c(_("审阅人"), 12),
        _c(_("审阅时间"), 18),
    ]
    rows = (
        (
            format_month(r.month),
            _name(r.zone),
            r.work_done,
            r.ideas,
            r.masses_opinions,
            r.get_status_display(),
            r.submitted_at,
            r.review_comment,
            str(r.reviewed_by) if r.reviewed_by_id else "",
            r.reviewed_at,
        )
        for r in book.reports
    )
    return ExportSheet(SHEETS[5], columns, rows)


def archive_sheets(book: ArchiveBook) -> list[ExportSheet]:
    return [_basics(book), _zones(book), _tasks(book), _contacts(book), _talks(book), _reports(book)]


def archive_title(book: ArchiveBook) -> str:
    return _("%(name)s%(year)d年度活动档案簿册") % {"name": book.member.person.name, "year": book.year}


def missing_export(queryset: QuerySet[Member], month: dt.date) -> ListExport:
    """The missing-report list as one sheet: the member, their organisation and their latest report."""
    return ListExport(
        title=_("%(month)s未汇报党员") % {"month": format_month(month)},
        columns=[
            ListColumn(_("姓名"), "person.name", width=12),
            ListColumn(_("所在党组织"), "organisation.name", width=24),
            ListColumn(_("党员状态"), lambda m: m.get_status_display()),
            ListColumn(_("党员类别"), lambda m: m.get_category_display()),
            ListColumn(_("手机号"), lambda m: mask_phone(m.person.mobile), width=14, text=True),
            ListColumn(_("上次汇报月份"), lambda m: format_month(m.last_month), width=14),
        ],
        queryset=queryset,
    )
