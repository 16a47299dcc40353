"""The demo's contacts: valid, the same however often the demo runs, and with something on each list —
members below two contacts in the secretary's branch, contacts not talked with this month, and the `member`
login's own contacts."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db.models import Count

from vanguard.accounts.models import User
from vanguard.contacts import selectors
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.demo import builder
from vanguard.demo import contacts as demo_contacts
from vanguard.org.models import Organisation

# After the demo's fixed ANCHOR (30 June 2026), before which its people's dates would lie in the future.
DAY = dt.datetime(2026, 9, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def on_a_fixed_day(time_machine):
    time_machine.move_to(DAY, tick=False)


def build() -> builder.Demo:
    """The areas the contacts need, then the contacts (not the other apps' areas)."""
    demo = builder.Demo()
    for step in (
        builder.build_admin,
        builder.build_organisations,
        builder.build_grid,
        builder.build_people,
        builder.build_logins,
        demo_contacts.build,
    ):
        step(demo)
    return demo


def counts() -> tuple[int, int]:
    return ContactAssignment.objects.count(), Talk.objects.count()


@pytest.mark.django_db
def test_the_demo_gives_a_few_branches_contacts_and_talks_and_a_second_run_adds_nothing():
    build()
    first = counts()
    assert first[0] > 100 and first[1] > 3 * first[0]
    build()
    assert counts() == first

    for contact in ContactAssignment.objects.select_related("member__person", "person"):
        contact.full_clean()
    for talk in Talk.objects.select_related("assignment"):
        talk.full_clean()
        assert talk.assignment.assigned_on <= talk.held_on <= dt.date(2026, 9, 15)
    kinds = set(ContactAssignment.objects.values_list("kind", flat=True))
    assert kinds == {"key", "household", "cultivation"}
    assert not ContactAssignment.objects.filter(person__member__isnull=False).exists()


@pytest.mark.django_db
def test_the_secretarys_branch_has_members_below_two_and_contacts_not_visited():
    build()
    secretary = User.objects.get(username="secretary")
    branch = Organisation.objects.get(name="第一分公司党支部")
    below = list(selectors.members_below_two(user=secretary, year=2026))
    assert 1 <= len(below) <= 6
    assert {m.contact_count for m in below} == {0, 1}
    per_member = (
        ContactAssignment.objects.filter(branch.subtree_q("member__organisation__"))
        .values("member")
        .annotate(n=Count("pk"))
    )
    assert sum(1 for row in per_member if row["n"] in (2, 3)) >= 20
    not_visited = selectors.contacts_not_visited(user=secretary, month=dt.date(2026, 9, 1))
    total = ContactAssignment.objects.filter(branch.subtree_q("member__organisation__")).count()
    assert 0 < not_visited.count() < total


@pytest.mark.django_db
def test_the_member_login_has_three_contacts_one_waiting_for_this_month():
    build()
    member = User.objects.get(username="member")
    contacts = list(selectors.member_contacts(user=member, member=selectors.own_member(member), year=2026))
    assert len(contacts) == 3
    assert any(c.visited_this_month for c in contacts) or all(c.talk_count for c in contacts)
    assert not all(c.visited_this_month for c in contacts)
    assert all(c.talk_count > 0 for c in contacts)


@pytest.mark.django_db
def test_reset_removes_the_demos_contacts_and_spares_others():
    from vanguard.contacts.tests import factories
    from vanguard.org.tests import factories as org_factories

    build()
    committee = org_factories.organisation("另一个党委", Organisation.Kind.COMMITTEE)
    branch = org_factories.organisation("另一个支部", parent=committee)
    outsider = factories.assignment(org_factories.member(branch, "局外人"), factories.resident("局外群众"))
    demo_contacts.reset()
    assert list(ContactAssignment.objects.all()) == [outsider]
    builder.reset_demo()
    assert list(ContactAssignment.objects.all()) == [outsider]
