"""The archive book page (活动档案簿册) of a member for a year, printable on A4, and its workbook with six
sheets, read back with python-calamine; the export is recorded in the audit trail."""

from __future__ import annotations

import datetime as dt
import io
from pathlib import Path

import pytest
from django.contrib.staticfiles import finders
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.tests import factories as org_factories
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import FEB, MARCH

Status = MonthlyReport.Status


def url(name: str, member, year: int = 2026) -> str:
    return reverse(f"reports:{name}", args=[member.pk, year])


@pytest.fixture
def book(world, secretary_a):
    zone = factories.zone(
        world.branch_a, "1路线路责任区", year=2026, scope="1路全线12个站点", commitment="安全行车零事故"
    )
    factories.zone_role(zone, world.member_a, "负责人")
    factories.task(zone_=zone, title="宣传安全规程", due_date=dt.date(2026, 6, 30))
    factories.task(member=world.member_a, title="培养积极分子", category="cultivation")
    colleague = org_factories.person("刘师傅")
    contact = factories.contact(
        world.member_a, colleague, year=2026, assigned_on=dt.date(2026, 1, 5), kind=ContactAssignment.Kind.KEY
    )
    factories.talk(
        contact,
        dt.date(2026, 2, 10),
        "谈家庭困难",
        kind=Talk.Kind.VISIT,
        problems="孩子上学远",
        follow_up="已联系社区",
    )
    factories.report(
        world.member_a,
        dt.date(2026, 1, 1),
        status=Status.REVIEWED,
        zone=zone,
        ideas="增开早班车",
        masses_opinions="站牌字小",
        review_comment="工作扎实",
        reviewed_by=secretary_a,
        reviewed_at=dt.datetime(2026, 2, 2, 9, 30, tzinfo=dt.UTC),
    )
    factories.report(world.member_a, MARCH, work_done="三月的工作")
    return world


def test_the_archive_page_shows_the_members_year(book, secretary_a, as_user):
    response = as_user(secretary_a).get(url("archive", book.member_a))
    assert response.status_code == 200
    page = response.content.decode()
    for expected in (
        "党员责任区活动档案簿册",
        "2026年度 · 王建国",
        "一分公司党支部",
        "138****5678",
        "1路线路责任区",
        "负责人",
        "安全行车零事故",
        "宣传安全规程",
        "培养积极分子",
        "个人任务",
        "刘师傅",
        "谈家庭困难",
        "孩子上学远",
        "增开早班车",
        "工作扎实",
        "三月的工作",
    ):
        assert expected in page, expected
    assert "13812345678" not in page
    # February has no report: the book says so, and the months after March are not listed yet.
    reports = page.split('id="archive-reports"')[1]
    assert reports.count("未汇报") == 1
    assert "4月" not in reports
    assert "reports/reports.css" in page and "data-print" in page


def test_the_print_stylesheet_prints_on_a4_without_the_sites_chrome():
    css = Path(finders.find("reports/reports.css")).read_text(encoding="utf-8")
    assert "size: A4" in css
    assert "@media print" in css and "nav.navbar" in css


def test_the_archive_book_exports_six_sheets(book, secretary_a, as_user):
    response = as_user(secretary_a).get(url("archive_export", book.member_a))
    assert response.status_code == 200
    assert "attachment" in response["Content-Disposition"]
    assert "archive-" in response["Content-Disposition"]
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.sheet_names == ["基本情况", "责任区", "任务", "联系群众", "谈心走访", "月度汇报"]

    def sheet(name):
        return workbook.get_sheet_by_name(name).to_python()

    basics = dict((row[0], row[1]) for row in sheet("基本情况")[1:])
    assert basics["姓名"] == "王建国"
    assert basics["年度"] == "2026"
    assert basics["所在党组织"] == "一分公司党支部"
    assert basics["手机号"] == "138****5678"
    assert basics["责任区"] == "1路线路责任区"
    assert basics["月度汇报次数"] == 2
    assert sheet("责任区")[1][:4] == ["1路线路责任区", "工作责任区", "一分公司党支部", "负责人"]
    tasks = sheet("任务")
    assert tasks[0][:3] == ["类别", "任务", "所属"]
    assert sorted((r[1], r[2]) for r in tasks[1:]) == [
        ("培养积极分子", "个人任务"),
        ("宣传安全规程", "1路线路责任区"),
    ]
    assert sheet("联系群众")[1][:4] == ["刘师傅", "联系人", dt.date(2026, 1, 5), 1]
    assert sheet("谈心走访")[1] == [
        dt.date(2026, 2, 10),
        "刘师傅",
        "走访",
        "谈家庭困难",
        "孩子上学远",
        "已联系社区",
    ]
    reports = sheet("月度汇报")
    assert [r[0] for r in reports[1:]] == ["2026-01", "2026-03"]
    assert reports[1][1:6] == [
        "1路线路责任区",
        "本月在责任区开展安全宣传。",
        "增开早班车",
        "站牌字小",
        "已审阅",
    ]
    assert reports[1][7:9] == ["工作扎实", "secretary_a"]


