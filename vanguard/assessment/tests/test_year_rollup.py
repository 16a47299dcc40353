"""The annual roll-up: the weighted mean of each target's totals over the rounds it appears in, computed in
SQL, ranked, the first places recommended; and the refusals of the roll-up's services."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from zoneinfo import ZoneInfo

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services, services_year
from vanguard.assessment.models import Result, RollupResult, TargetKind
from vanguard.assessment.services_year import Part
from vanguard.audit.models import AuditRecord
from vanguard.conftest import _user
from vanguard.org.models import Organisation
from vanguard.org.tests import factories as org_factories

from . import factories as f
from . import year_factories as y

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def in_december(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


def _totals(round_) -> dict[str, Decimal]:
    return dict(Result.objects.filter(round=round_).values_list("name", "total"))


def test_the_roll_up_is_the_weighted_mean_of_the_quarters(world):
    q1, q2 = y.two_quarters(world)
    t1, t2 = _totals(q1), _totals(q2)
    # 王建国: 思想政治 8 → 24 of 30, 责任区工作 10 → 20 of 20, no reports → 0 of 20, no contacts due → 30.
    assert t1["王建国"] == Decimal("74.00")
    rollup = y.rollup(world, [q1, q2], [1, 3])
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    rows = {r.name: r for r in RollupResult.objects.filter(rollup=rollup)}
    expected_wang = ((t1["王建国"] + 3 * t2["王建国"]) / 4).quantize(Decimal("0.01"))
    expected_li = ((t1["李红梅"] + 3 * t2["李红梅"]) / 4).quantize(Decimal("0.01"))
    assert rows["王建国"].total == expected_wang
    assert rows["李红梅"].total == expected_li
    assert (rows["王建国"].rounds, rows["李红梅"].rounds) == (2, 2)
    data_points = Result.objects.filter(member=world.member_a).values_list("data_points", flat=True)
    assert rows["王建国"].data_points == sum(data_points)
    assert rows["王建国"].unit == world.branch_a and rows["王建国"].member == world.member_a
    ranked = sorted(rows.values(), key=lambda r: r.rank)
    assert [r.rank for r in ranked] == [1, 2]
    assert ranked[0].total > ranked[1].total
    assert [r.recommended for r in ranked] == [True, False]
    rollup.refresh_from_db()
    assert rollup.computed_at is not None


def test_a_target_counts_only_the_rounds_it_appears_in(world):
    scheme = f.member_scheme(world.committee)
    q1 = y.closed_quarter(scheme, world.committee, 1, {"王建国": {"思想政治": 10, "责任区工作": 10}})
    # Q2 only scores branch A: 李红梅 is not in it.
    q2 = y.closed_quarter(scheme, world.branch_a, 2, {"王建国": {"思想政治": 5, "责任区工作": 5}})
    rollup = y.rollup(world, [q1, q2])
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    rows = {r.name: r for r in RollupResult.objects.filter(rollup=rollup)}
    assert rows["李红梅"].rounds == 1
    assert rows["李红梅"].total == _totals(q1)["李红梅"]
    assert rows["王建国"].rounds == 2
    assert rows["王建国"].total == ((_totals(q1)["王建国"] + _totals(q2)["王建国"]) / 2).quantize(
        Decimal("0.01")
    )


def test_ties_share_a_rank_and_all_tied_at_the_last_place_are_recommended(world):
    scheme = f.member_scheme(world.committee)
    q1 = y.closed_quarter(
        scheme,
        world.committee,
        1,
        {"王建国": {"思想政治": 7, "责任区工作": 7}, "李红梅": {"思想政治": 7, "责任区工作": 7}},
    )
    rollup = y.rollup(world, [q1], recommend_count=1)
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    assert list(RollupResult.objects.filter(rollup=rollup).values_list("rank", "recommended")) == [
        (1, True),
        (1, True),
    ]


def test_computing_again_replaces_the_results_and_is_audited(world):
    q1, q2 = y.two_quarters(world)
    rollup = y.rollup(world, [q1, q2])
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    assert RollupResult.objects.filter(rollup=rollup).count() == 2
    records = AuditRecord.objects.filter(object_type="assessment.rollup", object_id=str(rollup.pk))
    assert records.count() == 3  # created, computed twice
    assert "计算年度汇总:2个考核对象" in records.order_by("-pk").first().detail


def test_changing_the_places_re_marks_the_recommended(world):
    q1, q2 = y.two_quarters(world)
    rollup = y.rollup(world, [q1, q2], recommend_count=1)
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    services_year.rollup_update(actor=SYSTEM, rollup=rollup, fields={"recommend_count": 2})
    assert RollupResult.objects.filter(rollup=rollup, recommended=True).count() == 2


def test_choosing_other_rounds_discards_the_ranking(world):
    q1, q2 = y.two_quarters(world)
    rollup = y.rollup(world, [q1, q2])
    services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    rollup = services_year.rollup_update(actor=SYSTEM, rollup=rollup, fields={}, parts=[Part(q1, 1)])
    assert rollup.computed_at is None
    assert not RollupResult.objects.filter(rollup=rollup).exists()
    assert list(rollup.parts.values_list("round_id", flat=True)) == [q1.pk]


# --- refusals -----------------------------------------------------------------------------------------------


def test_a_round_still_open_is_refused(world):
    scheme = f.member_scheme(world.committee)
    open_round = f.quarter_round(scheme, world.committee, quarter=1)
    with pytest.raises(ValidationError) as exc:
        y.rollup(world, [open_round])
    assert exc.value.message_dict == {"rounds": ["“2026年第1季度”尚未结束评分,结束后才能汇总。"]}


def test_a_round_of_another_year_or_kind_is_refused(world):
    q1, _ = y.two_quarters(world)
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_create(
            actor=SYSTEM,
            organisation=world.committee,
            year=2025,
            target_kind=TargetKind.MEMBER,
            name="2025年度",
            parts=[Part(q1)],
        )
    assert exc.value.message_dict == {"rounds": ["“2026年第1季度”不是2025年度的考核。"]}
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_create(
            actor=SYSTEM,
            organisation=world.committee,
            year=2026,
            target_kind=TargetKind.BRANCH,
            name="先进党支部",
            parts=[Part(q1)],
        )
    assert exc.value.message_dict == {"rounds": ["“2026年第1季度”考核的是党员,与汇总对象不同。"]}


def test_a_round_outside_the_roll_ups_organisation_is_refused(world):
    q1, _ = y.two_quarters(world)
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_create(
            actor=SYSTEM,
            organisation=world.branch_a,
            year=2026,
            target_kind=TargetKind.MEMBER,
            name="一支部汇总",
            parts=[Part(q1)],
        )
    assert exc.value.message_dict == {"rounds": ["“2026年第1季度”的考核范围不在一分公司党支部之内。"]}


@pytest.mark.parametrize(
    ("weight", "message"),
    [
        (0, "每轮考核的权重应大于0且不超过100。"),
        (-1, "每轮考核的权重应大于0且不超过100。"),
        ("x", "权重请填写数字。"),
    ],
)
def test_a_bad_weight_is_refused(world, weight, message):
    q1, _ = y.two_quarters(world)
    with pytest.raises(ValidationError) as exc:
        y.rollup(world, [q1], [weight])
    assert exc.value.message_dict == {"rounds": [message]}


def test_no_rounds_a_round_twice_and_a_blank_name_are_refused(world):
    q1, _ = y.two_quarters(world)
    with pytest.raises(ValidationError) as exc:
        y.rollup(world, [])
    assert exc.value.message_dict == {"rounds": ["请至少选择一轮已结束的考核。"]}
    with pytest.raises(ValidationError) as exc:
        y.rollup(world, [q1, q1])
    assert exc.value.message_dict == {"rounds": ["“2026年第1季度”选了两次。"]}
    with pytest.raises(ValidationError) as exc:
        y.rollup(world, [q1], name="  ")
    assert exc.value.message_dict == {"name": ["请填写名称。"]}


def test_only_the_office_makes_a_roll_up(world, secretary_a, office):
    q1, _ = y.two_quarters(world)
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_create(
            actor=secretary_a,
            organisation=world.committee,
            year=2026,
            target_kind=TargetKind.MEMBER,
            name="汇总",
            parts=[Part(q1)],
        )
    assert exc.value.message_dict == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    rollup = services_year.rollup_create(
        actor=office,
        organisation=world.committee,
        year=2026,
        target_kind=TargetKind.MEMBER,
        name="汇总",
        parts=[Part(q1)],
    )
    with pytest.raises(PermissionDenied):
        services_year.rollup_compute(actor=secretary_a, rollup=rollup)
    with pytest.raises(PermissionDenied):
        services_year.rollup_delete(actor=secretary_a, rollup=rollup)
    services_year.rollup_compute(actor=office, rollup=rollup)
    assert RollupResult.objects.filter(rollup=rollup).count() == 2


def test_a_round_reopened_after_the_roll_up_was_made_is_refused_at_compute(world):
    q1, _ = y.two_quarters(world)
    rollup = y.rollup(world, [q1])
    services.round_transition(actor=SYSTEM, round_=q1, action="reopen")
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_compute(actor=SYSTEM, rollup=rollup)
    assert exc.value.messages == ["“2026年第1季度”已重新开放评分,结束后才能汇总。"]


def test_a_round_out_of_the_offices_sight_is_refused_like_a_missing_one(world):
    q1, _ = y.two_quarters(world)
    other = org_factories.organisation("另一党委", Organisation.Kind.COMMITTEE)
    stranger = _user("office_other", Role.OFFICE, organisation=other)
    with pytest.raises(ValidationError) as exc:
        services_year.rollup_create(
            actor=stranger,
            organisation=other,
            year=2026,
            target_kind=TargetKind.MEMBER,
            name="借用别人的考核",
            parts=[Part(q1)],
        )
    assert exc.value.message_dict == {"rounds": ["所选考核轮次不存在或不在您的管理范围内。"]}
