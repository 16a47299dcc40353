"""Demo data of the assessment: one area of the demo build (see builder.AREAS).

Seeds 000 and 001 score every member each quarter and publish the results. The demo gives the bus
company's committee and 华盛's committee one quarterly member scheme each and scores the last two complete
quarters: the earlier one published (with one revision, its reason and the old numbers), the later one
closed and ready to publish; the current quarter is open, partly scored, for trying the scoring sheet. The
scheme shows versioning: the indicator 月度汇报 was added after the first quarter, so the first round keeps
version 1 and the later ones use version 2.

Scores are written in bulk (like the other areas, without audit records), from a random source seeded by
the member's identity number and the quarter; opening, closing, publishing and the revision go through the
services, so totals and ranks are computed exactly as in use. The area is built once: a second run finds
the schemes and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from decimal import Decimal
from typing import TYPE_CHECKING

from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.assessment import services
from vanguard.assessment.models import Formula, Indicator, Metric, Result, Round, Scheme, Score, Source
from vanguard.org.models import Organisation
from vanguard.org.validators import today

from . import data

if TYPE_CHECKING:
    from .builder import Demo

SCHEME_NAME = "党员责任区季度考核"
COMMITTEES = [data.BUS_ORG, data.HUASHENG_ORG]

MANUAL = Indicator.Kind.MANUAL
DERIVED = Indicator.Kind.DERIVED
INDICATORS = [
    ("思想政治", 25, "学习贯彻党的路线方针政策,参加组织生活,遵守党的纪律。", MANUAL, "", ""),
    ("责任区工作", 35, "责任区任务完成、安全生产和优质服务情况,发挥先锋模范作用。", MANUAL, "", ""),
    ("服务群众", 20, "为联系群众办实事、解难题,群众满意。", MANUAL, "", ""),
    (
        "联系群众",
        20,
        "本季度与确定的联系人谈心走访,按应联系人数计算。",
        DERIVED,
        Metric.CONTACTS_TALKED,
        Formula.RATIO,
    ),
]
ADDED_LATER = (
    "月度汇报",
    20,
    "本季度每月向支部汇报,按应交月数计算。",
    DERIVED,
    Metric.REPORTS_SUBMITTED,
    Formula.RATIO,
)


def _quarter(year: int, q: int) -> tuple[dt.date, dt.date, str]:
    start = dt.date(year, 3 * q - 2, 1)
    end = (dt.date(year, 3 * q, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    return start, end, f"{year}年第{'一二三四'[q - 1]}季度党员量化考核"


def quarters() -> list[tuple[dt.date, dt.date, str]]:
    """The last two complete quarters and the current one, oldest first."""
    now = today()
    year, q = now.year, (now.month - 1) // 3 + 1
    result = []
    for _ in range(3):
        result.append(_quarter(year, q))
        year, q = (year, q - 1) if q > 1 else (year - 1, 4)
    return list(reversed(result))


def _indicator(scheme: Scheme, spec) -> None:
    name, weight, description, kind, metric, formula = spec
    services.indicator_add(
        actor=_actor(),
        scheme=scheme,
        fields={
            "name": name,
            "weight": weight,
            "max_points": 10,
            "description": description,
            "kind": kind,
            "metric": metric,
            "formula": formula,
        },
    )


def _actor():
    from vanguard.accounts.scope import SYSTEM

    return SYSTEM


def _rng(id_number: str, start: dt.date, source: str) -> random.Random:
    return random.Random(f"{id_number}:{start:%Y-%m}:{source}")


def _scores(round_: Round, *, share: float = 1.0) -> None:
    """Organisation scores for every target (or `share` of them), self-assessments for most, the masses'
    paper forms for half — a few members' scores kept low, so the ranking has a tail."""
    users = {u.username: u for u in User.objects.filter(username__in=["office", "secretary"])}
    scorer = users.get("secretary") or users.get("office")
    leaves = list(services.leaves(round_.version).filter(kind=MANUAL))
    rows = []
    now = timezone.now()
    results = round_.results.select_related("member__person").order_by("member__person__id_number")
    for result in results:
        ident = result.member.person.id_number or str(result.member_id)
        base = _rng(ident, round_.period_start, "base")
        if base.random() > share:
            continue
        level = base.choice([6.5, 7.5, 8, 8.5, 9, 9, 9.5]) if base.random() > 0.08 else 5
        for source, chance, spread in (
            (Source.ORGANISATION, 1.0, 1.0),
            (Source.SELF, 0.8, 0.6),
            (Source.MASSES, 0.5, 1.2),
        ):
            rng = _rng(ident, round_.period_start, source)
            if rng.random() > chance:
                continue
            bias = 0.6 if source == Source.SELF else 0
            for indicator in leaves:
                points = min(10, max(0, level + bias + rng.uniform(-spread, spread)))
                rows.append(
                    Score(
                        result=result,
                        indicator=indicator,
                        source=source,
                        points=Decimal(str(round(points * 2) / 2)),
                        evidence="" if source != Source.MASSES else "群众评议表(纸质)",
                        entered_by=scorer if source != Source.SELF else result.member.person.user,
                        entered_by_name=(scorer.display_name if scorer else "")
                        if source != Source.SELF
                        else result.member.person.name,
                        entered_at=now,
                    )
                )
    Score.objects.bulk_create(rows)


