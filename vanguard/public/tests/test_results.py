"""A published round's results (/p/results/<pk>/), as the seeds put them on the notice board: the round and
its period, each target's rank, name (a member's masked), and total, by rank, a page at a time. Only a
published round has one; a revision shows on the next request."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Round
from vanguard.assessment.tests import factories as assessment
from vanguard.assessment.tests.pages import scored_round
from vanguard.org.tests import factories
from vanguard.public import selectors

from .factories import published_round, results_url, text

pytestmark = pytest.mark.django_db


def test_the_results_show_rank_masked_name_branch_and_total(world, resident):
    round_ = published_round(world)
    page = text(resident.get(results_url(round_)))
    assert "2026年第3季度" in page and "2026-07-01 ~ 2026-09-30" in page and "公交公司党委" in page
    assert "王建国" not in page and "李红梅" not in page
    first, second = page.index("王**"), page.index("李**")
    assert first < second  # by rank
    assert "一分公司党支部" in page and "二分公司党支部" in page
    assert "72.00" in page and "48.00" in page
    assert "等次" not in page and "待提高" not in page  # no grade the engine did not give


@pytest.mark.parametrize("status", ["draft", "open", "closed", "archived"])
def test_a_round_that_is_not_published_has_no_public_results(world, resident, status):
    if status == "draft":
        round_ = assessment.quarter_round(
            assessment.member_scheme(world.committee), world.committee, open_=False
        )
    elif status == "open":
        round_ = scored_round(world, close=False).round
    else:
        round_ = scored_round(world).round
        for action in {"closed": [], "archived": ["publish", "archive"]}[status]:
            round_ = services.round_transition(actor=SYSTEM, round_=round_, action=action)
    assert round_.status == status
    assert resident.get(results_url(round_)).status_code == 404


def test_an_unknown_round_is_404(resident, db):
    assert resident.get("/p/results/999999/").status_code == 404


def test_the_results_come_a_page_at_a_time(world, resident, monkeypatch):
    monkeypatch.setattr(selectors, "RESULTS_PAGE", 1)
    round_ = published_round(world)
    first = text(resident.get(results_url(round_)))
    second = text(resident.get(results_url(round_) + "?page=2"))
    assert "王**" in first and "李**" not in first and "第 1 / 2 页" in first
    assert "李**" in second and "王**" not in second


def test_the_page_costs_the_same_queries_for_a_large_round(world, resident, settings):
    settings.CACHES = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}
    small = published_round(world)
    for n in range(12):
        factories.member(world.branch_a, f"党员{n}")
    large = published_round_of(world)

    def cost(round_: Round) -> int:
        with CaptureQueriesContext(connection) as queries:
            text(resident.get(results_url(round_)))
        return len(queries)

    assert cost(large) == cost(small)
    assert Result.objects.filter(round=large).count() == 14


def published_round_of(world) -> Round:
    """Another quarter of the committee, published: every member in it."""
    scheme = assessment.member_scheme(world.committee, name="另一方案")
    round_ = assessment.quarter_round(scheme, world.committee, quarter=2)
    round_ = services.round_transition(actor=SYSTEM, round_=round_, action="close")
    return services.round_transition(actor=SYSTEM, round_=round_, action="publish")


def test_a_revision_shows_on_the_next_request(world, resident):
    round_ = published_round(world)
    url = results_url(round_)
    for _visit in range(3):
        assert "57.00" not in text(resident.get(url))
    result = Result.objects.get(round=round_, member=world.member_b)
    change = services.Change(
        indicator=assessment.indicator(round_, "思想政治"), source="organisation", points=Decimal("9")
    )
    services.revise(actor=SYSTEM, result=result, changes=[change], reason="漏记了支部学习")
    assert "57.00" in text(resident.get(url))
