"""Rectification (限期改正): the branch's secretary or the office sets what a member must correct and by
when, follows it up and marks it done; the member sees their own; overdue ones (open past the deadline) come
first; the list runs a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import selectors_year, services_year
from vanguard.assessment.models import Rectification, RectificationNote
from vanguard.audit.models import AuditRecord
from vanguard.org.tests import factories as org_factories

from . import factories as f
from . import year_factories as y

pytestmark = pytest.mark.django_db
TODAY = dt.date(2026, 12, 15)


@pytest.fixture(autouse=True)
def in_december(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    return time_machine


def url(name: str, *args) -> str:
    return reverse(f"assessment_year:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


# --- the services -------------------------------------------------------------------------------------------


def test_the_secretary_sets_a_rectification_from_a_result(world, secretary_a):
    scheme = f.member_scheme(world.committee)
    round_ = y.closed_quarter(scheme, world.committee, 3)
    result = round_.results.get(member=world.member_a)
    rectification = services_year.rectification_create(
        actor=secretary_a,
        member=world.member_a,
        problem="  第三季度月度汇报缺2次  ",
        requirement="补交并说明原因",
        deadline=dt.date(2027, 1, 15),
        result=result,
    )
    assert (rectification.problem, rectification.status, rectification.result) == (
        "第三季度月度汇报缺2次",
        Rectification.Status.OPEN,
        result,
    )
    assert rectification.created_by == secretary_a
    assert AuditRecord.objects.filter(object_type="assessment.rectification", action="create").exists()


def test_follow_ups_and_done(world, secretary_a):
    rectification = y.rectification(world.member_a, deadline=dt.date(2026, 12, 31))
    services_year.rectification_note_add(actor=secretary_a, rectification=rectification, note="已谈话提醒")
    done = services_year.rectification_done(actor=secretary_a, rectification=rectification, note="已补交汇报")
    assert (done.status, done.done_on) == (Rectification.Status.DONE, TODAY)
    assert list(RectificationNote.objects.values_list("note", "written_on")) == [
        ("已谈话提醒", TODAY),
        ("已补交汇报", TODAY),
    ]
    with pytest.raises(ValidationError) as exc:
        services_year.rectification_done(actor=secretary_a, rectification=rectification)
    assert exc.value.messages == ["该整改已于2026-12-15完成,不能再修改。"]
    with pytest.raises(ValidationError):
        services_year.rectification_note_add(actor=secretary_a, rectification=rectification, note="再补充")


@pytest.mark.parametrize(
    ("fields", "errors"),
    [
        ({"problem": " "}, {"problem": ["请填写存在的问题。"]}),
        ({"deadline": dt.date(2026, 12, 14)}, {"deadline": ["整改期限不能早于今天。"]}),
        ({"deadline": None}, {"deadline": ["请填写整改期限。"]}),
        ({"problem": "x" * 5001}, {"problem": ["内容不能超过5000字。"]}),
    ],
)
def test_bad_input_is_refused_naming_the_field(world, secretary_a, fields, errors):
    values = {"problem": "未参加组织生活", "deadline": dt.date(2027, 1, 1), **fields}
    with pytest.raises(ValidationError) as exc:
        services_year.rectification_create(actor=secretary_a, member=world.member_a, **values)
    assert exc.value.message_dict == errors
    assert not Rectification.objects.exists()


def test_a_result_of_another_member_is_refused(world):
    round_ = y.closed_quarter(f.member_scheme(world.committee), world.committee, 3)
    with pytest.raises(ValidationError) as exc:
        services_year.rectification_create(
            actor=SYSTEM,
            member=world.member_a,
            problem="x",
            deadline=dt.date(2027, 1, 1),
            result=round_.results.get(member=world.member_b),
        )
    assert exc.value.message_dict == {"result": ["所选考核结果不是王建国的。"]}


def test_dates_in_the_future_or_before_the_start_are_refused(world, secretary_a):
    rectification = y.rectification(world.member_a, deadline=dt.date(2026, 12, 31))
    with pytest.raises(ValidationError) as exc:
        services_year.rectification_done(
            actor=secretary_a, rectification=rectification, done_on=dt.date(2026, 12, 16)
        )
    assert exc.value.message_dict == {"done_on": ["日期不能是将来。"]}
    with pytest.raises(ValidationError) as exc:
        services_year.rectification_note_add(
            actor=secretary_a, rectification=rectification, note="x", written_on=dt.date(2026, 12, 1)
        )
    assert exc.value.message_dict == {"written_on": ["日期不能早于提出整改的日期(2026-12-15)。"]}


@pytest.mark.parametrize("persona", ["secretary_b", "supervisor", "member_a", "community_worker"])
def test_only_the_members_branch_or_the_office_writes(world, persona, request):
    actor = request.getfixturevalue(persona)
    with pytest.raises(PermissionDenied):
        services_year.rectification_create(
            actor=actor, member=world.member_a, problem="x", deadline=dt.date(2027, 1, 1)
        )
    rectification = y.rectification(world.member_a, deadline=dt.date(2027, 1, 1))
    with pytest.raises(PermissionDenied):
        services_year.rectification_note_add(actor=actor, rectification=rectification, note="x")
    with pytest.raises(PermissionDenied):
        services_year.rectification_done(actor=actor, rectification=rectification)


def test_the_office_above_writes_too(world, office):
    rectification = services_year.rectification_create(
        actor=office, member=world.member_b, problem="x", deadline=dt.date(2027, 1, 1)
    )
    services_year.rectification_done(actor=office, rectification=rectification)


# --- overdue first ------------------------------------------------------------------------------------------


def test_overdue_ones_come_first_then_open_ones_by_deadline_then_done(world, office, in_december):
    in_december.move_to(dt.datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    late = y.rectification(world.member_a, deadline=dt.date(2026, 12, 10), problem="逾期")
    later_late = y.rectification(world.member_b, deadline=dt.date(2026, 12, 14), problem="也逾期")
    soon = y.rectification(world.member_b, deadline=dt.date(2026, 12, 20), problem="将到期")
    early_done = y.rectification(world.member_a, deadline=dt.date(2026, 11, 5), problem="已改")
    services_year.rectification_done(actor=SYSTEM, rectification=early_done)
    in_december.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    due_today = y.rectification(world.member_a, deadline=TODAY, problem="今天到期")
    rows = list(selectors_year.rectifications(user=office))
    assert [r.problem for r in rows] == [
        late.problem,
        later_late.problem,
        due_today.problem,
        soon.problem,
        "已改",
    ]
    assert [r.overdue for r in rows] == [True, True, False, False, False]
    overdue = selectors_year.rectifications(
        user=office, filters=selectors_year.RectificationFilters(status="overdue")
    )
    assert {r.pk for r in overdue} == {late.pk, later_late.pk}


# --- the pages ----------------------------------------------------------------------------------------------


def test_the_secretary_sets_one_on_the_page_and_follows_it_up(world, secretary_a, as_user):
    client = as_user(secretary_a)
    form = text(client.get(url("rectification_create")))
    assert "王建国" in form and "李红梅" not in form
    response = client.post(
        url("rectification_create"),
        {
            "member": world.member_a.pk,
            "problem": "联系群众不到位",
            "requirement": "每月走访2户",
            "deadline": "2027-01-31",
        },
        follow=True,
    )
    assert "已向王建国提出整改,期限2027-01-31。" in text(response)
    rectification = Rectification.objects.get()
    client.post(url("rectification_note", rectification.pk), {"note": "本月已走访1户"})
    response = client.post(url("rectification_done", rectification.pk), {"note": "已达到要求"}, follow=True)
    page = text(response)
    assert "已标记王建国整改完成(2026-12-15)。" in page and "本月已走访1户" in page and "已达到要求" in page


def test_bad_input_on_the_page_is_shown_and_nothing_is_saved(world, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("rectification_create"), {"member": world.member_a.pk, "problem": "", "deadline": "2026-12-01"}
    )
    page = text(response)
    assert "整改尚未保存" in page and "请填写存在的问题。" in page
    assert not Rectification.objects.exists()
    response = as_user(secretary_a).post(
        url("rectification_create"), {"member": world.member_a.pk, "problem": "x", "deadline": "2026-12-01"}
    )
    assert "整改期限不能早于今天。" in text(response)
    assert not Rectification.objects.exists()


def test_a_member_of_another_branch_is_not_offered_nor_accepted(world, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("rectification_create"), {"member": world.member_b.pk, "problem": "x", "deadline": "2027-01-01"}
    )
    assert "所选党员不存在或不在您的管理范围内。" in text(response)
    assert not Rectification.objects.exists()


def test_the_member_sees_their_own_and_nobody_elses(world, member_a, as_user):
    mine = y.rectification(world.member_a, deadline=dt.date(2027, 1, 1), problem="我的问题")
    other = y.rectification(world.member_b, deadline=dt.date(2027, 1, 1), problem="别人的问题")
    client = as_user(member_a)
    page = text(client.get(url("rectification_list")))
    assert "我的问题" in page and "别人的问题" not in page and "我的整改" in page
    detail = text(client.get(url("rectification_detail", mine.pk)))
    assert "我的问题" in detail and "标记整改完成" not in detail
    assert client.get(url("rectification_detail", other.pk)).status_code == 404
    assert client.post(url("rectification_done", mine.pk)).status_code == 403
    assert client.get(url("rectification_create")).status_code == 403


def test_another_branchs_secretary_gets_404(world, secretary_b, as_user):
    rectification = y.rectification(world.member_a, deadline=dt.date(2027, 1, 1))
    client = as_user(secretary_b)
    assert client.get(url("rectification_detail", rectification.pk)).status_code == 404
    assert client.post(url("rectification_note", rectification.pk), {"note": "x"}).status_code == 404
    assert client.post(url("rectification_done", rectification.pk)).status_code == 404
    assert "王建国" not in text(client.get(url("rectification_list")))
    rectification.refresh_from_db()
    assert rectification.status == Rectification.Status.OPEN


def test_a_supervisor_reads_but_does_not_write(world, supervisor, as_user):
    rectification = y.rectification(world.member_a, deadline=dt.date(2027, 1, 1))
    client = as_user(supervisor)
    assert "标记整改完成" not in text(client.get(url("rectification_detail", rectification.pk)))
    assert client.post(url("rectification_done", rectification.pk)).status_code == 403


@pytest.mark.parametrize("name", ["rectification_list", "rectification_create"])
def test_the_pages_need_a_login(world, resident, name):
    response = resident.get(url(name))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_list_filters_overdue_ones(world, office, as_user, in_december):
    in_december.move_to(dt.datetime(2026, 11, 1, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    y.rectification(world.member_a, deadline=dt.date(2026, 12, 1), problem="逾期的")
    y.rectification(world.member_b, deadline=dt.date(2027, 1, 1), problem="未到期的")
    in_december.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    page = text(as_user(office).get(url("rectification_list"), {"status": "overdue"}))
    assert "逾期的" in page and "未到期的" not in page


def test_the_list_runs_a_fixed_number_of_queries(world, office, as_user):
    client = as_user(office)

    def add(n: int) -> None:
        for i in range(n):
            member = org_factories.member(world.branch_a, f"党员{Rectification.objects.count()}{i}")
            y.rectification(member, deadline=dt.date(2027, 1, 1))

    add(3)
    client.get(url("rectification_list"))
    with CaptureQueriesContext(connection) as few:
        text(client.get(url("rectification_list")))
    add(20)
    with CaptureQueriesContext(connection) as more:
        page = text(client.get(url("rectification_list")))
    assert page.count("list-group-item-action") == 23
    assert len(more) == len(few)
