"""Builders for the trees and the roster, used by every app's tests."""

from __future__ import annotations

import datetime as dt
import itertools

from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import id_number_check_digit

_seq = itertools.count(1)


def id_number(birth: dt.date = dt.date(1985, 6, 15), male: bool = True, region: str = "130100") -> str:
    """A valid GB 11643 identity number, unique per call."""
    serial = next(_seq) % 500
    seq = f"{serial:02d}{(2 * (serial % 5) + (1 if male else 0))}"
    first17 = f"{region}{birth:%Y%m%d}{seq[-3:]}"
    return first17 + id_number_check_digit(first17)


def mobile() -> str:
    return f"138{next(_seq):08d}"


def organisation(
    name: str, kind: str = Organisation.Kind.BRANCH, parent: Organisation | None = None
) -> Organisation:
    node = Organisation(name=name, kind=kind)
    if parent is None:
        return Organisation.objects.add_root(instance=node)
    parent.refresh_from_db()
    return Organisation.objects.add_child(parent, instance=node)


def cell(name: str, kind: str = Cell.Kind.COMMUNITY, parent: Cell | None = None, **extra) -> Cell:
    node = Cell(name=name, kind=kind, **extra)
    if parent is None:
        return Cell.objects.add_root(instance=node)
    parent.refresh_from_db()
    return Cell.objects.add_child(parent, instance=node)


def person(name: str = "张三", **fields) -> Person:
    p = Person(name=name, **fields)
    p.save()
    return p


def member(
    organisation: Organisation,
    name: str = "张三",
    *,
    status: str = Member.Status.FULL,
    category: str = Member.Category.IN_SERVICE,
    join_date: dt.date | None = dt.date(2010, 7, 1),
    **person_fields,
) -> Member:
    person_fields.setdefault("birth_date", dt.date(1980, 1, 1))
    p = person(name, **person_fields)
    return Member.objects.create(
        person=p, organisation=organisation, status=status, category=category, join_date=join_date
    )


def valid_id_number(birth: str = "19800101", serial: str = "001", region: str = "110105") -> str:
    """An identity number with a correct check digit; `serial`'s last digit is odd for a man."""
    first17 = f"{region}{birth}{serial}"
    return first17 + id_number_check_digit(first17)


def member_form_data(member: Member, overrides: dict[str, object] | None = None) -> dict[str, object]:
    """What the member edit page posts back unchanged for `member`, with some fields replaced."""
    person = member.person
    data: dict[str, object] = {
        "person-name": person.name,
        "person-gender": person.gender,
        "person-birth_date": person.birth_date.isoformat() if person.birth_date else "",
        "person-id_number": person.id_number,
        "person-mobile": person.mobile,
        "person-workplace": person.workplace_id or "",
        "person-residence": person.residence_id or "",
        "person-occupation": person.occupation,
        "person-notes": person.notes,
        "person-strengths_text": "、".join(s.name for s in person.strengths.all()),
        "member-organisation": member.organisation_id,
        "member-status": member.status,
        "member-category": member.category,
        "member-join_date": member.join_date.isoformat() if member.join_date else "",
        "member-badge_no": member.badge_no,
    }
    data.update(overrides or {})
    return data


def snapshot(member: Member) -> tuple[dict, dict, list[str]]:
    """The stored state of a member, their person record and strengths, to show nothing was saved."""
    return (
        Member.objects.filter(pk=member.pk).values().get(),
        Person.objects.filter(pk=member.person_id).values().get(),
        sorted(Person.objects.get(pk=member.person_id).strengths.values_list("name", flat=True)),
    )
