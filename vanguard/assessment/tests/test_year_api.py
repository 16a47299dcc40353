"""The year's API: roll-ups and their ranking, branch reviews, rectifications (list, create, done) and the
appraisal (entries, a secret vote, the conclusion). Same rules as the pages: another branch's object is a 404
like a missing one, bad input a 400 naming the field, lists pinned in their query count."""

from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.assessment import services_appraisal, services_year
from vanguard.assessment.models import AppraisalVote, Rectification, Rollup
from vanguard.conftest import _user
from vanguard.org.tests import factories as org_factories

from . import year_factories as y

pytestmark = pytest.mark.django_db
API = "/api/v1/assessment"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}


@pytest.fixture(autouse=True)
def in_december(time_machine):
    time_machine.move_to(dt.datetime(2026, 12, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai")), tick=False)


@pytest.fixture
def zhao(world):
    member = org_factories.member(world.group_a, "赵小组")
    user = _user("zhao", Role.MEMBER)
    member.person.user = user
    member.person.save()
    return user


# --- roll-ups -----------------------------------------------------------------------------------------------


def test_the_office_reads_a_roll_up_and_its_ranking(world, office):
    q1, q2 = y.two_quarters(world)
    rollup = services_year.rollup_compute(actor=SYSTEM, rollup=y.rollup(world, [q1, q2], [1, 3]))
    client = api_client(office)
    listing = client.get(f"{API}/rollups/", {"year": 2026}).json()
    assert listing["count"] == 1
    body = listing["results"][0]
    assert (body["name"], body["recommendation"], body["target_kind"]) == (
        rollup.name,
        "优秀共产党员",
        "member",
    )
    assert [p["weight"] for p in body["parts"]] == ["1.00", "3.00"]
    ranking = client.get(f"{API}/rollups/{rollup.pk}/results/").json()
    assert [r["rank"] for r in ranking["results"]] == [1, 2]
    assert set(ranking["results"][0]) >= {
        "name",
        "total",
        "rounds",
        "data_points",
        "recommended",
        "unit_name",
    }
    recommended = client.get(f"{API}/rollups/{rollup.pk}/results/", {"recommended": "true"}).json()
    assert recommended["count"] == 1


def test_a_secretary_sees_their_branchs_rows_and_another_branch_gets_404(world, secretary_a, secretary_b):
    q1, q2 = y.two_quarters(world)
    rollup = services_year.rollup_compute(actor=SYSTEM, rollup=y.rollup(world, [q1, q2]))
    rows = api_client(secretary_a).get(f"{API}/rollups/{rollup.pk}/results/").json()["results"]
    assert [r["name"] for r in rows] == ["王建国"]
    branch_rollup = y.sweep_rollup(world)
    response = api_client(secretary_b).get(f"{API}/rollups/{branch_rollup.pk}/")
    assert (response.status_code, response.json()) == (404, NOT_FOUND)
    assert api_client(secretary_b).get(f"{API}/rollups/{branch_rollup.pk}/results/").status_code == 404


def test_the_roll_up_list_runs_a_fixed_number_of_queries(world, office):
    client = api_client(office)
    y.sweep_rollup(world)
    client.get(f"{API}/rollups/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/rollups/")
    for i in range(8):
        Rollup.objects.create(organisation=world.committee, year=2026, target_kind="member", name=f"汇总{i}")
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"{API}/rollups/").json()["count"] == 9
    assert len(more) == len(few)


def test_bad_filters_are_a_400(world, office):
    response = api_client(office).get(f"{API}/rollups/", {"year": "今年"})
    assert response.status_code == 400 and list(response.json()["errors"]) == ["year"]


# --- branch reviews -----------------------------------------------------------------------------------------


def test_the_branch_reviews_are_ranked(world, office, secretary_b):
    y.review(world, world.branch_a, listen_points=5)
    y.review(world, world.branch_b, listen_points=25)
    body = api_client(office).get(f"{API}/branch-reviews/", {"year": 2026}).json()
    assert [(r["organisation_name"], r["rank"], r["total"]) for r in body["results"]] == [
        ("二分公司党支部", 1, "85.00"),
        ("一分公司党支部", 2, "65.00"),
    ]
    review_a = y.sweep_review(world)
    assert api_client(secretary_b).get(f"{API}/branch-reviews/{review_a.pk}/").status_code == 404
    names = [
        r["organisation_name"]
        for r in api_client(secretary_b).get(f"{API}/branch-reviews/").json()["results"]
    ]
    assert names == ["二分公司党支部"]


# --- rectifications -----------------------------------------------------------------------------------------


def test_the_secretary_creates_a_rectification_and_marks_it_done(world, secretary_a):
    client = api_client(secretary_a)
    response = client.post(
        f"{API}/rectifications/",
        {"member": world.member_a.pk, "problem": "汇报迟交", "deadline": "2027-01-10"},
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert (body["member_name"], body["status"], body["overdue"], body["notes"]) == (
        "王建国",
        "open",
        False,
        [],
    )
    done = client.post(f"{API}/rectifications/{body['id']}/done/", {"note": "已补交"}, format="json")
    assert done.status_code == 200
    assert (done.json()["status"], done.json()["done_on"]) == ("done", "2026-12-15")
    assert [n["note"] for n in done.json()["notes"]] == ["已补交"]
    again = client.post(f"{API}/rectifications/{body['id']}/done/", {}, format="json")
    assert again.status_code == 400
    assert again.json()["detail"] == "请求数据有误:该整改已于2026-12-15完成,不能再修改。"


@pytest.mark.parametrize(
    ("body", "field"),
    [
        ({"problem": "x", "deadline": "2027-01-10"}, "member"),
        ({"member": 0, "problem": "x", "deadline": "2027-01-10"}, "member"),
        ({"member": "MEMBER", "deadline": "2027-01-10"}, "problem"),
        ({"member": "MEMBER", "problem": "x", "deadline": "明天"}, "deadline"),
        ({"member": "MEMBER", "problem": "x", "deadline": "2026-12-01"}, "deadline"),
    ],
)
def test_bad_input_is_a_400_naming_the_field(world, secretary_a, body, field):
    body = {k: (world.member_a.pk if v == "MEMBER" else v) for k, v in body.items()}
    response = api_client(secretary_a).post(f"{API}/rectifications/", body, format="json")
    assert response.status_code == 400
    assert field in response.json()["errors"]
    assert not Rectification.objects.exists()


def test_a_member_of_another_branch_is_refused_like_a_missing_one(world, secretary_a):
    response = api_client(secretary_a).post(
        f"{API}/rectifications/",
        {"member": world.member_b.pk, "problem": "x", "deadline": "2027-01-10"},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["所选党员不存在或不在您的可见范围内。"]}


@pytest.mark.parametrize("persona", ["member_a", "supervisor", "community_worker"])
def test_only_a_branch_editor_creates(world, persona, request):
    response = api_client(request.getfixturevalue(persona)).post(
        f"{API}/rectifications/",
        {"member": world.member_a.pk, "problem": "x", "deadline": "2027-01-10"},
        format="json",
    )
    assert response.status_code == 403
    assert not Rectification.objects.exists()


def test_the_member_lists_their_own_and_cannot_mark_done(world, member_a, secretary_b):
    mine = y.rectification(world.member_a, deadline=dt.date(2027, 1, 1))
    y.rectification(world.member_b, deadline=dt.date(2027, 1, 1))
    client = api_client(member_a)
    assert [r["id"] for r in client.get(f"{API}/rectifications/").json()["results"]] == [mine.pk]
    assert client.post(f"{API}/rectifications/{mine.pk}/done/", {}, format="json").status_code == 403
    other = api_client(secretary_b)
    assert other.get(f"{API}/rectifications/{mine.pk}/").status_code == 404
    assert other.post(f"{API}/rectifications/{mine.pk}/done/", {}, format="json").status_code == 404


def test_the_rectification_list_runs_a_fixed_number_of_queries(world, office):
    client = api_client(office)
    y.rectification(world.member_a, deadline=dt.date(2027, 1, 1))
    client.get(f"{API}/rectifications/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/rectifications/")
    for i in range(10):
        y.rectification(org_factories.member(world.branch_b, f"党员{i}"), deadline=dt.date(2027, 1, 1))
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"{API}/rectifications/", {"status": "open"}).json()["count"] == 11
    assert len(more) == len(few)


# --- appraisals ---------------------------------------------------------------------------------------------


def test_a_member_votes_and_reads_only_their_own_vote(world, member_a, zhao, secretary_a):
    appraisal = y.appraisal(world.branch_a)
    zhao_entry = appraisal.entries.get(member__person__name="赵小组")
    client = api_client(member_a)
    response = client.post(
        f"{API}/appraisal-entries/{zhao_entry.pk}/vote/", {"grade": "excellent"}, format="json"
    )
    assert (response.status_code, response.json()) == (200, {"entry": zhao_entry.pk, "grade": "excellent"})
    rows = {
        r["member_name"]: r for r in client.get(f"{API}/appraisals/{appraisal.pk}/entries/").json()["results"]
    }
    assert rows["赵小组"]["my_vote"] == "excellent"
    assert rows["赵小组"]["votes"] is None and rows["赵小组"]["paper"] is None
    # 赵小组 does not learn who voted what, nor the tally.
    theirs = {
        r["member_name"]: r
        for r in api_client(zhao).get(f"{API}/appraisals/{appraisal.pk}/entries/").json()["results"]
    }
    assert theirs["赵小组"]["votes"] is None and theirs["赵小组"]["my_vote"] == ""
    # The secretary reads the tally.
    tallies = {
        r["member_name"]: r
        for r in api_client(secretary_a).get(f"{API}/appraisals/{appraisal.pk}/entries/").json()["results"]
    }
    assert tallies["赵小组"]["votes"] == {"excellent": 1, "qualified": 0, "basic": 0, "unqualified": 0}
    assert tallies["赵小组"]["my_vote"] == ""


def test_a_vote_on_oneself_or_a_bad_grade_is_a_400(world, member_a, zhao):
    appraisal = y.appraisal(world.branch_a)
    own = appraisal.entries.get(member=world.member_a)
    zhao_entry = appraisal.entries.get(member__person__name="赵小组")
    client = api_client(member_a)
    response = client.post(f"{API}/appraisal-entries/{own.pk}/vote/", {"grade": "excellent"}, format="json")
    assert response.status_code == 400 and response.json()["errors"] == {
        "grade": ["不能给自己投票,请填写个人自评。"]
    }
    response = client.post(f"{API}/appraisal-entries/{zhao_entry.pk}/vote/", {"grade": "好"}, format="json")
    assert response.status_code == 400 and list(response.json()["errors"]) == ["grade"]
    assert not AppraisalVote.objects.exists()


def test_the_secretary_concludes_under_the_rule(world, office, secretary_a, secretary_b, member_a, zhao):
    appraisal = y.appraisal(world.branch_a)
    entry = appraisal.entries.get(member=world.member_a)
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=3, bar_unregistered=True
    )
    client = api_client(secretary_a)
    response = client.post(
        f"{API}/appraisal-entries/{entry.pk}/conclusion/", {"conclusion": "qualified"}, format="json"
    )
    assert response.status_code == 400
    assert "尚未到居住社区报到" in response.json()["errors"]["conclusion"][0]
    response = client.post(
        f"{API}/appraisal-entries/{entry.pk}/conclusion/",
        {"conclusion": "basic", "note": "未报到"},
        format="json",
    )
    assert response.status_code == 200
    assert (response.json()["conclusion"], response.json()["conclusion_note"]) == ("basic", "未报到")
    # Members read conclusions only once the appraisal is over.
    rows = api_client(zhao).get(f"{API}/appraisals/{appraisal.pk}/entries/").json()["results"]
    assert {r["conclusion"] for r in rows} == {""}
    assert (
        api_client(member_a)
        .post(f"{API}/appraisal-entries/{entry.pk}/conclusion/", {"conclusion": "excellent"}, format="json")
        .status_code
        == 403
    )
    assert (
        api_client(secretary_b)
        .post(f"{API}/appraisal-entries/{entry.pk}/conclusion/", {"conclusion": "excellent"}, format="json")
        .status_code
        == 404
    )
    assert api_client(secretary_b).get(f"{API}/appraisals/{appraisal.pk}/").status_code == 404


