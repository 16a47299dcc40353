"""The rates of residents' requests (stats.py), the rates page /requests/stats/ and
GET /api/v1/stats/requests/: a hand-built set of requests against a hand count, per member, zone, branch and
community; a group's requests folded into its branch; local dates; the query count; who sees which rows."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.conftest import client_for
from vanguard.org.tests import factories
from vanguard.service_requests import services, stats
from vanguard.service_requests.models import ServiceRequest

from . import factories as rf

pytestmark = pytest.mark.django_db

LOCAL = ZoneInfo("Asia/Shanghai")
# A Monday in the second quarter. A blocked drain (疏通下水道) is 水电气暖: respond in 4 hours, done in 24.
T0 = dt.datetime(2026, 5, 11, 9, 0, tzinfo=LOCAL)
NOW = T0 + dt.timedelta(hours=41)
Q2 = {"start": dt.date(2026, 4, 1), "end": dt.date(2026, 6, 30)}
PAGE = "/requests/stats/"
API = "/api/v1/stats/requests/"


def _hours(n: float) -> dt.timedelta:
    return dt.timedelta(hours=n)


@pytest.fixture
def hand_set(world, member_a):
    """Three requests for help to 王建国 (member_a) through branch A's zone in 南园社区:
    1. accepted after 1 hour and resolved after 2 (both in time), rated 5;
    2. accepted after 5 hours (late: 4), resolved after 30 (late: 24), rated 3;
    3. received 40 hours in, still open within both windows at NOW (41 hours in).
    Not counted: one closed as a duplicate without being resolved, and a praise of the zone.
    So at NOW: received 3; response 1 of 2 decided (the third is not yet due), resolution 1 of 2, satisfaction
    1 of 2 rated — each 50.0%."""
    with time_machine.travel(T0, tick=False) as clock:
        first, second = rf.submit(world), rf.submit(world)
        clock.move_to(T0 + _hours(1))
        services.accept(actor=member_a, request=first)
        clock.move_to(T0 + _hours(2))
        services.resolve(actor=member_a, request=first, resolution="上门疏通,已恢复排水")
        services.rate(request=first, rating=5)
        clock.move_to(T0 + _hours(5))
        services.accept(actor=member_a, request=second)
        clock.move_to(T0 + _hours(30))
        services.resolve(actor=member_a, request=second, resolution="更换了下水管")
        services.rate(request=second, rating=3, comment="慢了点")
        clock.move_to(T0 + _hours(40))
        third = rf.submit(world)
        duplicate = rf.submit(world)
        services.close(actor=SYSTEM, request=duplicate, reason="重复诉求")
        rf.submit(world, kind="praise", subject=services.Subject(zone=rf.zone(world)))
    return first, second, third


def _expected(row: stats.Row) -> tuple:
    return (
        row.received,
        (row.response.counted, row.response.expected),
        (row.resolution.counted, row.resolution.expected),
        (row.satisfaction.counted, row.satisfaction.expected),
    )


HAND_COUNT = (3, (1, 2), (1, 2), (1, 2))


def test_a_rate_is_a_percentage_with_one_decimal_and_no_sample_is_no_rate():
    assert stats.Rate(1, 2).rate == Decimal("50.0")
    assert stats.Rate(2, 3).rate == Decimal("66.7")
    assert stats.Rate(6, 7).rate == Decimal("85.7")
    assert str(stats.Rate(12, 14)) == "85.7%(n=14)"
    assert stats.Rate(0, 0).rate is None
    assert str(stats.Rate(0, 0)) == "—"


@pytest.mark.parametrize(
    ("by", "name"),
    [
        ("member", "王建国"),
        ("zone", "南园1号楼责任区"),
        ("branch", "一分公司党支部"),
        ("community", "南园社区"),
    ],
)
def test_the_hand_built_set_gives_the_hand_count_in_every_grouping(world, office, hand_set, by, name):
    result = stats.rates(user=office, by=by, now=NOW, **Q2)
    rows = list(result.rows)
    assert [row.name for row in rows] == [name]
    assert _expected(rows[0]) == HAND_COUNT
    assert _expected(result.totals) == HAND_COUNT
    assert [str(getattr(rows[0], rate)) for rate in stats.RATES] == ["50.0%(n=2)"] * 3
    ids = {
        "member": world.member_a.pk,
        "zone": rf.zone(world).pk,
        "branch": world.branch_a.pk,
        "community": world.community.pk,
    }
    assert rows[0].id == ids[by]


def test_what_is_not_yet_due_becomes_expected_once_its_windows_pass(world, office, hand_set):
    # A day later the third request is past both its windows, still not accepted: late on both counts.
    later = stats.rates(user=office, by="member", now=T0 + _hours(70), **Q2)
    (row,) = later.rows
    assert _expected(row) == (3, (1, 3), (1, 3), (1, 2))
    assert str(row.response) == "33.3%(n=3)"


def test_nothing_rated_shows_no_rate_rather_than_a_made_up_one(world, office, member_a):
    with time_machine.travel(T0, tick=False):
        rf.submit(world)
    (row,) = stats.rates(user=office, by="member", now=T0 + _hours(1), **Q2).rows
    assert _expected(row) == (1, (0, 0), (0, 0), (0, 0))
    assert (row.response.rate, str(row.satisfaction)) == (None, "—")


def test_a_groups_requests_fold_into_its_branch(world, office, secretary_a, hand_set):
    helper = factories.member(world.group_a, "赵志刚", residence=world.community)
    with time_machine.travel(T0 + _hours(40), tick=False):
        queued = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
        services.dispatch(actor=SYSTEM, request=queued, member=helper)
    assert ServiceRequest.objects.get(pk=queued.pk).organisation == world.group_a
    for user in (office, secretary_a):
        rows = list(stats.rates(user=user, by="branch", now=NOW, **Q2).rows)
        assert [(row.id, row.name) for row in rows] == [(world.branch_a.pk, "一分公司党支部")]
        assert _expected(rows[0]) == (4, (1, 2), (1, 2), (1, 2))
    by_member = stats.rates(user=office, by="member", now=NOW, **Q2)
    assert [(row.name, row.detail, row.received) for row in by_member.rows] == [
        ("王建国", "一分公司党支部", 3),
        ("赵志刚", "第一党小组", 1),
    ]
    # The zone grouping counts only requests with a zone: the boundary case has none.
    by_zone = stats.rates(user=office, by="zone", now=NOW, **Q2)
    assert [row.received for row in by_zone.rows] == [3]
    assert by_zone.totals.received == 4


def test_the_period_is_the_local_date_of_receipt(world, office, member_a):
    # Half past midnight on 1 April in Shanghai is still 31 March in UTC.
    with time_machine.travel(dt.datetime(2026, 4, 1, 0, 30, tzinfo=LOCAL), tick=False):
        rf.submit(world)
    april_first = stats.rates(user=office, by="member", start=dt.date(2026, 4, 1), end=dt.date(2026, 4, 1))
    march = stats.rates(user=office, by="member", start=dt.date(2026, 3, 1), end=dt.date(2026, 3, 31))
    assert (april_first.totals.received, march.totals.received) == (1, 0)


def test_only_the_requests_in_sight_are_counted(world, secretary_b, member_a, hand_set):
    assert stats.rates(user=secretary_b, by="branch", now=NOW, **Q2).totals.received == 0
    assert list(stats.rates(user=secretary_b, by="member", now=NOW, **Q2).rows) == []
    mine = stats.rates(user=member_a, by="member", now=NOW, **Q2)
    assert [(row.name, row.received) for row in mine.rows] == [("王建国", 3)]


# --- the page --------------------------------------------------------------------------------------------


def _page(user, **query):
    with time_machine.travel(NOW, tick=False):
        return client_for(user).get(PAGE, query)


def test_the_page_shows_the_rates_with_their_sample_sizes(world, secretary_a, hand_set):
    response = _page(secretary_a, by="member", period="quarter")
    assert response.status_code == 200
    html = response.content.decode()
    assert "2026-04-01 至 2026-06-30" in html
    assert "王建国" in html
    assert html.count("50.0%(n=2)") >= 3
    assert f"?member={world.member_a.pk}&amp;kind=request&amp;received_from=2026-04-01" in html


def test_the_page_shows_a_dash_for_no_sample(world, secretary_a, member_a):
    with time_machine.travel(T0, tick=False):
        rf.submit(world)
    with time_machine.travel(T0 + _hours(1), tick=False):
        html = client_for(secretary_a).get(PAGE).content.decode()
    assert "—" in html and "%(n=" not in html


@pytest.mark.parametrize(
    ("by", "param", "target"),
    [
        ("zone", "zone", "zone"),
        ("branch", "organisation", "branch_a"),
        ("community", "community", "community"),
    ],
)
def test_each_row_links_to_the_list_of_its_requests(world, office, hand_set, by, param, target):
    html = _page(office, by=by).content.decode()
    pk = rf.zone(world).pk if target == "zone" else getattr(world, target).pk
    assert f"/requests/?{param}={pk}&amp;kind=request" in html


def test_the_default_is_this_quarter_and_the_quick_choices_fill_the_dates(world, secretary_a):
    html = _page(secretary_a).content.decode()
    assert "2026-04-01 至 2026-06-30" in html
    assert 'value="2026-04-01"' in html and 'value="2026-06-30"' in html
    assert "?by=member&amp;start=2026-05-01&amp;end=2026-05-31" in html
    assert "?by=member&amp;start=2026-01-01&amp;end=2026-12-31" in html
    html = _page(secretary_a, by="zone", start="2026-05-01", end="2026-05-31").content.decode()
    assert "2026-05-01 至 2026-05-31" in html
    assert "?by=zone&amp;start=2026-04-01&amp;end=2026-06-30" in html


def test_a_bad_period_is_named_and_this_quarter_shown(world, secretary_a):
    html = _page(secretary_a, start="2026-06-01", end="2026-05-01").content.decode()
    assert "截止日期不能早于起始日期。" in html
    assert "2026-04-01 至 2026-06-30" in html
    html = _page(secretary_a, start="2026-07-01").content.decode()  # after this quarter's end
    assert "截止日期不能早于起始日期。" in html
    html = _page(secretary_a, start="2026-13-01", by="nation").content.decode()
    assert "请按“年-月-日”填写日期。" in html
    assert "统计口径:选择一个有效的选项。" in html


def test_a_custom_period_is_used(world, secretary_a, hand_set):
    # The first two came in on 11 May, the third 40 hours later: 1 a.m. on 13 May.
    html = _page(secretary_a, start="2026-05-11", end="2026-05-11").content.decode()
    assert "2026-05-11 至 2026-05-11" in html and "收到 2 件" in html
    html = _page(secretary_a, start="2026-05-12", end="2026-05-13").content.decode()
    assert "收到 1 件" in html
    html = _page(secretary_a, start="2026-05-14", end="2026-05-31").content.decode()
    assert "王建国" not in html


def test_anonymous_visitors_are_sent_to_log_in(resident):
    response = resident.get(PAGE)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_login_without_a_business_role_is_refused(world, auditor, nobody):
    for user in (auditor, nobody):
        assert client_for(user).get(PAGE).status_code == 403


def test_the_secretary_of_another_branch_sees_no_row_of_branch_a(world, secretary_b, member_a, hand_set):
    with time_machine.travel(T0 + _hours(40), tick=False):
        theirs = rf.submit(world, subject=services.Subject(community=world.other_community))
        services.dispatch(actor=SYSTEM, request=theirs, member=world.member_b)
    for by in ("member", "zone", "branch", "community"):
        html = _page(secretary_b, by=by).content.decode()
        for name in ("王建国", "南园1号楼责任区", "一分公司党支部", "南园社区"):
            assert name not in html, (by, name)
    html = _page(secretary_b, by="member").content.decode()
    assert "李红梅" in html
    html = _page(secretary_b, by="branch").content.decode()
    assert "二分公司党支部" in html


def test_the_member_sees_their_own_rates(world, member_a, hand_set):
    html = _page(member_a).content.decode()
    assert "王建国" in html and "50.0%(n=2)" in html


def _spread(world, count: int) -> None:
    """`count` requests handled by ten members (two of them in 第一党小组), for the query count."""
    helpers = [factories.member(world.branch_a, f"党员{i}", residence=world.community) for i in range(8)]
    helpers += [factories.member(world.group_a, f"组员{i}", residence=world.community) for i in range(2)]
    for i in range(count):
        req = rf.submit(world)
        member = helpers[i % len(helpers)]
        ServiceRequest.objects.filter(pk=req.pk).update(member=member, organisation=member.organisation)


@pytest.mark.parametrize("by", ["member", "zone", "branch", "community"])
def test_the_page_runs_a_fixed_number_of_queries(world, office, by):
    client = client_for(office)
    client.get(PAGE)  # the session and the scope, once

    def count() -> int:
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PAGE, {"by": by}).status_code == 200
        return len(queries)

    _spread(world, 3)
    few = count()
    ServiceRequest.objects.all().delete()
    _spread(world, 30)
    assert count() == few


# --- the API ---------------------------------------------------------------------------------------------


def _api(user, **query):
    with time_machine.travel(NOW, tick=False):
        return api_client(user).get(API, query)


def test_the_api_answers_rows_with_counts_rates_and_totals(world, office, hand_set):
    response = _api(office, by="zone", start="2026-04-01", end="2026-06-30")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["by"], body["start"], body["end"]) == (1, "zone", "2026-04-01", "2026-06-30")
    rate = {"counted": 1, "expected": 2, "rate": "50.0"}
    assert body["results"] == [
        {
            "id": rf.zone(world).pk,
            "name": "南园1号楼责任区",
            "detail": "2026年 · 一分公司党支部",
            "received": 3,
            "response": rate,
            "resolution": rate,
            "satisfaction": rate,
        }
    ]
    assert body["totals"]["id"] is None and body["totals"]["name"] == "合计"
    assert body["totals"]["received"] == 3


def test_the_api_defaults_to_this_quarter_by_member_and_says_no_sample_as_null(world, office, member_a):
    with time_machine.travel(T0, tick=False):
        rf.submit(world)
    body = _api(office).json()
    assert (body["by"], body["start"], body["end"]) == ("member", "2026-04-01", "2026-06-30")
    assert body["results"][0]["satisfaction"] == {"counted": 0, "expected": 0, "rate": None}


def test_the_api_narrows_to_an_organisation_or_a_community(world, office, hand_set):
    assert _api(office, organisation=world.branch_b.pk).json()["totals"]["received"] == 0
    assert _api(office, organisation=world.committee.pk).json()["totals"]["received"] == 3
    assert _api(office, community=world.other_community.pk).json()["totals"]["received"] == 0
    assert _api(office, community=world.street.pk).json()["totals"]["received"] == 3


def test_the_api_refuses_bad_input_in_chinese(world, office):
    response = _api(office, by="person")
    assert response.status_code == 400 and "by" in response.json()["errors"]
    response = _api(office, start="2026-06-01", end="2026-05-01")
    assert response.status_code == 400
    assert response.json()["errors"] == {"end": ["截止日期不能早于起始日期。"]}
    response = _api(office, start="2027-01-01")  # after this quarter's end
    assert response.json()["errors"] == {"end": ["截止日期不能早于起始日期。"]}


def test_the_api_pages_the_rows(world, office):
    _spread(world, 12)
    body = api_client(office).get(API, {"by": "member", "page_size": 4}).json()
    assert body["count"] == 10 and len(body["results"]) == 4 and body["next"]
    assert body["totals"]["received"] == 12


def test_the_api_needs_a_login_and_a_business_role(world, auditor, secretary_b, hand_set):
    assert api_client().get(API).status_code == 401
    assert api_client(auditor).get(API).status_code == 403
    assert _api(secretary_b).json()["results"] == []
