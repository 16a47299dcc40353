"""/api/v1/posts/, /api/v1/post-opinions/ and /api/v1/post-rules/ for each persona.

The office approves, rejects, names, reviews and evaluates posts and sets the rules; branch A's secretary
applies for posts of their branch and answers their opinion books, and is refused the office's steps with
the service's own sentence; branch B's secretary gets 404 for branch A's post, exactly as for a missing
one; a member of the post reads it and its book (the residents' names and phones masked); the anonymous
get 401. Refusals change nothing; the lists run a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.posts import services
from vanguard.posts.models import Evaluation, ModelPost, Opinion, PostMember, PostRules, StarEvent

from . import factories
from .api_factories import sweep_opinion

pytestmark = pytest.mark.django_db

POSTS, RULES = "/api/v1/posts/", "/api/v1/post-rules/"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}


def _month(back: int) -> dt.date:
    """The first of the month `back` months before this one."""
    month = today().replace(day=1)
    for _ in range(back):
        month = (month - dt.timedelta(days=1)).replace(day=1)
    return month


def _next_month() -> dt.date:
    return (today().replace(day=1) + dt.timedelta(days=32)).replace(day=1)


def _get(user, url, params=None):
    return api_client(user).get(url, params or {})


def _post(user, url, body=None):
    return api_client(user).post(url, body or {}, format="json")


@pytest.fixture
def post(world) -> ModelPost:
    """Branch A's post on the wall, with member A on it."""
    return factories.approved_post(world)


@pytest.fixture
def applied(world) -> ModelPost:
    return factories.applied_post(world, "调度窗口")


@pytest.fixture
def opinion(world, post) -> Opinion:
    return sweep_opinion(world)


def _apply_body(world, **overrides) -> dict:
    body = {
        "organisation": world.branch_a.pk,
        "name": "一车队调度服务台",
        "kind": "desk",
        "location": "一车队调度室",
        "complaint_phone": "0317-2223333",
        "members": [{"member": world.member_a.pk, "job": "调度员", "motto": "调度一盘棋,服务零距离"}],
    }
    body.update(overrides)
    return body


# --- anonymous and roleless callers ----------------------------------------------------------------------


def test_the_anonymous_get_401_from_every_post_endpoint(post, opinion, world):
    calls = [
        ("get", POSTS),
        ("post", POSTS),
        ("get", f"{POSTS}{post.pk}/"),
        *[("post", f"{POSTS}{post.pk}/{a}/") for a in ("approve", "reject", "name", "review", "evaluate")],
        ("get", f"{POSTS}{post.pk}/opinions/"),
        ("post", f"/api/v1/post-opinions/{opinion.pk}/answer/"),
        ("get", RULES),
        ("post", RULES),
    ]
    for method, url in calls:
        response = getattr(api_client(), method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["detail"].startswith("未登录")
    post.refresh_from_db()
    assert post.status == ModelPost.Status.APPROVED and not post.evaluations.exists()


@pytest.mark.parametrize("persona", ["auditor", "nobody"])
def test_a_login_without_a_business_role_gets_403(persona, request, post):
    user = request.getfixturevalue(persona)
    for url in (POSTS, f"{POSTS}{post.pk}/", f"{POSTS}{post.pk}/opinions/"):
        assert _get(user, url).status_code == 403


# --- the list --------------------------------------------------------------------------------------------


def _names(response) -> list[str]:
    assert response.status_code == 200, response.content
    return [row["name"] for row in response.json()["results"]]


@pytest.mark.parametrize(
    ("persona", "sees"),
    [
        ("office", {"一车队1路党员示范岗", "调度窗口"}),
        ("secretary_a", {"一车队1路党员示范岗", "调度窗口"}),
        ("supervisor", {"一车队1路党员示范岗", "调度窗口"}),
        ("secretary_b", set()),
        ("community_worker", set()),
        # A member sees the posts they are on, not every post of their branch.
        ("member_a", {"一车队1路党员示范岗"}),
    ],
)
def test_each_persona_lists_the_posts_in_their_sight(persona, sees, request, post, applied, world):
    # The application "调度窗口" lists member A too; take them off it to see that membership is what counts.
    PostMember.objects.filter(post=applied).update(member=org_factories.member(world.branch_a, "赵立"))
    user = request.getfixturevalue(persona)
    assert set(_names(_get(user, POSTS))) == sees


def test_the_list_shows_stars_status_and_members_and_filters_them(office, post, applied, world):
    services.evaluate(actor=SYSTEM, post=post, month=_month(1), total=90)
    response = _get(office, POSTS)
    rows = {row["name"]: row for row in response.json()["results"]}
    assert rows["一车队1路党员示范岗"] | {"id": 0} == {
        "id": 0,
        "name": "一车队1路党员示范岗",
        "kind": "team",
        "organisation": world.branch_a.pk,
        "organisation_name": "一分公司党支部",
        "location": "",
        "complaint_phone": "0317-1234567",
        "status": "approved",
        "stars": 1,
        "named_at": None,
        "member_count": 1,
    }
    # The higher stars first.
    assert _names(response) == ["一车队1路党员示范岗", "调度窗口"]
    assert _names(_get(office, POSTS, {"status": "applied"})) == ["调度窗口"]
    assert _names(_get(office, POSTS, {"stars": 1})) == ["一车队1路党员示范岗"]
    assert _names(_get(office, POSTS, {"organisation": world.branch_b.pk})) == []
    assert set(_names(_get(office, POSTS, {"organisation": world.committee.pk}))) == {
        "一车队1路党员示范岗",
        "调度窗口",
    }


def test_a_bad_filter_is_a_400_naming_the_field(office, secretary_b, world):
    response = _get(office, POSTS, {"stars": 6})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"stars"}
    response = _get(secretary_b, POSTS, {"organisation": world.branch_a.pk})
    assert response.status_code == 400
    assert response.json()["errors"]["organisation"] == ["所选党组织不存在或不在您的管理范围内。"]


