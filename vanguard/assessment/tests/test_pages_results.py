"""One result's page, "why this score": each leaf indicator with its path, the points that add up to the
total, each source's points with who entered them when, a derived indicator's rule and the records it
counted, and the revisions with the old numbers. Anyone who sees the result sees why; the office revises."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services
from vanguard.assessment.models import Result, Revision, Round
from vanguard.contacts.tests import factories as contact_factories
from vanguard.reports.tests import factories as report_factories

from . import factories
from .pages import scored_round, text, url
from .sweep import sweep_result

Status = Round.Status


@pytest.fixture
def evidenced(world, office):
    """Member A with two monthly reports in the quarter and one of two contacts talked with; the office
    entered the organisation's scores, and member A a self-assessment with evidence."""
    report_factories.report(world.member_a, dt.date(2026, 7, 1))
    report_factories.report(world.member_a, dt.date(2026, 8, 1))
    talked = contact_factories.assignment(world.member_a, contact_factories.resident("张大爷"))
    contact_factories.assignment(world.member_a, contact_factories.resident("刘大妈"))
    contact_factories.talk(talked, dt.date(2026, 8, 10), kind="visit")
    scored = scored_round(world, close=False)
    factories.score(scored.round, scored.result_a, "思想政治", 8, actor=office)
    ideology = factories.indicator(scored.round, "思想政治")
    services.score_enter(
        actor=SYSTEM,
        result=scored.result_a,
        indicator=ideology,
        source="self",
        points=9,
        evidence="带头学习党章",
        version=0,
    )
    services.round_transition(actor=SYSTEM, round_=scored.round, action="close")
    return scored.refresh()


def test_the_breakdown_adds_up_to_the_total_and_says_who_scored_when(world, office, evidenced, as_user):
    page = text(as_user(office).get(url("result_detail", evidenced.result_a.pk)))
    result = evidenced.result_a
    # 思想政治 (8 × 60 + 9 × 20) ÷ 80 = 8.25 → 24.75; 责任区工作 9 → 18; 月度汇报 2 of 3 → 13.33;
    # 联系群众 1 of 2 → 15.
    assert result.total == Decimal("71.08")
    assert "各项计入总分合计 71.08,即得分 71.08。" in page
    assert "工作实绩 /</span>" in page and "责任区工作" in page
    assert "24.75" in page and "13.33" in page and "15.00" in page
    # Each source with who entered it, when, and the evidence.
    assert "组织评定" in page and "自评" in page and "office" in page and "带头学习党章" in page
    score = result.scores.get(indicator__name="思想政治", source="organisation")
    assert score.entered_at.astimezone().strftime("%Y-%m-%d") in page


def test_a_derived_indicator_shows_its_rule_and_the_records_it_counted(world, office, evidenced, as_user):
    page = text(as_user(office).get(url("result_detail", evidenced.result_a.pk)))
    assert "依据“月度汇报提交”,按应完成数的比例" in page
    assert "计入 2 项,应完成 3 项。" in page and "计入 1 项,应完成 2 项。" in page
    assert "王建国 2026年8月的月度汇报" in page and "王建国 2026年7月的月度汇报" in page
    assert "王建国 与 张大爷" in page and "走访" in page and "刘大妈" not in page


def test_a_long_list_of_records_shows_the_first_50_and_their_number(world, office, as_user):
    contact = contact_factories.assignment(world.member_a, contact_factories.resident("张大爷"))
    for day in range(60):
        contact_factories.talk(contact, dt.date(2026, 7, 1) + dt.timedelta(days=day))
    scored = scored_round(world)
    client = as_user(office)
    client.get(url("result_detail", scored.result_a.pk))

    def count() -> tuple[int, str]:
        with CaptureQueriesContext(connection) as ctx:
            page = text(client.get(url("result_detail", scored.result_a.pk)))
        return len(ctx.captured_queries), page

    queries, page = count()
    assert "考核期内的记录 60 条" in page and "另有 10 条未列出。" in page
    assert page.count("王建国 与 张大爷") == 50
    contact_factories.talk(contact, dt.date(2026, 9, 15))
    assert count()[0] == queries


def test_a_secretary_sees_why_for_their_branch_and_404_for_another(world, secretary_a, evidenced, as_user):
    client = as_user(secretary_a)
    assert "带头学习党章" in text(client.get(url("result_detail", evidenced.result_a.pk)))
    assert client.get(url("result_detail", evidenced.result_b.pk)).status_code == 404


def test_a_member_sees_why_for_their_own_result_only(world, member_a, evidenced, as_user):
    client = as_user(member_a)
    page = text(client.get(url("result_detail", evidenced.result_a.pk)))
    assert "王建国 与 张大爷" in page and "修订的评分" not in page
    assert client.get(url("result_detail", evidenced.result_b.pk)).status_code == 404


def test_another_branchs_secretary_gets_404(world, secretary_b, as_user):
    assert as_user(secretary_b).get(url("result_detail", sweep_result(world).pk)).status_code == 404


