"""The endpoints of a zone's work under /api/v1/: tasks (with complete / cancel / reopen), plan entries and
activities with their participants. Each works for its role, answers 404 for the other branch exactly as for
a missing object, asks for a token and checks the method; a foreign key out of scope changes nothing; the
lists pin their query counts."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.zones.models import Activity, ActivityParticipant, Task, WorkPlanEntry
from vanguard.zones.tests import work_factories as make

TASKS = "/api/v1/tasks/"
PLAN = "/api/v1/plan-entries/"
ACTIVITIES = "/api/v1/activities/"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}
TODAY = today()
YESTERDAY = TODAY - dt.timedelta(days=1)
TOMORROW = TODAY + dt.timedelta(days=1)


def persona(request, name: str):
    return request.getfixturevalue(name)


def titles(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["title"] for row in response.json()["results"]}


@pytest.fixture
def zone_a(world):
    return make.zone(world.branch_a, cells=(world.community,))


@pytest.fixture
def zone_b(world):
    return make.zone(world.branch_b, "二车队责任区")


@pytest.fixture
def tasks(world, zone_a, zone_b):
    return {
        "zone_a": make.task(zone=zone_a, title="A区宣讲", due_date=YESTERDAY),
        "member_a": make.task(
            member=world.member_a, title="王建国的任务", category=Task.Category.CULTIVATION
        ),
        "zone_b": make.task(zone=zone_b, title="B区宣讲"),
    }


# --- tasks: reading --------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("office", {"A区宣讲", "王建国的任务", "B区宣讲"}),
        ("secretary_a", {"A区宣讲", "王建国的任务"}),
        ("supervisor", {"A区宣讲", "王建国的任务"}),
        ("secretary_b", {"B区宣讲"}),
        ("member_a", {"王建国的任务"}),
        ("community_worker", set()),
    ],
)
def test_the_task_list_shows_what_the_role_reaches(request, tasks, who, sees):
    assert titles(api_client(persona(request, who)).get(TASKS)) == sees


def test_a_task_is_shown_with_its_zone_member_and_organisation(world, tasks, secretary_a):
    response = api_client(secretary_a).get(f"{TASKS}{tasks['zone_a'].pk}/")
    body = response.json()
    assert body == {
        "id": tasks["zone_a"].pk,
        "zone": tasks["zone_a"].zone_id,
        "zone_name": "一车队责任区",
        "member": None,
        "member_name": None,
        "organisation": world.branch_a.pk,
        "organisation_name": "一分公司党支部",
        "category": "publicity",
        "title": "A区宣讲",
        "description": "",
        "due_date": YESTERDAY.isoformat(),
        "status": "open",
        "done_on": None,
        "overdue": True,
    }


def test_the_task_list_filters(world, tasks, zone_a, office):
    client = api_client(office)
    assert titles(client.get(TASKS, {"zone": zone_a.pk})) == {"A区宣讲"}
    assert titles(client.get(TASKS, {"member": world.member_a.pk})) == {"王建国的任务"}
    assert titles(client.get(TASKS, {"organisation": world.branch_b.pk})) == {"B区宣讲"}
    assert titles(client.get(TASKS, {"overdue": "true"})) == {"A区宣讲"}
    assert titles(client.get(TASKS, {"category": "cultivation"})) == {"王建国的任务"}
    assert titles(client.get(TASKS, {"q": "B区"})) == {"B区宣讲"}


@pytest.mark.parametrize(("params", "field"), [({"status": "maybe"}, "status"), ({"zone": "x"}, "zone")])
def test_a_bad_task_filter_is_a_400_naming_the_field(world, office, params, field):
    response = api_client(office).get(TASKS, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_filtering_by_a_zone_of_another_branch_answers_as_for_a_missing_one(
    world, tasks, zone_b, secretary_a
):
    out_of_scope = api_client(secretary_a).get(TASKS, {"zone": zone_b.pk})
    missing = api_client(secretary_a).get(TASKS, {"zone": 999999})
    assert out_of_scope.status_code == missing.status_code == 400
    assert (
        out_of_scope.json()["errors"]
        == missing.json()["errors"]
        == {"zone": ["所选责任区不存在或不在您的可见范围内。"]}
    )


def test_a_task_of_another_branch_is_a_404_like_a_missing_one(world, tasks, secretary_b):
    client = api_client(secretary_b)
    out_of_scope = client.get(f"{TASKS}{tasks['zone_a'].pk}/")
    missing = client.get(f"{TASKS}999999/")
    assert out_of_scope.status_code == missing.status_code == 404
    assert out_of_scope.json() == missing.json() == NOT_FOUND


def test_a_member_reads_their_own_task_and_not_a_colleagues(world, tasks, member_a):
    colleague = make.task(member=org_factories.member(world.branch_a, "赵六"), title="赵六的任务")
    client = api_client(member_a)
    assert client.get(f"{TASKS}{tasks['member_a'].pk}/").status_code == 200
    assert client.get(f"{TASKS}{colleague.pk}/").status_code == 404
    assert client.get(f"{TASKS}{tasks['zone_a'].pk}/").status_code == 404


@pytest.mark.parametrize("path", [TASKS, PLAN, ACTIVITIES])
def test_anonymous_callers_get_401_in_chinese(world, path):
    response = api_client().get(path)
    assert response.status_code == 401
    assert response.json()["detail"].startswith("未登录")


@pytest.mark.parametrize("path", [TASKS, PLAN, ACTIVITIES])
def test_an_auditor_reads_no_work(world, auditor, path):
    assert api_client(auditor).get(path).status_code == 403


# --- tasks: writing --------------------------------------------------------------------------------------


def test_a_secretary_gives_a_task_to_a_zone_and_member_of_their_branch(world, zone_a, secretary_a):
    response = api_client(secretary_a).post(
        TASKS,
        {"zone": zone_a.pk, "member": world.member_a.pk, "category": "civility", "title": "创建文明车队"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["zone"], body["member_name"], body["status"]) == (zone_a.pk, "王建国", "open")
    assert AuditRecord.objects.filter(object_type="zones.task", action="create").count() == 1


@pytest.mark.parametrize(
    ("field", "words"),
    [("zone", "所选责任区不存在或不在您的可见范围内。"), ("member", "所选党员不存在或不在您的可见范围内。")],
)
def test_a_task_for_another_branch_is_refused_and_creates_nothing(world, zone_b, secretary_a, field, words):
    value = zone_b.pk if field == "zone" else world.member_b.pk
    response = api_client(secretary_a).post(
        TASKS, {field: value, "category": "publicity", "title": "宣讲"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [words]}
    assert not Task.objects.exists()


def test_a_task_naming_neither_zone_nor_member_is_a_readable_400(world, secretary_a):
    response = api_client(secretary_a).post(TASKS, {"category": "publicity", "title": "宣讲"}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求数据有误:任务须指定责任区或党员(至少一项)。",
        "errors": {"non_field_errors": ["任务须指定责任区或党员(至少一项)。"]},
    }


@pytest.mark.parametrize("who", ["supervisor", "member_a", "community_worker"])
def test_roles_that_read_cannot_give_tasks(request, world, zone_a, who):
    response = api_client(persona(request, who)).post(
        TASKS, {"zone": zone_a.pk, "category": "publicity", "title": "宣讲"}, format="json"
    )
    assert response.status_code == 403
    assert not Task.objects.exists()


def test_a_secretary_changes_an_open_task(world, tasks, secretary_a):
    task = tasks["zone_a"]
    response = api_client(secretary_a).patch(
        f"{TASKS}{task.pk}/", {"title": "廉政教育", "category": "integrity"}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["title"], response.json()["category"]) == ("廉政教育", "integrity")


def test_moving_a_task_into_another_branch_is_refused_and_changes_nothing(world, tasks, zone_b, secretary_a):
    task = tasks["zone_a"]
    response = api_client(secretary_a).patch(f"{TASKS}{task.pk}/", {"zone": zone_b.pk}, format="json")
    assert response.status_code == 400
    task.refresh_from_db()
    assert task.zone_id != zone_b.pk


def test_the_status_is_not_written_by_an_update(world, tasks, secretary_a):
    task = tasks["zone_a"]
    api_client(secretary_a).patch(f"{TASKS}{task.pk}/", {"status": "done", "title": "新"}, format="json")
    task.refresh_from_db()
    assert (task.status, task.title) == ("open", "新")


@pytest.mark.parametrize(("who", "code"), [("secretary_b", 404), ("supervisor", 403), ("member_a", 403)])
def test_a_task_is_changed_by_its_branch_only(request, world, tasks, who, code):
    task = tasks["member_a"]
    response = api_client(persona(request, who)).patch(f"{TASKS}{task.pk}/", {"title": "改"}, format="json")
    assert response.status_code == code
    task.refresh_from_db()
    assert task.title == "王建国的任务"


def test_a_finished_task_is_reopened_before_it_is_changed(world, zone_a, secretary_a):
    task = make.task(zone=zone_a, status="done", done_on=YESTERDAY)
    response = api_client(secretary_a).patch(f"{TASKS}{task.pk}/", {"title": "改"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["任务已完成,不能修改;如需修改,请先重新打开。"]}


# --- tasks: transitions ----------------------------------------------------------------------------------


def test_a_member_completes_their_own_task(world, tasks, member_a):
    task = tasks["member_a"]
    response = api_client(member_a).post(
        f"{TASKS}{task.pk}/complete/", {"done_on": YESTERDAY.isoformat()}, format="json"
    )
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["done_on"]) == ("done", YESTERDAY.isoformat())


def test_a_member_cannot_complete_a_colleagues_task(world, member_a):
    task = make.task(member=org_factories.member(world.branch_a, "赵六"))
    assert api_client(member_a).post(f"{TASKS}{task.pk}/complete/").status_code == 404
    task.refresh_from_db()
    assert task.status == "open"


@pytest.mark.parametrize("transition", ["cancel", "reopen"])
def test_a_member_neither_cancels_nor_reopens_their_own_task(world, tasks, member_a, transition):
    assert api_client(member_a).post(f"{TASKS}{tasks['member_a'].pk}/{transition}/").status_code == 403


@pytest.mark.parametrize("transition", ["complete", "cancel", "reopen"])
def test_a_supervisor_moves_no_task_and_another_branch_finds_none(
    world, tasks, supervisor, secretary_b, transition
):
    path = f"{TASKS}{tasks['zone_a'].pk}/{transition}/"
    assert api_client(supervisor).post(path).status_code == 403
    assert api_client(secretary_b).post(path).json() == NOT_FOUND
    tasks["zone_a"].refresh_from_db()
    assert tasks["zone_a"].status == "open"


def test_the_secretary_cancels_then_reopens(world, tasks, secretary_a):
    client = api_client(secretary_a)
    path = f"{TASKS}{tasks['zone_a'].pk}/"
    assert client.post(f"{path}cancel/").json()["status"] == "cancelled"
    refused = client.post(f"{path}complete/")
    assert refused.status_code == 400
    assert refused.json()["errors"] == {
        "status": ["该任务已取消,不能再标记完成;如有需要,请支部书记重新打开。"]
    }
    assert client.post(f"{path}reopen/").json()["status"] == "open"


def test_a_completion_in_the_future_is_a_400(world, tasks, secretary_a):
    response = api_client(secretary_a).post(
        f"{TASKS}{tasks['zone_a'].pk}/complete/", {"done_on": TOMORROW.isoformat()}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"done_on": ["完成日期不能晚于今天。"]}


@pytest.mark.parametrize(
    ("method", "path"),
    [("delete", "task"), ("get", "task/complete/"), ("put", "task/cancel/"), ("delete", "activity")],
)
def test_methods_that_are_not_offered_answer_405(world, tasks, office, method, path):
    activity = make.activity(world.branch_a)
    target = {
        "task": f"{TASKS}{tasks['zone_a'].pk}/",
        "activity": f"{ACTIVITIES}{activity.pk}/",
    }
    kind, _, rest = path.partition("/")
    response = getattr(api_client(office), method)(target[kind] + rest)
    assert response.status_code == 405


# --- plan entries ----------------------------------------------------------------------------------------


def test_plan_entries_come_with_their_dates_in_the_month(world, zone_a, secretary_a):
    make.plan_entry(zone_a, "巡查", starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 16))
    response = api_client(secretary_a).get(PLAN, {"zone": zone_a.pk, "month": "2026-03"})
    [row] = response.json()["results"]
    assert row["occurrences"] == ["2026-03-02", "2026-03-09", "2026-03-16"]
    assert row["recurrence"] == "weekly"
    detail = api_client(secretary_a).get(f"{PLAN}{row['id']}/", {"month": "2026-04"})
    assert detail.json()["occurrences"] == []


@pytest.mark.parametrize("month", ["2026-13", "1999-01", "March"])
def test_a_month_that_is_not_one_is_a_400(world, secretary_a, month):
    response = api_client(secretary_a).get(PLAN, {"month": month})
    assert response.status_code == 400
    assert "month" in response.json()["errors"]


@pytest.mark.parametrize(("who", "count"), [("secretary_a", 1), ("community_worker", 1), ("secretary_b", 0)])
def test_the_plan_is_read_by_whoever_sees_the_zone(request, world, zone_a, who, count):
    make.plan_entry(zone_a)
    assert api_client(persona(request, who)).get(PLAN).json()["count"] == count


def test_a_secretary_adds_changes_and_deletes_a_plan_line(world, zone_a, secretary_a):
    client = api_client(secretary_a)
    response = client.post(
        PLAN,
        {"zone": zone_a.pk, "title": "党员奉献日", "recurrence": "monthly", "starts_on": "2026-01-05"},
        format="json",
    )
    assert response.status_code == 201, response.content
    path = f"{PLAN}{response.json()['id']}/"
    assert (
        client.patch(path, {"person": world.member_a.person_id}, format="json").json()["person_name"]
        == "王建国"
    )
    assert client.delete(path).status_code == 204
    assert not WorkPlanEntry.objects.exists()
    actions = AuditRecord.objects.filter(object_type="zones.workplanentry").values_list("action", flat=True)
    assert list(actions.order_by("pk")) == ["create", "update", "delete"]


def test_a_plan_line_that_ends_before_it_starts_is_a_400(world, zone_a, secretary_a):
    response = api_client(secretary_a).post(
        PLAN,
        {
            "zone": zone_a.pk,
            "title": "巡查",
            "recurrence": "weekly",
            "starts_on": "2026-03-01",
            "ends_on": "2026-02-01",
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"ends_on": ["截止日期不能早于开始日期。"]}


def test_a_plan_line_for_another_branch_is_refused_and_creates_nothing(world, zone_b, secretary_a):
    response = api_client(secretary_a).post(
        PLAN, {"zone": zone_b.pk, "title": "巡查", "starts_on": "2026-03-01"}, format="json"
    )
    assert response.status_code == 400
    assert not WorkPlanEntry.objects.exists()


@pytest.mark.parametrize(
    ("who", "code"), [("secretary_b", 404), ("supervisor", 403), ("community_worker", 403)]
)
def test_a_plan_line_is_changed_by_its_branch_only(request, world, zone_a, who, code):
    entry = make.plan_entry(zone_a)
    client = api_client(persona(request, who))
    assert client.patch(f"{PLAN}{entry.pk}/", {"title": "改"}, format="json").status_code == code
    assert client.delete(f"{PLAN}{entry.pk}/").status_code == code
    assert WorkPlanEntry.objects.get().title == "责任区巡查"


# --- activities ------------------------------------------------------------------------------------------


@pytest.fixture
def day_a(world):
    colleague = org_factories.member(world.group_a, "赵六")
    return make.activity(
        world.branch_a, "党员奉献日", participants=((world.member_a.person, "2.5"), (colleague.person, "3"))
    )


def test_an_activity_comes_with_its_participants_and_totals(world, day_a, secretary_a):
    body = api_client(secretary_a).get(f"{ACTIVITIES}{day_a.pk}/").json()
    assert (body["participant_count"], body["total_hours"]) == (2, "5.5")
    assert [(p["name"], p["hours"]) for p in body["participants"]] == [("王建国", "2.5"), ("赵六", "3.0")]


@pytest.mark.parametrize(
    ("who", "count"), [("secretary_a", 1), ("member_a", 1), ("secretary_b", 0), ("supervisor", 1)]
)
def test_the_activity_list_shows_what_the_role_reaches(request, world, day_a, who, count):
    assert api_client(persona(request, who)).get(ACTIVITIES).json()["count"] == count


def test_an_activity_of_another_branch_is_a_404(world, day_a, secretary_b):
    assert api_client(secretary_b).get(f"{ACTIVITIES}{day_a.pk}/").json() == NOT_FOUND


def test_a_secretary_records_an_activity_with_participants(world, secretary_a):
    response = api_client(secretary_a).post(
        ACTIVITIES,
        {
            "organisation": world.branch_a.pk,
            "title": "清理绿地",
            "held_on": YESTERDAY.isoformat(),
            "participants": [{"person": world.member_a.person_id, "hours": "2.5"}],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["participant_count"], body["total_hours"]) == (1, "2.5")


@pytest.mark.parametrize(
    ("changes", "field"),
    [
        ({"organisation": "branch_b"}, "organisation"),
        ({"participants": [{"person": "member_b", "hours": "1"}]}, "participants"),
        ({"participants": [{"person": "member_a", "hours": "25"}]}, "participants"),
        (
            {"participants": [{"person": "member_a", "hours": "1"}, {"person": "member_a", "hours": "2"}]},
            "participants",
        ),
        ({"held_on": TOMORROW.isoformat()}, "held_on"),
    ],
)
def test_a_bad_activity_is_refused_and_creates_nothing(world, secretary_a, changes, field):
    data = {"organisation": world.branch_a.pk, "title": "清理", "held_on": YESTERDAY.isoformat()}
    for key, value in changes.items():
        if key == "organisation":
            value = getattr(world, value).pk
        if key == "participants":
            value = [{"person": getattr(world, p["person"]).person_id, "hours": p["hours"]} for p in value]
        data[key] = value
    response = api_client(secretary_a).post(ACTIVITIES, data, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Activity.objects.exists()
    assert not ActivityParticipant.objects.exists()


def test_updating_an_activity_replaces_its_participants_only_when_given(world, day_a, secretary_a):
    client = api_client(secretary_a)
    path = f"{ACTIVITIES}{day_a.pk}/"
    assert client.patch(path, {"record": "补记"}, format="json").json()["participant_count"] == 2
    body = client.patch(
        path, {"participants": [{"person": world.member_a.person_id, "hours": "4"}]}, format="json"
    ).json()
    assert [(p["name"], p["hours"]) for p in body["participants"]] == [("王建国", "4.0")]
    assert day_a.attendance.get().hours == Decimal(4)


@pytest.mark.parametrize(("who", "code"), [("secretary_b", 404), ("supervisor", 403), ("member_a", 403)])
def test_an_activity_is_changed_by_its_organisation_only(request, world, day_a, who, code):
    response = api_client(persona(request, who)).patch(
        f"{ACTIVITIES}{day_a.pk}/", {"title": "改"}, format="json"
    )
    assert response.status_code == code
    assert Activity.objects.get().title == "党员奉献日"


# --- query counts ----------------------------------------------------------------------------------------


def _count(client, path: str) -> int:
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_task_list_runs_a_fixed_number_of_queries(world, zone_a, office):
    client = api_client(office)

    def add(n: int) -> None:
        Task.objects.bulk_create(
            Task(
                zone=zone_a if i % 2 else None, member=world.member_a, title=f"任务{i}", category="publicity"
            )
            for i in range(n)
        )

    add(5)
    few = _count(client, TASKS)
    add(45)
    assert _count(client, TASKS) == few


def test_the_activity_and_plan_lists_run_a_fixed_number_of_queries(world, zone_a, office):
    client = api_client(office)
    people = [org_factories.member(world.branch_a, f"党员{i}").person for i in range(3)]

    def add(n: int) -> None:
        activities = Activity.objects.bulk_create(
            Activity(organisation=world.branch_a, zone=zone_a, title=f"活动{i}", held_on=YESTERDAY)
            for i in range(n)
        )
        ActivityParticipant.objects.bulk_create(
            ActivityParticipant(activity=a, person=p, hours=1) for a in activities for p in people
        )
        WorkPlanEntry.objects.bulk_create(
            WorkPlanEntry(zone=zone_a, title=f"工作{i}", starts_on=TODAY, person=people[0]) for i in range(n)
        )

    add(5)
    few = (_count(client, ACTIVITIES), _count(client, PLAN))
    add(45)
    assert (_count(client, ACTIVITIES), _count(client, PLAN)) == few


def test_a_plan_line_of_another_branch_is_a_404_like_a_missing_one(world, zone_a, secretary_b):
    entry = make.plan_entry(zone_a)
    client = api_client(secretary_b)
    assert client.get(f"{PLAN}{entry.pk}/").json() == client.get(f"{PLAN}999999/").json() == NOT_FOUND
    assert client.get(PLAN, {"zone": zone_a.pk}).json()["errors"] == {
        "zone": ["所选责任区不存在或不在您的可见范围内。"]
    }
