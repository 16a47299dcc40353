"""A scored round for the page tests: the committee's quarterly member scheme over the test world, member A
(branch A) and member B (branch B) scored by the office, open or closed."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Round, Scheme

from . import factories


def url(name: str, *args) -> str:
    return reverse(f"assessment:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


@dataclass
class Scored:
    scheme: Scheme
    round: Round
    result_a: Result
    result_b: Result

    def refresh(self) -> Scored:
        self.round.refresh_from_db()
        self.result_a.refresh_from_db()
        self.result_b.refresh_from_db()
        return self


def scored_round(world, *, close: bool = True, **weights) -> Scored:
    """Member A: 思想政治 8 and 责任区工作 9 from the organisation; member B: 思想政治 6 only."""
    scheme = factories.member_scheme(world.committee, **weights)
    round_ = factories.quarter_round(scheme, world.committee)
    result_a = Result.objects.get(round=round_, member=world.member_a)
    result_b = Result.objects.get(round=round_, member=world.member_b)
    factories.score(round_, result_a, "思想政治", 8)
    factories.score(round_, result_a, "责任区工作", 9)
    factories.score(round_, result_b, "思想政治", 6)
    if close:
        round_ = services.round_transition(actor=SYSTEM, round_=round_, action="close")
    return Scored(scheme, round_, result_a, result_b).refresh()
