"""The task pages: all tasks in scope, the overdue ones, a member's own, a zone's tab, one task, the forms
and the transitions. Each works for its role, answers 404 for the other branch, asks for a login and checks
the method; the lists pin their query counts; the export carries the filters."""

from __future__ import annotations

import datetime as dt
import io

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.zones.models import Task
from vanguard.zones.tests import work_factories as make

TODAY = today()
YESTERDAY = TODAY - dt.timedelta(days=1)
LOGIN = "/accounts/login/"


def url(name: str, *args) -> str:
    return reverse(f"zones:{name}", args=args)


def persona(request, name: str):
    return request.getfixturevalue(name)


@pytest.fixture
def zone_a(world):
    return make.zone(world.branch_a, cells=(world.team,))


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


def titles(response) -> set[str]:
    assert response.status_code == 200
    return {t.title for t in response.context["page"]}


# --- lists -----------------------------------------------------------------------------------------------


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
def test_the_task_list_shows_what_the_role_reaches(request, tasks, as_user, who, sees):
    response = as_user(persona(request, who)).get(url("task_list"))
    assert titles(response) == sees
    for task in tasks.values():
        if task.title not in sees:
            assert task.title not in response.content.decode()


@pytest.mark.parametrize("who", ["auditor", "nobody"])
def test_the_task_lists_are_forbidden_without_a_business_role(request, world, as_user, who):
    client = as_user(persona(request, who))
    for name in ("task_list", "task_overdue", "my_tasks", "activity_list"):
        assert client.get(url(name)).status_code == 403


def test_the_task_list_filters(world, tasks, office, as_user):
    client = as_user(office)
    assert titles(client.get(url("task_list"), {"organisation": world.branch_b.pk})) == {"B区宣讲"}
    assert titles(client.get(url("task_list"), {"category": "cultivation"})) == {"王建国的任务"}
    assert titles(client.get(url("task_list"), {"overdue": "on"})) == {"A区宣讲"}
    assert titles(client.get(url("task_list"), {"q": "wjg"})) == {"王建国的任务"}


def test_a_secretary_cannot_filter_by_another_branch(world, tasks, secretary_a, as_user):
    response = as_user(secretary_a).get(url("task_list"), {"organisation": world.branch_b.pk})
    assert "organisation" in response.context["form"].errors
    assert "B区宣讲" not in response.content.decode()


