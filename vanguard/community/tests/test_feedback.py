"""情况反馈: each registered member's community record of a quarter, counted in one query, and the
assessment's `service_hours` metric that makes it a source of the member's score."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Formula, Indicator, IndicatorResult, Metric, Period, Result, TargetKind
from vanguard.assessment.selectors import breakdown
from vanguard.assessment.tests import factories as af
from vanguard.community import feedback
from vanguard.community.feedback import Quarter
from vanguard.community.models import Pairing, PairingVisit, PostClaim
from vanguard.org.models import Person
from vanguard.org.tests import factories

from . import api_factories as cf

pytestmark = pytest.mark.django_db
Q3 = Quarter(2026, 3)


def _pairing(member, community, started, ended=None, name="留守儿童小明"):
    return Pairing.objects.create(
        community=community,
        member=member,
        person=Person.objects.create(name=name, residence=community),
        kind=Pairing.Kind.CHILD,
        started_on=started,
        ended_on=ended,
    )


@pytest.fixture
def busy_quarter(world):
    """member_a, registered at 南园社区, in 2026Q3: verified 2 + 1.5 hours; one record waiting, one
    rejected, one verified in Q2; one post held, one claim waiting; two pairings active in the quarter
    (one ended during it), one ended before it; two visits in the quarter, one before."""
    m = world.member_a
    cf.registration(m, world.community, occupation="驾驶员", strengths="驾驶、维修")
    cf.record(m, world.community, "2", served_on=dt.date(2026, 7, 3))
    cf.record(m, world.community, "1.5", served_on=dt.date(2026, 9, 30))
    cf.record(m, world.community, "4", served_on=dt.date(2026, 6, 30))
    cf.record(m, world.community, "3", served_on=dt.date(2026, 8, 1), verify=False)
    rejected = cf.record(m, world.community, "5", served_on=dt.date(2026, 8, 2), verify=False)
    from vanguard.community import services_work

    services_work.service_reject(actor=SYSTEM, record=rejected, reason="当天无此活动")
    held = cf.claim(cf.post(world.community, "3号楼楼栋长"), m)
    # Confirmed in August (the services stamp the time of the call).
    PostClaim.objects.filter(pk=held.pk).update(confirmed_at=dt.datetime(2026, 8, 1, 9, tzinfo=dt.UTC))
    cf.claim(cf.post(world.community, "环境监督岗", category="environment"), m, confirm=False)
    child = _pairing(m, world.community, dt.date(2026, 3, 1))
    _pairing(m, world.community, dt.date(2026, 1, 1), dt.date(2026, 8, 31), name="空巢老人")
    _pairing(m, world.community, dt.date(2025, 1, 1), dt.date(2026, 6, 30), name="困难户")
    for day in (dt.date(2026, 7, 10), dt.date(2026, 9, 10), dt.date(2026, 6, 10)):
        PairingVisit.objects.create(pairing=child, visited_on=day, content="辅导作业")
    return world


def test_the_quarter_is_written_like_2026Q3():
    assert Quarter.parse("2026Q3") == Quarter.parse(" 2026q3 ") == Q3
    assert (Q3.start, Q3.end, str(Q3), Q3.label) == (
        dt.date(2026, 7, 1),
        dt.date(2026, 9, 30),
        "2026Q3",
        "2026年第三季度",
    )
    assert Quarter(2026, 4).end == dt.date(2026, 12, 31)
    for wrong in ("2026Q5", "2026-07", "Q3", "", "1999Q1"):
        with pytest.raises(ValidationError) as exc:
            Quarter.parse(wrong)
        assert exc.value.messages == ["请按“年份Q季度”填写季度,如 2026Q3。"]


def test_a_members_record_counts_only_the_quarters_verified_service(busy_quarter, secretary_a):
    (row,) = feedback.branch_feedback(user=secretary_a, organisation=busy_quarter.branch_a, quarter=Q3)
    assert row == busy_quarter.member_a
    assert (row.community_name, row.records_count, row.service_hours, row.waiting_count) == (
        "南园社区",
        2,
        Decimal("3.5"),
        1,
    )
    assert (row.posts_count, row.pairings_count, row.visits_count) == (1, 2, 2)
    q2 = feedback.member_feedback(busy_quarter.member_a, Quarter(2026, 2))
    assert (
        q2.records_count,
        q2.service_hours,
        q2.waiting_count,
        q2.posts_count,
        q2.pairings_count,
        q2.visits_count,
    ) == (1, Decimal("4"), 0, 0, 3, 1)


def test_only_registered_members_of_the_branch_in_sight_are_fed_back(busy_quarter, secretary_a, secretary_b):
    w = busy_quarter
    factories.member(w.branch_a, "未报到", residence=w.community)  # not registered: no feedback due
    waiting = factories.member(w.group_a, "待确认", residence=w.community)
    cf.registration(waiting, w.community, confirm=False)
    in_group = factories.member(w.group_a, "小组党员", residence=w.other_community)
    cf.registration(in_group, w.other_community)
    cf.registration(w.member_b, w.other_community)
    rows = feedback.branch_feedback(user=secretary_a, organisation=w.branch_a, quarter=Q3)
    assert [r.person.name for r in rows] == ["王建国", "小组党员"]
    assert rows[1].community_name == "新风社区" and rows[1].service_hours == 0
    # Another branch's secretary sees none of branch A's members.
    assert not feedback.branch_feedback(user=secretary_b, organisation=w.branch_a, quarter=Q3).exists()


def test_the_feedback_is_one_query_whatever_the_number_of_members(world, office):
    def run() -> int:
        with CaptureQueriesContext(connection) as queries:
            rows = list(feedback.branch_feedback(user=office, organisation=world.committee, quarter=Q3))
        assert all(r.organisation.name and r.person.name for r in rows)
        return len(queries)

    for n in range(2):
        m = factories.member(world.branch_a, f"党员{n}", residence=world.community)
        cf.registration(m, world.community)
        cf.record(m, world.community, "1")
    small = run()
    for n in range(2, 12):
        m = factories.member(world.branch_b, f"党员{n}", residence=world.other_community)
        cf.registration(m, world.other_community)
        cf.record(m, world.other_community, "2.5")
        _pairing(m, world.other_community, dt.date(2026, 7, 1), name=f"老人{n}")
    office._vanguard_scope = None
    del office._vanguard_scope
    assert run() == small


# --- the assessment's metric -----------------------------------------------------------------------------


def _scheme(organisation, target_kind=TargetKind.MEMBER, formula=Formula.CAPPED, parameter=10):
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=f"社区服务考核{target_kind}",
        target_kind=target_kind,
        period=Period.QUARTER,
        weights={"weight_organisation": 100},
    )
    assessment.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={
            "name": "社区服务时长",
            "weight": 1,
            "max_points": 10,
            "kind": Indicator.Kind.DERIVED,
            "metric": Metric.SERVICE_HOURS,
            "formula": formula,
            "parameter": parameter,
        },
    )
    return scheme


def _close(round_):
    return assessment.round_transition(actor=SYSTEM, round_=round_, action="close")


def test_a_round_scores_verified_community_hours_with_the_capped_formula(busy_quarter):
    w = busy_quarter
    cf.record(w.member_a, w.community, "4", served_on=dt.date(2026, 8, 20))  # 7.5 verified in Q3
    round_ = _close(af.quarter_round(_scheme(w.committee), w.committee))
    a = IndicatorResult.objects.get(result__round=round_, result__member=w.member_a)
    b = IndicatorResult.objects.get(result__round=round_, result__member=w.member_b)
    # Whole hours: 7.5 counts as 7 of the 10 for full points; waiting and rejected hours never count.
    assert (a.counted, a.expected, a.score, a.points) == (7, 10, Decimal("7.00"), Decimal("70.00"))
    assert (b.counted, b.score) == (0, Decimal("0.00"))
    assert Result.objects.get(round=round_, member=w.member_a).total == Decimal("70.00")
    # The result's breakdown lists the verified records it counted.
    (leaf,) = breakdown(Result.objects.get(round=round_, member=w.member_a)).leaves
    assert leaf.records_count == 3
    assert leaf.records[0].text == "王建国 在南园社区:清理楼道小广告,1.5小时"
    assert leaf.records[0].date == dt.date(2026, 9, 30)


def test_a_branch_is_scored_on_its_members_sum_of_hours(busy_quarter):
    w = busy_quarter
    in_group = factories.member(w.group_a, "小组党员", residence=w.community)
    cf.record(in_group, w.community, "6")
    cf.record(w.member_b, w.other_community, "1")
    round_ = _close(af.quarter_round(_scheme(w.committee, TargetKind.BRANCH, parameter=20), w.committee))
    counted = dict(
        IndicatorResult.objects.filter(result__round=round_).values_list(
            "result__organisation__name", "counted"
        )
    )
    assert counted == {"一分公司党支部": 9, "二分公司党支部": 1}


@pytest.mark.parametrize(
    ("target_kind", "formula", "parameter", "field", "message"),
    [
        (
            TargetKind.MEMBER,
            Formula.RATIO,
            None,
            "parameter",
            "该计算依据对此考核对象没有应完成数,请填写应完成数N,或改用计数公式。",
        ),
        (TargetKind.ZONE, Formula.CAPPED, 10, "metric", "“社区服务时长”不适用于考核对象“责任区”。"),
    ],
)
def test_the_metric_needs_a_number_of_hours_and_is_not_for_zones(
    world, target_kind, formula, parameter, field, message
):
    with pytest.raises(ValidationError) as exc:
        _scheme(world.committee, target_kind, formula, parameter)
    assert exc.value.message_dict[field] == [message]
