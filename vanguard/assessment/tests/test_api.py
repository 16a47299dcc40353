"""/api/v1/assessment/: schemes, rounds, results with their breakdown, scores and revisions, for each role.

The office edits schemes and runs rounds; a branch's secretary scores their members and reads their
results; another branch's secretary gets 404 for branch A's objects, exactly as for missing ones; a member
reads their own result and enters their self-assessment; the anonymous get 401. A stale score version is a
409 that names who changed it; the refusals carry the services' own Chinese messages and change nothing;
the lists run a fixed number of queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.assessment import services
from vanguard.assessment.models import Result, Revision, Round, Scheme, Score, Source
from vanguard.org.tests import factories as org_factories
from vanguard.reports.tests import factories as report_factories

from . import factories as f

pytestmark = pytest.mark.django_db

BASE = "/api/v1/assessment"
SCHEMES, ROUNDS, RESULTS, SCORES = (f"{BASE}/{p}/" for p in ("schemes", "rounds", "results", "scores"))
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}
FORBIDDEN = {"detail": "您无权执行此操作。"}


def _get(user, url, params=None):
    return api_client(user).get(url, params or {})


def _post(user, url, body=None):
    return api_client(user).post(url, body or {}, format="json")


@pytest.fixture
def scheme(world) -> Scheme:
    return f.member_scheme(world.committee)


@pytest.fixture
def round_(scheme, world) -> Round:
    """The committee's third quarter of 2026, open: a result for member A (branch A) and member B."""
    return f.quarter_round(scheme, world.committee)


@pytest.fixture
def result_a(round_, world) -> Result:
    return round_.results.get(member=world.member_a)


@pytest.fixture
def result_b(round_, world) -> Result:
    return round_.results.get(member=world.member_b)


@pytest.fixture
def branch_scheme(world) -> Scheme:
    """A scheme of branch A itself, which another branch's secretary does not see."""
    return f.member_scheme(world.branch_a, "一分公司党员考核")


@pytest.fixture
def branch_round(branch_scheme, world) -> Round:
    return f.quarter_round(branch_scheme, world.branch_a, open_=False)


def _indicator(round_: Round, name: str):
    return f.indicator(round_, name)


def _close(round_: Round) -> Round:
    return services.round_transition(actor=SYSTEM, round_=round_, action="close")


def _score_body(result, indicator, points, *, source=Source.ORGANISATION, version=0, evidence=""):
    return {
        "result": result.pk,
        "indicator": indicator.pk,
        "source": source,
        "points": str(points),
        "evidence": evidence,
        "version": version,
    }


# --- anonymous and roleless callers ----------------------------------------------------------------------


def test_the_anonymous_get_401_from_every_assessment_endpoint(round_, result_a, scheme):
    ids = {"scheme": scheme.pk, "round": round_.pk, "result": result_a.pk}
    calls = [
        ("get", SCHEMES),
        ("post", SCHEMES),
        ("get", f"{SCHEMES}{ids['scheme']}/"),
        ("patch", f"{SCHEMES}{ids['scheme']}/"),
        ("post", f"{SCHEMES}{ids['scheme']}/indicators/"),
        ("get", ROUNDS),
        ("post", ROUNDS),
        ("get", f"{ROUNDS}{ids['round']}/"),
        *[
            ("post", f"{ROUNDS}{ids['round']}/{a}/")
            for a in ("open", "close", "reopen", "publish", "archive")
        ],
        ("get", RESULTS),
        ("get", f"{RESULTS}{ids['result']}/"),
        ("post", f"{RESULTS}{ids['result']}/revise/"),
        ("post", SCORES),
    ]
    for method, url in calls:
        response = getattr(api_client(), method)(url, {}, format="json")
        assert response.status_code == 401, (method, url, response.status_code)
        assert response.json()["detail"].startswith("未登录")
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN


@pytest.mark.parametrize("persona", ["auditor", "nobody"])
def test_a_login_without_a_business_role_gets_403(persona, request, round_):
    user = request.getfixturevalue(persona)
    for url in (SCHEMES, ROUNDS, f"{ROUNDS}{round_.pk}/"):
        assert _get(user, url).status_code == 403


# --- schemes ---------------------------------------------------------------------------------------------