def test_the_appraisal_list_counts_the_concluded(world, secretary_a, zhao):
    appraisal = y.appraisal(world.branch_a)
    services_appraisal.appraisal_conclude(
        actor=secretary_a, entry=appraisal.entries.get(member=world.member_a), conclusion="qualified"
    )
    body = api_client(secretary_a).get(f"{API}/appraisals/").json()["results"][0]
    assert (body["entry_count"], body["concluded_count"], body["status"]) == (2, 1, "open")


def test_the_entries_run_a_fixed_number_of_queries(world, secretary_a, zhao):
    appraisal = y.appraisal(world.branch_a)
    client = api_client(secretary_a)
    client.get(f"{API}/appraisals/{appraisal.pk}/entries/")
    with CaptureQueriesContext(connection) as few:
        client.get(f"{API}/appraisals/{appraisal.pk}/entries/")
    for i in range(10):
        appraisal.entries.create(member=org_factories.member(world.branch_a, f"党员{i}"))
    with CaptureQueriesContext(connection) as more:
        assert client.get(f"{API}/appraisals/{appraisal.pk}/entries/").json()["count"] == 12
    assert len(more) == len(few)


@pytest.mark.parametrize(
    "path",
    ["/rollups/", "/branch-reviews/", "/rectifications/", "/appraisals/"],
)
def test_the_endpoints_need_a_token(world, path):
    assert api_client().get(f"{API}{path}").status_code == 401


def test_another_branch_cannot_vote_or_read_the_entries(world, member_a, zhao, secretary_b):
    appraisal = y.appraisal(world.branch_a)
    entry = appraisal.entries.get(member=world.member_a)
    outsider = _user("li", Role.MEMBER)
    world.member_b.person.user = outsider
    world.member_b.person.save()
    for user in (outsider, secretary_b):
        client = api_client(user)
        assert (
            client.post(
                f"{API}/appraisal-entries/{entry.pk}/vote/", {"grade": "basic"}, format="json"
            ).status_code
            == 404
        )
        assert client.get(f"{API}/appraisals/{appraisal.pk}/entries/").status_code == 404
    assert not AppraisalVote.objects.exists()