def test_the_archive_export_is_recorded(book, secretary_a, as_user):
    response = as_user(secretary_a).get(url("archive_export", book.member_a))
    b"".join(response.streaming_content)
    record = AuditRecord.objects.get(action="export")
    assert record.after == {"kind": "archive", "count": 1}
    assert record.object_type == "org.member"
    assert record.username == "secretary_a"
    assert record.detail.startswith(f"王建国2026年度活动档案簿册(党员编号 {book.member_a.pk}):基本情况")


def test_the_member_opens_and_exports_their_own_book(book, member_a, as_user):
    client = as_user(member_a)
    assert client.get(url("archive", book.member_a)).status_code == 200
    assert client.get(url("archive_export", book.member_a)).status_code == 200
    assert client.get(url("archive", book.member_b)).status_code == 404
    assert client.get(url("archive_export", book.member_b)).status_code == 404


@pytest.mark.parametrize("persona", ["secretary_b", "community_worker", "auditor", "nobody"])
def test_anyone_outside_the_branch_gets_404(book, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("archive", book.member_a)).status_code == 404
    assert client.get(url("archive_export", book.member_a)).status_code == 404
    assert not AuditRecord.objects.filter(action="export").exists()


@pytest.mark.parametrize("persona", ["office", "supervisor"])
def test_the_office_and_the_supervisor_read_the_book(book, persona, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(url("archive", book.member_a)).status_code == 200


def test_an_empty_year_still_makes_a_book(book, secretary_a, as_user):
    client = as_user(secretary_a)
    page = client.get(url("archive", book.member_a, 2024)).content.decode()
    assert "本年度未分配责任区。" in page and "本年度没有谈心走访记录。" in page
    assert page.split('id="archive-reports"')[1].count("未汇报") == 12
    response = client.get(url("archive_export", book.member_a, 2024))
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert workbook.get_sheet_by_name("月度汇报").to_python()[1:] == []


def test_a_year_out_of_range_is_a_404(book, secretary_a, as_user):
    assert as_user(secretary_a).get(url("archive", book.member_a, 1999)).status_code == 404
    assert as_user(secretary_a).get(url("archive", book.member_a, 2099)).status_code == 404


def test_the_archive_pages_ask_an_anonymous_visitor_to_log_in(book):
    for name in ("archive", "archive_export"):
        response = Client().get(url(name, book.member_a))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_the_archive_pages_check_the_method(book, secretary_a, as_user):
    client = as_user(secretary_a)
    assert client.post(url("archive", book.member_a)).status_code == 405
    assert client.post(url("archive_export", book.member_a)).status_code == 405


def test_the_archive_page_runs_the_same_queries_however_full(book, secretary_a, as_user):
    client = as_user(secretary_a)
    client.get(url("archive", book.member_a))

    def count() -> int:
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(url("archive", book.member_a)).status_code == 200
        return len(ctx.captured_queries)

    few = count()
    zone = factories.zone(book.branch_a, "2路", year=2026)
    factories.zone_role(zone, book.member_a)
    for i in range(10):
        factories.task(zone_=zone, title=f"任务{i}")
        assignment = factories.contact(
            book.member_a, org_factories.person(f"群众{i}"), year=2026, assigned_on=dt.date(2026, 1, 1)
        )
        factories.talk(assignment, dt.date(2026, 2, 1))
    factories.report(book.member_a, FEB, zone=zone)
    assert count() == few