def test_the_result_page_needs_a_login(world, evidenced, resident):
    response = resident.get(url("result_detail", evidenced.result_a.pk))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_an_open_rounds_result_shows_the_scores_entered_so_far(world, member_a, as_user):
    opened = scored_round(world, close=False)
    page = text(as_user(member_a).get(url("result_detail", opened.result_a.pk)))
    assert "评分进行中" in page and "system" in page and "各项计入总分合计" not in page


# --- revisions ------------------------------------------------------------------------------------------


def _revision(round_, name="思想政治", source="organisation", points="10", reason="漏记了支部学习"):
    return {
        "target": f"{factories.indicator(round_, name).pk}:{source}",
        "points": points,
        "reason": reason,
    }


def test_the_office_revises_a_published_result_and_the_old_numbers_stay(world, office, evidenced, as_user):
    services.round_transition(actor=SYSTEM, round_=evidenced.round, action="publish")
    client = as_user(office)
    page = text(client.get(url("result_detail", evidenced.result_b.pk)))
    assert "修订的评分" in page and "思想政治 · 组织评定" in page
    response = client.post(
        url("result_revise", evidenced.result_b.pk), _revision(evidenced.round, points="9"), follow=True
    )
    page = text(response)
    assert "已提交修订1:得分 48 → 57。" in page
    assert "修订1 · office" in page and "漏记了支部学习" in page
    assert "思想政治 · 组织评定:6.00 → 9.00" in page
    assert "得分 48.00 → 57.00" in page and "排名 2 → 2" in page
    assert "修订前各项得分" in page
    evidenced.result_b.refresh_from_db()
    assert (evidenced.result_b.total, evidenced.result_b.revision) == (Decimal("57.00"), 1)
    # The round's list marks the revised result.
    assert "已修订1次" in text(client.get(url("round_detail", evidenced.round.pk)))


def test_a_revision_that_moves_ranks_names_the_others_moved(world, office, evidenced, as_user):
    client = as_user(office)
    client.post(url("result_revise", evidenced.result_b.pk), _revision(evidenced.round, name="责任区工作"))
    client.post(url("result_revise", evidenced.result_b.pk), _revision(evidenced.round, points="10"))
    page = text(client.get(url("result_detail", evidenced.result_b.pk)))
    assert "因本次修订排名变动的其他对象" in page and "王建国:1 → 2" in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"reason": ""}, "请填写修订原因。"),
        ({"reason": "   "}, "请填写修订原因。"),
        ({"points": "11"}, "“思想政治”满分10分,得分不能超过满分。"),
        ({"points": "-1"}, "得分不能为负数。"),
        ({"points": ""}, "请填写新的得分。"),
        ({"target": ""}, "请选择要修订的评分。"),
        ({"target": "999999:organisation"}, "选择一个有效的选项"),
    ],
)
def test_a_revision_with_bad_input_changes_nothing(world, office, evidenced, as_user, changes, message):
    data = {**_revision(evidenced.round), **changes}
    page = text(as_user(office).post(url("result_revise", evidenced.result_a.pk), data))
    assert message in page
    assert not Revision.objects.exists()
    evidenced.result_a.refresh_from_db()
    assert evidenced.result_a.total == Decimal("71.08")


def test_an_open_or_archived_round_is_not_revised(world, office, as_user):
    opened = scored_round(world, close=False)
    client = as_user(office)
    assert "修订的评分" not in text(client.get(url("result_detail", opened.result_a.pk)))
    page = text(client.post(url("result_revise", opened.result_a.pk), _revision(opened.round)))
    assert "评分中的考核直接修改评分即可,无需修订。" in page
    for action in ("close", "publish", "archive"):
        services.round_transition(actor=SYSTEM, round_=opened.round, action=action)
    page = text(client.post(url("result_revise", opened.result_a.pk), _revision(opened.round)))
    assert "已归档的考核不能再修订。" in page
    assert not Revision.objects.exists()


def test_only_the_office_revises(world, secretary_a, secretary_b, member_a, evidenced, as_user):
    target = url("result_revise", evidenced.result_a.pk)
    assert "修订的评分" not in text(as_user(secretary_a).get(url("result_detail", evidenced.result_a.pk)))
    assert as_user(secretary_a).post(target, _revision(evidenced.round)).status_code == 403
    assert as_user(member_a).post(target, _revision(evidenced.round)).status_code == 403
    assert as_user(secretary_b).post(target, _revision(evidenced.round)).status_code == 404
    assert as_user(secretary_a).get(target).status_code == 405
    assert not Revision.objects.exists()


def test_results_of_a_branch_scheme_show_the_branch(world, office, as_user):
    scheme = services.scheme_create(
        actor=SYSTEM, organisation=world.committee, name="支部考核", target_kind="branch", period="quarter"
    )
    services.indicator_add(
        actor=SYSTEM,
        scheme=scheme,
        fields={"name": "组织建设", "weight": 1, "max_points": 10, "kind": "manual"},
    )
    round_ = factories.quarter_round(scheme, world.committee)
    result = Result.objects.get(round=round_, organisation=world.branch_a)
    factories.score(round_, result, "组织建设", 9)
    services.round_transition(actor=SYSTEM, round_=round_, action="close")
    page = text(as_user(office).get(url("result_detail", result.pk)))
    assert "一分公司党支部的得分" in page and "90.00" in page
