"""The evaluation of a closed monthly star round: the office sees each post's total and whether its month has
been evaluated, and one button evaluates them all through services.evaluate_round; a second press adds
nothing. Only the office over the round; another branch's round is a 404; other rounds are not star rounds."""

from __future__ import annotations

import datetime as dt

import pytest

from vanguard.assessment.tests import sweep as assessment_sweep
from vanguard.posts.models import Evaluation, ModelPost

from . import factories
from .pages import star_round, sweep_round, text, url

pytestmark = pytest.mark.django_db
MARCH = dt.date(2026, 3, 1)


def test_the_office_evaluates_every_post_of_a_closed_round(world, office, as_user):
    on_the_wall = factories.approved_post(world)
    waiting = factories.applied_post(world, "调度窗口")
    round_ = star_round(world.committee, MARCH)
    client = as_user(office)
    page = text(client.get(url("round_evaluate", round_.pk)))
    assert on_the_wall.name in page and "92.00" in page and "待评定" in page
    assert "评定 1 个示范岗的星级" in page and waiting.name not in page
    response = client.post(url("round_evaluate", round_.pk), follow=True)
    page = text(response)
    assert "已根据“2026年3月示范岗评定”评定 1 个示范岗的星级。" in page and "达标" in page
    evaluation = Evaluation.objects.get()
    assert (evaluation.post, evaluation.month, evaluation.result.round) == (on_the_wall, MARCH, round_)
    on_the_wall.refresh_from_db()
    assert on_the_wall.stars == 1
    assert "本轮的示范岗都已评定。" in page
    again = client.post(url("round_evaluate", round_.pk), follow=True)
    assert "中的示范岗都已评定过,没有新的评定。" in text(again)
    assert Evaluation.objects.count() == 1


def test_a_round_still_open_is_not_evaluated(world, office, as_user):
    factories.approved_post(world)
    round_ = star_round(world.committee, MARCH, close=False)
    client = as_user(office)
    assert "考核轮次结束评分后才能据此评定星级。" in text(client.get(url("round_evaluate", round_.pk)))
    response = client.post(url("round_evaluate", round_.pk), follow=True)
    assert "考核轮次结束后才能据此评定星级。" in text(response)
    assert not Evaluation.objects.exists()
    assert ModelPost.objects.get().stars == 0


def test_a_round_that_is_not_a_star_round_is_not_a_page_here(world, office, as_user):
    other = assessment_sweep.sweep_round(world)
    assert as_user(office).get(url("round_evaluate", other.pk)).status_code == 404


def test_another_branchs_secretary_gets_404(world, secretary_b, as_user):
    round_ = sweep_round(world)
    client = as_user(secretary_b)
    assert client.get(url("round_evaluate", round_.pk)).status_code == 404
    assert client.post(url("round_evaluate", round_.pk)).status_code == 404


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor"])
def test_only_the_office_evaluates(world, persona, request, as_user):
    factories.approved_post(world)
    round_ = star_round(world.committee, MARCH)
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("round_evaluate", round_.pk)).status_code == 403
    assert client.post(url("round_evaluate", round_.pk)).status_code == 403
    assert not Evaluation.objects.exists()


def test_the_page_needs_a_login(world, resident):
    round_ = sweep_round(world)
    response = resident.get(url("round_evaluate", round_.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
