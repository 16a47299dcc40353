"""The reads: a month's missing reports and counts, exact and in a constant number of queries; the
archive book of a member for a year, with everything that belongs in it and nothing that does not."""

from __future__ import annotations

import datetime as dt
import itertools

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.core import pinyin
from vanguard.org.models import Member, Person
from vanguard.org.tests import factories as org_factories
from vanguard.reports import selectors
from vanguard.reports.models import MonthlyReport

from . import factories
from .conftest import DECEMBER, FEB, MARCH

Status = MonthlyReport.Status


def names(members) -> list[str]:
    return [m.person.name for m in members]


@pytest.fixture
def branch(world):
    """Branch A in March: 王建国 (reviewed), 赵六 in the group (returned), 钱七 (submitted), 孙八 (none,
    reported in February), 周九 (none ever), 吴十 (joined in April: not expected in March)."""
    members = {"王建国": world.member_a}
    for name, org in [("赵六", world.group_a), ("钱七", world.branch_a), ("孙八", world.group_a)]:
        members[name] = org_factories.member(org, name)
    members["周九"] = org_factories.member(world.branch_a, "周九", join_date=None)
    members["吴十"] = org_factories.member(world.branch_a, "吴十", join_date=dt.date(2026, 3, 31))
    members["新人"] = org_factories.member(world.branch_a, "新人", join_date=dt.date(2026, 4, 1))
    factories.report(members["王建国"], MARCH, status=Status.REVIEWED)
    factories.report(members["赵六"], MARCH, status=Status.RETURNED)
    factories.report(members["钱七"], MARCH)
    factories.report(members["孙八"], FEB, status=Status.REVIEWED)
    factories.report(members["孙八"], DECEMBER, status=Status.REVIEWED)
    # Branch B's member has no report either: never on branch A's list.
    return members


def test_the_missing_list_is_exactly_the_members_without_a_report_for_the_month(world, office, branch):
    missing = selectors.missing_reports(user=office, organisation=world.branch_a, month=MARCH)
    assert names(missing) == ["吴十", "周九", "孙八"]
    last = {m.person.name: m.last_month for m in missing}
    assert last == {"孙八": FEB, "周九": None, "吴十": None}


def test_the_missing_list_of_a_group_is_its_subtree(world, office, branch):
    assert names(selectors.missing_reports(user=office, organisation=world.group_a, month=MARCH)) == ["孙八"]


def test_the_missing_list_of_the_whole_scope(world, office, secretary_a, secretary_b, branch):
    assert names(selectors.missing_reports(user=office, organisation=None, month=MARCH)) == [
        "吴十",
        "周九",
        "孙八",
        "李红梅",
    ]
    assert "李红梅" not in names(selectors.missing_reports(user=secretary_a, organisation=None, month=MARCH))
    assert names(selectors.missing_reports(user=secretary_b, organisation=None, month=MARCH)) == ["李红梅"]


def test_a_secretary_asking_for_another_branch_gets_nothing_of_it(world, secretary_b, branch):
    assert list(selectors.missing_reports(user=secretary_b, organisation=world.branch_a, month=MARCH)) == []


def test_a_community_worker_or_member_has_no_missing_list(world, community_worker, member_a, branch):
    for user in (community_worker, member_a):
        assert list(selectors.missing_reports(user=user, organisation=None, month=MARCH)) == []


def test_an_earlier_month_counts_the_members_then_expected(world, office, branch):
    missing = selectors.missing_reports(user=office, organisation=world.branch_a, month=FEB)
    # 吴十 joined on 31 March and 新人 in April: not expected to report for February.
    assert names(missing) == ["钱七", "王建国", "周九", "赵六"]


def test_the_month_summary_counts_by_status(world, office, branch):
    summary = selectors.month_summary(user=office, organisation=world.branch_a, month=MARCH)
    assert (summary.members, summary.reviewed, summary.returned, summary.submitted, summary.missing) == (
        6,
        1,
        1,
        1,
        3,
    )
    assert summary.reported == 3
    assert summary.rate == 50


