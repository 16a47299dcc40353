"""The services of a zone's work: each rule with the words a person reads, the task state machine, the
scope of every write and its audit record."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError

from vanguard.audit.models import AuditRecord
from vanguard.org.models import Activist, Person
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.zones import work_services as services
from vanguard.zones.models import Activity, ActivityParticipant, Task, WorkPlanEntry
from vanguard.zones.tests import work_factories as make
from vanguard.zones.work_services import Participation

TODAY = today()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def messages(exc: pytest.ExceptionInfo, field: str = NON_FIELD_ERRORS) -> list[str]:
    return exc.value.message_dict[field]


def records(obj) -> list[AuditRecord]:
    return list(
        AuditRecord.objects.filter(object_type=obj._meta.label_lower, object_id=str(obj.pk)).order_by("pk")
    )


@pytest.fixture
def zone_a(world):
    return make.zone(world.branch_a, cells=(world.team,))


@pytest.fixture
def zone_b(world):
    return make.zone(world.branch_b, "二车队责任区")


# --- creating and changing tasks -----------------------------------------------------------------------


def test_a_secretary_gives_a_zone_of_their_branch_a_task(world, secretary_a, zone_a):
    task = services.task_create(
        actor=secretary_a,
        zone=zone_a,
        category=Task.Category.CIVILITY,
        title="  创建文明班组 ",
        due_date=TOMORROW,
    )
    assert (task.status, task.title, task.done_on) == (Task.Status.OPEN, "创建文明班组", None)
    [record] = records(task)
    assert record.action == "create"
    assert record.username == "secretary_a"
    assert record.after["title"] == "创建文明班组"


def test_a_secretary_gives_a_member_of_their_branch_a_task_of_their_own(world, secretary_a):
    task = services.task_create(
        actor=secretary_a, member=world.member_a, category=Task.Category.CULTIVATION, title="联系积极分子"
    )
    assert task.member == world.member_a
    assert task.zone is None


def test_a_task_must_name_a_zone_or_a_member(world, secretary_a):
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=secretary_a, category=Task.Category.PUBLICITY, title="宣讲")
    assert messages(exc) == ["任务须指定责任区或党员(至少一项)。"]
    assert not Task.objects.exists()


def test_a_task_for_a_zone_of_another_branch_is_refused(world, secretary_a, zone_b):
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=secretary_a, zone=zone_b, category=Task.Category.PUBLICITY, title="宣讲")
    assert messages(exc, "zone") == ["所选责任区不存在或不在您的管理范围内。"]
    assert not Task.objects.exists()


def test_a_task_for_a_member_of_another_branch_is_refused(world, secretary_a):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=secretary_a, member=world.member_b, category=Task.Category.PUBLICITY, title="宣讲"
        )
    assert messages(exc, "member") == ["所选党员不在您管理的党组织内。"]


def test_a_members_task_in_a_zone_needs_a_member_of_the_zones_branch(world, office, zone_a):
    with pytest.raises(ValidationError) as exc:
        services.task_create(
            actor=office, zone=zone_a, member=world.member_b, category=Task.Category.PUBLICITY, title="宣讲"
        )
    assert messages(exc, "member") == ["党员须属于该责任区所在的党支部(一分公司党支部)。"]


def test_a_member_of_a_group_may_hold_a_task_in_a_zone_of_the_branch(world, secretary_a, zone_a):
    in_group = org_factories.member(world.group_a, "赵六")
    group_zone = make.zone(world.group_a, "小组责任区")
    for zone in (zone_a, group_zone):
        task = services.task_create(
            actor=secretary_a, zone=zone, member=in_group, category=Task.Category.OPERATIONS, title="安全行车"
        )
        assert task.pk


@pytest.mark.parametrize("who", ["supervisor", "member_a", "community_worker", "auditor", "nobody"])
def test_roles_that_only_read_cannot_give_tasks(request, world, zone_a, who):
    with pytest.raises(PermissionDenied):
        services.task_create(
            actor=request.getfixturevalue(who), zone=zone_a, category=Task.Category.PUBLICITY, title="宣讲"
        )


def test_a_task_needs_a_title_and_a_known_category(world, secretary_a, zone_a):
    with pytest.raises(ValidationError) as exc:
        services.task_create(actor=secretary_a, zone=zone_a, category="nonsense", title=" ")
    assert set(exc.value.message_dict) == {"category", "title"}


def test_an_open_task_is_changed_and_the_change_recorded(world, secretary_a, zone_a):
    task = make.task(zone=zone_a)
    services.task_update(
        actor=secretary_a,
        task=task,
        fields={"title": "宣讲十九大精神", "member": world.member_a, "due_date": TOMORROW},
    )
    task.refresh_from_db()
    assert (task.title, task.member, task.due_date) == ("宣讲十九大精神", world.member_a, TOMORROW)
    [record] = records(task)
    assert record.action == "update"
    assert record.before["title"] == "宣讲党的政策"
    assert record.after["member"] == world.member_a.pk


def test_moving_a_task_into_another_branch_is_refused_and_changes_nothing(world, secretary_a, zone_a, zone_b):
    task = make.task(zone=zone_a)
    with pytest.raises(ValidationError) as exc:
        services.task_update(actor=secretary_a, task=task, fields={"zone": zone_b})
    assert messages(exc, "zone") == ["所选责任区不存在或不在您的管理范围内。"]
    task.refresh_from_db()
    assert task.zone == zone_a
    assert records(task) == []


def test_a_task_of_another_branch_cannot_be_changed(world, secretary_b, zone_a):
    task = make.task(zone=zone_a)
    with pytest.raises(PermissionDenied):
        services.task_update(actor=secretary_b, task=task, fields={"title": "改"})


def test_a_finished_task_is_reopened_before_it_is_changed(world, secretary_a, zone_a):
    task = make.task(zone=zone_a, status=Task.Status.DONE, done_on=YESTERDAY)
    with pytest.raises(ValidationError) as exc:
        services.task_update(actor=secretary_a, task=task, fields={"title": "改"})
    assert messages(exc) == ["任务已完成,不能修改;如需修改,请先重新打开。"]


def test_a_task_cannot_lose_both_its_zone_and_its_member(world, secretary_a, zone_a):
    task = make.task(zone=zone_a)
    with pytest.raises(ValidationError) as exc:
        services.task_update(actor=secretary_a, task=task, fields={"zone": None})
    assert messages(exc) == ["任务须指定责任区或党员(至少一项)。"]


# --- the task state machine ------------------------------------------------------------------------------


def test_completing_an_open_task_dates_it_today_by_default(world, secretary_a, zone_a):
    task = services.task_complete(actor=secretary_a, task=make.task(zone=zone_a))
    assert (task.status, task.done_on) == (Task.Status.DONE, TODAY)
    [record] = records(task)
    assert (record.detail, record.before["status"], record.after["status"]) == ("标记完成", "open", "done")


def test_a_task_may_be_completed_on_an_earlier_day(world, secretary_a, zone_a):
    task = services.task_complete(actor=secretary_a, task=make.task(zone=zone_a), done_on=YESTERDAY)
    assert task.done_on == YESTERDAY


def test_a_task_cannot_be_completed_in_the_future(world, secretary_a, zone_a):
    task = make.task(zone=zone_a)
    with pytest.raises(ValidationError) as exc:
        services.task_complete(actor=secretary_a, task=task, done_on=TOMORROW)
    assert messages(exc, "done_on") == ["完成日期不能晚于今天。"]
    task.refresh_from_db()
    assert task.status == Task.Status.OPEN
    assert records(task) == []


@pytest.mark.parametrize(
    ("status", "transition", "words"),
    [
        ("done", "complete", "该任务已于{d}完成,不能再标记完成;如有需要,请支部书记重新打开。"),
        ("done", "cancel", "该任务已于{d}完成,不能再取消;如有需要,请支部书记重新打开。"),
        ("cancelled", "complete", "该任务已取消,不能再标记完成;如有需要,请支部书记重新打开。"),
        ("cancelled", "cancel", "该任务已取消,不能再取消;如有需要,请支部书记重新打开。"),
        ("open", "reopen", "任务正在进行中,无需重新打开。"),
    ],
)
def test_a_transition_that_does_not_apply_is_refused_in_words(
    world, secretary_a, zone_a, status, transition, words
):
    done_on = YESTERDAY if status == "done" else None
    task = make.task(zone=zone_a, status=status, done_on=done_on)
    with pytest.raises(ValidationError) as exc:
        getattr(services, f"task_{transition}")(actor=secretary_a, task=task)
    assert messages(exc, "status") == [words.format(d=YESTERDAY.isoformat())]
    task.refresh_from_db()
    assert (task.status, task.done_on) == (status, done_on)


@pytest.mark.parametrize(("status", "done_on"), [("done", YESTERDAY), ("cancelled", None)])
def test_the_secretary_reopens_a_finished_task(world, secretary_a, zone_a, status, done_on):
    task = services.task_reopen(
        actor=secretary_a, task=make.task(zone=zone_a, status=status, done_on=done_on)
    )
    assert (task.status, task.done_on) == (Task.Status.OPEN, None)
    assert records(task)[-1].detail == "重新打开"


def test_the_secretary_cancels_an_open_task(world, secretary_a, zone_a):
    task = services.task_cancel(actor=secretary_a, task=make.task(zone=zone_a))
    assert task.status == Task.Status.CANCELLED
    assert records(task)[-1].detail == "取消任务"


def test_a_member_completes_their_own_task(world, member_a):
    task = services.task_complete(actor=member_a, task=make.task(member=world.member_a))
    assert task.status == Task.Status.DONE
    assert records(task)[-1].username == "member_a"


@pytest.mark.parametrize("transition", ["cancel", "reopen"])
def test_a_member_neither_cancels_nor_reopens_their_own_task(world, member_a, transition):
    status = Task.Status.OPEN if transition == "cancel" else Task.Status.DONE
    task = make.task(member=world.member_a, status=status, done_on=YESTERDAY if status == "done" else None)
    with pytest.raises(PermissionDenied):
        getattr(services, f"task_{transition}")(actor=member_a, task=task)


def test_a_member_does_not_change_what_their_task_asks(world, member_a):
    with pytest.raises(PermissionDenied):
        services.task_update(actor=member_a, task=make.task(member=world.member_a), fields={"title": "改"})


def test_a_member_does_not_complete_someone_elses_task(world, member_a, zone_a):
    other = org_factories.member(world.branch_a, "赵六")
    for task in (make.task(member=other), make.task(zone=zone_a)):
        with pytest.raises(PermissionDenied):
            services.task_complete(actor=member_a, task=task)


def test_a_supervisor_does_not_complete_tasks(world, supervisor, zone_a):
    with pytest.raises(PermissionDenied):
        services.task_complete(actor=supervisor, task=make.task(zone=zone_a))


# --- the work plan ---------------------------------------------------------------------------------------


def test_a_secretary_adds_a_recurring_line_to_the_work_plan(world, secretary_a, zone_a):
    entry = services.plan_entry_create(
        actor=secretary_a,
        zone=zone_a,
        title="责任区巡查",
        recurrence=WorkPlanEntry.Recurrence.WEEKLY,
        starts_on=dt.date(2026, 1, 5),
        ends_on=dt.date(2026, 12, 31),
        person=world.member_a.person,
    )
    assert entry.pk
    assert records(entry)[0].action == "create"


def test_a_plan_line_cannot_end_before_it_starts(world, secretary_a, zone_a):
    with pytest.raises(ValidationError) as exc:
        services.plan_entry_create(
            actor=secretary_a,
            zone=zone_a,
            title="巡查",
            recurrence=WorkPlanEntry.Recurrence.WEEKLY,
            starts_on=dt.date(2026, 3, 1),
            ends_on=dt.date(2026, 2, 1),
        )
    assert messages(exc, "ends_on") == ["截止日期不能早于开始日期。"]


def test_a_one_off_line_has_no_end_date(world, secretary_a, zone_a):
    with pytest.raises(ValidationError) as exc:
        services.plan_entry_create(
            actor=secretary_a,
            zone=zone_a,
            title="植树",
            starts_on=dt.date(2026, 3, 12),
            ends_on=dt.date(2026, 3, 13),
        )
    assert messages(exc, "ends_on") == ["一次性工作只有一个日期,不填截止日期;按期重复的工作才需要截止日期。"]


def test_a_plan_line_for_a_zone_of_another_branch_is_refused(world, secretary_a, zone_b):
    with pytest.raises(ValidationError) as exc:
        services.plan_entry_create(actor=secretary_a, zone=zone_b, title="巡查", starts_on=TODAY)
    assert messages(exc, "zone") == ["所选责任区不存在或不在您的管理范围内。"]
    assert not WorkPlanEntry.objects.exists()


def test_the_person_in_charge_must_be_someone_the_secretary_sees(world, secretary_a, zone_a):
    with pytest.raises(ValidationError) as exc:
        services.plan_entry_create(
            actor=secretary_a, zone=zone_a, title="巡查", starts_on=TODAY, person=world.member_b.person
        )
    assert messages(exc, "person") == ["所选负责人不存在或不在您的可见范围内。"]


def test_a_plan_line_is_changed_and_deleted_with_records(world, secretary_a, zone_a):
    entry = make.plan_entry(zone_a)
    services.plan_entry_update(
        actor=secretary_a,
        entry=entry,
        fields={"recurrence": WorkPlanEntry.Recurrence.MONTHLY, "title": "奉献日"},
    )
    entry.refresh_from_db()
    assert (entry.recurrence, entry.title) == ("monthly", "奉献日")
    pk = entry.pk
    services.plan_entry_delete(actor=secretary_a, entry=entry)
    assert not WorkPlanEntry.objects.filter(pk=pk).exists()
    actions = list(
        AuditRecord.objects.filter(object_type="zones.workplanentry", object_id=str(pk)).values_list(
            "action", flat=True
        )
    )
    assert actions == ["update", "delete"]
    assert AuditRecord.objects.get(object_id=str(pk), action="delete").before["title"] == "奉献日"


@pytest.mark.parametrize("who", ["secretary_b", "supervisor", "member_a"])
def test_only_the_branch_changes_its_work_plan(request, world, zone_a, who):
    entry = make.plan_entry(zone_a)
    actor = request.getfixturevalue(who)
    with pytest.raises(PermissionDenied):
        services.plan_entry_update(actor=actor, entry=entry, fields={"title": "改"})
    with pytest.raises(PermissionDenied):
        services.plan_entry_delete(actor=actor, entry=entry)
    assert WorkPlanEntry.objects.get(pk=entry.pk).title == "责任区巡查"


# --- activities ------------------------------------------------------------------------------------------


def test_a_secretary_records_an_activity_with_its_participants_and_hours(world, secretary_a, zone_a):
    helper = org_factories.member(world.group_a, "赵六")
    activity = services.activity_create(
        actor=secretary_a,
        organisation=world.branch_a,
        zone=zone_a,
        title="党员奉献日:清理绿地",
        held_on=YESTERDAY,
        record="清理垃圾三车",
        participants=[
            Participation(world.member_a.person, Decimal("2.5")),
            Participation(helper.person, Decimal(3)),
        ],
    )
    rows = dict(activity.attendance.values_list("person__name", "hours"))
    assert rows == {"王建国": Decimal("2.5"), "赵六": Decimal("3.0")}
    [record] = records(activity)
    assert record.action == "create"
    assert record.after["participants"] == sorted(
        [[world.member_a.person_id, "2.5"], [helper.person_id, "3.0"]]
    )


def _activity(actor, world, **changes):
    values = {
        "actor": actor,
        "organisation": world.branch_a,
        "title": "清理绿地",
        "held_on": YESTERDAY,
        "participants": [Participation(world.member_a.person, Decimal(2))],
    }
    values.update(changes)
    return services.activity_create(**values)


@pytest.mark.parametrize(
    ("changes", "field", "words"),
    [
        ({"held_on": TOMORROW}, "held_on", "活动日期不能晚于今天:活动办完后再记录。"),
        ({"title": ""}, "title", None),
    ],
)
def test_an_activity_is_held_before_it_is_recorded(world, secretary_a, changes, field, words):
    with pytest.raises(ValidationError) as exc:
        _activity(secretary_a, world, **changes)
    assert field in exc.value.message_dict
    if words:
        assert messages(exc, field) == [words]
    assert not Activity.objects.exists()


def test_an_activity_of_another_branch_is_refused(world, secretary_a):
    with pytest.raises(ValidationError) as exc:
        _activity(secretary_a, world, organisation=world.branch_b, participants=[])
    assert messages(exc, "organisation") == ["所选党组织不存在或不在您的管理范围内。"]
    assert not Activity.objects.exists()


def test_an_activitys_zone_belongs_to_its_organisation(world, office, zone_a):
    with pytest.raises(ValidationError) as exc:
        _activity(office, world, organisation=world.branch_b, zone=zone_a, participants=[])
    assert messages(exc, "zone") == ["责任区须属于该组织单位或其下级党组织。"]


def test_the_committee_records_an_activity_in_a_zone_below_it(world, office, zone_a):
    activity = _activity(office, world, organisation=world.committee, zone=zone_a)
    assert activity.zone == zone_a


@pytest.mark.parametrize(
    ("hours", "words"),
    [
        ("24.5", "王建国的时长应在0至24小时之间。"),
        ("-1", "王建国的时长应在0至24小时之间。"),
        ("1.25", "王建国的时长最多保留一位小数,如1.5小时。"),
        ("NaN", "王建国的时长应在0至24小时之间。"),
    ],
)
def test_each_participant_gives_between_0_and_24_hours(world, secretary_a, hours, words):
    with pytest.raises(ValidationError) as exc:
        _activity(secretary_a, world, participants=[Participation(world.member_a.person, Decimal(hours))])
    assert messages(exc, "participants") == [words]
    assert not ActivityParticipant.objects.exists()


def test_a_participant_is_listed_once(world, secretary_a):
    person = world.member_a.person
    with pytest.raises(ValidationError) as exc:
        _activity(secretary_a, world, participants=[Participation(person, 1), Participation(person, 2)])
    assert messages(exc, "participants") == ["王建国在参加人员中重复出现。"]


def test_a_participant_out_of_sight_is_refused_without_naming_them(world, secretary_a):
    with pytest.raises(ValidationError) as exc:
        _activity(secretary_a, world, participants=[Participation(world.member_b.person, 1)])
    assert messages(exc, "participants") == ["参加人员中有人不存在或不在您的可见范围内。"]
    assert "李红梅" not in str(exc.value)


def test_an_activist_the_branch_cultivates_may_take_part(world, secretary_a):
    person = Person.objects.create(name="积极分子甲", residence=world.community)
    Activist.objects.create(person=person, organisation=world.branch_a)
    activity = _activity(secretary_a, world, participants=[Participation(person, 1)])
    assert list(activity.participants.all()) == [person]


@pytest.mark.parametrize("who", ["supervisor", "member_a", "community_worker"])
def test_roles_that_only_read_record_no_activity(request, world, who):
    with pytest.raises(PermissionDenied):
        _activity(request.getfixturevalue(who), world)


def test_changing_an_activity_replaces_its_participants_and_records_both_lists(world, secretary_a):
    activity = _activity(secretary_a, world)
    newcomer = org_factories.member(world.branch_a, "赵六").person
    services.activity_update(
        actor=secretary_a,
        activity=activity,
        fields={"title": "清理绿地(补记)"},
        participants=[Participation(newcomer, Decimal("1.5"))],
    )
    activity.refresh_from_db()
    assert activity.title == "清理绿地(补记)"
    assert dict(activity.attendance.values_list("person_id", "hours")) == {newcomer.pk: Decimal("1.5")}
    record = records(activity)[-1]
    assert record.action == "update"
    assert record.before["participants"] == [[world.member_a.person_id, "2.0"]]
    assert record.after["participants"] == [[newcomer.pk, "1.5"]]


def test_changing_only_the_hours_keeps_the_participants_rows(world, secretary_a):
    activity = _activity(secretary_a, world)
    row = activity.attendance.get()
    services.activity_update(
        actor=secretary_a,
        activity=activity,
        fields={},
        participants=[Participation(world.member_a.person, Decimal(4))],
    )
    assert ActivityParticipant.objects.get().pk == row.pk
    assert ActivityParticipant.objects.get().hours == Decimal(4)


def test_changing_an_activity_without_participants_leaves_them(world, secretary_a):
    activity = _activity(secretary_a, world)
    services.activity_update(actor=secretary_a, activity=activity, fields={"record": "补充记录"})
    assert activity.attendance.count() == 1


@pytest.mark.parametrize("who", ["secretary_b", "supervisor", "member_a"])
def test_only_the_organisation_changes_its_activity(request, world, secretary_a, who):
    activity = _activity(secretary_a, world)
    with pytest.raises(PermissionDenied):
        services.activity_update(
            actor=request.getfixturevalue(who), activity=activity, fields={"title": "改"}
        )
    assert Activity.objects.get().title == "清理绿地"


def test_moving_an_activity_to_another_branch_is_refused_and_changes_nothing(world, secretary_a):
    activity = _activity(secretary_a, world)
    with pytest.raises(ValidationError):
        services.activity_update(
            actor=secretary_a, activity=activity, fields={"organisation": world.branch_b}, participants=[]
        )
    activity.refresh_from_db()
    assert activity.organisation == world.branch_a
    assert activity.attendance.count() == 1
