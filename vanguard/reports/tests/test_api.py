"""/api/v1/reports/: the same rules as the pages. A member submits for themself; the branch's secretary
reviews; another branch's report is a 404 exactly like a missing one; a foreign key out of scope is
refused and nothing changes; the lists are pages with a pinned query count."""

from __future__ import annotations

import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.core import pinyin
from vanguard.org.models import Member, Person
from vanguard.org.tests import factories as org_factories
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import FEB, MARCH

Status = MonthlyReport.Status
REPORTS = "/api/v1/reports/"
MISSING = "/api/v1/reports/missing/"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}


def detail(report) -> str:
    return f"{REPORTS}{report.pk}/"


def review(report) -> str:
    return f"{REPORTS}{report.pk}/review/"


@pytest.fixture
def submitted(world):
    return factories.report(world.member_a, MARCH, work_done="组织班组学习安全规程。")


# --- submitting and editing --------------------------------------------------------------------------------


def test_a_member_submits_their_report(world, member_a):
    zone = factories.zone(world.branch_a, "1路线路责任区", year=2026)
    factories.zone_role(zone, world.member_a)
    response = api_client(member_a).post(
        REPORTS,
        {"month": "2026-03", "work_done": "宣传安全规程", "ideas": "增开早班车", "masses_opinions": ""},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    report = MonthlyReport.objects.get()
    assert body == {
        "id": report.pk,
        "member": world.member_a.pk,
        "member_name": "王建国",
        "organisation": world.branch_a.pk,
        "organisation_name": "一分公司党支部",
        "month": "2026-03",
        "zone": zone.pk,
        "zone_name": "1路线路责任区",
        "work_done": "宣传安全规程",
        "ideas": "增开早班车",
        "masses_opinions": "",
        "status": "submitted",
        "submitted_at": body["submitted_at"],
        "reviewed_by": "",
        "reviewed_at": None,
        "review_comment": "",
    }
    assert body["submitted_at"].startswith("2026-03-15T10:00:00")


def test_a_report_for_a_future_month_is_refused(world, member_a):
    response = api_client(member_a).post(
        REPORTS, {"month": "2026-04", "work_done": "预先写好"}, format="json"
    )
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求数据有误:不能提交未来月份(2026-04)的汇报。",
        "errors": {"month": ["不能提交未来月份(2026-04)的汇报。"]},
    }
    assert not MonthlyReport.objects.exists()


def test_a_second_report_for_the_month_is_refused(world, member_a, submitted):
    response = api_client(member_a).post(REPORTS, {"month": "2026-03", "work_done": "又一份"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:2026年03月的汇报已经提交过,请修改原汇报。"
    assert MonthlyReport.objects.count() == 1


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"month": "2026/3/1", "work_done": "x"}, "month"),
        ({"month": 202603, "work_done": "x"}, "month"),
        ({"month": "2026-03"}, "work_done"),
        ({"month": "2026-03", "work_done": ""}, "work_done"),
        ({"month": "2026-03", "work_done": "x" * 5001}, "work_done"),
        ({"month": "2026-03", "work_done": "x", "zone": "一路"}, "zone"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, member_a, body, field):
    response = api_client(member_a).post(REPORTS, body, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]


def test_a_zone_out_of_sight_is_refused_and_nothing_is_written(world, member_a):
    other = factories.zone(world.branch_b, "二分公司责任区", year=2026)
    response = api_client(member_a).post(
        REPORTS, {"month": "2026-03", "work_done": "x", "zone": other.pk}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"zone": ["所选责任区不存在或不在您的可见范围内。"]}
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "office", "supervisor", "community_worker"])
def test_only_a_member_creates_a_report(world, persona, request):
    response = api_client(request.getfixturevalue(persona)).post(
        REPORTS, {"month": "2026-03", "work_done": "代写"}, format="json"
    )
    assert response.status_code == 403
    assert not MonthlyReport.objects.exists()


