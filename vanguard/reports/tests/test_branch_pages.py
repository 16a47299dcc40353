"""The branch's pages: the list of reports, the review queue and the review page (secretary and office),
the month's missing list and its export. Another branch's report is a 404; a supervisor reads but gets
403 on the review; a member or a community worker has none of these pages."""

from __future__ import annotations

import io
import itertools

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.core import pinyin
from vanguard.org.models import Member, Person
from vanguard.org.tests import factories as org_factories
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import FEB, MARCH

Status = MonthlyReport.Status


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@pytest.fixture
def submitted(world):
    return factories.report(world.member_a, MARCH, work_done="组织班组学习安全规程。")


# --- the review ----------------------------------------------------------------------------------------


def test_the_secretary_sees_the_queue_and_reviews_with_a_comment(world, secretary_a, submitted, as_user):
    client = as_user(secretary_a)
    assert url("queue") in text(client.get(url("list")))
    queue = text(client.get(url("queue")))
    assert "王建国" in queue and url("review", submitted.pk) in queue
    page = text(client.get(url("review", submitted.pk)))
    assert "组织班组学习安全规程。" in page
    assert 'value="reviewed"' in page and 'value="returned"' in page
    response = client.post(
        url("review", submitted.pk), {"decision": "reviewed", "comment": "工作扎实"}, follow=True
    )
    assert response.redirect_chain == [(url("queue"), 302)]
    assert "已审阅王建国2026年3月的汇报。" in text(response)
    assert "没有待审阅的汇报。" in text(response)
    submitted.refresh_from_db()
    assert (submitted.status, submitted.review_comment, submitted.reviewed_by) == (
        Status.REVIEWED,
        "工作扎实",
        secretary_a,
    )


def test_the_secretary_returns_a_report_and_the_member_sees_why(
    world, secretary_a, member_a, submitted, as_user
):
    response = as_user(secretary_a).post(
        url("review", submitted.pk), {"decision": "returned", "comment": "请补充群众意见"}, follow=True
    )
    assert "已将王建国2026年3月的汇报退回修改,党员会看到您的意见。" in text(response)
    mine = text(as_user(member_a).get(url("mine")))
    assert "已退回" in mine and "请补充群众意见" in mine


def test_returning_without_a_comment_is_refused_on_the_page(world, secretary_a, submitted, as_user):
    response = as_user(secretary_a).post(url("review", submitted.pk), {"decision": "returned", "comment": ""})
    assert "退回汇报时须填写审阅意见,说明需要补充或修改的内容。" in text(response)
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_review_without_a_decision_is_refused(world, secretary_a, submitted, as_user):
    response = as_user(secretary_a).post(url("review", submitted.pk), {"comment": "好"})
    assert "请选择“审阅通过”或“退回修改”。" in text(response)


def test_a_reviewed_report_is_not_reviewed_again_on_the_page(world, secretary_a, submitted, as_user):
    client = as_user(secretary_a)
    client.post(url("review", submitted.pk), {"decision": "reviewed"})
    page = text(client.get(url("review", submitted.pk)))
    assert "这份汇报已经审阅。" in page and 'value="returned"' not in page
    response = client.post(url("review", submitted.pk), {"decision": "returned", "comment": "再看"})
    assert "2026年3月的汇报已经审阅,不能再次审阅或退回。" in text(response)


def test_the_office_above_reviews_too(world, office, submitted, as_user):
    as_user(office).post(url("review", submitted.pk), {"decision": "reviewed"})
    submitted.refresh_from_db()
    assert submitted.status == Status.REVIEWED


def test_the_secretary_of_another_branch_gets_404_for_the_report(world, secretary_b, submitted, as_user):
    client = as_user(secretary_b)
    for name in ("detail", "edit", "review"):
        assert client.get(url(name, submitted.pk)).status_code == 404
    assert client.post(url("review", submitted.pk), {"decision": "reviewed"}).status_code == 404
    assert "王建国" not in text(client.get(url("queue")))
    assert "王建国" not in text(client.get(url("list")))
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