def test_the_office_reads_a_scheme_with_its_weights_and_indicator_tree(office, scheme):
    response = _get(office, f"{SCHEMES}{scheme.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    assert (body["name"], body["target_kind"], body["period"], body["version"]) == (
        "党员责任区季度考核",
        "member",
        "quarter",
        1,
    )
    current = body["current"]
    assert (current["number"], current["in_use"]) == (1, False)
    assert (current["weight_self"], current["weight_masses"], current["weight_organisation"]) == (
        "20.00",
        "20.00",
        "60.00",
    )
    tree = [
        (i["name"], i["parent_key"], i["depth"], i["leaf"], i["share"], i["kind"], i["metric"], i["formula"])
        for i in current["indicators"]
    ]
    work_key = next(i["key"] for i in current["indicators"] if i["name"] == "工作实绩")
    assert tree == [
        ("思想政治", None, 1, True, "30.0000", "manual", "", ""),
        ("工作实绩", None, 1, False, "40.0000", "manual", "", ""),
        ("责任区工作", work_key, 2, True, "20.0000", "manual", "", ""),
        ("月度汇报", work_key, 2, True, "20.0000", "derived", "reports_submitted", "ratio"),
        ("联系群众", None, 1, True, "30.0000", "derived", "contacts_talked", "ratio"),
    ]
    reports = next(i for i in current["indicators"] if i["name"] == "月度汇报")
    assert reports["path"] == ["工作实绩"]
    assert "月度汇报提交" in reports["formula_text"]


def test_the_secretaries_read_the_committees_scheme_and_the_member_sees_none(
    scheme, secretary_a, secretary_b, member_a
):
    for user in (secretary_a, secretary_b):
        body = _get(user, SCHEMES).json()
        assert [s["name"] for s in body["results"]] == ["党员责任区季度考核"]
        assert _get(user, f"{SCHEMES}{scheme.pk}/").status_code == 200
    assert _get(member_a, SCHEMES).json()["count"] == 0
    assert _get(member_a, f"{SCHEMES}{scheme.pk}/").json() == NOT_FOUND


def test_another_branchs_secretary_gets_404_for_branch_as_scheme(branch_scheme, secretary_a, secretary_b):
    assert _get(secretary_a, f"{SCHEMES}{branch_scheme.pk}/").status_code == 200
    assert _get(secretary_b, f"{SCHEMES}{branch_scheme.pk}/").json() == NOT_FOUND
    assert _get(secretary_b, f"{SCHEMES}99999999/").json() == NOT_FOUND
    for method, url in (
        ("patch", f"{SCHEMES}{branch_scheme.pk}/"),
        ("post", f"{SCHEMES}{branch_scheme.pk}/indicators/"),
    ):
        response = getattr(api_client(secretary_b), method)(url, {"name": "改"}, format="json")
        assert response.status_code == 404, (method, url)


def test_the_scheme_list_filters_by_target_kind(office, scheme):
    assert _get(office, SCHEMES, {"target_kind": "member"}).json()["count"] == 1
    assert _get(office, SCHEMES, {"target_kind": "branch"}).json()["count"] == 0
    response = _get(office, SCHEMES, {"target_kind": "主任"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["target_kind"]


def test_the_office_creates_a_scheme(office, world):
    response = _post(
        office,
        SCHEMES,
        {
            "organisation": world.committee.pk,
            "name": "党支部年度考核",
            "target_kind": "branch",
            "period": "year",
            "weight_organisation": 70,
            "weight_supervisor": 30,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    scheme = Scheme.objects.get(name="党支部年度考核")
    assert (body["id"], body["organisation"], body["version"]) == (scheme.pk, world.committee.pk, 1)
    assert (body["current"]["weight_organisation"], body["current"]["weight_supervisor"]) == (
        "70.00",
        "30.00",
    )
    assert body["current"]["weight_self"] == "0.00"
    assert body["current"]["indicators"] == []


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor", "member_a", "community_worker"])
def test_only_the_office_creates_a_scheme(persona, request, world):
    user = request.getfixturevalue(persona)
    response = _post(
        user,
        SCHEMES,
        {"organisation": world.branch_a.pk, "name": "自定方案", "target_kind": "member", "period": "month"},
    )
    assert response.status_code == 403
    assert not Scheme.objects.exists()


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"target_kind": "member", "period": "quarter"}, "name"),
        ({"name": "方案", "target_kind": "党员", "period": "quarter"}, "target_kind"),
        ({"name": "方案", "target_kind": "member", "period": "weekly"}, "period"),
        ({"name": "方案", "target_kind": "member", "period": "month", "weight_self": 101}, "weight_self"),
        (
            {"name": "方案", "target_kind": "member", "period": "month", "organisation": "党委"},
            "organisation",
        ),
        ({"name": "x" * 101, "target_kind": "member", "period": "month"}, "name"),
    ],
)
def test_bad_scheme_input_is_a_400_naming_the_field(office, world, body, field):
    body = {"organisation": world.committee.pk, **body}
    response = _post(office, SCHEMES, body)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Scheme.objects.exists()


