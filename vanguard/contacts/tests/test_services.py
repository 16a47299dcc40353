"""The write path of contacts: who assigns a member's contacts, who logs the talks, and the rules a person
would break — a talk before the contact was assigned, a talk in the future, the same contact twice."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.audit.models import Action, AuditRecord
from vanguard.contacts import services
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.contacts.tests import factories
from vanguard.org.models import Activist, Person
from vanguard.org.tests import factories as org_factories

MAY_20 = dt.date(2026, 5, 20)
K = ContactAssignment.Kind


def errors_of(excinfo) -> dict[str, list[str]]:
    return excinfo.value.message_dict


def assign(actor, member, **kwargs) -> ContactAssignment:
    kwargs.setdefault("year", 2026)
    kwargs.setdefault("assigned_on", dt.date(2026, 1, 10))
    return services.assignment_create(actor=actor, member=member, **kwargs)


def new_person(name: str = "孙大妈", mobile: str = "13700001111", residence=None) -> services.NewPerson:
    return services.NewPerson(name=name, mobile=mobile, residence=residence)


# --- assigning contacts ----------------------------------------------------------------------------------


def test_a_secretary_assigns_an_activist_of_the_branch_to_cultivate(world, secretary_a):
    activist = factories.activist(world.branch_a)
    contact = assign(secretary_a, world.member_a, person=activist, kind=K.CULTIVATION)
    assert (contact.member, contact.person, contact.year, contact.kind) == (
        world.member_a,
        activist,
        2026,
        K.CULTIVATION,
    )
    record = AuditRecord.objects.get(object_type="contacts.contactassignment")
    assert record.action == Action.CREATE and record.user_id == secretary_a.pk
    assert record.after["person"] == activist.pk


def test_a_new_contact_is_registered_with_the_assignment_and_both_are_audited(world, secretary_a):
    contact = assign(secretary_a, world.member_a, new_person=new_person(residence=world.community))
    person = contact.person
    assert (person.name, person.mobile, person.residence) == ("孙大妈", "13700001111", world.community)
    assert getattr(person, "member", None) is None and person.name_pinyin == "sundama"
    created = AuditRecord.objects.filter(action=Action.CREATE).values_list("object_type", "detail")
    assert ("org.person", "登记为王建国的联系对象") in list(created)
    assert AuditRecord.objects.filter(object_type="contacts.contactassignment").count() == 1


def test_a_new_contact_with_a_known_name_and_mobile_is_the_same_person(world, secretary_a):
    known = factories.resident("孙大妈", mobile="13700001111")
    contact = assign(secretary_a, world.member_a, new_person=new_person())
    assert contact.person == known
    assert Person.objects.filter(name="孙大妈").count() == 1
    assert not AuditRecord.objects.filter(object_type="org.person").exists()


def test_a_new_contact_with_a_bad_mobile_is_refused_and_nothing_is_saved(world, secretary_a):
    people = Person.objects.count()
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, new_person=new_person(mobile="12345"))
    assert "mobile" in errors_of(excinfo)
    assert Person.objects.count() == people
    assert not ContactAssignment.objects.exists()


def test_office_assigns_contacts_anywhere_under_the_committee(world, office):
    assign(office, world.member_b, new_person=new_person())
    assert ContactAssignment.objects.get().member == world.member_b


@pytest.mark.parametrize("who", ["secretary_b", "supervisor", "member_a", "community_worker", "auditor"])
def test_only_the_branch_and_the_office_assign_contacts(request, world, who):
    with pytest.raises(PermissionDenied):
        assign(request.getfixturevalue(who), world.member_a, new_person=new_person())
    assert not ContactAssignment.objects.exists()
    assert not Person.objects.filter(name="孙大妈").exists()


def test_a_person_out_of_sight_is_refused_like_a_missing_one(world, secretary_a):
    other_branch = factories.activist(world.branch_b, "周外支")
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, person=other_branch)
    assert errors_of(excinfo) == {"person": ["所选人员不存在或不在您的管理范围内。"]}
    assert not ContactAssignment.objects.exists()


def test_a_contact_already_kept_by_the_branch_may_be_picked_again(world, secretary_a, office):
    # A resident the branch cannot see in the roster, but whom a member of the branch already keeps.
    contact = assign(
        office, world.member_a, new_person=new_person(), year=2025, assigned_on=dt.date(2025, 1, 5)
    )
    again = assign(secretary_a, world.member_a, person=contact.person)
    assert again.year == 2026 and again.person == contact.person


def test_the_same_contact_twice_in_a_year_is_refused(world, secretary_a):
    first = assign(secretary_a, world.member_a, new_person=new_person())
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, person=first.person)
    assert errors_of(excinfo) == {"person": ["孙大妈已是王建国2026年的联系对象。"]}
    assert ContactAssignment.objects.count() == 1


def test_a_member_is_not_their_own_contact(world, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, person=world.member_a.person)
    assert errors_of(excinfo)["person"] == ["党员不能把自己列为联系对象。"]


def test_a_party_member_is_not_a_contact(world, secretary_a):
    colleague = org_factories.member(world.group_a, "赵同事")
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, person=colleague.person)
    assert errors_of(excinfo) == {"person": ["赵同事是党员;联系对象应是党员身边的群众或入党积极分子。"]}


def test_only_someone_on_the_way_in_is_cultivated(world, secretary_a):
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, new_person=new_person(), kind=K.CULTIVATION)
    assert errors_of(excinfo)["kind"] == ["培养对象须是入党申请人、入党积极分子或发展对象;孙大妈不是。"]
    for stage in Activist.Stage.APPLICANT, Activist.Stage.CANDIDATE:
        person = factories.activist(world.branch_a, f"申请人{stage}", stage=stage)
        assert assign(secretary_a, world.member_a, person=person, kind=K.CULTIVATION).pk


@pytest.mark.parametrize(
    ("year", "assigned_on", "field", "message"),
    [
        (2026, dt.date(2026, 5, 21), "assigned_on", "日期不能晚于今天。"),
        (2026, dt.date(2024, 12, 30), "assigned_on", "确定日期应在2026年内,或在上一年内提前确定。"),
        (2025, dt.date(2026, 1, 2), "assigned_on", "确定日期应在2025年内,或在上一年内提前确定。"),
        (1999, dt.date(1999, 1, 2), "year", "年度应在2000年至明年之间。"),
        (2028, dt.date(2026, 1, 2), "year", "年度应在2000年至明年之间。"),
    ],
)
def test_the_year_and_the_date_of_an_assignment_must_agree(
    world, secretary_a, year, assigned_on, field, message
):
    with pytest.raises(ValidationError) as excinfo:
        assign(secretary_a, world.member_a, new_person=new_person(), year=year, assigned_on=assigned_on)
    assert message in errors_of(excinfo)[field]
    assert not ContactAssignment.objects.exists()


def test_next_years_contacts_are_settled_in_advance(world, secretary_a):
    contact = assign(secretary_a, world.member_a, new_person=new_person(), year=2027, assigned_on=MAY_20)
    assert contact.year == 2027


def test_neither_or_both_ways_of_naming_the_contact_is_refused(world, secretary_a):
    person = factories.activist(world.branch_a)
    for kwargs in ({}, {"person": person, "new_person": new_person()}):
        with pytest.raises(ValidationError) as excinfo:
            assign(secretary_a, world.member_a, **kwargs)
        assert errors_of(excinfo) == {"person": ["请选择一名已有人员,或填写新联系对象的姓名(二者选一)。"]}


# --- changing and removing an assignment -----------------------------------------------------------------


def test_a_secretary_changes_the_kind_and_the_date_and_the_trail_keeps_both(world, secretary_a):
    contact = factories.assignment(world.member_a)
    services.assignment_update(
        actor=secretary_a,
        assignment=contact,
        kind=K.HOUSEHOLD,
        assigned_on=dt.date(2026, 1, 12),
        notes=" 邻居 ",
    )
    contact.refresh_from_db()
    assert (contact.kind, contact.assigned_on, contact.notes) == (K.HOUSEHOLD, dt.date(2026, 1, 12), "邻居")
    record = AuditRecord.objects.get(action=Action.UPDATE)
    assert record.before["kind"] == K.KEY and record.after["kind"] == K.HOUSEHOLD


def test_the_date_of_an_assignment_may_not_move_past_its_first_talk(world, secretary_a):
    contact = factories.assignment(world.member_a)
    factories.talk(contact, dt.date(2026, 2, 3))
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_update(
            actor=secretary_a, assignment=contact, kind=K.KEY, assigned_on=dt.date(2026, 3, 1)
        )
    assert errors_of(excinfo) == {
        "assigned_on": ["已有2026-02-03的谈话记录,确定日期不能晚于最早的谈话日期。"]
    }


def test_a_resident_does_not_become_someone_to_cultivate(world, secretary_a):
    contact = factories.assignment(world.member_a, factories.resident("孙大妈"))
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_update(
            actor=secretary_a, assignment=contact, kind=K.CULTIVATION, assigned_on=contact.assigned_on
        )
    assert "kind" in errors_of(excinfo)


@pytest.mark.parametrize("who", ["member_a", "supervisor", "secretary_b"])
def test_only_the_branch_changes_or_removes_an_assignment(request, world, who):
    contact = factories.assignment(world.member_a)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.assignment_update(actor=actor, assignment=contact, kind=K.HOUSEHOLD, assigned_on=MAY_20)
    with pytest.raises(PermissionDenied):
        services.assignment_delete(actor=actor, assignment=contact)
    contact.refresh_from_db()
    assert contact.kind == K.KEY


def test_removing_a_contact_removes_its_talks_and_the_trail_keeps_them(world, secretary_a):
    contact = factories.assignment(world.member_a)
    talks = [factories.talk(contact, dt.date(2026, m, 5)) for m in (2, 3)]
    services.assignment_delete(actor=secretary_a, assignment=contact)
    assert not ContactAssignment.objects.exists() and not Talk.objects.exists()
    deleted = AuditRecord.objects.filter(action=Action.DELETE)
    assert {(r.object_type, r.object_id) for r in deleted} == {
        ("contacts.contactassignment", str(contact.pk)),
        *{("contacts.talk", str(t.pk)) for t in talks},
    }
    assert deleted.get(object_type="contacts.contactassignment").detail == "连同2条谈心走访记录"


def test_last_years_contacts_are_the_archive_and_stay(world, secretary_a):
    contact = factories.assignment(world.member_a, year=2025, assigned_on=dt.date(2025, 1, 8))
    with pytest.raises(ValidationError) as excinfo:
        services.assignment_delete(actor=secretary_a, assignment=contact)
    assert excinfo.value.messages == ["2025年的联系对象和谈话记录已归入活动档案,不能删除。"]
    assert ContactAssignment.objects.filter(pk=contact.pk).exists()


# --- logging talks ---------------------------------------------------------------------------------------


def log(actor, contact, **kwargs) -> Talk:
    kwargs.setdefault("held_on", dt.date(2026, 5, 6))
    kwargs.setdefault("content", "谈了家里的情况和近期的工作。")
    return services.talk_create(actor=actor, assignment=contact, **kwargs)


def test_a_member_logs_a_talk_with_their_own_contact(world, member_a):
    contact = factories.assignment(world.member_a)
    talk = log(member_a, contact, kind=Talk.Kind.VISIT, problems=" 下水道堵塞 ", follow_up="已报物业")
    assert (talk.held_on, talk.kind, talk.problems) == (dt.date(2026, 5, 6), Talk.Kind.VISIT, "下水道堵塞")
    record = AuditRecord.objects.get(object_type="contacts.talk")
    assert record.user_id == member_a.pk and record.action == Action.CREATE


def test_the_branch_secretary_and_the_office_log_talks_too(world, secretary_a, office):
    contact = factories.assignment(world.member_a)
    log(secretary_a, contact)
    log(office, contact, held_on=dt.date(2026, 5, 7))
    assert contact.talks.count() == 2


@pytest.mark.parametrize("who", ["secretary_b", "supervisor", "community_worker", "auditor"])
def test_others_do_not_log_talks(request, world, who):
    contact = factories.assignment(world.member_a)
    with pytest.raises(PermissionDenied):
        log(request.getfixturevalue(who), contact)
    assert not Talk.objects.exists()


def test_a_member_does_not_log_talks_for_another_members_contact(world, member_a):
    contact = factories.assignment(org_factories.member(world.branch_a, "赵同事"))
    with pytest.raises(PermissionDenied):
        log(member_a, contact)


def test_a_talk_dated_before_the_contact_was_assigned_is_refused(world, member_a):
    contact = factories.assignment(world.member_a, assigned_on=dt.date(2026, 3, 15))
    with pytest.raises(ValidationError) as excinfo:
        log(member_a, contact, held_on=dt.date(2026, 3, 14))
    assert errors_of(excinfo) == {"held_on": ["谈话日期不能早于确定联系对象的日期(2026-03-15)。"]}
    assert not Talk.objects.exists()
    # The day itself is fine.
    assert log(member_a, contact, held_on=dt.date(2026, 3, 15)).pk


def test_a_talk_in_the_future_is_refused(world, member_a):
    contact = factories.assignment(world.member_a)
    with pytest.raises(ValidationError) as excinfo:
        log(member_a, contact, held_on=dt.date(2026, 5, 21))
    assert errors_of(excinfo) == {"held_on": ["日期不能晚于今天。"]}
    assert log(member_a, contact, held_on=MAY_20).held_on == MAY_20


def test_a_talk_says_what_was_said(world, member_a):
    contact = factories.assignment(world.member_a)
    with pytest.raises(ValidationError) as excinfo:
        log(member_a, contact, content="   ")
    assert list(errors_of(excinfo)) == ["content"]


def test_a_talk_belongs_to_its_contacts_year(world, member_a):
    contact = factories.assignment(world.member_a, year=2025, assigned_on=dt.date(2025, 1, 6))
    with pytest.raises(ValidationError) as excinfo:
        log(member_a, contact, held_on=dt.date(2026, 1, 3))
    assert errors_of(excinfo) == {"held_on": ["这是2025年度的联系对象,谈话日期不能晚于2025年。"]}


def test_a_member_corrects_their_talk_with_the_same_rules(world, member_a):
    contact = factories.assignment(world.member_a, assigned_on=dt.date(2026, 2, 1))
    talk = log(member_a, contact)
    services.talk_update(
        actor=member_a, talk=talk, held_on=dt.date(2026, 5, 2), content="改:谈了孩子上学的事。"
    )
    talk.refresh_from_db()
    assert (talk.held_on, talk.content) == (dt.date(2026, 5, 2), "改:谈了孩子上学的事。")
    with pytest.raises(ValidationError) as excinfo:
        services.talk_update(actor=member_a, talk=talk, held_on=dt.date(2026, 1, 31), content="x")
    assert list(errors_of(excinfo)) == ["held_on"]
    record = AuditRecord.objects.get(object_type="contacts.talk", action=Action.UPDATE)
    assert record.before["content"] == "谈了家里的情况和近期的工作。"


def test_a_supervisor_does_not_correct_talks(world, supervisor):
    talk = factories.talk(factories.assignment(world.member_a), dt.date(2026, 5, 2))
    with pytest.raises(PermissionDenied):
        services.talk_update(actor=supervisor, talk=talk, held_on=dt.date(2026, 5, 3), content="x")
