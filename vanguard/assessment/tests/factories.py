"""Schemes and rounds for the assessment tests: a quarterly member scheme with manual and derived
indicators, and rounds over the test world's committee."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Formula, Indicator, Metric, Period, Round, Scheme, Source, TargetKind

MANUAL = Indicator.Kind.MANUAL
DERIVED = Indicator.Kind.DERIVED


def member_scheme(organisation, name: str = "党员责任区季度考核", **weights) -> Scheme:
    """思想政治 30 (manual, 10 points) · 工作实绩 40 (责任区工作 manual 10 + 月度汇报 derived) · 联系群众 30
    (derived: contacts talked with). Sources: self 20, masses 20, organisation 60 unless given."""
    weights = weights or {"weight_self": 20, "weight_masses": 20, "weight_organisation": 60}
    scheme = services.scheme_create(
        actor=SYSTEM,
        organisation=organisation,
        name=name,
        target_kind=TargetKind.MEMBER,
        period=Period.QUARTER,
        weights=weights,
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "思想政治", "weight": 30, "max_points": 10, "kind": MANUAL},
    )
    work = services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "工作实绩", "weight": 40, "max_points": 10, "kind": MANUAL},
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        parent_key=work.key,
        fields={"name": "责任区工作", "weight": 1, "max_points": 10, "kind": MANUAL},
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        parent_key=work.key,
        fields={
            "name": "月度汇报",
            "weight": 1,
            "max_points": 10,
            "kind": DERIVED,
            "metric": Metric.REPORTS_SUBMITTED,
            "formula": Formula.RATIO,
        },
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={
            "name": "联系群众",
            "weight": 30,
            "max_points": 10,
            "kind": DERIVED,
            "metric": Metric.CONTACTS_TALKED,
            "formula": Formula.RATIO,
        },
    )
    return scheme


def quarter_round(
    scheme: Scheme, organisation, *, year: int = 2026, quarter: int = 3, open_: bool = True
) -> Round:
    start = dt.date(year, 3 * quarter - 2, 1)
    end = (dt.date(year, 3 * quarter, 28) + dt.timedelta(days=4)).replace(day=1) - dt.timedelta(days=1)
    round_ = services.round_create(
        actor=SYSTEM,
        scheme=scheme,
        organisation=organisation,
        name=f"{year}年第{quarter}季度",
        period_start=start,
        period_end=end,
    )
    if open_:
        round_ = services.round_transition(actor=SYSTEM, round_=round_, action="open")
    return round_


def indicator(round_: Round, name: str) -> Indicator:
    return round_.version.indicators.get(name=name)


def score(round_: Round, result, name: str, points, source: str = Source.ORGANISATION, actor=SYSTEM):
    ind = indicator(round_, name)
    existing = result.scores.filter(indicator=ind, source=source).first()
    return services.score_enter(
        actor=actor,
        result=result,
        indicator=ind,
        source=source,
        points=Decimal(str(points)),
        version=existing.version if existing else 0,
    )