def test_the_month_summary_of_an_empty_organisation(world, office):
    empty = org_factories.organisation("三分公司党支部", parent=world.committee)
    summary = selectors.month_summary(user=office, organisation=empty, month=MARCH)
    assert (summary.members, summary.missing, summary.rate) == (0, 0, 0)


def _bulk_members(world, n: int, offset: int = 0) -> None:
    people = Person.objects.bulk_create(
        Person(name=f"党员{offset + i}", name_pinyin=pinyin.full_pinyin(f"党员{offset + i}"))
        for i in range(n)
    )
    orgs = itertools.cycle([world.branch_a, world.group_a])
    members = Member.objects.bulk_create(Member(person=p, organisation=next(orgs)) for p in people)
    # Every other one reported in February, none in March.
    MonthlyReport.objects.bulk_create(
        MonthlyReport(member=m, month=FEB, work_done="二月", status=Status.REVIEWED) for m in members[::2]
    )


def _queries(world, user) -> int:
    with CaptureQueriesContext(connection) as ctx:
        page = list(selectors.missing_reports(user=user, organisation=world.branch_a, month=MARCH)[:50])
        selectors.month_summary(user=user, organisation=world.branch_a, month=MARCH)
        shown = [(m.person.name, m.organisation.name, m.last_month) for m in page]
    assert shown
    return len(ctx.captured_queries)


def test_the_missing_list_and_summary_take_the_same_queries_for_5_and_50_members(world, office):
    selectors.month_summary(user=office, organisation=None, month=MARCH)  # the scope is loaded once
    _bulk_members(world, 4)
    few = _queries(world, office)
    _bulk_members(world, 46, offset=4)
    assert Member.objects.filter(world.branch_a.subtree_q("organisation__")).count() == 51
    assert _queries(world, office) == few == 3


# --- the archive book ------------------------------------------------------------------------------------


@pytest.fixture
def book_world(world):
    """王建国's 2026: one zone with two roles, a zone task, an own task, a 2025 zone and task that do not
    belong, two contacts with talks, reports for January and March."""
    zone = factories.zone(world.branch_a, "1路线路责任区", year=2026, scope="1路全线", commitment="安全行车")
    factories.zone_role(zone, world.member_a, "负责人")
    factories.zone_role(zone, world.member_a, "业务带头人")
    old = factories.zone(world.branch_a, "旧责任区", year=2025)
    factories.zone_role(old, world.member_a)
    factories.task(zone_=zone, title="宣传安全规程", due_date=dt.date(2026, 6, 30))
    factories.task(
        member=world.member_a, title="培养积极分子", category="cultivation", due_date=dt.date(2026, 12, 1)
    )
    factories.task(zone_=old, title="去年的任务")
    factories.task(member=world.member_a, title="去年的个人任务", due_date=dt.date(2025, 12, 1))
    colleague = org_factories.person("刘师傅")
    neighbour = org_factories.person("陈阿姨")
    first = factories.contact(world.member_a, colleague, year=2026, assigned_on=dt.date(2026, 1, 5))
    second = factories.contact(
        world.member_a,
        neighbour,
        year=2026,
        assigned_on=dt.date(2026, 1, 6),
        kind=ContactAssignment.Kind.HOUSEHOLD,
    )
    factories.contact(
        world.member_a, org_factories.person("去年联系人"), year=2025, assigned_on=dt.date(2025, 1, 1)
    )
    factories.talk(first, dt.date(2026, 2, 10), "谈家庭困难", problems="孩子上学远")
    factories.talk(first, dt.date(2026, 1, 20), "谈安全行车")
    factories.talk(second, dt.date(2026, 3, 1), "走访", kind=Talk.Kind.VISIT)
    factories.report(world.member_a, dt.date(2026, 1, 1), status=Status.REVIEWED, review_comment="好")
    factories.report(world.member_a, MARCH, zone=zone)
    factories.report(world.member_a, DECEMBER)
    factories.report(world.member_b, MARCH)
    return world