def test_the_member_updates_a_returned_report_which_submits_it_again(world, member_a):
    report = factories.report(world.member_a, FEB, status=Status.RETURNED, review_comment="请具体些")
    response = api_client(member_a).patch(
        detail(report), {"work_done": "具体了", "month": "2026-01"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert (response.json()["status"], response.json()["work_done"], response.json()["month"]) == (
        "submitted",
        "具体了",
        "2026-02",
    )


def test_a_reviewed_report_cannot_be_updated(world, member_a):
    report = factories.report(world.member_a, FEB, status=Status.REVIEWED)
    response = api_client(member_a).put(detail(report), {"work_done": "再改"}, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:2026年2月的汇报已经审阅,不能再修改。"


def test_the_secretary_reads_but_does_not_rewrite_a_report(world, secretary_a, submitted):
    client = api_client(secretary_a)
    assert client.get(detail(submitted)).status_code == 200
    assert client.patch(detail(submitted), {"work_done": "代写"}, format="json").status_code == 403
    submitted.refresh_from_db()
    assert submitted.work_done == "组织班组学习安全规程。"


def test_a_member_gets_404_for_another_members_report(world, member_a):
    other = factories.report(world.member_b, MARCH)
    client = api_client(member_a)
    assert client.get(detail(other)).json() == NOT_FOUND
    assert client.patch(detail(other), {"work_done": "x"}, format="json").status_code == 404
    assert client.post(review(other), {"decision": "reviewed"}, format="json").status_code == 404


# --- reviewing ---------------------------------------------------------------------------------------------


def test_the_secretary_reviews_with_a_comment(world, secretary_a, submitted):
    response = api_client(secretary_a).post(
        review(submitted), {"decision": "reviewed", "comment": "工作扎实"}, format="json"
    )
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["review_comment"], body["reviewed_by"]) == (
        "reviewed",
        "工作扎实",
        "secretary_a",
    )


def test_returning_needs_a_comment(world, secretary_a, submitted):
    response = api_client(secretary_a).post(review(submitted), {"decision": "returned"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"comment": ["退回汇报时须填写审阅意见,说明需要补充或修改的内容。"]}


def test_a_reviewed_report_is_not_reviewed_again(world, secretary_a, submitted):
    client = api_client(secretary_a)
    client.post(review(submitted), {"decision": "reviewed"}, format="json")
    response = client.post(review(submitted), {"decision": "returned", "comment": "再看"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"non_field_errors": ["2026年3月的汇报已经审阅,不能再次审阅或退回。"]}


@pytest.mark.parametrize("decision", ["submitted", "", None, 1])
def test_an_unknown_decision_is_a_400(world, secretary_a, submitted, decision):
    response = api_client(secretary_a).post(review(submitted), {"decision": decision}, format="json")
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["decision"]


def test_the_secretary_of_another_branch_gets_404_and_nothing_changes(world, secretary_b, submitted):
    client = api_client(secretary_b)
    assert client.get(detail(submitted)).json() == NOT_FOUND
    assert client.post(review(submitted), {"decision": "reviewed"}, format="json").json() == NOT_FOUND
    assert client.get(f"{REPORTS}999999/").json() == NOT_FOUND
    assert client.get(REPORTS).json()["count"] == 0
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["supervisor", "member_a"])
def test_a_supervisor_or_the_member_may_not_review(world, persona, submitted, request):
    response = api_client(request.getfixturevalue(persona)).post(
        review(submitted), {"decision": "reviewed"}, format="json"
    )
    assert response.status_code == 403
    assert response.json() == {"detail": "您无权执行此操作。"}


# --- lists -------------------------------------------------------------------------------------------------


def test_the_list_filters_by_member_month_status_and_organisation(world, office):
    zhao = org_factories.member(world.group_a, "赵六")
    factories.report(world.member_a, MARCH, status=Status.REVIEWED)
    factories.report(world.member_a, FEB)
    factories.report(zhao, MARCH)
    factories.report(world.member_b, MARCH)
    client = api_client(office)

    def months_and_names(params):
        response = client.get(REPORTS, params)
        assert response.status_code == 200, response.content
        return [(r["month"], r["member_name"]) for r in response.json()["results"]]

    assert len(months_and_names({})) == 4
    assert months_and_names({"member": world.member_a.pk}) == [("2026-03", "王建国"), ("2026-02", "王建国")]
    assert months_and_names({"month": "2026-02"}) == [("2026-02", "王建国")]
    assert months_and_names({"status": "reviewed"}) == [("2026-03", "王建国")]
    assert months_and_names({"organisation": world.group_a.pk}) == [("2026-03", "赵六")]


def test_a_filter_out_of_scope_is_refused(world, secretary_a):
    client = api_client(secretary_a)
    response = client.get(REPORTS, {"organisation": world.branch_b.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    assert client.get(REPORTS, {"member": world.member_b.pk}).status_code == 400
    assert client.get(REPORTS, {"month": "March"}).status_code == 400


def test_a_member_lists_only_their_own(world, member_a, submitted):
    factories.report(world.member_b, MARCH)
    body = api_client(member_a).get(REPORTS).json()
    assert [r["id"] for r in body["results"]] == [submitted.pk]


def test_the_missing_endpoint_lists_the_month_and_counts(world, secretary_a, submitted):
    zhao = org_factories.member(world.group_a, "赵六", mobile="13900001111")
    factories.report(zhao, FEB, status=Status.REVIEWED)
    response = api_client(secretary_a).get(MISSING, {"organisation": world.branch_a.pk, "month": "2026-03"})
    assert response.status_code == 200, response.content
    assert response.json() == {
        "count": 1,
        "next": None,
        "previous": None,
        "results": [
            {
                "id": zhao.pk,
                "name": "赵六",
                "organisation": world.group_a.pk,
                "organisation_name": "第一党小组",
                "category": "in_service",
                "mobile": "139****1111",
                "last_month": "2026-02",
            }
        ],
        "summary": {
            "month": "2026-03",
            "members": 2,
            "submitted": 1,
            "returned": 0,
            "reviewed": 0,
            "missing": 1,
        },
    }


def test_the_missing_endpoint_defaults_to_this_month_and_the_whole_scope(world, office):
    body = api_client(office).get(MISSING).json()
    assert body["summary"]["month"] == "2026-03"
    assert {r["name"] for r in body["results"]} == {"王建国", "李红梅"}


def test_the_missing_endpoint_refuses_another_branch_a_future_month_and_a_member(
    world, secretary_b, member_a
):
    client = api_client(secretary_b)
    response = client.get(MISSING, {"organisation": world.branch_a.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    assert client.get(MISSING, {"month": "2026-04"}).json()["errors"] == {
        "month": ["未来的月份还没有汇报可查。"]
    }
    assert api_client(member_a).get(MISSING).status_code == 403


def test_anonymous_requests_are_401(world, submitted):
    client = api_client()
    for method, target in [("get", REPORTS), ("post", REPORTS), ("get", detail(submitted)), ("get", MISSING)]:
        assert getattr(client, method)(target).status_code == 401
    assert client.post(review(submitted), {"decision": "reviewed"}, format="json").status_code == 401


def test_the_methods_are_checked(world, secretary_a, submitted):
    client = api_client(secretary_a)
    assert client.delete(detail(submitted)).status_code == 405
    assert client.get(review(submitted)).status_code == 405
    assert client.post(MISSING).status_code == 405
    assert client.put(REPORTS).status_code == 405


def test_an_auditor_or_a_login_without_a_role_is_403(world, auditor, nobody):
    for user in (auditor, nobody):
        assert api_client(user).get(REPORTS).status_code == 403


_seq = itertools.count()


def _bulk(world, n: int) -> None:
    start = next(_seq) * 1000
    people = Person.objects.bulk_create(
        Person(name=f"党员{start + i}", name_pinyin=pinyin.full_pinyin(f"党员{start + i}")) for i in range(n)
    )
    orgs = itertools.cycle([world.branch_a, world.group_a])
    members = Member.objects.bulk_create(Member(person=p, organisation=next(orgs)) for p in people)
    MonthlyReport.objects.bulk_create(MonthlyReport(member=m, month=FEB, work_done="二月") for m in members)


@pytest.mark.parametrize("target", [REPORTS, MISSING])
def test_the_lists_run_the_same_queries_for_5_and_50_rows(world, secretary_a, target):
    client = api_client(secretary_a)

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(target)
        assert response.status_code == 200
        return len(ctx.captured_queries)

    _bulk(world, 5)
    few = count()
    _bulk(world, 45)
    assert count() == few
