"""Fixtures shared by every app's tests: two branches under one committee, a street with communities,
and the personas of STYLE.md (office, secretary_a, member_a, secretary_b, community_worker, resident)."""

from __future__ import annotations

from dataclasses import dataclass

import pytest
from django.db.backends.signals import connection_created
from django.test import Client
from django.utils import timezone
from django_otp import DEVICE_ID_SESSION_KEY
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanguard.accounts import policy
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.audit.triggers import let_flush_through
from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.tests import factories

# The test runner empties tables between transactional tests; on SQLite the audit trail's delete trigger
# would refuse that, so the tests (and only the tests) let the flush through.
connection_created.connect(let_flush_through, dispatch_uid="vanguard.tests.let_flush_through")


@dataclass
class World:
    committee: Organisation
    branch_a: Organisation
    group_a: Organisation
    branch_b: Organisation
    street: Cell
    community: Cell
    other_community: Cell
    company: Cell
    team: Cell
    member_a: Member
    member_b: Member


@pytest.fixture
def world(db) -> World:
    committee = factories.organisation("公交公司党委", Organisation.Kind.COMMITTEE)
    branch_a = factories.organisation("一分公司党支部", parent=committee)
    group_a = factories.organisation("第一党小组", Organisation.Kind.GROUP, parent=branch_a)
    branch_b = factories.organisation("二分公司党支部", parent=committee)
    street = factories.cell("东风街道", Cell.Kind.STREET)
    community = factories.cell("南园社区", parent=street, community_type=Cell.CommunityType.LEARNING)
    other = factories.cell("新风社区", parent=street, community_type=Cell.CommunityType.REEMPLOYMENT)
    company = factories.cell("公交公司", Cell.Kind.COMPANY)
    team = factories.cell("一车队", Cell.Kind.TEAM, parent=company)
    member_a = factories.member(
        branch_a, "王建国", residence=community, workplace=team, mobile="13812345678", occupation="驾驶员"
    )
    member_b = factories.member(branch_b, "李红梅", residence=other, mobile="13987654321", occupation="教师")
    return World(
        committee, branch_a, group_a, branch_b, street, community, other, company, team, member_a, member_b
    )


def _user(username: str, role: str | None = None, **scope_node) -> User:
    user = User.objects.create_user(username=username, password="Vanguard-test-1")
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    if role:
        RoleAssignment.objects.create(user=user, role=role, **scope_node)
    return user


@pytest.fixture
def office(world) -> User:
    return _user("office", Role.OFFICE, organisation=world.committee)


@pytest.fixture
def secretary_a(world) -> User:
    return _user("secretary_a", Role.SECRETARY, organisation=world.branch_a)


@pytest.fixture
def secretary_b(world) -> User:
    return _user("secretary_b", Role.SECRETARY, organisation=world.branch_b)


@pytest.fixture
def member_a(world) -> User:
    user = _user("member_a", Role.MEMBER)
    world.member_a.person.user = user
    world.member_a.person.save()
    return user


@pytest.fixture
def community_worker(world) -> User:
    return _user("community_worker", Role.COMMUNITY, cell=world.community)


@pytest.fixture
def supervisor(world) -> User:
    return _user("supervisor", Role.SUPERVISOR, organisation=world.branch_a)


@pytest.fixture
def auditor(world) -> User:
    return _user("auditor", Role.AUDITOR)


@pytest.fixture
def nobody(db) -> User:
    """A login with no role at all: it may sign in and reach nothing."""
    return _user("nobody")


@pytest.fixture
def superuser(db) -> User:
    user = _user("root")
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user


@pytest.fixture
def resident() -> Client:
    """The anonymous public."""
    return Client()


def client_for(user: User) -> Client:
    """A client logged in as `user`, past the second factor when the user's roles need one."""
    client = Client()
    client.force_login(user)
    if policy.requires_two_factor(user):
        device, _ = TOTPDevice.objects.get_or_create(user=user, name="test", defaults={"confirmed": True})
        session = client.session
        session[DEVICE_ID_SESSION_KEY] = device.persistent_id
        session.save()
    return client


@pytest.fixture
def as_user():
    return client_for
