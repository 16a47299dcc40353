"""Writes of monthly reports, and their state machine in one place.

    submitted ──review──▶ reviewed          (the secretary, with an optional comment)
        │  ▲
  return│  │resubmit                      (the secretary returns it with a comment saying what is missing;
        ▼  │                               the member edits it, which submits it again)
     returned

A report is written by its member alone (seed 001: 党员每月要向党支部汇报); the secretary of the branch or
the office above reviews it. Every write takes the acting user, validates with full_clean and is recorded
in the audit trail inside its transaction.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Mapping
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.org.models import Member
from vanguard.zones.models import Zone, ZoneRole

from . import selectors
from .models import MonthlyReport

Status = MonthlyReport.Status

# The transitions allowed, and what each is called in the audit trail.
TRANSITIONS: dict[tuple[str, str], str] = {
    (Status.SUBMITTED, Status.REVIEWED): "审阅",
    (Status.SUBMITTED, Status.RETURNED): "退回",
    (Status.RETURNED, Status.SUBMITTED): "重新提交",
}

_EDITABLE_FIELDS = ("work_done", "ideas", "masses_opinions", "zone")


def _refusal(report: MonthlyReport, to: str) -> str:
    """Why `report` cannot go to `to`, in the words a member or secretary would understand."""
    if report.status == Status.REVIEWED:
        if to == Status.SUBMITTED:
            return _("%(month)s的汇报已经审阅,不能再修改。") % {"month": _month(report)}
        return _("%(month)s的汇报已经审阅,不能再次审阅或退回。") % {"month": _month(report)}
    if report.status == Status.RETURNED:
        return _("%(month)s的汇报已退回给党员修改,须等其修改并重新提交后才能审阅。") % {
            "month": _month(report)
        }
    return _("汇报当前为“%(status)s”,不能改为“%(to)s”。") % {
        "status": report.get_status_display(),
        "to": Status(to).label,
    }


def _month(report: MonthlyReport) -> str:
    return _("%(year)d年%(month)d月") % {"year": report.month.year, "month": report.month.month}


def _transition(report: MonthlyReport, to: str) -> str:
    """Move `report` to `to` if the state machine allows it; answer the transition's name."""
    name = TRANSITIONS.get((report.status, to))
    if name is None:
        raise ValidationError(_refusal(report, to), code="transition")
    report.status = to
    return name


def _check_writer(actor, member: Member) -> None:
    """Only the member writes their own report (the console's system actor and a superuser may too)."""
    s = scope.scope_of(actor)
    if s.superuser or (s.person_id is not None and s.person_id == member.person_id):
        return
    raise PermissionDenied(_("月度汇报只能由党员本人提交和修改。"))


def _check_zone(member: Member, zone: Zone | None, month: dt.date | None) -> None:
    if zone is None or month is None:
        return
    if zone.year != month.year:
        raise ValidationError(
            {
                "zone": _("责任区“%(zone)s”属于%(zone_year)d年度,与汇报月份(%(year)d年)不符。")
                % {"zone": zone.name, "zone_year": zone.year, "year": month.year}
            }
        )
    if not ZoneRole.objects.filter(zone=zone, person_id=member.person_id).exists():
        raise ValidationError(
            {
                "zone": _("%(name)s在责任区“%(zone)s”中没有分工,请选择自己的责任区。")
                % {"name": member, "zone": zone.name}
            }
        )


def _save(report: MonthlyReport) -> None:
    """Save; two submissions of the same month at once both pass clean(), and the database's unique
    constraint refuses the second with the same message clean() would have given."""
    try:
        with transaction.atomic():
            report.save()
    except IntegrityError as exc:
        if (
            MonthlyReport.objects.filter(member_id=report.member_id, month=report.month)
            .exclude(pk=report.pk)
            .exists()
        ):
            report.full_clean()  # raises the duplicate-month message
        raise exc


@transaction.atomic
def report_submit(
    *,
    actor,
    member: Member,
    month: dt.date,
    work_done: str,
    ideas: str = "",
    masses_opinions: str = "",
    zone: Zone | None = None,
) -> MonthlyReport:
    """A member's report for a month that is not in the future, one per month. Without a zone it goes to
    the zone the member holds a role in that year, if there is exactly one."""
    _check_writer(actor, member)
    report = MonthlyReport(
        member=member,
        month=month,
        work_done=work_done,
        ideas=ideas,
        masses_opinions=masses_opinions,
        status=Status.SUBMITTED,
        submitted_at=timezone.now(),
    )
    if zone is None and month is not None:
        report.zone_id = selectors.default_zone_id(member=member, year=month.year)
    else:
        report.zone = zone
    report.full_clean()
    _check_zone(member, zone, month)
    _save(report)
    audit.record_save(
        user=actor, obj=report, before=None, detail=_("提交%(month)s的汇报") % {"month": _month(report)}
    )
    return report


def _locked(report: MonthlyReport) -> MonthlyReport:
    # Re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE transaction already holds the write lock),
    # so a review and an edit of the same report never both start from the old status.
    return (
        MonthlyReport.objects.select_for_update(of=("self",))
        .select_related("member__person", "member__organisation", "zone")
        .get(pk=report.pk)
    )


@transaction.atomic
def report_update(*, actor, report: MonthlyReport, fields: Mapping[str, Any]) -> MonthlyReport:
    """The member edits their report while it is submitted, or returned: editing a returned report
    submits it again. The month stays; a report for another month is a new report."""
    unknown = set(fields) - set(_EDITABLE_FIELDS)
    if unknown:
        raise ValueError(f"not editable: {sorted(unknown)}")
    report = _locked(report)
    _check_writer(actor, report.member)
    before = audit.snapshot(report)
    transition = ""
    if report.status != Status.SUBMITTED:
        transition = _transition(report, Status.SUBMITTED)
        report.submitted_at = timezone.now()
    for name, value in fields.items():
        setattr(report, name, value)
    report.full_clean()
    if "zone" in fields:
        _check_zone(report.member, report.zone, report.month)
    report.save()
    audit.record_save(user=actor, obj=report, before=before, detail=transition)
    return report


@transaction.atomic
def report_review(*, actor, report: MonthlyReport, decision: str, comment: str = "") -> MonthlyReport:
    """The secretary (or the office) marks a submitted report reviewed, with an optional comment, or
    returns it to the member with a comment that says what to change."""
    report = _locked(report)
    if not scope.can_edit_under(actor, report.member.organisation):
        raise PermissionDenied(_("月度汇报由党员所在支部的书记或党委办公室审阅。"))
    member_user = report.member.person.user_id
    if member_user is not None and member_user == getattr(actor, "pk", None):
        raise PermissionDenied(_("不能审阅自己的月度汇报。"))
    if decision not in (Status.REVIEWED, Status.RETURNED):
        raise ValidationError(
            {
                "decision": _("审阅结果须为“%(reviewed)s”或“%(returned)s”。")
                % {
                    "reviewed": Status.REVIEWED.label,
                    "returned": Status.RETURNED.label,
                }
            }
        )
    comment = (comment or "").strip()
    before = audit.snapshot(report)
    transition = _transition(report, decision)
    if decision == Status.RETURNED and not comment:
        raise ValidationError({"comment": _("退回汇报时须填写审阅意见,说明需要补充或修改的内容。")})
    report.review_comment = comment
    report.reviewed_at = timezone.now()
    # The console's system actor is not a user: the trail names it, the report does not.
    report.reviewed_by_id = getattr(actor, "pk", None)
    report.full_clean()
    report.save()
    audit.record_save(user=actor, obj=report, before=before, detail=transition)
    return report
