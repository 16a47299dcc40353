"""What is due, per persona, in the test world (vanguard/conftest.py) on 16 March 2026."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment.models import Rectification, Round, Source
from vanguard.assessment.tests import factories as assessment
from vanguard.community.tests import api_factories as community
from vanguard.conftest import client_for
from vanguard.contacts.tests import factories as contacts
from vanguard.notifications.due import DueItem, items_for
from vanguard.org.tests import factories as org
from vanguard.reports.models import MonthlyReport
from vanguard.reports.tests import factories as reports
from vanguard.service_requests import services as requests
from vanguard.service_requests.models import Escalation, ServiceRequest
from vanguard.service_requests.tests import factories as request_factories

from .conftest import FEB, MARCH

pytestmark = pytest.mark.django_db


def by_kind(user) -> dict[str, DueItem]:
    items = items_for(user)
    kinds = [i.kind for i in items]
    assert len(kinds) == len(set(kinds)), kinds
    return {i.kind: i for i in items}


def rectification(member, *, deadline: dt.date):
    """A rectification as it stands in the database (the service refuses a deadline already past)."""
    return Rectification.objects.create(member=member, problem="月度汇报连续两月未交", deadline=deadline)


def opens(user, item: DueItem) -> str:
    """The page the item links to, as the user sees it."""
    response = client_for(user).get(item.url)
    assert response.status_code == 200, (item.url, response.status_code)
    return response.content.decode()


# --- member ----------------------------------------------------------------------------------------------


def test_a_member_without_this_months_report_is_sent_to_the_report_form(world, member_a):
    reports.report(world.member_a, FEB)
    item = by_kind(member_a)["report_missing"]
    assert item == DueItem(
        kind="report_missing",
        label="待提交的2026年3月月度汇报",
        count=1,
        url="/reports/new/?month=2026-03",
        severity="info",
        key="report_missing:2026-03",
    )
    assert 'name="work_done"' in opens(member_a, item)


def test_a_submitted_report_is_no_longer_due(world, member_a):
    reports.report(world.member_a, FEB)
    reports.report(world.member_a, MARCH)
    assert "report_missing" not in by_kind(member_a)


def test_in_the_grace_period_last_months_missing_report_comes_first(world, member_a, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    item = by_kind(member_a)["report_missing"]
    assert (item.key, item.severity, item.url) == (
        "report_missing:2026-02",
        "danger",
        "/reports/new/?month=2026-02",
    )
    reports.report(world.member_a, FEB)
    assert by_kind(member_a)["report_missing"].key == "report_missing:2026-03"


def test_this_months_report_turns_into_a_warning_in_the_last_week(world, member_a, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 27, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert by_kind(member_a)["report_missing"].severity == "warning"


def test_a_member_who_joined_after_last_month_owes_no_report_for_it(world, member_a, time_machine):
    time_machine.move_to(dt.datetime(2026, 3, 4, 9, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    world.member_a.join_date = dt.date(2026, 3, 1)
    world.member_a.save(update_fields=["join_date"])
    assert by_kind(member_a)["report_missing"].key == "report_missing:2026-03"


def test_a_member_sees_the_contacts_not_talked_with_this_month(world, member_a):
    kept = contacts.assignment(world.member_a)
    contacts.assignment(world.member_a)
    contacts.assignment(world.member_a)
    contacts.assignment(world.member_b)  # another branch's member: not member_a's business
    reports.talk(kept, dt.date(2026, 3, 2))
    item = by_kind(member_a)["contacts_not_visited"]
    assert (item.count, item.url, item.key) == (2, "/contacts/mine/", "contacts_not_visited:2026-03")
    opens(member_a, item)


def test_a_member_sees_their_own_rectifications_overdue_and_due_within_a_week(world, member_a):
    rectification(world.member_a, deadline=dt.date(2026, 3, 10))
    rectification(world.member_a, deadline=dt.date(2026, 3, 20))
    rectification(world.member_a, deadline=dt.date(2026, 5, 1))
    rectification(world.member_b, deadline=dt.date(2026, 3, 1))
    items = by_kind(member_a)
    assert items["own_rectification_overdue"].count == 1
    assert items["own_rectification_overdue"].severity == "danger"
    assert items["own_rectification_due"].count == 1
    assert "rectification_overdue" not in items  # a member does not answer for the branch's
    page = opens(member_a, items["own_rectification_overdue"])
    assert "2026-03-10" in page or "3月10日" in page


def test_a_member_sees_the_requests_routed_to_them_waiting_then_overdue(world, member_a, time_machine):
    routed = request_factories.submit(world)  # to member_a, who leads the zone over 1号楼
    item = by_kind(member_a)["requests_waiting_mine"]
    assert (item.count, item.url) == (1, "/requests/?view=mine")
    assert "requests_overdue_mine" not in by_kind(member_a)
    time_machine.move_to(dt.datetime(2026, 3, 30, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    items = by_kind(member_a)
    assert items["requests_overdue_mine"].count == 1
    assert items["requests_overdue_mine"].url == "/requests/?view=mine&overdue=on"
    assert "requests_waiting_mine" not in items
    assert routed.tracking_code in opens(member_a, items["requests_overdue_mine"])


# --- secretary -------------------------------------------------------------------------------------------


def test_a_secretary_sees_the_reports_to_review_exactly(world, secretary_a, member_a):
    colleague = org.member(world.group_a, "赵六")
    reports.report(world.member_a, MARCH)
    reports.report(colleague, MARCH)
    reports.report(colleague, FEB, status=MonthlyReport.Status.REVIEWED)
    reports.report(world.member_b, MARCH)  # branch B's
    item = by_kind(secretary_a)["reports_to_review"]
    assert (item.count, item.url, item.severity, item.label) == (
        2,
        "/reports/review/",
        "warning",
        "待审阅的月度汇报",
    )
    page = opens(secretary_a, item)
    assert "王建国" in page and "赵六" in page and "李红梅" not in page


def test_a_secretary_sees_the_members_missing_last_months_report(world, secretary_a):
    colleague = org.member(world.group_a, "赵六")
    reports.report(colleague, FEB)
    org.member(world.branch_a, "新党员", join_date=dt.date(2026, 3, 1))  # not expected for February
    item = by_kind(secretary_a)["reports_missing"]
    assert (item.count, item.url, item.key, item.severity) == (
        1,
        "/reports/missing/?month=2026-02",
        "reports_missing:2026-02",
        "danger",
    )
    page = opens(secretary_a, item)
    assert "王建国" in page and "赵六" not in page


def test_a_secretary_sees_contacts_overdue_and_members_with_too_few(world, secretary_a):
    kept = contacts.assignment(world.member_a)
    contacts.assignment(world.member_a)
    reports.talk(kept, dt.date(2026, 2, 20))
    org.member(world.branch_a, "赵六")  # no contacts at all
    items = by_kind(secretary_a)
    assert (items["contacts_overdue"].count, items["contacts_overdue"].url) == (
        1,
        "/contacts/not-visited/?month=2026-02",
    )
    assert (items["contacts_below_two"].count, items["contacts_below_two"].url) == (
        1,
        "/contacts/below-two/?year=2026",
    )
    assert "赵六" in opens(secretary_a, items["contacts_below_two"])


def test_a_secretary_sees_the_branchs_rectifications_not_another_branchs(world, secretary_a):
    rectification(world.member_a, deadline=dt.date(2026, 3, 1))
    rectification(world.member_b, deadline=dt.date(2026, 3, 1))
    items = by_kind(secretary_a)
    assert items["rectification_overdue"].count == 1
    assert items["rectification_overdue"].url == "/assessment/year/rectifications/?status=overdue"


def test_an_open_round_is_to_score_until_every_target_is_scored(world, secretary_a, member_a):
    round_ = assessment.quarter_round(assessment.member_scheme(world.committee), world.committee)
    results = list(round_.results.filter(unit__path__startswith=world.branch_a.path))
    assert results
    item = by_kind(secretary_a)["rounds_to_score"]
    assert (item.count, item.url) == (1, "/assessment/rounds/?status=open")
    assert by_kind(member_a)["self_assessment"].count == 1
    for result in results:
        for name in ("思想政治", "责任区工作"):
            assessment.score(round_, result, name, 8, source=Source.ORGANISATION)
    assert by_kind(secretary_a)["rounds_to_score"].count == 1  # the masses' part is still to enter
    for result in results:
        for name in ("思想政治", "责任区工作"):
            assessment.score(round_, result, name, 9, source=Source.MASSES)
    assert "rounds_to_score" not in by_kind(secretary_a)


def test_the_secretary_sees_overdue_and_escalated_requests_of_the_branch(world, secretary_a, secretary_b):
    late = request_factories.submit(world)
    ServiceRequest.objects.filter(pk=late.pk).update(
        deadline=late.received_at - dt.timedelta(hours=1), escalation=Escalation.SECRETARY
    )
    items = by_kind(secretary_a)
    assert items["requests_overdue"].count == 1
    assert items["requests_escalated"].count == 1
    assert items["requests_escalated"].url == "/requests/?view=escalated"
    assert late.tracking_code in opens(secretary_a, items["requests_escalated"])
    assert "requests_overdue" not in by_kind(secretary_b)


# --- office ----------------------------------------------------------------------------------------------


def test_the_office_sees_rounds_to_close_and_to_publish_and_escalations(world, office, time_machine):
    scheme = assessment.member_scheme(world.committee)
    assessment.quarter_round(scheme, world.committee, quarter=1)  # open, its period ends 31 March
    closed = assessment.quarter_round(scheme, world.committee, year=2025, quarter=4)
    from vanguard.assessment import services as rounds

    rounds.round_transition(actor=SYSTEM, round_=closed, action="close")
    late = request_factories.submit(world)
    ServiceRequest.objects.filter(pk=late.pk).update(escalation=Escalation.OFFICE)
    items = by_kind(office)
    assert "rounds_to_close" not in items
    assert (items["rounds_to_publish"].count, items["rounds_to_publish"].url) == (
        1,
        "/assessment/rounds/?status=closed",
    )
    assert items["requests_escalated_office"].count == 1
    time_machine.move_to(dt.datetime(2026, 4, 8, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)
    assert by_kind(office)["rounds_to_close"].count == 1
    assert Round.objects.filter(status=Round.Status.OPEN).count() == 1


# --- community -------------------------------------------------------------------------------------------


def test_a_community_worker_sees_registrations_hours_and_the_queue(world, community_worker):
    community.registration(world.member_a, world.community, confirm=False)
    colleague = org.member(world.branch_b, "钱七", residence=world.community)
    community.registration(colleague, world.community)
    community.record(colleague, world.community, served_on=dt.date(2026, 3, 14), verify=False)
    queued = request_factories.submit(
        world, subject=requests.Subject(cell=request_factories.building(world, "2号楼"))
    )
    items = by_kind(community_worker)
    registrations = items["registrations_to_confirm"]
    assert (registrations.count, registrations.url) == (1, "/community/registrations/?status=submitted")
    assert "王建国" in opens(community_worker, registrations)
    assert (items["hours_to_verify"].count, items["hours_to_verify"].url) == (
        1,
        "/community/service/?status=reported",
    )
    assert (items["requests_queued"].count, items["requests_queued"].url) == (1, "/requests/?view=queue")
    assert queued.tracking_code in opens(community_worker, items["requests_queued"])


def test_another_communitys_worker_sees_none_of_it(world):
    community.registration(world.member_a, world.community, confirm=False)
    request_factories.submit(world, subject=requests.Subject(cell=request_factories.building(world, "2号楼")))
    assert items_for(community.worker_of(world.other_community)) == []


# --- who has nothing, and what it costs ------------------------------------------------------------------


def test_an_auditor_a_login_without_a_role_and_an_anonymous_user_have_nothing_due(world, auditor, nobody):
    from django.contrib.auth.models import AnonymousUser

    reports.report(world.member_a, FEB, status=MonthlyReport.Status.SUBMITTED)
    assert items_for(auditor) == items_for(nobody) == items_for(AnonymousUser()) == []


def _queries(user) -> int:
    from vanguard.accounts import scope

    scope.forget(user)
    with CaptureQueriesContext(connection) as queries:
        items_for(user)
    return len(queries)


def test_the_cost_is_a_fixed_number_of_queries_whatever_the_numbers(world, secretary_a, member_a):
    assessment.quarter_round(assessment.member_scheme(world.committee), world.committee)
    small = (_queries(secretary_a), _queries(member_a))
    for n in range(12):
        member = org.member(world.branch_a, f"党员{n}")
        reports.report(member, MARCH)
        contacts.assignment(member)
        rectification(member, deadline=dt.date(2026, 3, 1))
        request_factories.submit(world)
    assert (_queries(secretary_a), _queries(member_a)) == small
    assert max(small) <= 15
