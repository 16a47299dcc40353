"""The star cycle of seed 004: a pass adds a star (at most five), a fail takes one away, a fail with no star
left removes the plaque; five stars offer naming; complaints upheld count; the rules are versioned."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.scope import SYSTEM
from vanguard.posts import services
from vanguard.posts.models import Evaluation, ModelPost, Opinion, StarEvent

from . import factories

pytestmark = pytest.mark.django_db

PASS, FAIL = Decimal("90"), Decimal("60")


def _month(i: int) -> dt.date:
    return dt.date(2026, 1 + i, 1)


def test_eight_months_of_evaluations_give_the_stars_of_the_seed(world):
    post = factories.approved_post(world)
    stars = []
    offered_in = []
    for i, total in enumerate([PASS, PASS, FAIL, PASS, PASS, PASS, PASS, PASS]):
        evaluation = services.evaluate(actor=SYSTEM, post=post, month=_month(i), total=total)
        post.refresh_from_db()
        stars.append(post.stars)
        if evaluation.events.filter(kind=StarEvent.Kind.NAMING_OFFERED).exists():
            offered_in.append(i + 1)
    assert stars == [1, 2, 1, 2, 3, 4, 5, 5]
    assert offered_in == [7]
    kinds = list(post.events.values_list("kind", flat=True))
    assert kinds[0] == StarEvent.Kind.APPROVED
    assert kinds[-1] == StarEvent.Kind.STAR_KEPT
    # Every line of the timeline says why.
    assert all(event.reason for event in post.events.all())
    services.post_name(actor=SYSTEM, post=post)
    post.refresh_from_db()
    assert post.named_at is not None
    assert post.events.last().kind == StarEvent.Kind.NAMED


def test_a_post_with_no_star_that_fails_loses_its_plaque(world):
    post = factories.approved_post(world)
    services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=FAIL)
    post.refresh_from_db()
    assert post.status == ModelPost.Status.REMOVED and post.stars == 0
    assert post.removed_at is not None and "摘牌" in post.removal_reason
    assert post.events.last().kind == StarEvent.Kind.PLAQUE_REMOVED


def test_evaluating_a_post_that_is_not_approved_is_refused(world):
    post = factories.applied_post(world)
    with pytest.raises(ValidationError) as exc:
        services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=PASS)
    assert "只有已挂牌的示范岗才能评定" in exc.value.messages[0]
    assert not Evaluation.objects.exists()


def test_a_second_evaluation_for_the_same_month_is_refused(world):
    post = factories.approved_post(world)
    services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=PASS)
    with pytest.raises(ValidationError) as exc:
        services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=FAIL)
    assert "2026年1月已经评定过" in exc.value.message_dict["month"][0]
    post.refresh_from_db()
    assert post.stars == 1 and Evaluation.objects.count() == 1


def test_approval_by_a_secretary_is_refused(world, secretary_a, office):
    post = factories.applied_post(world)
    with pytest.raises(PermissionDenied) as exc:
        services.post_decide(actor=secretary_a, post=post, approve=True)
    assert "党委办公室" in str(exc.value)
    post.refresh_from_db()
    assert post.status == ModelPost.Status.APPLIED
    services.post_decide(actor=office, post=post, approve=True)
    post.refresh_from_db()
    assert post.status == ModelPost.Status.APPROVED


def test_a_rejection_needs_a_reason(world, office):
    post = factories.applied_post(world)
    with pytest.raises(ValidationError):
        services.post_decide(actor=office, post=post, approve=False, reason=" ")
    post = services.post_decide(
        actor=office, post=post, approve=False, reason="岗位职责不清,请补充后重新申请。"
    )
    assert post.status == ModelPost.Status.REJECTED


def test_the_secretary_applies_for_their_own_branch_only(world, secretary_a, secretary_b):
    with pytest.raises(ValidationError):
        services.post_apply(
            actor=secretary_b,
            organisation=world.branch_a,
            fields={"name": "x"},
            members=[{"member": world.member_a, "motto": "m"}],
        )
    with pytest.raises(ValidationError) as exc:
        services.post_apply(
            actor=secretary_a,
            organisation=world.branch_a,
            fields={"name": "窗口"},
            members=[{"member": world.member_b, "motto": "m"}],
        )
    assert "李红梅不是本支部的党员" in exc.value.message_dict["members"][0]


def test_upheld_complaints_count_in_the_months_evaluation(world, secretary_a):
    post = factories.approved_post(world)
    with time_machine.travel(dt.datetime(2026, 1, 20, 10, tzinfo=dt.UTC)):
        for i in range(3):
            opinion = services.opinion_submit(
                actor=None,
                post=post,
                kind=Opinion.Kind.COMPLAINT,
                content=f"到站不停{i}",
                phone="13800000000",
            )
            services.opinion_answer(
                actor=secretary_a, opinion=opinion, answer="已核实并批评教育。", upheld=True
            )
    # 90 − 3 × 5 = 75 is below the pass mark of 80: a fail.
    evaluation = services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=PASS)
    assert (evaluation.complaints_upheld, evaluation.score, evaluation.passed) == (3, Decimal("75"), False)


def test_a_serious_complaint_upheld_removes_the_plaque(world, secretary_a):
    post = factories.approved_post(world)
    services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=PASS)
    opinion = services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.COMPLAINT, content="辱骂乘客")
    with pytest.raises(ValidationError):
        services.opinion_answer(actor=secretary_a, opinion=opinion, answer="已核实")
    services.opinion_answer(
        actor=secretary_a, opinion=opinion, answer="经调查属实。", upheld=True, serious=True
    )
    post.refresh_from_db()
    assert post.status == ModelPost.Status.REMOVED
    assert "严重投诉" in post.removal_reason


def test_the_rules_are_versioned_and_an_evaluation_keeps_its_own(world, office):
    post = factories.approved_post(world)
    first = services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=Decimal("85"))
    assert first.passed and first.rules.number == 1
    rules = services.rules_update(
        actor=office, organisation=world.committee, fields={"pass_mark": Decimal("88")}, note="提高标准"
    )
    assert (rules.number, rules.organisation) == (2, world.committee)
    second = services.evaluate(actor=SYSTEM, post=post, month=_month(1), total=Decimal("85"))
    assert not second.passed and second.rules == rules
    first.refresh_from_db()
    assert first.rules.pass_mark == Decimal("80")


def test_year_end_review_of_a_post_below_five_stars(world, office):
    post = factories.approved_post(world)
    services.evaluate(actor=SYSTEM, post=post, month=_month(0), total=PASS)
    with pytest.raises(ValidationError):
        services.year_end_review(actor=office, post=post, passed=True, reason="")
    services.year_end_review(actor=office, post=post, passed=False, reason="全年群众满意度偏低。")
    post.refresh_from_db()
    assert post.status == ModelPost.Status.REMOVED
    assert post.events.last().kind == StarEvent.Kind.REVIEW_FAILED


def test_naming_needs_five_stars(world, office):
    post = factories.approved_post(world)
    with pytest.raises(ValidationError):
        services.post_name(actor=office, post=post)


def test_a_monthly_star_round_of_the_engine_evaluates_every_post_on_the_wall(world, office):
    from vanguard.assessment import services as assessment
    from vanguard.assessment.models import Purpose, Result, Source

    on_the_wall = factories.approved_post(world)
    waiting = factories.applied_post(world, name="调度窗口")
    scheme = assessment.scheme_create(
        actor=office,
        organisation=world.committee,
        name="示范岗月度星级评定",
        target_kind="post",
        period="month",
        purpose=Purpose.STAR,
        weights={"weight_self": 20, "weight_masses": 30, "weight_organisation": 50},
    )
    for name in ("政治思想", "工作业绩", "优质服务", "示范作用"):
        assessment.indicator_add(
            actor=office,
            scheme=scheme,
            fields={"name": name, "weight": 1, "max_points": 25, "kind": "manual"},
        )
    round_ = assessment.round_create(
        actor=office,
        scheme=scheme,
        organisation=world.committee,
        name="2026年3月",
        period_start=dt.date(2026, 3, 1),
        period_end=dt.date(2026, 3, 31),
    )
    round_ = assessment.round_transition(actor=office, round_=round_, action="open")
    assert list(round_.results.values_list("post_id", flat=True)) == [on_the_wall.pk]
    result = Result.objects.get(round=round_)
    for indicator in round_.version.indicators.all():
        assessment.score_enter(
            actor=office, result=result, indicator=indicator, source=Source.ORGANISATION, points=23, version=0
        )
    # A member of the post writes the post's self-assessment; someone else may not.
    member_login = world.member_a.person
    from vanguard.conftest import _user

    user = _user("post_member", "member")
    member_login.user = user
    member_login.save()
    indicator = round_.version.indicators.first()
    assessment.score_enter(
        actor=user, result=result, indicator=indicator, source=Source.SELF, points=25, version=0
    )
    with pytest.raises(PermissionDenied):
        assessment.score_enter(
            actor=office, result=result, indicator=indicator, source=Source.SELF, points=25, version=1
        )
    round_ = assessment.round_transition(actor=office, round_=round_, action="close")
    (evaluation,) = services.evaluate_round(actor=office, round_=round_)
    assert evaluation.post == on_the_wall and evaluation.result == result and evaluation.passed
    on_the_wall.refresh_from_db()
    waiting.refresh_from_db()
    assert (on_the_wall.stars, waiting.stars) == (1, 0)
    assert services.evaluate_round(actor=office, round_=round_) == []
