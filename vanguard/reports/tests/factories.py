"""Builders for the reports tests. Zones, tasks, contacts and talks are made straight with the ORM: their
apps' services were written at the same time as this app."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.models import Member, Organisation, Person
from vanguard.reports.models import MonthlyReport
from vanguard.zones.models import Task, Zone, ZoneRole, ZoneRoleKind


def role_kind(name: str = "负责人", *, is_lead: bool = True) -> ZoneRoleKind:
    kind, _ = ZoneRoleKind.objects.get_or_create(name=name, defaults={"is_lead": is_lead})
    return kind


def zone(organisation: Organisation, name: str = "1路线路责任区", *, year: int, **fields) -> Zone:
    fields.setdefault("kind", Zone.Kind.WORK)
    return Zone.objects.create(organisation=organisation, year=year, name=name, **fields)


def zone_role(zone_: Zone, member: Member, kind: str = "负责人") -> ZoneRole:
    return ZoneRole.objects.create(zone=zone_, kind=role_kind(kind), person=member.person)


def task(*, zone_: Zone | None = None, member: Member | None = None, title: str = "任务", **fields) -> Task:
    fields.setdefault("category", Task.Category.PUBLICITY)
    return Task.objects.create(zone=zone_, member=member, title=title, **fields)


def contact(
    member: Member, person: Person, *, year: int, assigned_on: dt.date, **fields
) -> ContactAssignment:
    return ContactAssignment.objects.create(
        member=member, person=person, year=year, assigned_on=assigned_on, **fields
    )


def talk(assignment: ContactAssignment, held_on: dt.date, content: str = "谈心", **fields) -> Talk:
    return Talk.objects.create(assignment=assignment, held_on=held_on, content=content, **fields)


def report(
    member: Member,
    month: dt.date,
    *,
    status: str = MonthlyReport.Status.SUBMITTED,
    work_done: str = "本月在责任区开展安全宣传。",
    **fields,
) -> MonthlyReport:
    """A report as it stands in the database, without the service's checks (for reads)."""
    fields.setdefault("submitted_at", timezone.now())
    return MonthlyReport.objects.create(
        member=member, month=month, status=status, work_done=work_done, **fields
    )
