"""Post standards for the tests: a standard of branch A's member at each step, a `standard` scheme and its
round, and the object the access sweep (vanguard/tests/test_access_sweep.py) tries."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from vanguard.accounts.models import Role, RoleAssignment, User
from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Indicator, Period, Purpose, Result, Round, Scheme, TargetKind
from vanguard.org.validators import today
from vanguard.posts import services_standards as services
from vanguard.posts.models import Standard

POST = "1路公交驾驶员"
TEXT = "安全行车零事故,文明服务零投诉,每月学习一次党章。"
FINAL = "安全行车零事故;文明服务零投诉;每月至少参加一次党员志愿服务。"


def proposed(member, *, year: int | None = None, post_title: str = POST, text: str = TEXT) -> Standard:
    return services.standard_propose(
        actor=SYSTEM, member=member, year=year or today().year, post_title=post_title, text=text
    )


def set_(member, *, year: int | None = None, final_text: str = FINAL) -> Standard:
    return services.standard_set(actor=SYSTEM, standard=proposed(member, year=year), final_text=final_text)


def published(member, *, year: int | None = None) -> Standard:
    return services.standard_publish(actor=SYSTEM, standard=set_(member, year=year))


def member_login(member, username: str):
    """A login with the member role for `member`'s person (like the member_a persona)."""
    user = User.objects.create_user(username=username, password="Vanguard-test-1")
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    RoleAssignment.objects.create(user=user, role=Role.MEMBER)
    member.person.user = user
    member.person.save()
    return user


def sweep_standard(w) -> Standard:
    """Branch A's member's proposed standard of this year, made on first use."""
    standard = Standard.objects.filter(member=w.member_a, year=today().year).first()
    return standard or proposed(w.member_a)


def standard_scheme(organisation, name: str = "党员岗位达标评议") -> Scheme:
    """两项人工指标:标准落实 60、群众满意 40 (each 10 points); self 20, masses 30, organisation 50."""
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=name,
        target_kind=TargetKind.MEMBER,
        period=Period.YEAR,
        purpose=Purpose.STANDARD,
        weights={"weight_self": 20, "weight_masses": 30, "weight_organisation": 50},
    )
    for indicator, weight in (("标准落实", 60), ("群众满意", 40)):
        assessment.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={"name": indicator, "weight": weight, "max_points": 10, "kind": Indicator.Kind.MANUAL},
        )
    return scheme


def standard_round(scheme: Scheme, organisation, *, year: int) -> Round:
    round_ = assessment.round_create(
        actor=SYSTEM,
        scheme=scheme,
        organisation=organisation,
        name=f"{year}年度岗位达标评议",
        period_start=dt.date(year, 1, 1),
        period_end=dt.date(year, 12, 31),
    )
    return assessment.round_transition(actor=SYSTEM, round_=round_, action="open")


def score(round_: Round, member, indicator_name: str, source: str, points) -> None:
    result = Result.objects.get(round=round_, member=member)
    indicator = round_.version.indicators.get(name=indicator_name)
    assessment.score_enter(
        actor=SYSTEM, result=result, indicator=indicator, source=source, points=points, version=0
    )