# --- one post --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("persona", ["office", "secretary_a", "supervisor", "member_a"])
def test_a_post_in_sight_shows_its_members_timeline_and_evaluations(persona, request, post, world):
    services.evaluate(actor=SYSTEM, post=post, month=_month(2), total=90)
    services.evaluate(actor=SYSTEM, post=post, month=_month(1), total=60)
    response = _get(request.getfixturevalue(persona), f"{POSTS}{post.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stars"], body["named_at"]) == ("approved", 0, None)
    assert body["members"] == [
        {
            "member": world.member_a.pk,
            "name": "王建国",
            "job": "驾驶员",
            "motto": "一心为乘客,服务无止境",
            "photo": None,
            "order": 0,
        }
    ]
    assert [(e["kind"], e["stars_before"], e["stars_after"]) for e in body["events"]] == [
        ("approved", 0, 0),
        ("star_added", 0, 1),
        ("star_removed", 1, 0),
    ]
    assert all(e["reason"] for e in body["events"])
    assert body["events"][1]["kind_label"] == "加星"
    assert [(e["month"], e["total"], e["passed"], e["rules_version"]) for e in body["evaluations"]] == [
        (f"{_month(2):%Y-%m}", "90.00", True, 1),
        (f"{_month(1):%Y-%m}", "60.00", False, 1),
    ]
    assert body["evaluations"][0]["pass_mark"] == "80.00"
    assert body["evaluations"][0]["result"] is None


def test_a_photo_is_given_by_the_address_the_pages_serve_it_at(office, post):
    PostMember.objects.filter(post=post).update(photo="posts/photos/wang.jpg")
    body = _get(office, f"{POSTS}{post.pk}/").json()
    entry = PostMember.objects.get(post=post)
    assert body["members"][0]["photo"] == f"/p/posts/photos/{entry.pk}/"


def test_another_branch_gets_404_for_the_post_exactly_like_a_missing_one(secretary_b, post, opinion):
    for url in (f"{POSTS}{post.pk}/", f"{POSTS}{post.pk}/opinions/", f"{POSTS}999999/"):
        response = _get(secretary_b, url)
        assert (response.status_code, response.json()) == (404, NOT_FOUND), url
    for action in ("approve", "reject", "name", "review", "evaluate"):
        response = _post(secretary_b, f"{POSTS}{post.pk}/{action}/", {"reason": "x"})
        assert (response.status_code, response.json()) == (404, NOT_FOUND), action
    response = _post(
        secretary_b, f"/api/v1/post-opinions/{opinion.pk}/answer/", {"answer": "x", "upheld": True}
    )
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    post.refresh_from_db()
    opinion.refresh_from_db()
    assert post.status == ModelPost.Status.APPROVED and opinion.answered_at is None


