"""Builders for the tests of a zone's work (tasks, work plan, activities). Zones are made straight with the
ORM, so these tests do not depend on the zone services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import today
from vanguard.zones.models import Activity, ActivityParticipant, Task, WorkPlanEntry, Zone


def zone(
    organisation: Organisation,
    name: str = "一车队责任区",
    *,
    year: int | None = None,
    cells: tuple[Cell, ...] = (),
    kind: str = Zone.Kind.WORK,
) -> Zone:
    z = Zone.objects.create(organisation=organisation, name=name, year=year or today().year, kind=kind)
    if cells:
        z.cells.add(*cells)
    return z


def task(
    *,
    zone: Zone | None = None,
    member: Member | None = None,
    title: str = "宣讲党的政策",
    category: str = Task.Category.PUBLICITY,
    due_date: dt.date | None = None,
    status: str = Task.Status.OPEN,
    done_on: dt.date | None = None,
) -> Task:
    return Task.objects.create(
        zone=zone,
        member=member,
        title=title,
        category=category,
        due_date=due_date,
        status=status,
        done_on=done_on,
    )


def plan_entry(
    zone: Zone,
    title: str = "责任区巡查",
    *,
    recurrence: str = WorkPlanEntry.Recurrence.WEEKLY,
    starts_on: dt.date = dt.date(2026, 1, 5),
    ends_on: dt.date | None = None,
    person: Person | None = None,
) -> WorkPlanEntry:
    return WorkPlanEntry.objects.create(
        zone=zone, title=title, recurrence=recurrence, starts_on=starts_on, ends_on=ends_on, person=person
    )


def activity(
    organisation: Organisation,
    title: str = "党员奉献日",
    *,
    held_on: dt.date | None = None,
    zone: Zone | None = None,
    participants: tuple[tuple[Person, str], ...] = (),
) -> Activity:
    a = Activity.objects.create(
        organisation=organisation, zone=zone, title=title, held_on=held_on or today() - dt.timedelta(days=3)
    )
    ActivityParticipant.objects.bulk_create(
        ActivityParticipant(activity=a, person=person, hours=Decimal(hours)) for person, hours in participants
    )
    return a


# --- the access sweep (vanguard/tests/test_access_sweep.py): branch A's work, made on first use -----------

SWEEP_ZONE = "访问检查责任区"


def sweep_zone(world) -> Zone:
    found = Zone.objects.filter(organisation=world.branch_a, name=SWEEP_ZONE).first()
    return found or zone(world.branch_a, SWEEP_ZONE, cells=(world.team,))


def sweep_task(world) -> Task:
    z = sweep_zone(world)
    return z.tasks.first() or task(zone=z, member=world.member_a)


def sweep_plan_entry(world) -> WorkPlanEntry:
    z = sweep_zone(world)
    return z.plan_entries.first() or plan_entry(z)


def sweep_activity(world) -> Activity:
    found = Activity.objects.filter(organisation=world.branch_a, title="访问检查活动").first()
    return found or activity(world.branch_a, "访问检查活动", participants=((world.member_a.person, "1"),))
