"""Builders for the tests of the assessment's year: two closed quarters of the test world's committee,
a roll-up of them, a branch review, a rectification and an appraisal of branch A."""

from __future__ import annotations

import datetime as dt

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services, services_appraisal, services_year
from vanguard.assessment.models import Appraisal, BranchReview, Rectification, Rollup, Round, TargetKind
from vanguard.assessment.services_year import Part

from . import factories as f


def closed_quarter(scheme, organisation, quarter: int, scores: dict | None = None, year: int = 2026) -> Round:
    """A quarter round of `scheme`, scored (result name → {indicator name: points}) and closed."""
    round_ = f.quarter_round(scheme, organisation, year=year, quarter=quarter)
    for name, points in (scores or {}).items():
        result = round_.results.get(name=name)
        for indicator, value in points.items():
            f.score(round_, result, indicator, value)
    return services.round_transition(actor=SYSTEM, round_=round_, action="close")


def two_quarters(world, year: int = 2026) -> tuple[Round, Round]:
    """Q1 and Q2 of the committee's member scheme: 王建国 8/10 then 6/10, 李红梅 unscored in Q1, 9/9 in Q2."""
    scheme = f.member_scheme(world.committee)
    q1 = closed_quarter(scheme, world.committee, 1, {"王建国": {"思想政治": 8, "责任区工作": 10}}, year=year)
    q2 = closed_quarter(
        scheme,
        world.committee,
        2,
        {"王建国": {"思想政治": 6, "责任区工作": 10}, "李红梅": {"思想政治": 9, "责任区工作": 9}},
        year=year,
    )
    return q1, q2


def rollup(
    world,
    rounds,
    weights=None,
    *,
    recommend_count: int = 1,
    name: str = "2026年度党员考核汇总",
    year: int = 2026,
) -> Rollup:
    weights = weights or [1] * len(rounds)
    return services_year.rollup_create(
        actor=SYSTEM,
        organisation=world.committee,
        year=year,
        target_kind=TargetKind.MEMBER,
        name=name,
        recommend_count=recommend_count,
        parts=[Part(r, w) for r, w in zip(rounds, weights, strict=True)],
    )


def review(world, organisation=None, year: int = 2026, **points) -> BranchReview:
    values = {"listen_points": 20, "look_points": 20, "talk_points": 20, "visit_points": 20, **points}
    return services_year.branch_review_create(
        actor=SYSTEM, organisation=organisation or world.branch_a, year=year, values=values
    )


def rectification(member, *, deadline: dt.date, problem: str = "月度汇报连续两月未交") -> Rectification:
    return services_year.rectification_create(actor=SYSTEM, member=member, problem=problem, deadline=deadline)


def appraisal(organisation, year: int = 2026) -> Appraisal:
    return services_appraisal.appraisal_open(actor=SYSTEM, organisation=organisation, year=year)


# --- objects of branch A for the access sweep (vanguard/tests/test_access_sweep.py): made on first use ------


def sweep_rollup(w) -> Rollup:
    rollup, _ = Rollup.objects.get_or_create(
        organisation=w.branch_a, year=2026, target_kind=TargetKind.MEMBER, defaults={"name": "一支部汇总"}
    )
    return rollup


def sweep_review(w) -> BranchReview:
    review, _ = BranchReview.objects.get_or_create(organisation=w.branch_a, year=2026)
    return review


def sweep_rectification(w) -> Rectification:
    rectification, _ = Rectification.objects.get_or_create(
        member=w.member_a, problem="月度汇报未交", defaults={"deadline": dt.date(2026, 12, 31)}
    )
    return rectification


def sweep_appraisal(w) -> Appraisal:
    appraisal = Appraisal.objects.filter(organisation=w.branch_a, year=2026).first()
    return appraisal or appraisal_open_for_sweep(w)


def appraisal_open_for_sweep(w) -> Appraisal:
    return services_appraisal.appraisal_open(actor=SYSTEM, organisation=w.branch_a, year=2026)


def sweep_entry(w):
    return sweep_appraisal(w).entries.get(member=w.member_a)
