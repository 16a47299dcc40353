"""The people planner validates a row's values without model instances (importers/checks.py): for every
value, good or bad, it must give exactly the messages the models' own full_clean() gives. And the writer
reads names as pinyin in bulk (pinyin.KeyCache): exactly as Person.fill_search_keys() reads each."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError
from django.utils import timezone

from vanguard.core import pinyin
from vanguard.dataio.importers.checks import FieldCheck, full_errors
from vanguard.org.models import (
    Activist,
    Member,
    Organisation,
    Person,
    activist_errors,
    member_errors,
    person_errors,
)
from vanguard.org.validators import effective_birth_date

from .import_helpers import id_number

pytestmark = pytest.mark.django_db

PERSON_EXCLUDE = ["workplace", "residence", "user"]
RELATED_EXCLUDE = ["person", "organisation"]
IDENT = id_number("19800101", 11)
TOMORROW = timezone.localdate() + dt.timedelta(days=1)


def model_errors(obj, exclude) -> dict[str, list[str]]:
    try:
        obj.full_clean(exclude=exclude, validate_unique=False, validate_constraints=False)
    except ValidationError as exc:
        return exc.message_dict
    return {}


def person_check(values: dict, *, workplace=None, residence=None, stored: bool = False) -> dict:
    check = FieldCheck(Person, exclude=PERSON_EXCLUDE, only=None if stored else values)
    fields = check.errors(values)
    return full_errors(
        fields,
        person_errors(
            id_number=(values.get("id_number") or "").strip().upper(),
            birth_date=values.get("birth_date"),
            gender=values.get("gender", ""),
            workplace=workplace,
            residence=residence,
        ),
    )


@pytest.mark.parametrize(
    "values",
    [
        {"name": "张三", "id_number": IDENT, "gender": Person.Gender.MALE, "birth_date": dt.date(1980, 1, 1)},
        {"name": ""},
        {"name": "张" * 51, "mobile": "12345", "occupation": "职" * 51},
        {"name": "张三", "id_number": IDENT[:17] + "0"},
        {"name": "张三", "id_number": "1" * 19},
        {"name": "张三", "id_number": "110105" + "20991231" + "0011"},
        {"name": "张三", "id_number": IDENT, "gender": Person.Gender.FEMALE},
        {"name": "张三", "id_number": IDENT, "birth_date": dt.date(1981, 1, 1)},
        {"name": "张三", "birth_date": TOMORROW},
        {"name": "张三", "gender": "X", "mobile": "138123456789"},
        {"name": "张三", "birth_date": dt.datetime(1980, 1, 1, 12, 0)},
    ],
)
def test_a_new_person_is_checked_as_full_clean_checks_one(world, values):
    instance = Person(**values)
    instance.id_number_checked = True
    assert person_check(values) == model_errors(instance, PERSON_EXCLUDE)


@pytest.mark.parametrize("cells", [("team", "community"), ("community", "team"), ("street", "company")])
def test_the_kinds_of_a_persons_cells_are_checked_as_full_clean_checks_them(world, cells):
    workplace, residence = (getattr(world, name) for name in cells)
    values = {"name": "张三"}
    instance = Person(**values, workplace=workplace, residence=residence)
    expected = model_errors(instance, PERSON_EXCLUDE)
    assert person_check(values, workplace=workplace, residence=residence) == expected


def test_a_stored_person_is_checked_field_by_field_as_full_clean_checks_one(world):
    # Values stored before today's rules (or by hand): full_clean() checks every field of a stored person.
    person = world.member_a.person
    Person.objects.filter(pk=person.pk).update(mobile="12345", birth_date=TOMORROW, id_number="123456")
    person.refresh_from_db()
    person.id_number_checked = True
    check = FieldCheck(Person, exclude=PERSON_EXCLUDE)
    values = {name: getattr(person, name) for name in check.attnames}
    expected = model_errors(person, PERSON_EXCLUDE)
    assert set(expected) == {"birth_date", "id_number", "mobile"}
    rules = person_errors(
        id_number=person.id_number,
        birth_date=person.birth_date,
        gender=person.gender,
        workplace=None,
        residence=None,
    )
    assert full_errors(check.errors(values), rules) == expected


@pytest.mark.parametrize(
    ("organisation", "join_date", "birth"),
    [
        ("branch_a", dt.date(2005, 7, 1), dt.date(1980, 1, 1)),
        ("committee", dt.date(2005, 7, 1), dt.date(1980, 1, 1)),
        ("group_a", dt.date(1997, 12, 31), dt.date(1980, 1, 1)),
        ("branch_a", TOMORROW, dt.date(1980, 1, 1)),
        ("committee", dt.date(1990, 1, 1), None),
    ],
)
def test_a_membership_is_checked_as_full_clean_checks_one(world, organisation, join_date, birth):
    org: Organisation = getattr(world, organisation)
    values = {
        "status": Member.Status.PROBATIONARY,
        "category": Member.Category.RETIRED,
        "join_date": join_date,
    }
    instance = Member(**values, organisation=org, person=Person(name="张三", birth_date=birth))
    check = FieldCheck(Member, exclude=RELATED_EXCLUDE, only=values)
    rules = member_errors(organisation=org, join_date=join_date, birth=effective_birth_date(birth, ""))
    assert full_errors(check.errors(values), rules) == model_errors(instance, RELATED_EXCLUDE)


@pytest.mark.parametrize(
    ("organisation", "dates"),
    [
        ("branch_a", (dt.date(2020, 1, 1), dt.date(2021, 1, 1), None, None)),
        ("committee", (None, None, None, None)),
        ("group_a", (dt.date(2021, 1, 1), dt.date(2020, 1, 1), None, TOMORROW)),
    ],
)
def test_an_activist_record_is_checked_as_full_clean_checks_one(world, organisation, dates):
    org: Organisation = getattr(world, organisation)
    values = dict(zip(("applied_on", "activist_on", "candidate_on", "admitted_on"), dates, strict=True))
    values["stage"] = Activist.Stage.CANDIDATE
    instance = Activist(**values, organisation=org)
    check = FieldCheck(Activist, exclude=RELATED_EXCLUDE, only=values)
    rules = activist_errors(organisation=org, dates=dates)
    assert full_errors(check.errors(values), rules) == model_errors(instance, RELATED_EXCLUDE)


NAMES = [
    "张三",
    "王建国",
    "曾国藩",
    "单田芳",
    "长孙无忌",
    "尉迟恭",
    "朝阳",
    "重庆",
    "银行行长",
    "乐乐",
    "Mary王",
    "买买提·艾力",
    "张 三",
    "〇",
    "",
    "𠀀",
]


def test_the_import_reads_each_name_as_pinyin_keys_reads_it():
    cache = pinyin.KeyCache()
    for name in [*NAMES, *NAMES]:
        assert cache.keys(name) == pinyin.keys(name), name