def test_an_htmx_request_gets_only_the_rows(world, tasks, office, as_user):
    response = as_user(office).get(url("task_list"), {"q": "A区"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert "<html" not in content
    assert "A区宣讲" in content
    assert "B区宣讲" not in content


def test_the_overdue_list_shows_open_tasks_past_their_date(world, tasks, zone_a, secretary_a, as_user):
    make.task(zone=zone_a, title="已完成的逾期", due_date=YESTERDAY, status="done", done_on=YESTERDAY)
    response = as_user(secretary_a).get(url("task_overdue"))
    assert titles(response) == {"A区宣讲"}
    assert "已逾期" in response.content.decode()


def test_the_overdue_list_of_another_branch_does_not_show_branch_a(world, tasks, secretary_b, as_user):
    make.task(zone=tasks["zone_b"].zone, title="B区逾期", due_date=YESTERDAY)
    assert titles(as_user(secretary_b).get(url("task_overdue"))) == {"B区逾期"}


def test_a_zones_task_tab_lists_its_tasks(world, tasks, zone_a, secretary_a, as_user):
    response = as_user(secretary_a).get(url("zone_tasks", zone_a.pk))
    assert titles(response) == {"A区宣讲"}
    assert url("zone_task_create", zone_a.pk) in response.content.decode()


def test_a_supervisor_reads_a_zones_tasks_without_the_new_task_button(
    world, tasks, zone_a, supervisor, as_user
):
    response = as_user(supervisor).get(url("zone_tasks", zone_a.pk))
    assert titles(response) == {"A区宣讲"}
    assert url("zone_task_create", zone_a.pk) not in response.content.decode()


# --- my tasks --------------------------------------------------------------------------------------------


def test_a_member_sees_and_completes_their_own_task_from_their_phone(world, tasks, member_a, as_user):
    client = as_user(member_a)
    response = client.get(url("my_tasks"))
    assert titles(response) == {"王建国的任务"}
    content = response.content.decode()
    assert 'name="viewport"' in content
    assert url("task_complete", tasks["member_a"].pk) in content
    response = client.post(
        url("task_complete", tasks["member_a"].pk),
        {"done_on": YESTERDAY.isoformat(), "next": url("my_tasks")},
    )
    assert response.status_code == 302
    assert response["Location"] == url("my_tasks")
    tasks["member_a"].refresh_from_db()
    assert (tasks["member_a"].status, tasks["member_a"].done_on) == ("done", YESTERDAY)


def test_someone_without_a_membership_is_told_they_have_no_tasks(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("my_tasks"))
    assert response.status_code == 200
    assert "没有关联党员身份" in response.content.decode()


def test_a_completion_never_redirects_off_the_site(world, tasks, member_a, as_user):
    response = as_user(member_a).post(
        url("task_complete", tasks["member_a"].pk), {"next": "https://evil.example/"}
    )
    assert response["Location"] == url("task_detail", tasks["member_a"].pk)


# --- one task --------------------------------------------------------------------------------------------


def test_the_secretary_opens_a_task_of_their_branch(world, tasks, secretary_a, as_user):
    response = as_user(secretary_a).get(url("task_detail", tasks["zone_a"].pk))
    assert response.status_code == 200
    content = response.content.decode()
    for name in ("task_edit", "task_cancel", "task_complete"):
        assert url(name, tasks["zone_a"].pk) in content


@pytest.mark.parametrize("name", ["task_detail", "task_edit"])
def test_a_task_of_another_branch_is_a_404(world, tasks, secretary_b, as_user, name):
    assert as_user(secretary_b).get(url(name, tasks["zone_a"].pk)).status_code == 404


@pytest.mark.parametrize("name", ["task_complete", "task_cancel", "task_reopen"])
def test_another_branch_cannot_move_a_task_and_nothing_changes(world, tasks, secretary_b, as_user, name):
    assert as_user(secretary_b).post(url(name, tasks["zone_a"].pk)).status_code == 404
    tasks["zone_a"].refresh_from_db()
    assert tasks["zone_a"].status == "open"


def test_a_member_does_not_see_someone_elses_task(world, tasks, member_a, as_user):
    colleague_task = make.task(member=org_factories.member(world.branch_a, "赵六"), title="赵六的任务")
    client = as_user(member_a)
    for task in (colleague_task, tasks["zone_a"]):
        assert client.get(url("task_detail", task.pk)).status_code == 404
        assert client.post(url("task_complete", task.pk)).status_code == 404
        task.refresh_from_db()
        assert task.status == "open"


def test_a_member_opens_their_own_task_but_may_not_edit_it(world, tasks, member_a, as_user):
    client = as_user(member_a)
    response = client.get(url("task_detail", tasks["member_a"].pk))
    assert response.status_code == 200
    assert url("task_edit", tasks["member_a"].pk) not in response.content.decode()
    assert url("task_complete", tasks["member_a"].pk) in response.content.decode()
    assert client.get(url("task_edit", tasks["member_a"].pk)).status_code == 403
    assert client.post(url("task_cancel", tasks["member_a"].pk)).status_code == 403


@pytest.mark.parametrize("name", ["task_edit", "task_cancel", "task_reopen", "task_complete"])
def test_a_supervisor_reads_but_does_not_change_a_task(world, tasks, supervisor, as_user, name):
    client = as_user(supervisor)
    assert client.get(url("task_detail", tasks["zone_a"].pk)).status_code == 200
    assert client.post(url(name, tasks["zone_a"].pk), {"title": "改"}).status_code == 403
    tasks["zone_a"].refresh_from_db()
    assert (tasks["zone_a"].status, tasks["zone_a"].title) == ("open", "A区宣讲")


def test_the_secretary_cancels_and_reopens_a_task(world, tasks, secretary_a, as_user):
    client = as_user(secretary_a)
    task = tasks["zone_a"]
    response = client.post(url("task_cancel", task.pk), follow=True)
    assert "已取消" in response.content.decode()
    task.refresh_from_db()
    assert task.status == "cancelled"
    client.post(url("task_reopen", task.pk))
    task.refresh_from_db()
    assert task.status == "open"


def test_a_refused_transition_is_explained_on_the_page(world, tasks, secretary_a, as_user):
    response = as_user(secretary_a).post(url("task_reopen", tasks["zone_a"].pk), follow=True)
    assert "任务正在进行中,无需重新打开。" in response.content.decode()


def test_a_completion_date_in_the_future_is_refused_on_the_page(world, tasks, member_a, as_user):
    tomorrow = (TODAY + dt.timedelta(days=1)).isoformat()
    response = as_user(member_a).post(
        url("task_complete", tasks["member_a"].pk), {"done_on": tomorrow}, follow=True
    )
    assert "完成日期不能晚于今天。" in response.content.decode()
    tasks["member_a"].refresh_from_db()
    assert tasks["member_a"].status == "open"


def test_a_finished_task_is_not_edited_but_reopened_first(world, zone_a, secretary_a, as_user):
    task = make.task(zone=zone_a, status="done", done_on=YESTERDAY)
    response = as_user(secretary_a).get(url("task_edit", task.pk), follow=True)
    assert "请先重新打开" in response.content.decode()


# --- forms -----------------------------------------------------------------------------------------------


def test_the_secretary_gives_a_zone_a_task_from_its_tab(world, zone_a, secretary_a, as_user):
    client = as_user(secretary_a)
    response = client.get(url("zone_task_create", zone_a.pk))
    assert response.status_code == 200
    assert {m.person.name for m in response.context["form"].fields["member"].queryset} == {"王建国"}
    response = client.post(
        url("zone_task_create", zone_a.pk),
        {"category": "civility", "title": "创建文明车队", "due_date": "", "member": world.member_a.pk},
    )
    task = Task.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("task_detail", task.pk)
    assert (task.zone, task.member, task.category) == (zone_a, world.member_a, "civility")


def test_the_new_task_form_offers_only_the_secretarys_branch(world, zone_a, zone_b, secretary_a, as_user):
    response = as_user(secretary_a).get(url("task_create"))
    form = response.context["form"]
    assert list(form.fields["organisation"].queryset) == [world.branch_a, world.group_a]
    # One branch and its group: the branch is chosen, its zones and members offered.
    assert list(form.fields["zone"].queryset) == [zone_a]
    assert {m.person.name for m in form.fields["member"].queryset} == {"王建国"}


def test_choosing_the_branch_reloads_its_zones_and_members(world, zone_a, zone_b, office, as_user):
    response = as_user(office).get(
        url("task_create"), {"organisation": world.branch_b.pk}, HTTP_HX_REQUEST="true"
    )
    form = response.context["form"]
    assert list(form.fields["zone"].queryset) == [zone_b]
    assert {m.person.name for m in form.fields["member"].queryset} == {"李红梅"}


def test_a_zone_of_another_branch_cannot_be_posted(world, zone_a, zone_b, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("task_create"),
        {"organisation": world.branch_a.pk, "zone": zone_b.pk, "category": "publicity", "title": "宣讲"},
    )
    assert response.status_code == 200
    assert "zone" in response.context["form"].errors
    assert not Task.objects.exists()


def test_a_task_with_neither_zone_nor_member_is_explained(world, zone_a, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("task_create"), {"organisation": world.branch_a.pk, "category": "publicity", "title": "宣讲"}
    )
    assert response.status_code == 200
    assert "任务须指定责任区或党员(至少一项)。" in response.content.decode()
    assert not Task.objects.exists()


def test_the_secretary_changes_an_open_task(world, tasks, secretary_a, as_user):
    task = tasks["zone_a"]
    response = as_user(secretary_a).post(
        url("task_edit", task.pk),
        {"zone": task.zone_id, "category": "integrity", "title": "廉政教育", "due_date": TODAY.isoformat()},
    )
    assert response.status_code == 302, response.context["form"].errors
    task.refresh_from_db()
    assert (task.category, task.title, task.due_date, task.zone_id) == (
        "integrity",
        "廉政教育",
        TODAY,
        task.zone_id,
    )


@pytest.mark.parametrize("who", ["supervisor", "member_a"])
def test_roles_that_read_do_not_give_tasks(request, world, zone_a, as_user, who):
    client = as_user(persona(request, who))
    assert client.get(url("task_create")).status_code == 403
    assert client.post(
        url("zone_task_create", zone_a.pk), {"category": "publicity", "title": "x"}
    ).status_code in (
        403,
        404,
    )
    assert not Task.objects.exists()


@pytest.mark.parametrize("name", ["zone_tasks", "zone_task_create"])
def test_the_task_tab_of_another_branchs_zone_is_a_404(world, zone_a, secretary_b, as_user, name):
    client = as_user(secretary_b)
    assert client.get(url(name, zone_a.pk)).status_code == 404
    assert client.post(url(name, zone_a.pk), {"category": "publicity", "title": "x"}).status_code in (
        404,
        405,
    )
    assert not Task.objects.exists()


# --- login, methods, query counts ------------------------------------------------------------------------


def test_every_task_page_asks_for_a_login(world, tasks, zone_a):
    pk = tasks["zone_a"].pk
    for name, args in [
        ("task_list", ()),
        ("task_overdue", ()),
        ("my_tasks", ()),
        ("task_create", ()),
        ("task_export", ()),
        ("task_detail", (pk,)),
        ("task_edit", (pk,)),
        ("zone_tasks", (zone_a.pk,)),
        ("zone_task_create", (zone_a.pk,)),
    ]:
        response = Client().get(url(name, *args))
        assert response.status_code == 302
        assert response["Location"].startswith(LOGIN)


@pytest.mark.parametrize("name", ["task_complete", "task_cancel", "task_reopen"])
def test_transitions_are_posted(world, tasks, secretary_a, as_user, name):
    assert as_user(secretary_a).get(url(name, tasks["zone_a"].pk)).status_code == 405


@pytest.mark.parametrize("name", ["task_list", "task_overdue", "my_tasks", "task_export"])
def test_the_lists_are_read_only(world, secretary_a, as_user, name):
    assert as_user(secretary_a).post(url(name)).status_code == 405


def _bulk_tasks(world, zone, n: int) -> None:
    Task.objects.bulk_create(
        Task(
            zone=zone if i % 2 else None,
            member=world.member_a,
            title=f"任务{i}",
            category=Task.Category.PUBLICITY,
            due_date=YESTERDAY,
        )
        for i in range(n)
    )


def _queries(client, path: str) -> int:
    client.get(path)  # the first request of a session writes it; count a later one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(path)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("who", "page"),
    [
        ("secretary_a", "task_list"),
        ("secretary_a", "task_overdue"),
        ("member_a", "my_tasks"),
        ("secretary_a", "zone_tasks"),
    ],
)
def test_each_task_list_runs_the_same_queries_for_5_and_50_rows(request, world, zone_a, as_user, who, page):
    client = as_user(persona(request, who))
    path = url(page, zone_a.pk) if page == "zone_tasks" else url(page)
    _bulk_tasks(world, zone_a, 10 if page == "zone_tasks" else 5)
    few = _queries(client, path)
    _bulk_tasks(world, zone_a, 100 if page == "zone_tasks" else 45)
    assert len(client.get(path).context["page"]) == 50
    assert _queries(client, path) == few


# --- export ----------------------------------------------------------------------------------------------


def _sheet(response) -> list[tuple]:
    assert response.status_code == 200
    content = b"".join(response.streaming_content)
    book = CalamineWorkbook.from_filelike(io.BytesIO(content))
    return [tuple(row) for row in book.get_sheet_by_index(0).to_python()]


def test_the_task_export_carries_the_filters_and_is_recorded(world, tasks, office, as_user):
    rows = _sheet(
        as_user(office).get(
            url("task_export"), {"organisation": world.branch_a.pk, "category": "cultivation"}
        )
    )
    assert rows[0][:4] == ("任务", "类别", "责任区", "党员")
    assert [r[:2] for r in rows[1:]] == [("王建国的任务", "培养联系")]
    record = AuditRecord.objects.get(action="export")
    assert record.after == {"kind": "tasks", "count": 1}
    assert "类别=培养联系" in record.detail
    assert "只看逾期" not in record.detail


def test_the_overdue_export_holds_the_overdue_tasks_only(world, tasks, secretary_a, as_user):
    rows = _sheet(as_user(secretary_a).get(url("task_export"), {"overdue_page": "1"}))
    assert [r[0] for r in rows[1:]] == ["A区宣讲"]
    assert "逾期任务" in AuditRecord.objects.get(action="export").detail


def test_the_task_export_of_another_branch_holds_none_of_branch_a(world, tasks, secretary_b, as_user):
    rows = _sheet(as_user(secretary_b).get(url("task_export")))
    assert [r[0] for r in rows[1:]] == ["B区宣讲"]


def test_the_export_link_asked_through_htmx_sends_the_browser_to_download(world, tasks, office, as_user):
    response = as_user(office).get(url("task_export"), {"category": "publicity"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"] == url("task_export") + "?category=publicity"
    assert not AuditRecord.objects.filter(action="export").exists()
