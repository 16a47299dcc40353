"""Objects of branch A for the access sweep (vanguard/tests/test_access_sweep.py): a scheme that branch A's
organisation owns and an open round over branch A, so that another branch's secretary sees none of them.
Each helper makes its object on first use and finds it afterwards."""

from __future__ import annotations

from vanguard.assessment.models import Indicator, Result, Round, Scheme

from . import factories

NAME = "支部考核方案(访问检查)"


def sweep_scheme(w) -> Scheme:
    scheme = Scheme.objects.filter(organisation=w.branch_a, name=NAME).first()
    return scheme or factories.member_scheme(w.branch_a, name=NAME)


def sweep_indicator(w) -> Indicator:
    return sweep_scheme(w).versions.order_by("-number").first().indicators.order_by("pk").first()


def sweep_round(w) -> Round:
    scheme = sweep_scheme(w)
    round_ = Round.objects.filter(version__scheme=scheme, organisation=w.branch_a).first()
    return round_ or factories.quarter_round(scheme, w.branch_a)


def sweep_result(w) -> Result:
    return Result.objects.get(round=sweep_round(w), member=w.member_a)