def build(demo: Demo) -> None:
    committees = [o for o in Organisation.objects.filter(depth=1, name__in=COMMITTEES)]
    if Scheme.objects.filter(organisation__in=committees, name=SCHEME_NAME).exists():
        return
    (q1_start, q1_end, q1_name), (q2_start, q2_end, q2_name), (q3_start, q3_end, q3_name) = quarters()
    for committee in committees:
        scheme = services.scheme_create(
            actor=_actor(),
            organisation=committee,
            name=SCHEME_NAME,
            target_kind="member",
            period="quarter",
            description="依据党员责任区制度,每季度由支部考核、党员自评、群众评议,结果在公示栏和电子屏公布。",
            weights={"weight_self": 20, "weight_masses": 20, "weight_organisation": 60},
        )
        for spec in INDICATORS:
            _indicator(scheme, spec)
        first = _round(scheme, committee, q1_start, q1_end, q1_name)
        _scores(first)
        first = services.round_transition(actor=_actor(), round_=first, action="close")
        first = services.round_transition(actor=_actor(), round_=first, action="publish")
        _revise_one(first)
        # Reports became part of the scheme after the first quarter: version 2.
        _indicator(scheme, ADDED_LATER)
        second = _round(scheme, committee, q2_start, q2_end, q2_name)
        _scores(second)
        services.round_transition(actor=_actor(), round_=second, action="close")
        current = _round(scheme, committee, q3_start, q3_end, q3_name)
        _scores(current, share=0.4)
    demo.say(
        f"考核方案{len(committees)}个,考核轮次{Round.objects.filter(organisation__in=committees).count()}个"
    )


def _round(scheme: Scheme, committee: Organisation, start: dt.date, end: dt.date, name: str) -> Round:
    round_ = services.round_create(
        actor=_actor(), scheme=scheme, organisation=committee, name=name, period_start=start, period_end=end
    )
    return services.round_transition(actor=_actor(), round_=round_, action="open")


def _revise_one(round_: Round) -> None:
    """One correction after publishing, as the office would make it: the reason and the old numbers stay."""
    result = (
        Result.objects.filter(round=round_, scores__source=Source.ORGANISATION).order_by("rank", "pk").last()
    )
    if result is None:
        return
    indicator = services.leaves(round_.version).filter(kind=MANUAL, name="服务群众").first()
    services.revise(
        actor=_actor(),
        result=result,
        changes=[services.Change(indicator, Source.ORGANISATION, Decimal("8.5"))],
        reason="漏记:该党员本季度组织志愿者为独居老人送餐12次,社区来函证明,经支委会复核补记。",
    )


def reset() -> None:
    committees = Organisation.objects.filter(depth=1, name__in=COMMITTEES)
    schemes = Scheme.objects.filter(organisation__in=committees, name=SCHEME_NAME)
    Round.objects.filter(version__scheme__in=schemes).delete()
    schemes.delete()