def test_all_weights_zero_and_a_duplicate_name_are_refused_in_chinese(office, world, scheme):
    base = {"organisation": world.committee.pk, "target_kind": "member", "period": "quarter"}
    response = _post(office, SCHEMES, {**base, "name": "新方案", "weight_organisation": 0})
    assert response.status_code == 400
    assert response.json()["errors"] == {"weight_organisation": ["至少一个评分来源的权重须大于0。"]}
    response = _post(office, SCHEMES, {**base, "name": "党员责任区季度考核"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["公交公司党委已有名为“党员责任区季度考核”的考核方案。"]}
    assert Scheme.objects.count() == 1


def test_an_organisation_outside_the_offices_scope_is_refused(office, world):
    other = org_factories.organisation("另一党委", world.committee.kind)
    response = _post(
        office,
        SCHEMES,
        {"organisation": other.pk, "name": "越权方案", "target_kind": "member", "period": "quarter"},
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    assert not Scheme.objects.exists()


def test_the_office_adds_an_indicator_to_the_current_version(office, scheme):
    work_key = services.latest_version(scheme).indicators.get(name="工作实绩").key
    response = _post(
        office,
        f"{SCHEMES}{scheme.pk}/indicators/",
        {
            "parent": work_key,
            "name": "任务完成",
            "weight": 1,
            "kind": "derived",
            "metric": "tasks_done",
            "formula": "capped",
            "parameter": 4,
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["scheme"], body["version"]) == (scheme.pk, 1)
    indicator = body["indicator"]
    assert (indicator["name"], indicator["parent_key"], indicator["depth"], indicator["leaf"]) == (
        "任务完成",
        work_key,
        2,
        True,
    )
    # The three children of 工作实绩 now share its 40 points.
    assert (indicator["share"], indicator["max_points"], indicator["parameter"]) == ("13.3333", "10.00", 4)
    assert indicator["path"] == ["工作实绩"]


def test_an_indicator_added_after_a_round_started_goes_into_a_new_version(office, scheme, round_):
    response = _post(
        office, f"{SCHEMES}{scheme.pk}/indicators/", {"name": "廉洁自律", "weight": 10, "max_points": 5}
    )
    assert response.status_code == 201, response.content
    assert response.json()["version"] == 2
    round_.refresh_from_db()
    assert round_.version.number == 1
    assert not round_.version.indicators.filter(name="廉洁自律").exists()
    detail = _get(office, f"{SCHEMES}{scheme.pk}/").json()
    assert (detail["version"], detail["current"]["number"], detail["current"]["in_use"]) == (2, 2, False)


@pytest.mark.parametrize(
    ("body", "errors"),
    [
        (
            {"name": "系统算", "weight": 10, "kind": "derived", "formula": "ratio"},
            {"metric": ["系统计算的指标须选择计算依据。"]},
        ),
        (
            {"name": "系统算", "weight": 10, "kind": "derived", "metric": "tasks_done", "formula": "capped"},
            {"parameter": ["计数公式须填写满分次数N(大于0)。"]},
        ),
        ({"name": "子项", "weight": 10, "parent": 999}, {"parent": ["所选上级指标不存在。"]}),
        ({"name": "零权重", "weight": 0}, None),
        ({"weight": 10}, None),
    ],
)
def test_a_bad_indicator_is_refused_and_nothing_is_added(office, scheme, body, errors):
    before = services.latest_version(scheme).indicators.count()
    response = _post(office, f"{SCHEMES}{scheme.pk}/indicators/", body)
    assert response.status_code == 400
    if errors is not None:
        assert response.json()["errors"] == errors
    assert services.latest_version(scheme).indicators.count() == before


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor"])
def test_only_the_office_edits_a_scheme_it_sees(persona, request, scheme):
    user = request.getfixturevalue(persona)
    assert _get(user, f"{SCHEMES}{scheme.pk}/").status_code == 200
    response = _post(user, f"{SCHEMES}{scheme.pk}/indicators/", {"name": "加一项", "weight": 1})
    assert response.json() == FORBIDDEN
    response = api_client(user).patch(f"{SCHEMES}{scheme.pk}/", {"weight_self": 0}, format="json")
    assert response.status_code == 403
    assert services.latest_version(scheme).weight_self == Decimal("20")


def test_patching_one_weight_keeps_the_others(office, scheme):
    response = api_client(office).patch(
        f"{SCHEMES}{scheme.pk}/",
        {"weight_self": 10, "note": "自评减半", "description": "季度考核"},
        format="json",
    )
    assert response.status_code == 200, response.content
    current = response.json()["current"]
    assert (current["weight_self"], current["weight_masses"], current["weight_organisation"]) == (
        "10.00",
        "20.00",
        "60.00",
    )
    assert (current["number"], current["note"], response.json()["description"]) == (1, "自评减半", "季度考核")


def test_patching_weights_of_a_scheme_in_use_makes_a_new_version(office, scheme, round_):
    response = api_client(office).patch(f"{SCHEMES}{scheme.pk}/", {"weight_masses": 0}, format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["version"], response.json()["current"]["weight_masses"]) == (2, "0.00")
    round_.refresh_from_db()
    assert round_.version.weight_masses == Decimal("20")


def test_the_target_kind_of_a_scheme_in_use_stays(office, scheme, round_):
    response = api_client(office).patch(
        f"{SCHEMES}{scheme.pk}/", {"target_kind": "branch", "weight_self": 0}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "target_kind": ["方案已用于考核,不能再修改考核对象或周期;请另建方案。"]
    }
    scheme.refresh_from_db()
    assert scheme.target_kind == "member"
    assert services.latest_version(scheme).weight_self == Decimal("20")


# --- rounds ----------------------------------------------------------------------------------------------


def test_the_office_creates_a_draft_round(office, scheme, world):
    response = _post(
        office,
        ROUNDS,
        {
            "scheme": scheme.pk,
            "organisation": world.committee.pk,
            "name": "2026年第四季度",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["status"], body["scheme"], body["version"], body["target_kind"], body["period"]) == (
        "draft",
        scheme.pk,
        1,
        "member",
        "quarter",
    )
    assert (body["organisation_name"], body["period_start"], body["mean_total"]) == (
        "公交公司党委",
        "2026-10-01",
        None,
    )


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"period_start": "2026-12-31", "period_end": "2026-10-01"}, "period_end"),
        ({"period_start": "2026/10/01"}, "period_start"),
        ({"name": ""}, "name"),
        ({"scheme": 99999}, "scheme"),
    ],
)
def test_bad_round_input_is_a_400_naming_the_field(office, scheme, world, body, field):
    base = {
        "scheme": scheme.pk,
        "organisation": world.committee.pk,
        "name": "第四季度",
        "period_start": "2026-10-01",
        "period_end": "2026-12-31",
    }
    response = _post(office, ROUNDS, {**base, **body})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == [field]
    assert not Round.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "supervisor"])