def test_a_missing_report_and_one_out_of_scope_answer_the_same(world, secretary_b, submitted, as_user):
    client = as_user(secretary_b)
    assert (
        client.get(url("review", submitted.pk)).status_code == client.get(url("review", 999999)).status_code
    )


def test_a_supervisor_reads_reports_but_may_not_review(world, supervisor, submitted, as_user):
    client = as_user(supervisor)
    listing = text(client.get(url("list")))
    assert "王建国" in listing
    assert url("queue") not in listing and url("missing") in listing
    assert "2026年3月共" in text(client.get(url("missing")))
    page = text(client.get(url("detail", submitted.pk)))
    assert url("review", submitted.pk) not in page
    assert client.get(url("review", submitted.pk)).status_code == 403
    assert client.post(url("review", submitted.pk), {"decision": "reviewed"}).status_code == 403
    assert client.get(url("queue")).status_code == 403
    submitted.refresh_from_db()
    assert submitted.status == Status.SUBMITTED


@pytest.mark.parametrize("persona", ["community_worker", "auditor", "nobody"])
def test_roles_without_a_branch_have_no_report_pages(world, persona, submitted, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    for target in (url("list"), url("queue"), url("missing"), url("missing_export")):
        assert client.get(target).status_code == 403, target
    assert client.get(url("detail", submitted.pk)).status_code == 404


def test_a_member_has_no_queue_missing_list_or_review(world, member_a, submitted, as_user):
    client = as_user(member_a)
    assert client.get(url("queue")).status_code == 403
    assert client.get(url("missing")).status_code == 403
    assert client.get(url("review", submitted.pk)).status_code == 403


def test_the_branch_pages_ask_an_anonymous_visitor_to_log_in(world, submitted):
    for name, args in [
        ("list", ()),
        ("queue", ()),
        ("missing", ()),
        ("missing_export", ()),
        ("review", (1,)),
    ]:
        response = Client().get(url(name, *args))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_branch_pages_check_the_method(world, secretary_a, submitted, as_user):
    client = as_user(secretary_a)
    for target in (url("list"), url("queue"), url("missing"), url("missing_export")):
        assert client.post(target).status_code == 405
    assert client.delete(url("review", submitted.pk)).status_code == 405


def test_the_list_filters_by_month_status_and_organisation(world, office, as_user):
    factories.report(world.member_a, MARCH, status=Status.REVIEWED)
    factories.report(world.member_a, FEB)
    factories.report(world.member_b, MARCH)
    client = as_user(office)
    assert "共 3 份汇报" in text(client.get(url("list")))
    assert "共 2 份汇报" in text(client.get(url("list"), {"month": "2026-03"}))
    assert "共 1 份汇报" in text(client.get(url("list"), {"month": "2026-03", "status": "reviewed"}))
    assert "共 2 份汇报" in text(client.get(url("list"), {"organisation": world.branch_a.pk}))


def test_an_organisation_out_of_scope_is_not_a_filter_choice(world, secretary_a, as_user):
    factories.report(world.member_a, MARCH)
    page = text(as_user(secretary_a).get(url("list"), {"organisation": world.branch_b.pk}))
    assert "选择一个有效的选项" in page
    assert "二分公司党支部" not in page


# --- the missing list -----------------------------------------------------------------------------------


@pytest.fixture
def march(world):
    zhao = org_factories.member(world.group_a, "赵六", mobile="13900001111")
    factories.report(world.member_a, MARCH, status=Status.REVIEWED)
    factories.report(zhao, FEB)
    return zhao


def test_the_missing_page_lists_the_members_without_a_report_and_the_counts(
    world, secretary_a, march, as_user
):
    page = text(as_user(secretary_a).get(url("missing"), {"month": "2026-03"}))
    assert "2026年3月共 1 名党员未汇报" in page
    assert "赵六" in page and "139****1111" in page and "2026-02" in page
    assert "王建国" not in page
    assert "李红梅" not in page
    assert url("archive", march.pk, 2026) in page


def test_the_missing_page_defaults_to_this_month_and_filters_by_organisation(world, office, march, as_user):
    client = as_user(office)
    assert "2026年3月共 2 名党员未汇报" in text(client.get(url("missing")))
    assert "2026年3月共 1 名党员未汇报" in text(
        client.get(url("missing"), {"organisation": world.branch_b.pk})
    )
    assert "2026年2月共 2 名党员未汇报" in text(client.get(url("missing"), {"month": "2026-02"}))


def test_a_future_month_is_refused_on_the_missing_page(world, secretary_a, march, as_user):
    assert "未来的月份还没有汇报可查。" in text(
        as_user(secretary_a).get(url("missing"), {"month": "2026-04"})
    )


def test_the_secretary_of_another_branch_cannot_pick_branch_a(world, secretary_b, march, as_user):
    page = text(as_user(secretary_b).get(url("missing"), {"organisation": world.branch_a.pk}))
    assert "赵六" not in page


def test_the_missing_list_exports_to_excel_and_is_recorded(world, secretary_a, march, as_user):
    response = as_user(secretary_a).get(url("missing_export"), {"month": "2026-03"})
    assert response.status_code == 200
    assert response["Content-Type"].startswith("application/vnd.openxmlformats")
    workbook = CalamineWorkbook.from_filelike(_bytes(response))
    rows = workbook.get_sheet_by_name("2026-03未汇报党员").to_python()
    assert rows == [
        ["姓名", "所在党组织", "党员状态", "党员类别", "手机号", "上次汇报月份"],
        ["赵六", "第一党小组", "党员", "在职", "139****1111", "2026-02"],
    ]
    record = AuditRecord.objects.get(action="export")
    assert record.after == {"kind": "missing_reports", "count": 1}
    assert record.detail.startswith("2026-03未汇报党员 1 名")


def test_the_export_link_answers_htmx_with_a_redirect(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("missing_export"), {"month": "2026-03"}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(url("missing_export"))


def _bytes(response):
    return io.BytesIO(b"".join(response.streaming_content))


# --- constant queries --------------------------------------------------------------------------------------

_seq = itertools.count()


def bulk(world, n: int, *, report: str | None) -> None:
    """n members of branch A (and its group), each with a March report in `report` status or none."""
    start = next(_seq) * 1000
    people = Person.objects.bulk_create(
        Person(name=f"党员{start + i}", name_pinyin=pinyin.full_pinyin(f"党员{start + i}")) for i in range(n)
    )
    orgs = itertools.cycle([world.branch_a, world.group_a])
    members = Member.objects.bulk_create(Member(person=p, organisation=next(orgs)) for p in people)
    if report:
        MonthlyReport.objects.bulk_create(
            MonthlyReport(member=m, month=MARCH, work_done="三月", status=report) for m in members
        )


def queries(client, target: str, params=None) -> int:
    client.get(target, params)  # the first request of a session writes it; count a later one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(target, params)
    assert response.status_code == 200
    return len(ctx.captured_queries)


@pytest.mark.parametrize(
    ("name", "status"), [("list", Status.REVIEWED), ("queue", Status.SUBMITTED), ("missing", None)]
)
def test_each_list_page_runs_the_same_queries_for_5_and_50_rows(world, secretary_a, as_user, name, status):
    client = as_user(secretary_a)
    bulk(world, 5, report=status)
    few = queries(client, url(name))
    bulk(world, 45, report=status)
    many = queries(client, url(name))
    assert many == few
    assert many <= 12


def test_the_missing_export_runs_the_same_queries_for_5_and_50_rows(world, secretary_a, as_user):
    client = as_user(secretary_a)
    bulk(world, 5, report=None)
    client.get(url("missing_export"))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("missing_export"))
            b"".join(response.streaming_content)
        return len(ctx.captured_queries)

    few = count()
    bulk(world, 45, report=None)
    assert count() == few
