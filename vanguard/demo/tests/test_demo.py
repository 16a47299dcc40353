"""`vanguard demo`: what it builds is valid, complete and the same however often it runs."""

from __future__ import annotations

from io import StringIO

import pytest
from django.apps import apps
from django.contrib.auth.password_validation import validate_password
from django.core.management import call_command
from django.db import transaction

from vanguard.accounts import scope
from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.demo import builder
from vanguard.org import validators
from vanguard.org.models import Activist, Cell, Member, Organisation, Person
from vanguard.org.tests import factories

USERNAMES = ("admin", "office", "secretary", "member", "community", "supervisor", "auditor")


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker) -> dict[str, int]:
    """One demo for the tests that only read it: a build takes seconds, too long to repeat per test.
    It is built in a transaction rolled back when the module is done: committed, its audit records (which
    nothing may delete) would stay behind for other tests to count."""
    with django_db_blocker.unblock(), transaction.atomic():
        counts = builder.build_demo()
        yield counts
        transaction.set_rollback(True)


def _table_counts() -> dict[str, int]:
    """Rows in every table of org and accounts, many-to-many tables included."""
    counts: dict[str, int] = {}
    for label in ("org", "accounts"):
        for model in apps.get_app_config(label).get_models(include_auto_created=True):
            counts[model._meta.db_table] = model._default_manager.count()
    return counts


def _run(*args: str) -> str:
    out = StringIO()
    call_command("demo", *args, stdout=out)
    return out.getvalue()


# Tests that write: each builds its own demo inside the test's transaction.


@pytest.mark.django_db
def test_a_second_run_adds_nothing_and_prints_every_login():
    _run()
    first = _table_counts()
    output = _run()
    assert _table_counts() == first
    assert f"演示账户(密码均为 {builder.DEMO_PASSWORD})" in output
    for username in USERNAMES:
        assert f"  {username} " in output
    assert "东风街道/南园社区" in output and "市公交公司党委/第一分公司党支部" in output
    assert "http://127.0.0.1:8000/" in output


@pytest.mark.django_db
def test_reset_rebuilds_the_same_demo_undoes_edits_and_spares_other_data():
    committee = factories.organisation("另一个党委", Organisation.Kind.COMMITTEE)
    outsider = factories.member(committee, "局外人", id_number=factories.id_number())
    _run()
    first = _table_counts()
    ids = set(Person.objects.exclude(pk=outsider.person_id).values_list("id_number", flat=True))
    edited = Person.objects.get(id_number=min(ids))
    original_name = edited.name
    edited.name = "改过的名字"
    edited.save()

    _run("--reset")

    assert _table_counts() == first
    assert set(Person.objects.exclude(pk=outsider.person_id).values_list("id_number", flat=True)) == ids
    assert Person.objects.get(id_number=edited.id_number).name == original_name
    assert Member.objects.filter(pk=outsider.pk).exists()


# Tests that read the module's demo.


@pytest.mark.django_db
def test_build_demo_returns_what_the_database_holds(demo):
    assert demo == builder.demo_counts()
    assert demo["organisations"] > 30 and demo["cells"] > 100
    assert 300 <= demo["people"] <= 400
    assert demo["members"] > demo["people"] / 2
    assert demo["users"] == len(USERNAMES) and demo["role_assignments"] == len(USERNAMES) - 1


@pytest.mark.django_db
def test_every_object_passes_full_clean(demo):
    for person in Person.objects.select_related("workplace", "residence"):
        person.full_clean()
    for member in Member.objects.select_related("person", "organisation"):
        member.full_clean()
    for activist in Activist.objects.select_related("person", "organisation"):
        activist.full_clean()
    for assignment in RoleAssignment.objects.all():
        assignment.full_clean()
    for node in [*Organisation.objects.all(), *Cell.objects.all()]:
        node.full_clean()


@pytest.mark.django_db
def test_people_carry_consistent_identity_data(demo):
    people = list(Person.objects.select_related("member", "workplace", "residence"))
    mobiles = [p.mobile for p in people]
    assert len(set(mobiles)) == len(mobiles)
    assert len({p.name for p in people}) == len(people)
    for person in people:
        assert validators.birth_date_from_id_number(person.id_number) == person.birth_date
        assert validators.gender_from_id_number(person.id_number) == person.gender
        assert person.name_pinyin and person.name_initials
        assert person.residence is not None and person.residence.kind in Cell.RESIDENTIAL_KINDS
        assert person.workplace is None or person.workplace.is_workplace
        member = getattr(person, "member", None)
        if member is not None:
            assert validators.age_on(person.birth_date, member.join_date) >= 18
            assert member.join_date <= validators.today()


