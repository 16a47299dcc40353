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
        return Organisation.add_root(instance=node)
    parent.refresh_from_db()
    return parent.add_child(instance=node)


def cell(name: str, kind: str = Cell.Kind.COMMUNITY, parent: Cell | None = None, **extra) -> Cell:
    node = Cell(name=name, kind=kind, **extra)
    if parent is None:
        return Cell.add_root(instance=node)
    parent.refresh_from_db()
    return parent.add_child(instance=node)


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