def test_a_member_not_on_the_post_gets_404(member_a, world):
    other = services.post_apply(
        actor=SYSTEM,
        organisation=world.branch_a,
        fields={"name": "维修班组"},
        members=[{"member": org_factories.member(world.branch_a, "赵立"), "motto": "修车如修心"}],
    )
    assert _get(member_a, f"{POSTS}{other.pk}/").status_code == 404


# --- applying --------------------------------------------------------------------------------------------


def test_the_secretary_applies_for_a_post_of_their_branch(secretary_a, world):
    response = _post(secretary_a, POSTS, _apply_body(world))
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["name"], body["status"], body["stars"], body["kind"]) == (
        "一车队调度服务台",
        "applied",
        0,
        "desk",
    )
    assert body["members"][0]["motto"] == "调度一盘棋,服务零距离"
    assert body["events"] == [] and body["evaluations"] == []
    post = ModelPost.objects.get(pk=body["id"])
    assert post.organisation == world.branch_a and post.post_members.get().job == "调度员"


def test_an_application_with_mistakes_is_refused_with_the_field_named(secretary_a, office, world):
    cases = [
        (secretary_a, {"members": []}, "members", "示范岗至少要有一名党员。"),
        (
            secretary_a,
            {"members": [{"member": world.member_a.pk, "job": "调度员"}]},
            "members",
            "请填写王建国的格言式承诺。",
        ),
        # Member B is out of branch A's secretary's sight: the same words as a missing member.
        (
            secretary_a,
            {"members": [{"member": world.member_b.pk, "motto": "m"}]},
            "members",
            {"0": {"member": ["所选党员不存在或不在您的可见范围内。"]}},
        ),
        # The office sees member B, but B is not a member of branch A.
        (
            office,
            {"members": [{"member": world.member_b.pk, "motto": "m"}]},
            "members",
            "李红梅不是本支部的党员。",
        ),
        (secretary_a, {"name": ""}, "name", None),
        (secretary_a, {"kind": "plaza"}, "kind", None),
        (secretary_a, {"organisation": world.branch_b.pk}, "organisation", None),
    ]
    for user, overrides, field, message in cases:
        response = _post(user, POSTS, _apply_body(world, **overrides))
        assert response.status_code == 400, (overrides, response.content)
        body = response.json()
        assert field in body["errors"], (overrides, body)
        assert body["detail"].startswith("请求数据有误")
        if isinstance(message, str):
            assert message in body["errors"][field], body
        elif message is not None:
            assert body["errors"][field] == message
    assert not ModelPost.objects.exists()


def test_a_second_post_of_the_same_name_is_refused(secretary_a, post, world):
    response = _post(secretary_a, POSTS, _apply_body(world, name=post.name))
    assert response.status_code == 400
    assert response.json()["errors"]["name"] == ["本支部已有名为“一车队1路党员示范岗”的示范岗。"]


@pytest.mark.parametrize("persona", ["member_a", "supervisor", "community_worker"])
def test_only_a_secretary_or_the_office_applies(persona, request, world):
    response = _post(request.getfixturevalue(persona), POSTS, _apply_body(world))
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "只有党支部书记或党委办公室可以申请示范岗。"},
    )
    assert not ModelPost.objects.exists()


# --- the office's steps ----------------------------------------------------------------------------------


def test_the_office_approves_a_post_and_it_goes_on_the_wall(office, applied):
    response = _post(office, f"{POSTS}{applied.pk}/approve/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["status"], body["stars"]) == ("approved", 0)
    assert [e["kind"] for e in body["events"]] == ["approved"]
    again = _post(office, f"{POSTS}{applied.pk}/approve/")
    assert again.status_code == 400
    assert "不能再审批" in again.json()["detail"]


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "supervisor"])
def test_approval_by_anyone_but_the_office_is_a_403_that_says_who_approves(persona, request, applied):
    user = request.getfixturevalue(persona)
    if persona == "member_a":
        # Member A is on the application, so they see it.
        assert _get(user, f"{POSTS}{applied.pk}/").status_code == 200
    for action in ("approve", "reject"):
        response = _post(user, f"{POSTS}{applied.pk}/{action}/", {"reason": "理由"})
        assert (response.status_code, response.json()) == (
            403,
            {"detail": "只有党委办公室可以审批示范岗(挂牌)。"},
        )
    applied.refresh_from_db()
    assert applied.status == ModelPost.Status.APPLIED and applied.decided_at is None