@pytest.mark.django_db
def test_members_cover_every_category_and_sit_in_branches_or_groups(demo):
    categories = set(Member.objects.values_list("category", flat=True))
    assert categories >= {c.value for c in Member.Category if c != Member.Category.OTHER}
    assert Member.objects.filter(category=Member.Category.IN_SERVICE).count() > Member.objects.count() / 2
    assert not Member.objects.exclude(
        organisation__kind__in=[
            Organisation.Kind.BRANCH,
            Organisation.Kind.GROUP,
            Organisation.Kind.SERVICE_SOCIETY,  # seed 002's special members (demo/community.py)
        ]
    ).exists()
    assert Member.objects.filter(status=Member.Status.PROBATIONARY).exists()
    assert Person.objects.filter(strengths__isnull=False).distinct().count() > demo["people"] / 2
    # Some of the masses are only that: no membership, no application.
    assert Person.objects.filter(member__isnull=True, activist__isnull=True).count() > 50


@pytest.mark.django_db
def test_activists_have_ordered_dates_and_the_admitted_ones_are_probationary_members(demo):
    stages = set()
    for activist in Activist.objects.select_related("person"):
        stages.add(activist.stage)
        dates = [activist.applied_on, activist.activist_on, activist.candidate_on, activist.admitted_on]
        known = [d for d in dates if d]
        assert known == sorted(known) and known[0] == activist.applied_on
        member = getattr(activist.person, "member", None)
        if activist.stage == Activist.Stage.ADMITTED:
            assert member.status == Member.Status.PROBATIONARY
            assert member.join_date == activist.admitted_on
        else:
            assert member is None
    assert stages == set(Activist.Stage.values)


@pytest.mark.django_db
def test_the_trees_hold_the_seed_documents_organisations(demo):
    communities = {c.name: c.community_type for c in Cell.objects.filter(kind=Cell.Kind.COMMUNITY)}
    assert communities["南园社区"] == Cell.CommunityType.LEARNING
    assert communities["东晶社区"] == Cell.CommunityType.SCIENCE
    assert len([c for c in communities.values() if c]) == 7
    assert set(Cell.objects.filter(kind=Cell.Kind.PUBLIC_AREA).values_list("name", flat=True)) == {
        "同心广场绿化工作区",
        "怡馨园绿化工作区",
        "中心路美化工作区",
    }
    assert Cell.objects.filter(kind=Cell.Kind.LINE, name="1路").exists()
    general = Organisation.objects.get(name="第一社区服务站党总支")
    assert general.kind == Organisation.Kind.GENERAL_BRANCH
    assert Organisation.objects.get_children(general).count() == 2
    for group in Organisation.objects.filter(kind=Organisation.Kind.GROUP):
        assert Organisation.objects.get_parent(group).kind == Organisation.Kind.BRANCH
    street = Organisation.objects.get(name="东风街道党工委")
    assert street.kind == Organisation.Kind.WORKING_COMMITTEE
    assert Organisation.objects.get_children(street).count() == 7


@pytest.mark.django_db
@pytest.mark.parametrize(
    ("username", "role", "node"),
    [
        ("office", Role.OFFICE, "市公交公司党委"),
        ("secretary", Role.SECRETARY, "市公交公司党委/第一分公司党支部"),
        ("supervisor", Role.SUPERVISOR, "市公交公司党委/第一分公司党支部"),
        ("community", Role.COMMUNITY, "东风街道/南园社区"),
        ("member", Role.MEMBER, None),
        ("auditor", Role.AUDITOR, None),
    ],
)
def test_each_login_has_its_role_and_scope(demo, username, role, node):
    user = User.objects.get(username=username)
    assert user.check_password(builder.DEMO_PASSWORD)
    assert not user.is_superuser
    assignment = RoleAssignment.objects.get(user=user)
    assert assignment.role == role
    scope_node = assignment.organisation or assignment.cell
    assert (scope_node.full_name() if scope_node else None) == node


@pytest.mark.django_db
def test_the_member_login_is_a_member_of_the_first_branch_the_community_can_see(demo):
    user = User.objects.get(username="member")
    person = Person.objects.select_related("member__organisation").get(user=user)
    branch = Organisation.objects.get(name="第一分公司党支部")
    assert person.member.organisation.path.startswith(branch.path)
    assert user.display_name == person.name
    assert scope.visible_to(user, Person.objects.all()).get() == person
    community = User.objects.get(username="community")
    assert scope.visible_to(community, Person.objects.filter(pk=person.pk)).exists()


@pytest.mark.django_db
def test_admin_is_a_superuser(demo):
    admin = User.objects.get(username="admin")
    assert admin.is_superuser and admin.is_staff and admin.check_password(builder.DEMO_PASSWORD)


def test_the_demo_password_passes_the_password_policy():
    validate_password(builder.DEMO_PASSWORD)