def test_only_the_office_creates_a_round(persona, request, scheme, world):
    user = request.getfixturevalue(persona)
    response = _post(
        user,
        ROUNDS,
        {
            "scheme": scheme.pk,
            "organisation": world.branch_a.pk,
            "name": "自行考核",
            "period_start": "2026-10-01",
            "period_end": "2026-12-31",
        },
    )
    assert response.status_code == 403
    assert not Round.objects.exists()


def test_who_sees_which_rounds(round_, branch_round, office, secretary_a, secretary_b, member_a):
    def names(user, **params):
        return [r["name"] for r in _get(user, ROUNDS, params).json()["results"]]

    assert sorted(names(office)) == ["2026年第3季度", "2026年第3季度"]
    assert names(office, status="draft") == ["2026年第3季度"]
    assert _get(office, ROUNDS, {"status": "draft"}).json()["results"][0]["id"] == branch_round.pk
    assert len(names(secretary_a)) == 2
    # The committee's round reaches every branch; branch A's own round is not branch B's business.
    assert [r["id"] for r in _get(secretary_b, ROUNDS).json()["results"]] == [round_.pk]
    assert _get(secretary_b, f"{ROUNDS}{branch_round.pk}/").json() == NOT_FOUND
    # A member sees the rounds that assess them.
    assert [r["id"] for r in _get(member_a, ROUNDS).json()["results"]] == [round_.pk]
    assert _get(member_a, f"{ROUNDS}{round_.pk}/").json()["status"] == "open"
    response = _get(office, ROUNDS, {"status": "finished"})
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["status"]


def test_the_office_takes_a_round_through_its_states(office, round_, result_a):
    f.score(round_, result_a, "思想政治", 8)
    client = api_client(office)
    url = f"{ROUNDS}{round_.pk}"
    response = client.post(f"{url}/close/")
    assert response.status_code == 200, response.content
    assert response.json()["status"] == "closed"
    assert response.json()["mean_total"] is not None
    assert client.post(f"{url}/reopen/").json()["status"] == "open"
    assert client.post(f"{url}/close/").json()["status"] == "closed"
    published = client.post(f"{url}/publish/").json()
    assert (published["status"], published["published_at"] is not None) == ("published", True)
    assert client.post(f"{url}/archive/").json()["status"] == "archived"


