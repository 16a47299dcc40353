"""A member's pages: submitting this month's report on a phone, the list of their own reports, editing and
resubmitting. Another member's report is a 404; the refusals say why."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.audit.models import AuditRecord
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import FEB, MARCH

Status = MonthlyReport.Status


def url(name: str, *args) -> str:
    return reverse(f"reports:{name}", args=args)


def text(response) -> str:
    return response.content.decode()


def post_report(client, **data):
    data.setdefault("month", "2026-03")
    data.setdefault("work_done", "组织班组学习安全规程。")
    return client.post(url("submit"), data, follow=True)


def test_the_submit_page_defaults_to_this_month_and_the_members_zone(world, member_a, as_user):
    zone = factories.zone(world.branch_a, "1路线路责任区", year=2026)
    factories.zone_role(zone, world.member_a)
    page = text(as_user(member_a).get(url("submit")))
    assert 'type="month"' in page and 'value="2026-03"' in page
    assert f'<option value="{zone.pk}" selected>1路线路责任区(2026)</option>' in page
    assert '<meta name="viewport" content="width=device-width, initial-scale=1">' in page
    assert "btn-lg" in page


def test_a_reminder_link_opens_the_month_that_is_due(world, member_a, as_user):
    client = as_user(member_a)
    assert 'value="2026-02"' in text(client.get(url("submit"), {"month": "2026-02"}))
    # A future month, or no month at all, falls back to this month.
    for asked in ("2026-09", "2026-13", "February"):
        assert 'value="2026-03"' in text(client.get(url("submit"), {"month": asked}))


def test_a_member_submits_this_months_report_and_sees_it_in_their_list(world, member_a, as_user):
    client = as_user(member_a)
    response = post_report(client, ideas="建议增加早班车", masses_opinions="站牌字太小")
    assert response.redirect_chain == [(url("mine"), 302)]
    page = text(response)
    assert "已提交2026年3月的月度汇报,等待支部审阅。" in page
    assert "2026年3月的汇报已提交。" in page
    report = MonthlyReport.objects.get()
    assert (report.member, report.month, report.ideas) == (world.member_a, MARCH, "建议增加早班车")
    assert AuditRecord.objects.filter(object_type="reports.monthlyreport", action="create").count() == 1


def test_a_report_for_a_future_month_is_refused_on_the_page(world, member_a, as_user):
    response = post_report(as_user(member_a), month="2026-04")
    assert response.status_code == 200
    assert "不能提交未来月份(2026-04)的汇报。" in text(response)
    assert not MonthlyReport.objects.exists()


def test_a_second_report_for_the_month_is_refused_with_a_link_to_the_first(world, member_a, as_user):
    first = factories.report(world.member_a, MARCH)
    response = post_report(as_user(member_a))
    page = text(response)
    assert "2026年03月的汇报已经提交过,请修改原汇报。" in page
    assert url("detail", first.pk) in page
    assert MonthlyReport.objects.count() == 1


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "三月"}, "请按“年-月”填写月份,如 2026-03。"),
        ({"month": "2026-13"}, "月份应在1到12之间,收到的是13。"),
        ({"month": "1999-12"}, "月份不能早于2000年。"),
        ({"month": ""}, "该字段是必填项。"),
        ({"work_done": ""}, "该字段是必填项。"),
        ({"work_done": "字" * 5001}, "5000"),
    ],
)
def test_the_mistakes_a_person_makes_are_explained(world, member_a, as_user, data, message):
    response = post_report(as_user(member_a), **data)
    assert response.status_code == 200
    assert message in text(response)
    assert not MonthlyReport.objects.exists()


def test_a_zone_that_is_not_the_members_is_not_a_choice(world, member_a, as_user):
    other = factories.zone(world.branch_a, "别人的责任区", year=2026)
    response = post_report(as_user(member_a), zone=other.pk)
    assert "选择一个有效的选项" in text(response)
    assert not MonthlyReport.objects.exists()


@pytest.mark.parametrize(
    "persona", ["secretary_a", "office", "supervisor", "community_worker", "auditor", "nobody"]
)
def test_only_a_member_has_the_submit_page(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("submit")).status_code == 403
    assert post_report(client).status_code == 403
    assert client.get(url("mine")).status_code == 403


def test_the_members_list_shows_only_their_own_reports(world, member_a, as_user):
    factories.report(world.member_a, FEB, status=Status.RETURNED, review_comment="请补充群众意见")
    factories.report(world.member_b, FEB, work_done="李红梅的汇报")
    page = text(as_user(member_a).get(url("mine")))
    assert "共 1 份汇报" in page
    assert "请补充群众意见" in page
    assert "李红梅的汇报" not in page
    assert "2026年3月的汇报还没有提交。" in page
    assert url("submit") in page
    assert url("archive", world.member_a.pk, 2026) in page


def test_a_member_who_opens_the_branch_list_is_sent_to_their_own(world, member_a, as_user):
    response = as_user(member_a).get(url("list"))
    assert response.status_code == 302
    assert response["Location"] == url("mine")


def test_a_member_reads_their_report_but_another_members_is_a_404(world, member_a, as_user):
    own = factories.report(world.member_a, FEB)
    other = factories.report(world.member_b, FEB)
    client = as_user(member_a)
    assert client.get(url("detail", own.pk)).status_code == 200
    for name in ("detail", "edit", "review"):
        assert client.get(url(name, other.pk)).status_code == 404


def test_a_member_edits_a_submitted_report(world, member_a, as_user):
    report = factories.report(world.member_a, FEB)
    client = as_user(member_a)
    page = text(client.get(url("edit", report.pk)))
    assert "修改2026年2月的月度汇报" in page
    assert 'name="month"' not in page  # the month stays
    response = client.post(
        url("edit", report.pk), {"work_done": "补充了内容", "month": "2026-01"}, follow=True
    )
    assert "已修改2026年2月的月度汇报。" in text(response)
    report.refresh_from_db()
    assert (report.work_done, report.month, report.status) == ("补充了内容", FEB, Status.SUBMITTED)


def test_a_returned_report_shows_the_comment_and_is_resubmitted(world, member_a, as_user):
    report = factories.report(world.member_a, FEB, status=Status.RETURNED, review_comment="请写具体些")
    client = as_user(member_a)
    page = text(client.get(url("edit", report.pk)))
    assert "支部退回了这份汇报" in page and "请写具体些" in page and "重新提交" in page
    response = client.post(url("edit", report.pk), {"work_done": "具体写了"}, follow=True)
    assert "已重新提交2026年2月的月度汇报。" in text(response)
    report.refresh_from_db()
    assert report.status == Status.SUBMITTED


def test_a_reviewed_report_cannot_be_edited_on_the_page(world, member_a, as_user):
    report = factories.report(world.member_a, FEB, status=Status.REVIEWED)
    client = as_user(member_a)
    response = client.post(url("edit", report.pk), {"work_done": "再改"}, follow=True)
    assert response.redirect_chain == [(url("detail", report.pk), 302)]
    assert "该汇报已经审阅,不能再修改。" in text(response)
    report.refresh_from_db()
    assert report.work_done != "再改"


def test_the_secretary_reads_a_report_but_does_not_get_its_edit_page(world, member_a, secretary_a, as_user):
    report = factories.report(world.member_a, FEB)
    client = as_user(secretary_a)
    assert client.get(url("detail", report.pk)).status_code == 200
    assert client.get(url("edit", report.pk)).status_code == 403


def test_the_pages_ask_an_anonymous_visitor_to_log_in(world):
    report = factories.report(world.member_a, FEB)
    client = Client()
    for target in (url("submit"), url("mine"), url("detail", report.pk), url("edit", report.pk)):
        response = client.get(target)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")


def test_the_methods_are_checked(world, member_a, as_user):
    report = factories.report(world.member_a, FEB)
    client = as_user(member_a)
    assert client.post(url("mine")).status_code == 405
    assert client.post(url("detail", report.pk)).status_code == 405
    assert client.delete(url("edit", report.pk)).status_code == 405
    assert client.put(url("submit")).status_code == 405


def _queries_for_mine(client) -> int:
    client.get(url("mine"))
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("mine"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_members_list_runs_the_same_queries_for_5_and_50_reports(world, member_a, as_user):
    client = as_user(member_a)
    months = [dt.date(2022 + i // 12, i % 12 + 1, 1) for i in range(50)]
    for month in months[:5]:
        factories.report(world.member_a, month, status=Status.REVIEWED)
    few = _queries_for_mine(client)
    for month in months[5:]:
        factories.report(world.member_a, month, status=Status.REVIEWED)
    assert _queries_for_mine(client) == few


def test_a_reports_lines_are_kept_and_its_markup_is_escaped(world, member_a, as_user):
    report = factories.report(world.member_a, FEB, work_done="第一行\n<script>alert(1)</script>")
    page = text(as_user(member_a).get(url("detail", report.pk)))
    assert "第一行<br>&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "<script>alert(1)" not in page