def test_a_rejection_needs_a_reason(office, applied):
    response = _post(office, f"{POSTS}{applied.pk}/reject/", {"reason": "  "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["不予批准须说明理由。"]}
    applied.refresh_from_db()
    assert applied.status == ModelPost.Status.APPLIED
    response = _post(office, f"{POSTS}{applied.pk}/reject/", {"reason": "岗位职责不清,请补充后重新申请。"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == (
        "rejected",
        "岗位职责不清,请补充后重新申请。",
    )


def test_the_office_evaluates_a_month_and_a_pass_adds_a_star(office, post):
    response = _post(office, f"{POSTS}{post.pk}/evaluate/", {"month": f"{_month(1):%Y-%m}", "total": "92.5"})
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["month"], body["total"], body["score"], body["passed"]) == (
        f"{_month(1):%Y-%m}",
        "92.50",
        "92.50",
        True,
    )
    assert (body["stars"], body["status"], body["rules_version"]) == (1, "approved", 1)
    assert [(e["kind"], e["stars_before"], e["stars_after"]) for e in body["events"]] == [
        ("star_added", 0, 1)
    ]
    post.refresh_from_db()
    assert post.stars == 1


def test_evaluating_a_post_that_is_not_on_the_wall_is_a_400(office, applied):
    response = _post(office, f"{POSTS}{applied.pk}/evaluate/", {"month": f"{_month(1):%Y-%m}", "total": 90})
    assert response.status_code == 400
    assert "只有已挂牌的示范岗才能评定" in response.json()["detail"]
    assert not Evaluation.objects.exists()


def test_a_second_evaluation_of_the_same_month_is_a_400(office, post):
    url, month = f"{POSTS}{post.pk}/evaluate/", f"{_month(1):%Y-%m}"
    assert _post(office, url, {"month": month, "total": 90}).status_code == 201
    response = _post(office, url, {"month": month, "total": 50})
    assert response.status_code == 400
    (message,) = response.json()["errors"]["month"]
    assert message.endswith("已经评定过。") and post.name in message
    post.refresh_from_db()
    assert post.stars == 1 and Evaluation.objects.count() == 1


def test_an_evaluation_with_a_bad_month_or_total_is_a_400_naming_the_field(office, post):
    url = f"{POSTS}{post.pk}/evaluate/"
    cases = [
        ({"month": "2026-13", "total": 90}, "month"),
        ({"month": "三月", "total": 90}, "month"),
        ({"month": f"{_next_month():%Y-%m}", "total": 90}, "month"),
        ({"month": f"{_month(1):%Y-%m}", "total": 120}, "total"),
        ({"month": f"{_month(1):%Y-%m}", "total": "很好"}, "total"),
        ({"total": 90}, "month"),
    ]
    for body, field in cases:
        response = _post(office, url, body)
        assert response.status_code == 400, (body, response.content)
        assert field in response.json()["errors"], (body, response.json())
    assert _post(office, url, {"month": f"{_next_month():%Y-%m}", "total": 90}).json()["errors"]["month"] == [
        "不能评定未来的月份。"
    ]
    assert not Evaluation.objects.exists()


@pytest.mark.parametrize(
    ("action", "body", "message"),
    [
        ("evaluate", {"month": "2026-01", "total": 90}, "只有党委办公室可以进行示范岗月度评定。"),
        ("name", {}, "只有党委办公室可以授牌命名。"),
        ("review", {"passed": False, "reason": "x"}, "只有党委办公室可以进行年终复评。"),
    ],
)
def test_the_secretary_is_refused_the_offices_steps_with_a_message(secretary_a, post, action, body, message):
    response = _post(secretary_a, f"{POSTS}{post.pk}/{action}/", body)
    assert (response.status_code, response.json()) == (403, {"detail": message})
    post.refresh_from_db()
    assert (post.status, post.stars) == (ModelPost.Status.APPROVED, 0)


def test_the_office_names_a_five_star_post_and_not_before(office, post):
    url = f"{POSTS}{post.pk}/name/"
    response = _post(office, url)
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:只有已挂牌的五星示范岗才能授牌命名。"
    for back in range(5, 0, -1):
        services.evaluate(actor=SYSTEM, post=post, month=_month(back), total=95)
    response = _post(office, url, {"reason": "连续五个月达标,党委授牌命名。"})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["stars"], body["named_at"]) == (5, today().isoformat())
    assert body["events"][-1]["kind"] == "named"
    assert body["events"][-1]["reason"] == "连续五个月达标,党委授牌命名。"
    assert _post(office, url).status_code == 400


def test_the_year_end_review_needs_a_verdict_and_a_reason(office, post):
    url = f"{POSTS}{post.pk}/review/"
    response = _post(office, url, {"reason": "全年群众满意度偏低。"})
    assert response.status_code == 400 and "passed" in response.json()["errors"]
    response = _post(office, url, {"passed": True, "reason": " "})
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["请填写复评意见。"]}
    response = _post(office, url, {"passed": True, "reason": "服务稳定,保留星级继续创建。"})
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["events"][-1]["kind"]) == ("approved", "review_passed")
    response = _post(office, url, {"passed": False, "reason": "全年群众满意度偏低。"})
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["removal_reason"]) == ("removed", "全年群众满意度偏低。")
    assert body["events"][-1]["kind"] == "review_failed"


