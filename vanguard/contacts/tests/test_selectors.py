"""The branch's two lists — members below two contacts, contacts not talked with this month — exactly, in
scope, and each in one query whatever its length."""

from __future__ import annotations

import datetime as dt
import itertools

from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts import scope
from vanguard.contacts import selectors
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.contacts.tests import factories
from vanguard.core import pinyin
from vanguard.org.models import Member, Person
from vanguard.org.tests import factories as org_factories

MAY = dt.date(2026, 5, 1)
APRIL = dt.date(2026, 4, 1)


def names(members) -> set[str]:
    return {m.person.name for m in members}


def pairs(assignments) -> set[tuple[str, str]]:
    return {(a.member.person.name, a.person.name) for a in assignments}


# --- below two -------------------------------------------------------------------------------------------


def test_members_below_two_counts_only_the_years_contacts(world, office):
    two = org_factories.member(world.group_a, "两人")
    one = org_factories.member(world.branch_a, "一人")
    for _ in range(2):
        factories.assignment(two)
    factories.assignment(one)
    # Last year's contacts of 王建国 do not count for this year.
    for _ in range(3):
        factories.assignment(world.member_a, year=2025, assigned_on=dt.date(2025, 1, 3))

    below = list(selectors.members_below_two(user=office, year=2026))
    assert names(below) == {"王建国", "李红梅", "一人"}
    assert {m.person.name: m.contact_count for m in below} == {"王建国": 0, "李红梅": 0, "一人": 1}
    assert names(selectors.members_below_two(user=office, year=2025)) == {"两人", "一人", "李红梅"}


def test_members_below_two_stay_in_the_users_organisations(world, secretary_a, secretary_b, supervisor):
    assert names(selectors.members_below_two(user=secretary_a, year=2026)) == {"王建国"}
    assert names(selectors.members_below_two(user=supervisor, year=2026)) == {"王建国"}
    assert names(selectors.members_below_two(user=secretary_b, year=2026)) == {"李红梅"}


def test_members_below_two_filter_by_organisation_with_its_groups(world, office):
    org_factories.member(world.group_a, "小组党员")
    assert names(selectors.members_below_two(user=office, year=2026, organisation=world.branch_a)) == {
        "王建国",
        "小组党员",
    }
    assert names(selectors.members_below_two(user=office, year=2026, organisation=world.group_a)) == {
        "小组党员"
    }


# --- not visited -----------------------------------------------------------------------------------------


def test_contacts_not_visited_are_those_without_a_talk_in_the_month(world, office):
    visited = factories.assignment(world.member_a, factories.resident("五月谈过"))
    factories.talk(visited, dt.date(2026, 5, 2))
    april_only = factories.assignment(world.member_a, factories.resident("四月谈过"))
    factories.talk(april_only, dt.date(2026, 4, 28))
    factories.talk(april_only, dt.date(2026, 3, 2))
    never = factories.assignment(world.member_b, factories.resident("从未谈过"))
    # Not this year's, or assigned only after the month: not expected to be visited in it.
    factories.assignment(
        world.member_a, factories.resident("去年的"), year=2025, assigned_on=dt.date(2025, 2, 1)
    )
    late = factories.assignment(
        world.member_a, factories.resident("五月才定"), assigned_on=dt.date(2026, 5, 3)
    )

    may = list(selectors.contacts_not_visited(user=office, month=MAY))
    assert pairs(may) == {("王建国", "四月谈过"), ("李红梅", "从未谈过"), ("王建国", "五月才定")}
    last = {a.person.name: a.last_talk for a in may}
    assert last == {"四月谈过": dt.date(2026, 4, 28), "从未谈过": None, "五月才定": None}

    april = selectors.contacts_not_visited(user=office, month=APRIL)
    assert pairs(april) == {("王建国", "五月谈过"), ("李红梅", "从未谈过")}
    assert {a.pk for a in april} == {visited.pk, never.pk}
    assert late.pk not in {a.pk for a in april}


def test_contacts_not_visited_stay_in_scope_and_filter_by_organisation(world, secretary_b, member_a, office):
    factories.assignment(world.member_a, factories.resident("甲"))
    factories.assignment(world.member_b, factories.resident("乙"))
    assert pairs(selectors.contacts_not_visited(user=secretary_b, month=MAY)) == {("李红梅", "乙")}
    assert pairs(selectors.contacts_not_visited(user=member_a, month=MAY)) == {("王建国", "甲")}
    assert pairs(selectors.contacts_not_visited(user=office, month=MAY, organisation=world.branch_a)) == {
        ("王建国", "甲")
    }


# --- one member ------------------------------------------------------------------------------------------


