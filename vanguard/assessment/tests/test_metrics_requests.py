"""The assessment's request rates (issue 9): 群众诉求按时响应, 按期办结 and 满意, counted and expected
per member, branch (a group's requests with it) and zone over a round's period by the local date of
receipt, leaving out requests closed without a resolution, in a fixed number of queries however many
requests there are."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import compute, metrics
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Formula, Indicator, IndicatorResult, Metric, Period, Result, TargetKind
from vanguard.assessment.selectors import breakdown
from vanguard.org.models import Member
from vanguard.org.tests import factories
from vanguard.service_requests import services as requests
from vanguard.service_requests.models import Kind, ServiceRequest, Status, Urgency
from vanguard.service_requests.tests import factories as rf

from . import factories as f

pytestmark = pytest.mark.django_db

RATES = {
    "按时响应": Metric.REQUESTS_RESPONDED,
    "按期办结": Metric.REQUESTS_RESOLVED,
    "群众满意": Metric.REQUESTS_SATISFIED,
}


def _at(month: int, day: int, hour: int = 9, minute: int = 0) -> dt.datetime:
    """A moment of 2026 on the local (Asia/Shanghai) clock."""
    return timezone.make_aware(dt.datetime(2026, month, day, hour, minute))


CLOSED_ON = _at(10, 10)  # the 2026Q3 rounds close after the quarter, when most time limits have passed


def _scheme(organisation, target_kind: str, name: str = "群众诉求考核"):
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=f"{name}{target_kind}",
        target_kind=target_kind,
        period=Period.QUARTER,
        weights={"weight_organisation": 100},
    )
    for indicator_name, metric in RATES.items():
        # The ratio formula without N: each rate has its own expectation for every kind of target.
        assessment.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={
                "name": indicator_name,
                "weight": 1,
                "max_points": 10,
                "kind": Indicator.Kind.DERIVED,
                "metric": metric,
                "formula": Formula.RATIO,
            },
        )
    return scheme


def _close(scheme, organisation):
    round_ = f.quarter_round(scheme, organisation)
    with time_machine.travel(CLOSED_ON, tick=False):
        return assessment.round_transition(actor=SYSTEM, round_=round_, action="close")


def _request(
    world,
    received: dt.datetime,
    *,
    member: Member | None = None,
    zone=True,
    urgency: str = Urgency.GENERAL,
    accepted: dt.datetime | None = None,
    resolved: dt.datetime | None = None,
    rating: int | None = None,
    closed: dt.datetime | None = None,
    **submit,
) -> ServiceRequest:
    """A request from the board of branch A's zone (routed to member_a), then moved to `received` and to
    the given state, as the loop would have left it."""
    req = rf.submit(world, category="other", **submit)
    member = member or req.member
    deadline, respond_by = requests.deadlines(urgency, received)
    status = Status.ASSIGNED
    if accepted:
        status = Status.ACCEPTED
    if resolved:
        status = Status.RESOLVED
    if closed:
        status = Status.CLOSED
    ServiceRequest.objects.filter(pk=req.pk).update(
        member=member,
        organisation=member.organisation if member else req.organisation,
        zone=req.zone if zone else None,
        urgency=urgency,
        received_at=received,
        deadline=deadline,
        respond_by=respond_by,
        accepted_at=accepted,
        resolved_at=resolved,
        rating=rating,
        rated_at=resolved and rating and resolved + dt.timedelta(days=1),
        closed_at=closed,
        status=status,
    )
    req.refresh_from_db()
    return req


@pytest.fixture
def quarter(world):
    """2026Q3 (1 July – 30 September, local dates), the rounds closing on 10 October.

    member_a (branch A, responsible for its zone; 一般: respond in 24 hours, resolve in 7 days):
      r1 in time all through, rated 5; r2 accepted and resolved late, rated 3; r3 never accepted, both time
      limits long past; r4 (复杂, received 30 Sep 23:30) accepted in time, its 15 days not yet up at the
      close; r5 received at 00:10 on 1 July (still 30 June in UTC), in time, not rated.
      Left out: two received just outside the quarter by the local clock (23:30 on 30 June, 00:10 on
      1 October: UTC puts them the other way), one closed as a duplicate without a resolution, and an
      opinion about the zone.
    A member of group A (under branch A): one from the zone dispatched to them, in time, rated 4.
    member_b (branch B, no zone): accepted late, not resolved, past its deadline."""
    a = world.member_a
    in_group = factories.member(world.group_a, "赵小组", residence=world.community)
    _request(world, _at(7, 5), accepted=_at(7, 5, 15), resolved=_at(7, 8), rating=5, closed=_at(7, 9))
    _request(world, _at(8, 1), accepted=_at(8, 3), resolved=_at(8, 20), rating=3, closed=_at(8, 21))
    _request(world, _at(9, 10))
    _request(world, _at(9, 30, 23, 30), urgency=Urgency.COMPLEX, accepted=_at(10, 1, 10))
    _request(world, _at(7, 1, 0, 10), accepted=_at(7, 1, 8), resolved=_at(7, 2))
    for received in (_at(6, 30, 23, 30), _at(10, 1, 0, 10)):
        _request(world, received, accepted=received, resolved=received + dt.timedelta(hours=2), rating=5)
    _request(world, _at(8, 10), closed=_at(8, 11))
    _request(
        world,
        _at(8, 12),
        kind=Kind.OPINION,
        phone="",
        accepted=_at(8, 12, 10),
        resolved=_at(8, 13),
        rating=5,
    )
    _request(
        world,
        _at(8, 15),
        member=in_group,
        accepted=_at(8, 15, 11),
        resolved=_at(8, 17),
        rating=4,
        closed=_at(8, 18),
    )
    _request(world, _at(8, 20), member=world.member_b, zone=False, accepted=_at(8, 23))
    assert ServiceRequest.objects.filter(member=a).count() == 8  # the opinion goes to the branch
    world.in_group = in_group
    return world


def _rates(round_, key: str) -> dict[str, dict[str, tuple[int, int | None]]]:
    """{target name: {indicator: (counted, expected)}}."""
    rows = IndicatorResult.objects.filter(result__round=round_).values_list(
        key, "indicator__name", "counted", "expected"
    )
    table: dict[str, dict[str, tuple[int, int | None]]] = {}
    for target, indicator, counted, expected in rows:
        table.setdefault(target, {})[indicator] = (counted, expected)
    return table


def test_a_members_rates_count_their_requests_received_in_the_quarter(quarter):
    w = quarter
    round_ = _close(_scheme(w.committee, TargetKind.MEMBER), w.committee)
    rates = _rates(round_, "result__member__person__name")
    assert rates["王建国"] == {"按时响应": (3, 5), "按期办结": (2, 4), "群众满意": (1, 2)}
    assert rates["赵小组"] == {"按时响应": (1, 1), "按期办结": (1, 1), "群众满意": (1, 1)}
    assert rates["李红梅"] == {"按时响应": (0, 1), "按期办结": (0, 1), "群众满意": (0, 0)}
    points = dict(
        IndicatorResult.objects.filter(result__round=round_, result__member=w.member_a).values_list(
            "indicator__name", "score"
        )
    )
    assert points == {"按时响应": Decimal("6.00"), "按期办结": Decimal("5.00"), "群众满意": Decimal("5.00")}
    # Nothing rated is nothing expected: the engine's rule gives the full points, not a made-up rate.
    b = IndicatorResult.objects.get(
        result__round=round_, result__member=w.member_b, indicator__name="群众满意"
    )
    assert b.score == Decimal("10.00")


def test_a_branch_counts_its_groups_requests_and_a_zone_those_routed_to_it(quarter):
    w = quarter
    branches = _rates(
        _close(_scheme(w.committee, TargetKind.BRANCH), w.committee), "result__organisation__name"
    )
    assert branches == {
        "一分公司党支部": {"按时响应": (4, 6), "按期办结": (3, 5), "群众满意": (2, 3)},
        "二分公司党支部": {"按时响应": (0, 1), "按期办结": (0, 1), "群众满意": (0, 0)},
    }
    groups = _rates(_close(_scheme(w.committee, TargetKind.GROUP), w.committee), "result__organisation__name")
    assert groups["第一党小组"] == {"按时响应": (1, 1), "按期办结": (1, 1), "群众满意": (1, 1)}
    zones = _rates(_close(_scheme(w.committee, TargetKind.ZONE), w.committee), "result__zone__name")
    # The zone's own five and the one dispatched from it to the group's member; member_b's has no zone.
    assert zones == {"南园1号楼责任区": {"按时响应": (4, 6), "按期办结": (3, 5), "群众满意": (2, 3)}}


def test_the_breakdown_records_are_those_considered_each_counted_or_not(quarter):
    w = quarter
    round_ = _close(_scheme(w.committee, TargetKind.MEMBER), w.committee)
    result = Result.objects.select_related("round", "organisation").get(round=round_, member=w.member_a)
    period = compute.period_of(round_)
    for name, metric in RATES.items():
        row = IndicatorResult.objects.get(result=result, indicator__name=name)
        records = list(metrics.records(metric, result, period))
        assert len(records) == row.expected
        assert sum(metrics.request_counted(metric, r) for r in records) == row.counted
        assert [r.received_at for r in records] == sorted((r.received_at for r in records), reverse=True)
    # The complex request is still inside its 15 days at the close: considered for the response only.
    latest = metrics.records(Metric.REQUESTS_RESPONDED, result, period).first()
    assert latest.received_at == _at(9, 30, 23, 30)
    assert metrics.records(Metric.REQUESTS_RESOLVED, result, period).first().received_at == _at(9, 10)


def test_every_target_kind_takes_the_rates_with_the_ratio_formula_and_no_number():
    for metric in RATES.values():
        for kind in (TargetKind.MEMBER, TargetKind.GROUP, TargetKind.BRANCH, TargetKind.ZONE):
            assert kind in metrics.SUPPORTED[metric]
            assert metrics.has_expected(metric, kind)


def _close_queries(world, scheme_name: str) -> int:
    round_ = f.quarter_round(_scheme(world.committee, TargetKind.MEMBER, scheme_name), world.committee)
    with time_machine.travel(CLOSED_ON, tick=False), CaptureQueriesContext(connection) as queries:
        assessment.round_transition(actor=SYSTEM, round_=round_, action="close")
    return len(queries)


def test_closing_a_round_takes_the_same_queries_for_few_or_many_requests(world):
    _request(world, _at(7, 5), accepted=_at(7, 5, 15))
    few = _close_queries(world, "少量诉求")
    for n in range(12):
        member = factories.member(world.branch_b, f"党员{n:02d}", residence=world.other_community)
        for day in (3, 13, 23):
            _request(
                world,
                _at(8, day),
                member=member,
                zone=False,
                accepted=_at(8, day, 10),
                resolved=_at(8, day + 2),
                rating=1 + (n + day) % 5,
            )
    assert ServiceRequest.objects.count() == 37
    assert _close_queries(world, "大量诉求") == few


def test_the_results_breakdown_lists_each_request_counted_or_not_and_why(quarter):
    w = quarter
    round_ = _close(_scheme(w.committee, TargetKind.MEMBER), w.committee)
    leaves = {
        leaf.indicator.name: leaf
        for leaf in breakdown(Result.objects.get(round=round_, member=w.member_a)).leaves
    }
    responded = leaves["按时响应"]
    assert responded.records_count == 5
    assert [(r.note, r.counted) for r in responded.records] == [
        ("按时响应", True),
        ("超时未响应", False),
        ("超时响应", False),
        ("按时响应", True),
        ("按时响应", True),
    ]
    assert responded.records[0].text.endswith("其他,王建国承办")
    assert [r.note for r in leaves["按期办结"].records] == ["逾期未办结", "逾期办结", "按期办结", "按期办结"]
    assert [(r.note, r.counted) for r in leaves["群众满意"].records] == [("3星", False), ("5星", True)]
