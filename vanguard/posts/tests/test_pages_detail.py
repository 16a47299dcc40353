"""One model post: its members with photo, job and motto, its star timeline, its evaluations by month, and
the office's actions — approve or reject with a reason, evaluate a month by hand, name at five stars, the
year-end review below five — each with its message on success and on refusal. Another branch's secretary
gets 404; those who only read see no action."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.posts import services
from vanguard.posts.models import Evaluation, ModelPost, StarEvent

from . import factories
from .pages import star_round, text, url

pytestmark = pytest.mark.django_db
Status = ModelPost.Status


def _with_stars(post: ModelPost, stars: int, start: int = 1) -> ModelPost:
    for i in range(stars):
        services.evaluate(actor=SYSTEM, post=post, month=dt.date(2026, start + i, 1), total=90)
    post.refresh_from_db()
    return post


# --- who sees the page -----------------------------------------------------------------------------------


def test_the_office_sees_the_post_its_timeline_evaluations_and_actions(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 2)
    page = text(as_user(office).get(url("detail", post.pk)))
    assert post.name in page and "王建国" in page and "驾驶员" in page and "一心为乘客,服务无止境" in page
    assert "挂牌" in page and "加星" in page and "2026年2月评定90.00分" in page
    assert "2026-01" in page and "2026-02" in page and "达标" in page and "v1" in page
    assert url("evaluate", post.pk) in page and url("review", post.pk) in page
    assert url("decide", post.pk) not in page and url("name", post.pk) not in page
    assert 'aria-label="2星"' in page and ">★★</span>" in page and ">☆☆☆</span>" in page


def test_the_secretary_sees_the_post_and_answers_its_book_but_takes_no_office_action(
    world, secretary_a, as_user
):
    post = factories.applied_post(world)
    page = text(as_user(secretary_a).get(url("detail", post.pk)))
    assert post.name in page and url("opinion_add", post.pk) in page
    assert url("decide", post.pk) not in page and url("evaluate", post.pk) not in page


def test_a_member_of_the_post_reads_it_without_actions(world, member_a, as_user):
    post = factories.approved_post(world)
    page = text(as_user(member_a).get(url("detail", post.pk)))
    assert post.name in page and "王建国" in page
    for name in ("decide", "evaluate", "review", "name", "opinion_add"):
        assert url(name, post.pk) not in page


def test_the_supervisor_reads_without_actions(world, supervisor, as_user):
    post = factories.approved_post(world)
    page = text(as_user(supervisor).get(url("detail", post.pk)))
    assert (
        post.name in page and url("evaluate", post.pk) not in page and url("opinion_add", post.pk) not in page
    )


@pytest.mark.parametrize("persona", ["secretary_b", "community_worker", "auditor", "nobody"])
def test_others_get_404(world, persona, request, as_user):
    post = factories.approved_post(world)
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("detail", post.pk)).status_code == 404
    assert client.get(url("detail", 999999)).status_code == 404


def test_another_branchs_secretary_gets_404_for_every_action(world, secretary_b, as_user):
    post = factories.applied_post(world)
    client = as_user(secretary_b)
    for name, data in (
        ("decide", {"decision": "approve"}),
        ("name", {}),
        ("review", {"result": "pass", "reason": "好"}),
        ("evaluate", {"month": "2026-01", "total": "90"}),
        ("opinion_add", {"kind": "praise", "channel": "paper", "content": "好", "received_on": "2026-01-05"}),
    ):
        assert client.post(url(name, post.pk), data).status_code == 404, name
    post.refresh_from_db()
    assert post.status == Status.APPLIED and not post.opinions.exists()


def test_the_pages_need_a_login(world, resident):
    post = factories.approved_post(world)
    for name in ("detail", "decide", "name", "review", "evaluate", "opinion_add"):
        response = resident.post(url(name, post.pk)) if name != "detail" else resident.get(url(name, post.pk))
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), name


def test_the_actions_are_post_only(world, office, as_user):
    post = factories.applied_post(world)
    client = as_user(office)
    for name in ("decide", "name", "review", "evaluate", "opinion_add"):
        assert client.get(url(name, post.pk)).status_code == 405, name


def test_the_detail_runs_the_same_queries_for_few_and_many_rows(world, office, as_user):
    client = as_user(office)
    post = _with_stars(factories.approved_post(world), 1)
    services.opinion_submit(actor=None, post=post, kind="praise", content="服务热情")

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(url("detail", post.pk)).status_code == 200
        return len(captured.captured_queries)

    few = queries()
    _with_stars(post, 6, start=2)
    for i in range(25):
        services.opinion_submit(actor=None, post=post, kind="opinion", content=f"建议{i}")
    assert queries() == few <= 14


# --- approve or reject -----------------------------------------------------------------------------------


def test_the_office_approves_a_post(world, office, as_user):
    post = factories.applied_post(world)
    client = as_user(office)
    page = text(client.get(url("detail", post.pk)))
    assert url("decide", post.pk) in page
    response = client.post(url("decide", post.pk), {"decision": "approve", "reason": ""}, follow=True)
    assert "已批准“一车队1路党员示范岗”挂牌" in text(response)
    post.refresh_from_db()
    assert post.status == Status.APPROVED and post.decided_by == office
    assert post.events.get().kind == StarEvent.Kind.APPROVED


def test_a_rejection_without_a_reason_is_refused_and_with_one_is_recorded(world, office, as_user):
    post = factories.applied_post(world)
    client = as_user(office)
    page = text(client.post(url("decide", post.pk), {"decision": "reject", "reason": " "}))
    assert "不予批准须说明理由。" in page
    post.refresh_from_db()
    assert post.status == Status.APPLIED
    response = client.post(
        url("decide", post.pk),
        {"decision": "reject", "reason": "岗位职责不清,请补充后重新申请。"},
        follow=True,
    )
    page = text(response)
    assert "已不予批准“一车队1路党员示范岗”" in page and "岗位职责不清,请补充后重新申请。" in page
    post.refresh_from_db()
    assert post.status == Status.REJECTED


def test_deciding_twice_is_refused_with_the_reason(world, office, as_user):
    post = factories.approved_post(world)
    page = text(as_user(office).post(url("decide", post.pk), {"decision": "approve"}))
    assert "该示范岗当前为“已挂牌”,不能再审批。" in page


def test_a_decision_needs_a_choice(world, office, as_user):
    post = factories.applied_post(world)
    page = text(as_user(office).post(url("decide", post.pk), {"reason": "x"}))
    assert "请选择“批准挂牌”或“不予批准”。" in page


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "supervisor"])
def test_only_the_office_decides(world, persona, request, as_user):
    post = factories.applied_post(world)
    client = as_user(request.getfixturevalue(persona))
    assert client.post(url("decide", post.pk), {"decision": "approve"}).status_code == 403
    post.refresh_from_db()
    assert post.status == Status.APPLIED


# --- evaluate by hand ------------------------------------------------------------------------------------


def test_the_office_evaluates_a_month_by_hand(world, office, as_user):
    post = factories.approved_post(world)
    response = as_user(office).post(
        url("evaluate", post.pk), {"month": "2026-03", "total": "88.5"}, follow=True
    )
    page = text(response)
    assert "已完成“一车队1路党员示范岗”2026年3月的评定。" in page and "达标,加一星。" in page
    post.refresh_from_db()
    assert post.stars == 1
    evaluation = Evaluation.objects.get(post=post)
    assert (evaluation.month, evaluation.total, evaluation.created_by) == (
        dt.date(2026, 3, 1),
        Decimal("88.50"),
        office,
    )
    assert "手工录入" in page


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"month": "2026-13", "total": "90"}, "请按“年-月”填写月份"),
        ({"month": "", "total": "90"}, "请填写评定月份。"),
        ({"month": "2026-03", "total": "很好"}, "请填写数字。"),
        ({"month": "2026-03", "total": "120"}, "不能大于100。"),
        ({"month": "2026-03", "total": ""}, "请填写评定总分。"),
        ({"month": "2099-01", "total": "90"}, "不能评定未来的月份。"),
    ],
)
def test_a_bad_evaluation_is_refused_with_a_message(world, office, as_user, data, message):
    post = factories.approved_post(world)
    page = text(as_user(office).post(url("evaluate", post.pk), data))
    assert message in page
    assert not Evaluation.objects.exists()


def test_a_second_evaluation_of_a_month_is_refused(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 1)
    page = text(as_user(office).post(url("evaluate", post.pk), {"month": "2026-01", "total": "50"}))
    assert "“一车队1路党员示范岗”2026年1月已经评定过。" in page
    post.refresh_from_db()
    assert post.stars == 1


def test_a_post_not_on_the_wall_is_not_evaluated(world, office, as_user):
    post = factories.applied_post(world)
    client = as_user(office)
    assert url("evaluate", post.pk) not in text(client.get(url("detail", post.pk)))
    page = text(client.post(url("evaluate", post.pk), {"month": "2026-01", "total": "90"}))
    assert "只有已挂牌的示范岗才能评定" in page
    assert not Evaluation.objects.exists()


def test_a_fail_with_no_star_left_removes_the_plaque(world, office, as_user):
    post = factories.approved_post(world)
    response = as_user(office).post(
        url("evaluate", post.pk), {"month": "2026-01", "total": "60"}, follow=True
    )
    page = text(response)
    assert "未达标且已无星,摘牌。" in page and "已摘牌" in page
    post.refresh_from_db()
    assert post.status == Status.REMOVED


def test_an_evaluation_from_a_round_links_to_the_engines_result(world, office, member_a, as_user):
    post = factories.approved_post(world)
    round_ = star_round(world.committee, dt.date(2026, 3, 1))
    (evaluation,) = services.evaluate_round(actor=SYSTEM, round_=round_)
    link = url("detail", post.pk)
    assert f"/assessment/results/{evaluation.result_id}/" in text(as_user(office).get(link))
    # A member of the post sees the post's evaluations, but not the round's result page: no link to a 404.
    assert f"/assessment/results/{evaluation.result_id}/" not in text(as_user(member_a).get(link))


# --- name and review -------------------------------------------------------------------------------------


def test_the_office_names_a_five_star_post(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 5)
    client = as_user(office)
    page = text(client.get(url("detail", post.pk)))
    assert "已达到五星,可由党委授牌命名。" in page and url("name", post.pk) in page
    assert url("review", post.pk) not in page
    response = client.post(url("name", post.pk), {"reason": ""}, follow=True)
    assert "已为五星示范岗“一车队1路党员示范岗”授牌命名。" in text(response)
    post.refresh_from_db()
    assert post.named_at is not None
    page = text(client.get(url("detail", post.pk)))
    assert url("name", post.pk) not in page and "授牌命名" in page


def test_naming_below_five_stars_is_refused(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 2)
    page = text(as_user(office).post(url("name", post.pk), {}))
    assert "只有已挂牌的五星示范岗才能授牌命名。" in page
    post.refresh_from_db()
    assert post.named_at is None


def test_the_year_end_review_keeps_or_removes_the_plaque(world, office, as_user):
    client = as_user(office)
    kept = _with_stars(factories.approved_post(world, "保持岗"), 3)
    response = client.post(
        url("review", kept.pk), {"result": "pass", "reason": "全年表现良好。"}, follow=True
    )
    assert "“保持岗”年终复评通过,继续创建。" in text(response)
    kept.refresh_from_db()
    assert (kept.status, kept.stars) == (Status.APPROVED, 3)
    removed = _with_stars(factories.approved_post(world, "摘牌岗"), 1)
    response = client.post(
        url("review", removed.pk), {"result": "fail", "reason": "群众满意度偏低。"}, follow=True
    )
    assert "“摘牌岗”年终复评未通过,已摘牌。" in text(response)
    removed.refresh_from_db()
    assert removed.status == Status.REMOVED and removed.removal_reason == "群众满意度偏低。"


def test_a_review_without_an_opinion_is_refused(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 1)
    page = text(as_user(office).post(url("review", post.pk), {"result": "fail", "reason": ""}))
    assert "请填写复评意见。" in page
    post.refresh_from_db()
    assert post.status == Status.APPROVED


def test_a_five_star_post_has_no_review(world, office, as_user):
    post = _with_stars(factories.approved_post(world), 5)
    page = text(as_user(office).post(url("review", post.pk), {"result": "fail", "reason": "试试"}))
    assert "五星示范岗无需年终复评。" in page
    post.refresh_from_db()
    assert post.status == Status.APPROVED