def test_a_members_contacts_carry_their_last_talk_count_and_this_month(world, member_a):
    busy = factories.assignment(world.member_a, factories.resident("常谈"))
    for day in (dt.date(2026, 3, 2), dt.date(2026, 5, 9), dt.date(2026, 4, 1)):
        factories.talk(busy, day)
    quiet = factories.assignment(world.member_a, factories.resident("少谈"))
    factories.talk(quiet, dt.date(2026, 2, 2))
    factories.assignment(world.member_a, factories.resident("未谈"))

    rows = {
        a.person.name: a for a in selectors.member_contacts(user=member_a, member=world.member_a, year=2026)
    }
    summary = {n: (a.last_talk, a.talk_count, a.visited_this_month) for n, a in rows.items()}
    assert summary == {
        "常谈": (dt.date(2026, 5, 9), 3, True),
        "少谈": (dt.date(2026, 2, 2), 1, False),
        "未谈": (None, 0, False),
    }


def test_a_member_sees_their_own_contacts_only(world, member_a):
    factories.assignment(world.member_a)
    other = factories.assignment(org_factories.member(world.branch_a, "同支部"))
    assert set(selectors.assignments(user=member_a)) == set(ContactAssignment.objects.exclude(pk=other.pk))
    assert list(selectors.talk_list(user=member_a, assignment=other)) == []


def test_the_choices_are_the_branchs_activists_and_kept_contacts(world, secretary_a, office):
    activist = factories.activist(world.group_a, "钱积极")
    factories.activist(world.branch_b, "外支部积极分子")
    kept = factories.assignment(org_factories.member(world.group_a, "组员"), factories.resident("老邻居"))
    factories.assignment(world.member_b, factories.resident("二支部的联系人"))
    choices = set(selectors.contact_choices(user=secretary_a, member=world.member_a))
    assert choices == {activist, kept.person}
    # The office sees the other branch's, but the page offers the member's own branch's circle.
    assert set(selectors.contact_choices(user=office, member=world.member_a)) == {activist, kept.person}


# --- query counts ----------------------------------------------------------------------------------------


def _bulk(world, n: int, offset: int) -> None:
    """n members of branch A, each with one contact (below two) never talked with; one bulk insert each."""
    names_ = ["".join(p) for p in itertools.product("赵钱孙李周吴郑王冯陈", "一二三四五六七八九十")]
    people = Person.objects.bulk_create(
        Person(name=name, name_pinyin=pinyin.full_pinyin(name), name_initials=pinyin.initials(name))
        for name in names_[offset : offset + 2 * n]
    )
    members = Member.objects.bulk_create(Member(person=p, organisation=world.branch_a) for p in people[:n])
    contacts = ContactAssignment.objects.bulk_create(
        ContactAssignment(member=m, person=p, year=2026, assigned_on=dt.date(2026, 1, 5))
        for m, p in zip(members, people[n:], strict=True)
    )
    Talk.objects.bulk_create(Talk(assignment=c, held_on=dt.date(2026, 4, 1), content="谈") for c in contacts)


def _queries(fn) -> int:
    with CaptureQueriesContext(connection) as ctx:
        rows = list(fn())
        for row in rows:
            str(row.person.name)
            getattr(row, "organisation", None) or row.member.organisation.name
    return len(ctx.captured_queries)


def test_each_list_is_one_query_whatever_its_length(world, office):
    def lists():
        yield lambda: selectors.members_below_two(user=office, year=2026)
        yield lambda: selectors.contacts_not_visited(user=office, month=MAY)
        yield lambda: selectors.assignments(user=office)

    scope.scope_of(office)  # the role assignments, read once per request
    _bulk(world, 5, 0)
    few = [_queries(fn) for fn in lists()]
    _bulk(world, 45, 10)
    many = [_queries(fn) for fn in lists()]
    assert few == many == [1, 1, 1]
    assert selectors.members_below_two(user=office, year=2026).count() == 52


def test_a_branch_sees_the_residents_its_members_keep_as_contacts_and_another_branch_does_not(
    world, secretary_a, secretary_b
):
    import datetime as dt

    from vanguard.accounts import scope
    from vanguard.contacts.models import ContactAssignment
    from vanguard.org.models import Person
    from vanguard.org.tests import factories

    resident = factories.person("赵大妈", residence=world.other_community)
    ContactAssignment.objects.create(
        member=world.member_a, person=resident, year=2026, assigned_on=dt.date(2026, 1, 10)
    )
    assert scope.visible_to(secretary_a, Person.objects.filter(pk=resident.pk)).exists()
    assert not scope.visible_to(secretary_b, Person.objects.filter(pk=resident.pk)).exists()