# --- the opinion book ------------------------------------------------------------------------------------


def test_the_branch_reads_the_book_with_the_residents_contact_and_a_member_of_the_post_masked(
    secretary_a, office, member_a, post, opinion
):
    services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.PRAISE, content="服务热情。")
    for user in (secretary_a, office):
        response = _get(user, f"{POSTS}{post.pk}/opinions/")
        assert response.status_code == 200
        rows = response.json()["results"]
        assert [r["kind"] for r in rows] == ["praise", "complaint"]
        assert (rows[1]["name"], rows[1]["phone"]) == ("张三", "13800001111")
    rows = _get(member_a, f"{POSTS}{post.pk}/opinions/").json()["results"]
    assert (rows[1]["name"], rows[1]["phone"]) == ("张*", "138****1111")
    assert rows[1]["content"] == "司机到站未停车。"


def test_the_book_filters_by_kind_and_answered(secretary_a, post, opinion):
    services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.PRAISE, content="服务热情。")
    url = f"{POSTS}{post.pk}/opinions/"
    assert [r["kind"] for r in _get(secretary_a, url, {"kind": "complaint"}).json()["results"]] == [
        "complaint"
    ]
    services.opinion_answer(actor=SYSTEM, opinion=opinion, answer="已核实。", upheld=False)
    assert [r["id"] for r in _get(secretary_a, url, {"answered": "true"}).json()["results"]] == [opinion.pk]
    assert [r["kind"] for r in _get(secretary_a, url, {"answered": "false"}).json()["results"]] == ["praise"]
    assert _get(secretary_a, url, {"kind": "rumour"}).status_code == 400


def test_the_branch_answers_a_complaint_and_marks_it_upheld(secretary_a, opinion):
    url = f"/api/v1/post-opinions/{opinion.pk}/answer/"
    response = _post(secretary_a, url, {"answer": "已核实,对驾驶员批评教育。"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"upheld": ["请核实投诉是否属实。"]}
    response = _post(secretary_a, url, {"answer": " ", "upheld": True})
    assert response.json()["errors"] == {"answer": ["请填写答复内容。"]}
    response = _post(secretary_a, url, {"answer": "已核实,对驾驶员批评教育。", "upheld": True})
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["answer"], body["upheld"], body["serious"]) == ("已核实,对驾驶员批评教育。", True, False)
    assert body["answered_by_name"] == "secretary_a" and body["answered_at"]
    # The verdict stays.
    response = _post(secretary_a, url, {"answer": "复查后认为不属实。", "upheld": False})
    assert response.json()["errors"] == {"upheld": ["投诉核实结论已作出,不能更改。"]}


def test_a_serious_complaint_upheld_through_the_api_removes_the_plaque(secretary_a, post, opinion):
    url = f"/api/v1/post-opinions/{opinion.pk}/answer/"
    response = _post(secretary_a, url, {"answer": "经调查属实。", "upheld": True, "serious": True})
    assert response.status_code == 200
    post.refresh_from_db()
    assert post.status == ModelPost.Status.REMOVED
    assert post.events.last().kind == StarEvent.Kind.PLAQUE_REMOVED


@pytest.mark.parametrize("persona", ["member_a", "supervisor"])
def test_only_the_branch_answers_the_book(persona, request, opinion):
    response = _post(
        request.getfixturevalue(persona), f"/api/v1/post-opinions/{opinion.pk}/answer/", {"answer": "x"}
    )
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "只有本支部书记或党委办公室可以答复意见簿。"},
    )
    opinion.refresh_from_db()
    assert opinion.answered_at is None