def test_a_transition_that_is_not_allowed_is_a_400_in_chinese(office, round_):
    response = _post(office, f"{ROUNDS}{round_.pk}/publish/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:只有已结束的考核可以公布。"
    response = _post(office, f"{ROUNDS}{round_.pk}/open/")
    assert response.json()["detail"] == "请求数据有误:只有草稿状态的考核可以开始评分。"
    round_.refresh_from_db()
    assert round_.status == Round.Status.OPEN


def test_a_round_without_indicators_cannot_open(office, world):
    empty = services.scheme_create(
        actor=SYSTEM, organisation=world.committee, name="空方案", target_kind="member", period="month"
    )
    draft = services.round_create(
        actor=SYSTEM,
        scheme=empty,
        organisation=world.committee,
        name="十月",
        period_start=dt.date(2026, 10, 1),
        period_end=dt.date(2026, 10, 31),
    )
    response = _post(office, f"{ROUNDS}{draft.pk}/open/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:考核方案还没有指标,不能开始评分。"
    draft.refresh_from_db()
    assert draft.status == Round.Status.DRAFT


@pytest.mark.parametrize("action", ["open", "close", "reopen", "publish", "archive"])
def test_the_transitions_refuse_others(action, round_, branch_round, secretary_a, secretary_b, member_a):
    assert _post(secretary_a, f"{ROUNDS}{round_.pk}/{action}/").json() == FORBIDDEN
    assert _post(member_a, f"{ROUNDS}{round_.pk}/{action}/").status_code == 403
    assert _post(secretary_b, f"{ROUNDS}{branch_round.pk}/{action}/").json() == NOT_FOUND
    assert _post(secretary_b, f"{ROUNDS}99999999/{action}/").json() == NOT_FOUND
    round_.refresh_from_db()
    branch_round.refresh_from_db()
    assert (round_.status, branch_round.status) == (Round.Status.OPEN, Round.Status.DRAFT)


# --- scores ----------------------------------------------------------------------------------------------


def test_the_secretary_enters_a_score_and_changes_it_with_its_version(secretary_a, round_, result_a):
    indicator = _indicator(round_, "思想政治")
    client = api_client(secretary_a)
    response = client.post(
        SCORES, _score_body(result_a, indicator, "8.5", evidence="按时参加学习"), format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    score = Score.objects.get()
    assert body == {
        "id": score.pk,
        "result": result_a.pk,
        "indicator": indicator.pk,
        "source": "organisation",
        "points": "8.50",
        "evidence": "按时参加学习",
        "entered_by_name": "secretary_a",
        "entered_at": body["entered_at"],
        "version": 1,
    }
    response = client.post(SCORES, _score_body(result_a, indicator, 9, version=1), format="json")
    assert response.status_code == 200, response.content
    assert (response.json()["points"], response.json()["version"]) == ("9.00", 2)


def test_a_stale_version_is_a_409_that_names_who_changed_the_score(office, secretary_a, round_, result_a):
    indicator = _indicator(round_, "思想政治")
    assert _post(office, SCORES, _score_body(result_a, indicator, 8)).status_code == 201
    # The secretary opened the sheet before the office saved: they still hold version 0.
    response = _post(secretary_a, SCORES, _score_body(result_a, indicator, 6))
    assert response.status_code == 409
    detail = response.json()["detail"]
    assert list(response.json()) == ["detail"]
    assert detail.startswith("保存失败:office已于")
    assert detail.endswith("把该项改为8分。请刷新页面查看最新得分后再修改。")
    # The same after an edit: version 1 is stale once the office has saved version 2.
    assert _post(office, SCORES, _score_body(result_a, indicator, 7, version=1)).json()["version"] == 2
    assert _post(secretary_a, SCORES, _score_body(result_a, indicator, 6, version=1)).status_code == 409
    score = Score.objects.get()
    assert (score.points, score.version, score.entered_by_name) == (Decimal("7"), 2, "office")


def test_points_above_the_maximum_are_refused(secretary_a, round_, result_a):
    response = _post(secretary_a, SCORES, _score_body(result_a, _indicator(round_, "思想政治"), "10.5"))
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求数据有误:“思想政治”满分10分,得分不能超过满分。",
        "errors": {"points": ["“思想政治”满分10分,得分不能超过满分。"]},
    }
    response = _post(secretary_a, SCORES, _score_body(result_a, _indicator(round_, "思想政治"), "-1"))
    assert response.json()["errors"] == {"points": ["得分不能为负数。"]}
    assert not Score.objects.exists()


def test_a_closed_round_takes_no_more_scores(secretary_a, round_, result_a):
    _close(round_)
    response = _post(secretary_a, SCORES, _score_body(result_a, _indicator(round_, "思想政治"), 8))
    assert response.status_code == 400
    assert response.json()["detail"] == (
        "请求数据有误:本轮考核已结束,不能再评分;如需更正,请由党委办公室提交修订并说明原因。"
    )
    assert not Score.objects.exists()


def test_the_secretary_enters_the_masses_paper_forms(secretary_a, round_, result_a):
    body = _score_body(
        result_a, _indicator(round_, "责任区工作"), 9, source="masses", evidence="群众评议表12份"
    )
    response = _post(secretary_a, SCORES, body)
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["evidence"]) == ("masses", "群众评议表12份")


def test_a_member_enters_their_own_self_assessment(member_a, round_, result_a):
    response = _post(
        member_a, SCORES, _score_body(result_a, _indicator(round_, "思想政治"), 9, source="self")
    )
    assert response.status_code == 201, response.content
    assert (response.json()["source"], response.json()["entered_by_name"]) == ("self", "member_a")


def test_a_self_assessment_for_someone_else_is_refused(secretary_a, member_a, round_, result_a, result_b):
    indicator = _indicator(round_, "思想政治")
    response = _post(secretary_a, SCORES, _score_body(result_a, indicator, 9, source="self"))
    assert response.status_code == 403
    assert response.json() == {"detail": "自评只能由党员本人填写。"}
    # A member gives no organisation score, not even to themselves.
    response = _post(member_a, SCORES, _score_body(result_a, indicator, 9))
    assert response.status_code == 403
    assert response.json() == {"detail": "只有支部书记或党委办公室可以录入组织评定和群众评议分数。"}
    # Another member's result is out of a member's sight: not found.
    assert _post(member_a, SCORES, _score_body(result_b, indicator, 9, source="self")).json() == NOT_FOUND
    assert not Score.objects.exists()


def test_another_branchs_result_is_not_found(secretary_b, round_, result_a):
    response = _post(secretary_b, SCORES, _score_body(result_a, _indicator(round_, "思想政治"), 5))
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    missing = {**_score_body(result_a, _indicator(round_, "思想政治"), 5), "result": 99999999}
    assert _post(secretary_b, SCORES, missing).json() == NOT_FOUND
    assert not Score.objects.exists()


@pytest.mark.parametrize(
    ("change", "errors"),
    [
        ({"indicator": "derived"}, {"indicator": ["“月度汇报”由系统计算或为分类指标,不能手工评分。"]}),
        ({"indicator": "parent"}, {"indicator": ["“工作实绩”由系统计算或为分类指标,不能手工评分。"]}),
        ({"indicator": "other version"}, {"indicator": ["所选指标不属于本轮考核所用的方案版本。"]}),
        ({"source": "supervisor"}, {"source": ["本方案不采用“监督员评分”。"]}),
        ({"source": "boss"}, None),
        ({"points": "8.555"}, None),
        ({"points": "八"}, None),
        ({"version": -1}, None),
        ({"result": "王建国"}, None),
    ],
)
def test_bad_score_input_is_a_400_and_nothing_is_written(office, round_, result_a, scheme, change, errors):
    body = _score_body(result_a, _indicator(round_, "思想政治"), 8)
    if change.get("indicator") == "derived":
        body["indicator"] = _indicator(round_, "月度汇报").pk
    elif change.get("indicator") == "parent":
        body["indicator"] = _indicator(round_, "工作实绩").pk
    elif change.get("indicator") == "other version":
        other = f.member_scheme(round_.organisation, "另一方案")
        body["indicator"] = services.latest_version(other).indicators.get(name="思想政治").pk
    else:
        body.update(change)
    response = _post(office, SCORES, body)
    assert response.status_code == 400, response.content
    if errors is not None:
        assert response.json()["errors"] == errors
    else:
        assert list(response.json()["errors"]) == [next(iter(change))]
    assert not Score.objects.exists()


# --- results ---------------------------------------------------------------------------------------------


@pytest.fixture
def closed(round_, result_a, result_b, world):
    """Scores and a monthly report, then the round closed: totals, ranks and breakdowns stored."""
    f.score(round_, result_a, "思想政治", 9)
    f.score(round_, result_a, "责任区工作", 8)
    f.score(round_, result_b, "思想政治", 6)
    report_factories.report(
        world.member_a,
        dt.date(2026, 7, 1),
        work_done="七月的责任区工作",
        submitted_at=dt.datetime(2026, 8, 3, 9, 0, tzinfo=dt.UTC),
    )
    return _close(round_)


def test_the_office_lists_a_rounds_results_ranked(office, closed, result_a, result_b):
    response = _get(office, RESULTS, {"round": closed.pk})
    assert response.status_code == 200, response.content
    rows = response.json()["results"]
    assert [r["name"] for r in rows] == ["王建国", "李红梅"]
    first = rows[0]
    result_a.refresh_from_db()
    assert (first["id"], first["rank"], first["unit_name"], first["round_name"]) == (
        result_a.pk,
        1,
        "一分公司党支部",
        "2026年第3季度",
    )
    assert (first["total"], first["adjusted"], first["data_points"], first["revision"]) == (
        str(result_a.total),
        str(result_a.adjusted),
        result_a.data_points,
        0,
    )
    assert first["data_points"] == 4  # two manual scores and the two derived indicators


def test_the_results_list_needs_a_round_it_can_see(office, secretary_b, branch_round):
    response = _get(office, RESULTS)
    assert response.status_code == 400
    assert list(response.json()["errors"]) == ["round"]
    response = _get(secretary_b, RESULTS, {"round": branch_round.pk})
    assert response.json()["errors"] == {"round": ["所选考核轮次不存在或不在您的可见范围内。"]}


def test_each_role_lists_only_the_results_it_sees(closed, secretary_a, secretary_b, member_a, supervisor):
    def names(user):
        return [r["name"] for r in _get(user, RESULTS, {"round": closed.pk}).json()["results"]]

    assert names(secretary_a) == ["王建国"]
    assert names(supervisor) == ["王建国"]
    assert names(secretary_b) == ["李红梅"]
    assert names(member_a) == ["王建国"]


def test_a_result_opens_to_why(office, closed, result_a, round_):
    response = _get(office, f"{RESULTS}{result_a.pk}/")
    assert response.status_code == 200, response.content
    body = response.json()
    result_a.refresh_from_db()
    assert (body["total"], body["round_status"], body["revisions"]) == (str(result_a.total), "closed", [])
    leaves = {row["name"]: row for row in body["breakdown"]}
    assert list(leaves) == ["思想政治", "责任区工作", "月度汇报", "联系群众"]
    # The breakdown adds up to the total.
    assert sum(Decimal(row["points"]) for row in body["breakdown"]) == result_a.total
    politics = leaves["思想政治"]
    assert (politics["score"], politics["points"], politics["sources"]) == ("9.00", "27.00", 1)
    assert [(s["source"], s["points"], s["entered_by_name"], s["version"]) for s in politics["scores"]] == [
        ("organisation", "9.00", "system", 1)
    ]
    reports = leaves["月度汇报"]
    assert (reports["counted"], reports["expected"], reports["records_count"]) == (1, 3, 1)
    assert reports["path"] == ["工作实绩"]
    assert reports["records"] == [
        {"date": "2026-08-03", "text": "王建国 2026年7月的月度汇报", "note": "已提交", "counted": True}
    ]
    assert reports["formula_text"].startswith("依据“月度汇报提交”,按应完成数的比例")
    assert "王建国" in reports["records"][0]["text"]
    assert reports["scores"] == []


def test_who_sees_a_result_sees_why_and_no_one_else(closed, result_a, secretary_a, secretary_b, member_a):
    for user in (secretary_a, member_a):
        response = _get(user, f"{RESULTS}{result_a.pk}/")
        assert response.status_code == 200
        body = response.json()
        assert [row["name"] for row in body["breakdown"]] == [
            "思想政治",
            "责任区工作",
            "月度汇报",
            "联系群众",
        ]
        assert body["breakdown"][0]["scores"][0]["points"] == "9.00"
    assert _get(secretary_b, f"{RESULTS}{result_a.pk}/").json() == NOT_FOUND
    assert _get(secretary_b, f"{RESULTS}99999999/").json() == NOT_FOUND


def test_an_open_rounds_result_shows_the_scores_so_far(secretary_a, round_, result_a):
    f.score(round_, result_a, "思想政治", 7, actor=secretary_a)
    body = _get(secretary_a, f"{RESULTS}{result_a.pk}/").json()
    assert (body["total"], body["rank"], body["round_status"]) == (None, None, "open")
    politics = body["breakdown"][0]
    assert (politics["score"], politics["points"]) == (None, None)
    assert [(s["points"], s["entered_by_name"], s["version"]) for s in politics["scores"]] == [
        ("7.00", "secretary_a", 1)
    ]


# --- revisions -------------------------------------------------------------------------------------------


def test_the_office_revises_a_published_result_and_the_old_numbers_stay(office, closed, result_a, round_):
    services.round_transition(actor=SYSTEM, round_=closed, action="publish")
    result_a.refresh_from_db()
    before = result_a.total
    politics = _indicator(round_, "思想政治")
    response = _post(
        office,
        f"{RESULTS}{result_a.pk}/revise/",
        {
            "changes": [{"indicator": politics.pk, "source": "organisation", "points": "5"}],
            "reason": "复核更正",
        },
    )
    assert response.status_code == 201, response.content
    body = response.json()
    result_a.refresh_from_db()
    assert (body["number"], body["reason"], body["total_before"], body["total_after"]) == (
        1,
        "复核更正",
        str(before),
        str(result_a.total),
    )
    assert body["changes"] == [
        {
            "indicator": politics.key,
            "name": "思想政治",
            "source": "organisation",
            "before": "9.00",
            "after": "5.00",
        }
    ]
    assert result_a.total == before - Decimal("12")
    assert {row["name"] for row in body["breakdown_before"]} >= {"思想政治", "月度汇报"}
    detail = _get(office, f"{RESULTS}{result_a.pk}/").json()
    assert (detail["revision"], detail["revisions"][0]["total_before"]) == (1, str(before))


def test_a_revision_needs_a_reason(office, closed, result_a, round_):
    body = {
        "changes": [{"indicator": _indicator(round_, "思想政治").pk, "source": "organisation", "points": 5}]
    }
    for reason in ({}, {"reason": ""}, {"reason": "   "}):
        response = _post(office, f"{RESULTS}{result_a.pk}/revise/", {**body, **reason})
        assert response.status_code == 400
        assert response.json()["errors"] == {"reason": ["请填写修订原因。"]}
    assert not Revision.objects.exists()


def test_a_revision_of_an_open_round_or_a_foreign_indicator_is_refused(office, round_, result_a, scheme):
    change = {"indicator": _indicator(round_, "思想政治").pk, "source": "organisation", "points": 5}
    response = _post(office, f"{RESULTS}{result_a.pk}/revise/", {"changes": [change], "reason": "更正"})
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:评分中的考核直接修改评分即可,无需修订。"
    _close(round_)
    other = services.latest_version(f.member_scheme(round_.organisation, "另一方案"))
    foreign = {**change, "indicator": other.indicators.get(name="思想政治").pk}
    response = _post(
        office, f"{RESULTS}{result_a.pk}/revise/", {"changes": [change, foreign], "reason": "更正"}
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "changes": [{}, {"indicator": ["所选指标不属于本轮考核所用的方案版本。"]}]
    }
    assert not Revision.objects.exists()


def test_only_the_office_revises(closed, result_a, round_, secretary_a, secretary_b, member_a):
    body = {
        "changes": [{"indicator": _indicator(round_, "思想政治").pk, "source": "organisation", "points": 10}],
        "reason": "自己改",
    }
    assert _post(secretary_a, f"{RESULTS}{result_a.pk}/revise/", body).json() == FORBIDDEN
    assert _post(member_a, f"{RESULTS}{result_a.pk}/revise/", body).status_code == 403
    assert _post(secretary_b, f"{RESULTS}{result_a.pk}/revise/", body).json() == NOT_FOUND
    assert not Revision.objects.exists()


# --- a fixed number of queries ---------------------------------------------------------------------------


def _queries(user, url, params=None) -> int:
    client = api_client(user)
    client.get(url, params or {})  # warm up: the token and the scope of the user
    with CaptureQueriesContext(connection) as queries:
        response = client.get(url, params or {})
    assert response.status_code == 200
    return len(queries)


def test_the_lists_run_a_fixed_number_of_queries(office, secretary_a, world, scheme):
    small = f.quarter_round(scheme, world.committee, quarter=1)
    _close(small)
    for i in range(6):
        org_factories.member(world.branch_a, f"党员{i}")
    f.member_scheme(world.committee, "另一方案")
    large = f.quarter_round(scheme, world.committee, quarter=2)
    _close(large)
    assert large.results.count() == small.results.count() + 6
    for user in (office, secretary_a):
        assert _queries(user, RESULTS, {"round": small.pk}) == _queries(user, RESULTS, {"round": large.pk})
    few = _queries(office, ROUNDS)
    f.quarter_round(scheme, world.committee, quarter=3)
    assert _queries(office, ROUNDS) == few
    schemes = _queries(office, SCHEMES)
    f.member_scheme(world.committee, "第三方案")
    assert _queries(office, SCHEMES) == schemes
