"""The write path of the org app: who may write where, everything validated before anything is saved, and
the activist's way into the party."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.org import services
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength
from vanguard.org.tests import factories
from vanguard.org.tests.factories import valid_id_number

OUT_OF_SCOPE = "所选党组织不存在或不在您的管理范围内。"


# --- creating nodes ------------------------------------------------------------------------------------


def test_a_secretary_may_add_a_group_to_their_branch_only(world, secretary_a):
    group = services.organisation_create(
        actor=secretary_a, parent=world.branch_a, name="第二党小组", kind=Organisation.Kind.GROUP
    )
    assert Organisation.objects.get_parent(group) == world.branch_a
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=secretary_a, parent=world.branch_b, name="第二党小组", kind=Organisation.Kind.GROUP
        )
    assert Organisation.objects.get_children(world.branch_b).count() == 0


@pytest.mark.parametrize("who", ["supervisor", "member_a", "auditor", "community_worker"])
def test_only_editors_add_organisations(request, world, who):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=request.getfixturevalue(who),
            parent=world.branch_a,
            name="第二党小组",
            kind=Organisation.Kind.GROUP,
        )


def test_only_a_superuser_adds_a_root_organisation(world, office, superuser):
    with pytest.raises(PermissionDenied):
        services.organisation_create(
            actor=office, parent=None, name="新党委", kind=Organisation.Kind.COMMITTEE
        )
    root = services.organisation_create(
        actor=superuser, parent=None, name="新党委", kind=Organisation.Kind.COMMITTEE
    )
    assert root.depth == 1


def test_nodes_added_one_after_another_keep_the_tree_consistent(world, office):
    # Each add re-reads the parent; a stale child count would give two children the same path.
    for name in ("三分公司党支部", "四分公司党支部", "五分公司党支部"):
        services.organisation_create(
            actor=office, parent=world.committee, name=name, kind=Organisation.Kind.BRANCH
        )
    assert Organisation.objects.find_problems() == ([], [], [], [], [])
    world.committee.refresh_from_db()
    assert world.committee.numchild == 5


def test_the_office_adds_grid_cells_and_others_may_not(world, office, secretary_a, community_worker):
    estate = services.cell_create(
        actor=office, parent=world.community, name="南园小区", kind=Cell.Kind.ESTATE
    )
    assert Cell.objects.get_parent(estate) == world.community
    for actor in (secretary_a, community_worker):
        with pytest.raises(PermissionDenied):
            services.cell_create(actor=actor, parent=world.community, name="北园小区", kind=Cell.Kind.ESTATE)


# --- members -------------------------------------------------------------------------------------------


def new_person(**fields) -> Person:
    fields.setdefault("birth_date", dt.date(1990, 5, 4))
    return Person(name="孙小红", **fields)


def test_a_secretary_creates_a_member_in_their_branch(world, secretary_a):
    member = services.member_save(
        actor=secretary_a,
        person=new_person(mobile="13600001234"),
        member=Member(organisation=world.group_a, join_date=dt.date(2015, 7, 1)),
        strengths=["文艺", "维修"],
    )
    member.refresh_from_db()
    assert member.person.name_pinyin == "sunxiaohong"
    assert member.organisation == world.group_a
    assert sorted(member.person.strengths.values_list("name", flat=True)) == ["文艺", "维修"]


def test_a_secretary_cannot_create_a_member_in_another_branch(world, secretary_a):
    with pytest.raises(ValidationError) as exc:
        services.member_save(
            actor=secretary_a, person=new_person(), member=Member(organisation=world.branch_b)
        )
    assert exc.value.message_dict["organisation"] == [OUT_OF_SCOPE]
    assert not Person.objects.filter(name="孙小红").exists()


def test_a_secretary_cannot_move_their_member_out_of_their_branch(world, secretary_a):
    member = Member.objects.get(pk=world.member_a.pk)
    member.organisation = world.branch_b
    with pytest.raises(ValidationError) as exc:
        services.member_save(actor=secretary_a, person=member.person, member=member)
    assert exc.value.message_dict["organisation"] == [OUT_OF_SCOPE]
    assert Member.objects.get(pk=member.pk).organisation == world.branch_a


def test_a_secretary_cannot_pull_a_member_of_another_branch_into_theirs(world, secretary_a):
    # The check is on the stored organisation, not the one the request brings.
    member = Member.objects.get(pk=world.member_b.pk)
    member.organisation = world.branch_a
    with pytest.raises(PermissionDenied):
        services.member_save(actor=secretary_a, person=member.person, member=member)
    assert Member.objects.get(pk=member.pk).organisation == world.branch_b


@pytest.mark.parametrize("who", ["supervisor", "member_a", "auditor", "community_worker"])
def test_only_editors_change_members(request, world, who):
    actor = request.getfixturevalue(who)
    member = Member.objects.get(pk=world.member_a.pk)
    member.badge_no = "X1"
    with pytest.raises((PermissionDenied, ValidationError)):
        services.member_save(actor=actor, person=member.person, member=member)
    assert Member.objects.get(pk=member.pk).badge_no == ""


def test_the_office_moves_a_member_between_branches(world, office):
    member = Member.objects.get(pk=world.member_a.pk)
    member.organisation = world.branch_b
    services.member_save(actor=office, person=member.person, member=member)
    assert Member.objects.get(pk=member.pk).organisation == world.branch_b


def test_person_and_member_errors_come_back_together_and_nothing_is_saved(world, office):
    person = new_person(mobile="12345", birth_date=dt.date(1990, 5, 4))
    member = Member(organisation=world.committee, join_date=dt.date(2000, 1, 1))
    with pytest.raises(ValidationError) as exc:
        services.member_save(actor=office, person=person, member=member)
    errors = exc.value.message_dict
    assert set(errors) == {"mobile", "organisation", "join_date"}
    assert not Person.objects.filter(name="孙小红").exists()


def test_an_edit_that_fails_leaves_the_stored_person_alone(world, office):
    member = Member.objects.select_related("person").get(pk=world.member_a.pk)
    member.person.mobile = "13900000000"
    member.join_date = dt.date(1990, 1, 1)  # born 1980: only 10
    with pytest.raises(ValidationError):
        services.member_save(actor=office, person=member.person, member=member)
    assert Person.objects.get(pk=member.person_id).mobile == "13812345678"


def test_joining_ends_the_activists_way_in(world, office):
    person = factories.person("赵六", birth_date=dt.date(1995, 5, 5))
    activist = Activist.objects.create(
        person=person, organisation=world.branch_a, stage=Activist.Stage.CANDIDATE
    )
    services.member_save(
        actor=office, person=person, member=Member(organisation=world.branch_a, join_date=dt.date(2020, 7, 1))
    )
    activist.refresh_from_db()
    assert activist.stage == Activist.Stage.ADMITTED
    assert activist.admitted_on == dt.date(2020, 7, 1)


def test_person_save_validates_and_sets_strengths(world, office):
    person = world.member_a.person
    services.person_save(actor=office, person=person, fields={"occupation": "调度员"}, strengths=["书法"])
    person.refresh_from_db()
    assert person.occupation == "调度员"
    assert list(person.strengths.values_list("name", flat=True)) == ["书法"]
    with pytest.raises(ValidationError) as exc:
        services.person_save(actor=office, person=person, fields={"id_number": "11010519491231002Y"})
    assert "id_number" in exc.value.message_dict
    assert Person.objects.get(pk=person.pk).id_number == ""


# --- strengths -----------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("text", "expected"),
    [
        ("文艺、维修,法律咨询", ["文艺", "维修", "法律咨询"]),
        ("文艺,维修;书法;  摄影", ["文艺", "维修", "书法", "摄影"]),
        ("文艺 维修", ["文艺", "维修"]),
        ("文艺、文艺、 维修", ["文艺", "维修"]),
        ("、,", []),
        ("", []),
    ],
)
def test_strengths_are_read_as_people_write_them(text, expected):
    assert services.strengths_from_text(text) == expected


def test_a_strength_too_long_is_cut_and_not_repeated():
    long = "非常擅长组织社区文艺汇演和各类群众性文化体育活动的策划与实施工作"
    assert len(long) > 30
    assert services.strengths_from_text(f"{long}、{long}x") == [long[:30]]


def test_strengths_are_shared_between_people(world, office):
    services.person_save(actor=office, person=world.member_a.person, strengths=["维修", "文艺"])
    services.person_save(actor=office, person=world.member_b.person, strengths=["维修"])
    assert Strength.objects.count() == 2
    assert Strength.objects.get(name="维修").people.count() == 2
    services.person_save(actor=office, person=world.member_a.person, strengths=[])
    assert world.member_a.person.strengths.count() == 0


# --- the activist's way in -----------------------------------------------------------------------------


@pytest.fixture
def activist(world) -> Activist:
    person = factories.person("赵六", birth_date=dt.date(1995, 5, 5), id_number=valid_id_number("19950505"))
    return Activist.objects.create(person=person, organisation=world.group_a, applied_on=dt.date(2019, 3, 1))


def test_an_activist_advances_one_stage_at_a_time_with_its_date(activist, secretary_a):
    services.activist_advance(
        actor=secretary_a, activist=activist, stage=Activist.Stage.ACTIVIST, on=dt.date(2019, 9, 1)
    )
    activist.refresh_from_db()
    assert activist.stage == Activist.Stage.ACTIVIST
    assert activist.activist_on == dt.date(2019, 9, 1)


@pytest.mark.parametrize("stage", [Activist.Stage.APPLICANT, Activist.Stage.ACTIVIST])
def test_an_activist_never_goes_back_or_stays(activist, secretary_a, stage):
    services.activist_advance(
        actor=secretary_a, activist=activist, stage=Activist.Stage.ACTIVIST, on=dt.date(2019, 9, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.activist_advance(actor=secretary_a, activist=activist, stage=stage, on=dt.date(2020, 1, 1))
    assert exc.value.message_dict["stage"] == ["只能向后推进阶段:当前为入党积极分子。"]


def test_a_stage_dated_before_the_previous_one_is_refused(activist, secretary_a):
    with pytest.raises(ValidationError) as exc:
        services.activist_advance(
            actor=secretary_a, activist=activist, stage=Activist.Stage.ACTIVIST, on=dt.date(2019, 2, 1)
        )
    assert "各阶段日期须依次不早于上一阶段" in exc.value.message_dict["stage"][0]
    activist.refresh_from_db()
    assert activist.stage == Activist.Stage.APPLICANT


def test_a_stage_cannot_be_dated_in_the_future(activist, secretary_a):
    from vanguard.org.validators import today

    with pytest.raises(ValidationError) as exc:
        services.activist_advance(
            actor=secretary_a,
            activist=activist,
            stage=Activist.Stage.ACTIVIST,
            on=today() + dt.timedelta(days=1),
        )
    assert exc.value.message_dict["activist_on"] == ["日期不能晚于今天。"]


def test_admission_makes_the_activist_a_probationary_member(activist, secretary_a):
    for stage, on in [
        (Activist.Stage.ACTIVIST, dt.date(2019, 9, 1)),
        (Activist.Stage.CANDIDATE, dt.date(2020, 9, 1)),
        (Activist.Stage.ADMITTED, dt.date(2021, 7, 1)),
    ]:
        services.activist_advance(actor=secretary_a, activist=activist, stage=stage, on=on)

    member = Member.objects.get(person=activist.person)
    assert member.status == Member.Status.PROBATIONARY
    assert member.organisation == activist.organisation
    assert member.join_date == dt.date(2021, 7, 1)
    activist.refresh_from_db()
    assert activist.stage == Activist.Stage.ADMITTED
    assert activist.admitted_on == dt.date(2021, 7, 1)
    assert activist.person.person_type == "预备党员"


def test_admission_may_skip_stages(activist, office):
    services.activist_advance(
        actor=office, activist=activist, stage=Activist.Stage.ADMITTED, on=dt.date(2021, 7, 1)
    )
    assert Member.objects.filter(person=activist.person, status=Member.Status.PROBATIONARY).exists()


def test_admission_under_18_is_refused_and_nothing_changes(world, secretary_a):
    person = factories.person("钱小", birth_date=dt.date(2004, 6, 1))
    young = Activist.objects.create(
        person=person, organisation=world.branch_a, applied_on=dt.date(2021, 1, 1)
    )
    with pytest.raises(ValidationError) as exc:
        services.activist_advance(
            actor=secretary_a, activist=young, stage=Activist.Stage.ADMITTED, on=dt.date(2022, 5, 31)
        )
    assert "入党日期不能早于2022-06-01" in exc.value.message_dict["join_date"][0]
    young.refresh_from_db()
    assert young.stage == Activist.Stage.APPLICANT
    assert not Member.objects.filter(person=person).exists()


def test_another_branch_cannot_advance_an_activist(activist, secretary_b, supervisor):
    for actor in (secretary_b, supervisor):
        with pytest.raises(PermissionDenied):
            services.activist_advance(
                actor=actor, activist=activist, stage=Activist.Stage.ACTIVIST, on=dt.date(2019, 9, 1)
            )
    activist.refresh_from_db()
    assert activist.stage == Activist.Stage.APPLICANT


def test_person_type_reads_the_roster_column(world, activist):
    assert world.member_a.person.person_type == "党员"
    assert activist.person.person_type == "入党申请人"
    assert factories.person("路人").person_type == "群众"
