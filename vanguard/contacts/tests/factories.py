"""Builders for contacts and talks, used by the contacts tests and the access sweep."""

from __future__ import annotations

import datetime as dt

from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.models import Activist, Member, Organisation, Person
from vanguard.org.tests import factories
from vanguard.org.validators import today


def resident(name: str = "张大爷", **fields) -> Person:
    """One of the masses: no membership, no application."""
    return factories.person(name, **fields)


def activist(
    organisation: Organisation, name: str = "钱积极", stage: str = Activist.Stage.ACTIVIST
) -> Person:
    person = factories.person(name)
    Activist.objects.create(
        person=person, organisation=organisation, stage=stage, applied_on=dt.date(2025, 3, 1)
    )
    return person


def assignment(
    member: Member,
    person: Person | None = None,
    *,
    year: int = 2026,
    kind: str = ContactAssignment.Kind.KEY,
    assigned_on: dt.date = dt.date(2026, 1, 10),
) -> ContactAssignment:
    return ContactAssignment.objects.create(
        member=member,
        person=person or resident(f"{member.person.name}的联系人{ContactAssignment.objects.count() + 1}"),
        year=year,
        kind=kind,
        assigned_on=assigned_on,
    )


def talk(
    contact: ContactAssignment, held_on: dt.date, content: str = "谈了近期的工作和生活。", **fields
) -> Talk:
    return Talk.objects.create(assignment=contact, held_on=held_on, content=content, **fields)


# --- for the access sweep: one contact and one talk of branch A's member, made on first use ------------


def sweep_assignment(world) -> ContactAssignment:
    day = today() - dt.timedelta(days=1)
    found = ContactAssignment.objects.filter(member=world.member_a, year=day.year).first()
    return found or assignment(world.member_a, year=day.year, assigned_on=day)


def sweep_talk(world) -> Talk:
    contact = sweep_assignment(world)
    return contact.talks.first() or talk(contact, contact.assigned_on)