# --- the rules -------------------------------------------------------------------------------------------


def test_the_rules_in_force_for_a_branch_are_the_committees(secretary_a, office, world):
    for user in (secretary_a, office):
        response = _get(user, RULES, {"organisation": world.branch_a.pk})
        assert response.status_code == 200, response.content
        body = response.json()
        assert (body["organisation"], body["number"], body["pass_mark"], body["inherited"]) == (
            world.committee.pk,
            1,
            "80.00",
            True,
        )
    body = _get(office, RULES, {"organisation": world.committee.pk}).json()
    assert (body["number"], body["inherited"]) == (1, False)


def test_the_rules_need_an_organisation_in_sight(member_a, secretary_b, office, world):
    assert "organisation" in _get(office, RULES).json()["errors"]
    response = _get(secretary_b, RULES, {"organisation": world.branch_a.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    assert _get(member_a, RULES, {"organisation": world.committee.pk}).status_code == 400


def test_the_office_makes_a_new_version_of_the_rules(office, post, world):
    first = services.evaluate(actor=SYSTEM, post=post, month=_month(2), total=Decimal("85"))
    response = _post(
        office, RULES, {"organisation": world.committee.pk, "pass_mark": "88", "note": "提高达标分数线"}
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["number"], body["pass_mark"], body["complaint_penalty"], body["note"]) == (
        2,
        "88.00",
        "5.00",
        "提高达标分数线",
    )
    assert body["created_by_name"] == "office"
    second = services.evaluate(actor=SYSTEM, post=post, month=_month(1), total=Decimal("85"))
    first.refresh_from_db()
    assert (first.passed, first.rules.number, second.passed, second.rules.number) == (True, 1, False, 2)
    assert _get(office, RULES, {"organisation": world.branch_a.pk}).json()["number"] == 2


def test_rules_with_a_bad_number_are_refused(office, world):
    response = _post(office, RULES, {"organisation": world.committee.pk, "pass_mark": "120"})
    assert response.status_code == 400 and "pass_mark" in response.json()["errors"]
    assert PostRules.objects.count() == 0


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "supervisor"])
def test_only_the_office_changes_the_rules(persona, request, world):
    response = _post(
        request.getfixturevalue(persona), RULES, {"organisation": world.branch_a.pk, "pass_mark": 60}
    )
    assert (response.status_code, response.json()) == (
        403,
        {"detail": "只有党委办公室可以修改示范岗评定规则。"},
    )
    assert not PostRules.objects.filter(pass_mark=60).exists()


def test_an_office_below_changes_only_its_own_rules(world, office):
    from vanguard.conftest import _user

    branch_office = _user("branch_office", "office", organisation=world.branch_a)
    response = _post(branch_office, RULES, {"organisation": world.committee.pk, "pass_mark": 60})
    # The committee is above the branch's office: out of its sight, like a missing organisation.
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    response = _post(branch_office, RULES, {"organisation": world.branch_a.pk, "pass_mark": 75})
    assert response.status_code == 201
    assert (response.json()["organisation"], response.json()["number"]) == (world.branch_a.pk, 1)


# --- query counts ----------------------------------------------------------------------------------------


def _queries(user, url, params=None) -> int:
    client = api_client(user)
    client.get(url, params or {})  # warm up: the token and the scope of the user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200, response.content
    return len(queries)


def test_the_lists_and_the_detail_run_a_fixed_number_of_queries(office, secretary_a, member_a, post, world):
    services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.PRAISE, content="好")
    services.evaluate(actor=SYSTEM, post=post, month=_month(1), total=90)
    urls = [POSTS, f"{POSTS}{post.pk}/", f"{POSTS}{post.pk}/opinions/"]
    before = {(u.username, url): _queries(u, url) for u in (office, secretary_a, member_a) for url in urls}
    for i in range(6):
        member = org_factories.member(world.branch_a, f"党员{i}")
        PostMember.objects.create(post=post, member=member, motto="岗位体现先进性", order=i + 1)
        services.post_apply(
            actor=SYSTEM,
            organisation=world.branch_a,
            fields={"name": f"示范岗{i}"},
            members=[{"member": member, "motto": "一个党员一面旗"}],
        )
        services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.OPINION, content=f"建议{i}")
    services.evaluate(actor=SYSTEM, post=post, month=_month(2), total=50)
    after = {(u.username, url): _queries(u, url) for u in (office, secretary_a, member_a) for url in urls}
    assert after == before