def test_the_archive_book_holds_the_members_year(book_world, secretary_a):
    book = selectors.archive_book(user=secretary_a, member_pk=book_world.member_a.pk, year=2026)
    assert book.member == book_world.member_a
    assert [(r.zone.name, r.kind.name) for r in book.zone_roles] == [
        ("1路线路责任区", "负责人"),
        ("1路线路责任区", "业务带头人"),
    ]
    assert [z.name for z in book.zones] == ["1路线路责任区"]
    assert sorted(t.title for t in book.tasks) == ["培养积极分子", "宣传安全规程"]
    assert [c.person.name for c in book.contacts] == ["刘师傅", "陈阿姨"]
    assert [(r.talk.held_on.isoformat(), r.contact.person.name) for r in book.talks] == [
        ("2026-01-20", "刘师傅"),
        ("2026-02-10", "刘师傅"),
        ("2026-03-01", "陈阿姨"),
    ]
    assert [r.month for r in book.reports] == [dt.date(2026, 1, 1), MARCH]
    months = book.months(until=MARCH)
    assert [(m.month.month, m.report is not None) for m in months] == [(1, True), (2, False), (3, True)]


def test_the_archive_book_of_a_past_year_shows_all_twelve_months(book_world, secretary_a):
    book = selectors.archive_book(user=secretary_a, member_pk=book_world.member_a.pk, year=2025)
    assert sorted(t.title for t in book.tasks) == ["去年的个人任务", "去年的任务"]
    assert [r.month for r in book.reports] == [DECEMBER]
    assert len(book.months(until=MARCH)) == 12


def test_the_archive_book_takes_six_queries_however_full(book_world, secretary_a):
    selectors.archive_book(user=secretary_a, member_pk=book_world.member_a.pk, year=2026)
    with CaptureQueriesContext(connection) as ctx:
        book = selectors.archive_book(user=secretary_a, member_pk=book_world.member_a.pk, year=2026)
        book.talks, book.zones, book.months(until=MARCH)
    assert len(ctx.captured_queries) == 6


@pytest.mark.parametrize("persona", ["secretary_a", "office", "supervisor", "member_a"])
def test_the_archive_book_opens_for_the_branch_and_the_member(book_world, persona, request):
    user = request.getfixturevalue(persona)
    book = selectors.archive_book(user=user, member_pk=book_world.member_a.pk, year=2026)
    assert len(book.reports) == 2


@pytest.mark.parametrize("persona", ["secretary_b", "community_worker", "auditor", "nobody"])
def test_the_archive_book_is_a_404_for_anyone_else(book_world, persona, request):
    # The community worker sees 王建国, who lives in 南园社区, but not what he reports to his branch.
    with pytest.raises(Http404):
        selectors.archive_book(
            user=request.getfixturevalue(persona), member_pk=book_world.member_a.pk, year=2026
        )


def test_a_member_does_not_open_another_members_book(book_world, member_a):
    with pytest.raises(Http404):
        selectors.archive_book(user=member_a, member_pk=book_world.member_b.pk, year=2026)


@pytest.mark.parametrize("year", [1999, 2028, 99999])
def test_a_year_out_of_range_is_a_404(book_world, secretary_a, year):
    with pytest.raises(Http404):
        selectors.archive_book(user=secretary_a, member_pk=book_world.member_a.pk, year=year)


def test_the_review_queue_leaves_out_the_reviewers_own_report(world, secretary_a):
    world.member_a.person.user = secretary_a
    world.member_a.person.save()
    factories.report(world.member_a, MARCH)
    other = factories.report(org_factories.member(world.branch_a, "钱七"), MARCH)
    assert list(selectors.review_queue(user=secretary_a)) == [other]
