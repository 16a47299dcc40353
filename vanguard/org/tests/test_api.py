"""The org endpoints under /api/v1/: organisations, cells, people, members. Each works for its role, answers
404 for the other branch exactly as for a missing object, asks for a token and checks the method; a foreign
key out of scope changes nothing; the member list pins its query count."""

from __future__ import annotations

import datetime as dt
import json

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.org.models import Cell, Member, Person
from vanguard.org.tests import factories
from vanguard.org.tests.factories import snapshot, valid_id_number

MEMBERS = "/api/v1/members/"
PEOPLE = "/api/v1/people/"
ORGANISATIONS = "/api/v1/organisations/"
CELLS = "/api/v1/cells/"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}


def member_url(member: Member) -> str:
    return f"{MEMBERS}{member.pk}/"


def names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {row["name"] for row in response.json()["results"]}


def persona(request, name: str):
    return request.getfixturevalue(name)


# --- members: reading ----------------------------------------------------------------------------------


def test_the_member_list_is_paginated(world, office):
    for i in range(3):
        factories.member(world.branch_a, f"党员{i}")
    response = api_client(office).get(MEMBERS, {"page_size": 2})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"count", "next", "previous", "results"}
    assert body["count"] == 5
    assert len(body["results"]) == 2
    assert body["previous"] is None
    assert "page=2" in body["next"]
    last = api_client(office).get(MEMBERS, {"page_size": 2, "page": 3}).json()
    assert last["next"] is None
    assert len(last["results"]) == 1


def test_a_page_past_the_end_is_a_json_404(world, office):
    response = api_client(office).get(MEMBERS, {"page": 9})
    assert response.status_code == 404
    assert response.json()["detail"]


def test_a_member_is_shown_with_masked_numbers(world, office):
    world.member_a.person.id_number = valid_id_number("19800101")
    world.member_a.person.save()
    world.member_a.person.strengths.create(name="维修")
    response = api_client(office).get(member_url(world.member_a))
    assert response.status_code == 200
    body = response.json()
    assert body == {
        "id": world.member_a.pk,
        "person": world.member_a.person_id,
        "name": "王建国",
        "gender": "",
        "birth_date": "1980-01-01",
        "organisation": world.branch_a.pk,
        "organisation_name": "一分公司党支部",
        "status": "full",
        "category": "in_service",
        "join_date": "2010-07-01",
        "badge_no": "",
        "occupation": "驾驶员",
        "strengths": ["维修"],
        "workplace": world.team.pk,
        "residence": world.community.pk,
        "mobile": "138****5678",
        "id_number": "110***********" + world.member_a.person.id_number[-4:],
    }


def test_full_numbers_never_leave_the_api(world, office):
    content = api_client(office).get(MEMBERS).content.decode()
    assert "13812345678" not in content
    assert "138****5678" in content


@pytest.mark.parametrize("query", ["wjg", "WJG", "wangjianguo", "wangj", "王建", "13812345678"])
def test_members_are_found_by_name_pinyin_initials_or_mobile(world, office, query):
    assert names(api_client(office).get(MEMBERS, {"q": query})) == {"王建国"}


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "branch_a"}, {"王建国", "赵六"}),
        ({"organisation": "group_a"}, {"赵六"}),
        ({"organisation": "committee"}, {"王建国", "赵六", "李红梅"}),
        ({"residence": "other_community"}, {"李红梅"}),
        ({"residence": "street"}, {"王建国", "李红梅"}),
        ({"category": Member.Category.RETIRED}, {"赵六"}),
        ({"status": Member.Status.PROBATIONARY}, {"赵六"}),
        ({"occupation": "教师"}, {"李红梅"}),
        ({"organisation": "branch_a", "occupation": "驾驶员"}, {"王建国"}),
        ({"category": "", "q": ""}, {"王建国", "赵六", "李红梅"}),
    ],
)
def test_the_member_list_filters(world, office, params, expected):
    factories.member(
        world.group_a, "赵六", category=Member.Category.RETIRED, status=Member.Status.PROBATIONARY
    )
    query = {
        k: (getattr(world, v).pk if k in ("organisation", "residence") else v) for k, v in params.items()
    }
    assert names(api_client(office).get(MEMBERS, query)) == expected


@pytest.mark.parametrize(
    ("params", "field"),
    [
        ({"category": "nonsense"}, "category"),
        ({"organisation": "abc"}, "organisation"),
        ({"organisation": "99999999999999999999999"}, "organisation"),
        ({"residence": "0"}, "residence"),
        ({"q": "x" * 51}, "q"),
    ],
)
def test_a_bad_filter_is_a_400_naming_the_field(world, office, params, field):
    response = api_client(office).get(MEMBERS, params)
    assert response.status_code == 400
    assert field in response.json()["errors"]


def test_filtering_by_another_branch_answers_as_for_a_missing_one(world, secretary_a):
    client = api_client(secretary_a)
    other = client.get(MEMBERS, {"organisation": world.branch_b.pk})
    missing = client.get(MEMBERS, {"organisation": 999999})
    assert other.status_code == missing.status_code == 400
    assert other.json() == missing.json()


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("office", {"王建国", "李红梅"}),
        ("secretary_a", {"王建国"}),
        ("secretary_b", {"李红梅"}),
        ("supervisor", {"王建国"}),
        ("community_worker", {"王建国"}),  # member A lives in their community
        ("member_a", {"王建国"}),  # a member sees themself only
    ],
)
def test_the_member_list_shows_what_the_role_reaches(request, world, who, sees):
    assert names(api_client(persona(request, who)).get(MEMBERS)) == sees


def test_an_auditor_reads_no_business_data(world, auditor):
    client = api_client(auditor)
    for url in (MEMBERS, member_url(world.member_a), PEOPLE, ORGANISATIONS, CELLS):
        response = client.get(url)
        assert response.status_code == 403, url
        assert response.json()["detail"]


@pytest.mark.parametrize("url", [MEMBERS, PEOPLE, ORGANISATIONS, CELLS, "/api/v1/members/1/"])
@pytest.mark.django_db
def test_anonymous_callers_get_401_in_chinese(url):
    response = api_client().get(url)
    assert response.status_code == 401
    assert response["WWW-Authenticate"] == "Token"
    assert "Authorization: Token" in response.json()["detail"]


def test_a_member_of_another_branch_is_a_404_like_a_missing_one(world, secretary_a):
    client = api_client(secretary_a)
    other = client.get(member_url(world.member_b))
    missing = client.get(f"{MEMBERS}999999/")
    assert other.status_code == missing.status_code == 404
    assert other.json() == missing.json() == NOT_FOUND


def test_a_member_reads_their_own_record_only(world, member_a):
    client = api_client(member_a)
    assert client.get(member_url(world.member_a)).status_code == 200
    assert client.get(member_url(world.member_b)).status_code == 404


def test_the_member_list_runs_a_fixed_number_of_queries(world, office):
    def count_queries() -> int:
        client = api_client(office)
        with CaptureQueriesContext(connection) as queries:
            response = client.get(MEMBERS, {"page_size": 100})
        assert response.status_code == 200
        return len(queries)

    strength = factories.person("临时").strengths.create(name="文艺")
    for i in range(3):
        factories.member(world.branch_a, f"甲{i}", residence=world.community).person.strengths.add(strength)
    five = count_queries()
    for i in range(45):
        factories.member(world.branch_b, f"乙{i}", workplace=world.team).person.strengths.add(strength)
    assert api_client(office).get(MEMBERS).json()["count"] == 50
    assert count_queries() == five


def test_the_people_list_runs_a_fixed_number_of_queries(world, office):
    def count_queries() -> int:
        client = api_client(office)
        with CaptureQueriesContext(connection) as queries:
            assert client.get(PEOPLE).status_code == 200
        return len(queries)

    few = count_queries()
    for i in range(30):
        factories.member(world.branch_a, f"丙{i}")
    assert count_queries() == few


# --- members: writing ----------------------------------------------------------------------------------


def test_a_secretary_updates_a_member_of_their_branch(world, secretary_a):
    response = api_client(secretary_a).patch(
        member_url(world.member_a),
        {"occupation": "调度员", "mobile": "13900001111", "strengths": ["维修", "文艺", "维修"]},
        format="json",
    )
    assert response.status_code == 200, response.content
    assert response.json()["mobile"] == "139****1111"
    person = Person.objects.get(pk=world.member_a.person_id)
    assert person.occupation == "调度员"
    assert person.mobile == "13900001111"
    assert sorted(person.strengths.values_list("name", flat=True)) == ["文艺", "维修"]


def test_sending_back_a_masked_number_leaves_it_unchanged(world, secretary_a):
    client = api_client(secretary_a)
    shown = client.get(member_url(world.member_a)).json()
    response = client.put(member_url(world.member_a), {**shown, "badge_no": "A-001"}, format="json")
    assert response.status_code == 200, response.content
    person = Person.objects.get(pk=world.member_a.person_id)
    assert person.mobile == "13812345678"
    assert Member.objects.get(pk=world.member_a.pk).badge_no == "A-001"


def test_moving_a_member_into_another_branch_is_refused_and_changes_nothing(world, secretary_a):
    before = snapshot(world.member_a)
    response = api_client(secretary_a).patch(
        member_url(world.member_a), {"organisation": world.branch_b.pk, "occupation": "调度员"}, format="json"
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}
    assert snapshot(world.member_a) == before


def test_a_member_of_another_branch_cannot_be_patched(world, secretary_a):
    before = snapshot(world.member_b)
    response = api_client(secretary_a).patch(member_url(world.member_b), {"occupation": "x"}, format="json")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert snapshot(world.member_b) == before


@pytest.mark.parametrize("who", ["supervisor", "community_worker", "member_a"])
def test_roles_that_read_cannot_write(request, world, who):
    client = api_client(persona(request, who))
    before = snapshot(world.member_a)
    assert client.get(member_url(world.member_a)).status_code == 200
    response = client.patch(member_url(world.member_a), {"occupation": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"]
    assert snapshot(world.member_a) == before


def test_errors_from_the_model_come_back_per_field_in_chinese(world, secretary_a):
    before = snapshot(world.member_a)
    response = api_client(secretary_a).patch(
        member_url(world.member_a), {"join_date": "1990-01-01"}, format="json"
    )
    assert response.status_code == 400
    body = response.json()
    assert "年满18岁" in body["errors"]["join_date"][0]
    assert body["detail"].startswith("请求数据有误")
    assert snapshot(world.member_a) == before


@pytest.mark.parametrize(
    ("field", "value", "words"),
    [
        ("id_number", "123", "18位"),
        ("mobile", "12345678901", "手机号"),
        ("birth_date", "2999-01-01", "晚于今天"),
        ("gender", "X", "不是合法选项"),
        ("residence", 99999999, "不存在"),
        ("name", "", "不能为空"),
    ],
)
def test_bad_input_is_named_field_by_field(world, secretary_a, field, value, words):
    before = snapshot(world.member_a)
    response = api_client(secretary_a).patch(member_url(world.member_a), {field: value}, format="json")
    assert response.status_code == 400
    assert words in response.json()["errors"][field][0]
    assert snapshot(world.member_a) == before


def test_a_put_needs_the_required_fields(world, secretary_a):
    response = api_client(secretary_a).put(member_url(world.member_a), {"occupation": "x"}, format="json")
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"name", "organisation"}


def test_a_secretary_creates_a_member_in_their_branch(world, secretary_a):
    number = valid_id_number("19900315", "021")
    response = api_client(secretary_a).post(
        MEMBERS,
        {
            "name": "张三",
            "gender": "M",
            "id_number": number,
            "mobile": "13700001234",
            "organisation": world.group_a.pk,
            "status": "probationary",
            "join_date": "2020-07-01",
            "residence": world.community.pk,
            "workplace": world.team.pk,
            "occupation": "维修工",
            "strengths": ["维修"],
        },
        format="json",
    )
    assert response.status_code == 201, response.content
    body = response.json()
    member = Member.objects.select_related("person").get(pk=body["id"])
    assert member.organisation == world.group_a
    assert member.person.id_number == number
    assert member.person.birth_date is None
    assert body["organisation_name"] == "第一党小组"
    assert body["mobile"] == "137****1234"
    assert body["strengths"] == ["维修"]


def test_creating_a_member_in_another_branch_is_refused_and_creates_nothing(world, secretary_a):
    people = Person.objects.count()
    response = api_client(secretary_a).post(
        MEMBERS, {"name": "张三", "organisation": world.branch_b.pk}, format="json"
    )
    assert response.status_code == 400
    assert "organisation" in response.json()["errors"]
    assert Person.objects.count() == people


@pytest.mark.parametrize("who", ["supervisor", "community_worker", "member_a"])
def test_roles_that_read_cannot_create_members(request, world, who):
    response = api_client(persona(request, who)).post(
        MEMBERS, {"name": "张三", "organisation": world.branch_a.pk}, format="json"
    )
    assert response.status_code == 403


def test_a_member_cannot_be_deleted_through_the_api(world, office):
    response = api_client(office).delete(member_url(world.member_a))
    assert response.status_code == 405
    assert "DELETE" in response.json()["detail"]
    assert Member.objects.filter(pk=world.member_a.pk).exists()


@pytest.mark.parametrize(
    ("method", "url"),
    [("post", ORGANISATIONS), ("post", CELLS), ("delete", PEOPLE + "1/"), ("patch", ORGANISATIONS + "1/")],
)
def test_methods_that_are_not_offered_answer_405(world, office, method, url):
    response = getattr(api_client(office), method)(url, {}, format="json")
    assert response.status_code == 405
    assert method.upper() in response.json()["detail"]


def test_a_body_that_is_not_json_is_a_readable_400(world, secretary_a):
    response = api_client(secretary_a).generic(
        "PATCH", member_url(world.member_a), "{not json", content_type="application/json"
    )
    assert response.status_code == 400
    assert response.json()["detail"]


def test_a_body_that_is_not_an_object_is_a_readable_400(world, secretary_a):
    response = api_client(secretary_a).generic(
        "PATCH", member_url(world.member_a), json.dumps([1, 2]), content_type="application/json"
    )
    assert response.status_code == 400
    assert "non_field_errors" in response.json()["errors"]


# --- organisations and cells ---------------------------------------------------------------------------


def test_a_secretary_sees_their_branch_and_its_groups(world, secretary_a):
    body = api_client(secretary_a).get(ORGANISATIONS).json()
    rows = {row["name"]: row for row in body["results"]}
    assert set(rows) == {"一分公司党支部", "第一党小组"}
    # The committee above is out of sight: no id that leads nowhere.
    assert rows["一分公司党支部"]["parent"] is None
    assert rows["第一党小组"]["parent"] == world.branch_a.pk
    assert rows["一分公司党支部"]["kind"] == "branch"
    assert rows["一分公司党支部"]["children_count"] == 1


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"parent": "committee"}, {"一分公司党支部", "二分公司党支部"}),
        ({"parent": "branch_a"}, {"第一党小组"}),
        ({"kind": "branch"}, {"一分公司党支部", "二分公司党支部"}),
        ({"kind": "committee"}, {"公交公司党委"}),
    ],
)
def test_the_organisation_list_filters(world, office, params, expected):
    query = {k: (getattr(world, v).pk if k == "parent" else v) for k, v in params.items()}
    assert names(api_client(office).get(ORGANISATIONS, query)) == expected


def test_an_organisation_out_of_scope_is_a_404(world, secretary_a):
    client = api_client(secretary_a)
    assert client.get(f"{ORGANISATIONS}{world.branch_a.pk}/").status_code == 200
    assert client.get(f"{ORGANISATIONS}{world.branch_b.pk}/").json() == NOT_FOUND
    assert client.get(f"{ORGANISATIONS}{world.committee.pk}/").status_code == 404


def test_a_member_sees_no_organisations(world, member_a):
    assert names(api_client(member_a).get(ORGANISATIONS)) == set()


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"parent": "street"}, {"南园社区", "新风社区"}),
        ({"parent": "company"}, {"一车队"}),
        ({"kind": "street"}, {"东风街道"}),
        ({"kind": "community", "parent": "street"}, {"南园社区", "新风社区"}),
    ],
)
def test_the_grid_list_filters(world, community_worker, params, expected):
    query = {k: (getattr(world, v).pk if k == "parent" else v) for k, v in params.items()}
    assert names(api_client(community_worker).get(CELLS, query)) == expected


def test_a_cell_is_shown_with_its_type(world, secretary_a):
    body = api_client(secretary_a).get(f"{CELLS}{world.community.pk}/").json()
    assert body["name"] == "南园社区"
    assert body["kind"] == "community"
    assert body["community_type"] == "learning"
    assert body["parent"] == world.street.pk
    assert body["depth"] == 2


# --- people --------------------------------------------------------------------------------------------


def test_people_are_found_by_pinyin(world, office):
    factories.member(world.branch_b, "王芳")
    assert names(api_client(office).get(PEOPLE, {"q": "wjg"})) == {"王建国"}
    assert names(api_client(office).get(PEOPLE, {"q": "wang"})) == {"王建国", "王芳"}


def test_a_person_is_shown_masked_with_their_membership(world, office):
    body = api_client(office).get(f"{PEOPLE}{world.member_a.person_id}/").json()
    assert body["name"] == "王建国"
    assert body["mobile"] == "138****5678"
    assert body["member"] == world.member_a.pk


def test_a_community_worker_registers_a_resident_of_their_community(world, community_worker):
    response = api_client(community_worker).post(
        PEOPLE, {"name": "刘大妈", "residence": world.community.pk, "strengths": ["编织"]}, format="json"
    )
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["member"] is None
    assert body["strengths"] == ["编织"]
    # ... and can read and change them afterwards.
    url = f"{PEOPLE}{body['id']}/"
    assert api_client(community_worker).get(url).status_code == 200
    patched = api_client(community_worker).patch(url, {"occupation": "退休"}, format="json")
    assert patched.status_code == 200
    assert Person.objects.get(pk=body["id"]).occupation == "退休"


def test_a_community_worker_cannot_put_a_resident_outside_their_grid(world, community_worker):
    people = Person.objects.count()
    client = api_client(community_worker)
    response = client.post(PEOPLE, {"name": "刘大妈", "residence": world.other_community.pk}, format="json")
    assert response.status_code == 400
    assert "residence" in response.json()["errors"]
    assert Person.objects.count() == people
    resident = factories.person("赵大爷", residence=world.community)
    moved = client.patch(f"{PEOPLE}{resident.pk}/", {"residence": world.other_community.pk}, format="json")
    assert moved.status_code == 400
    assert Person.objects.get(pk=resident.pk).residence == world.community


def test_a_community_worker_cannot_change_a_members_person_record(world, community_worker):
    response = api_client(community_worker).patch(
        f"{PEOPLE}{world.member_a.person_id}/", {"occupation": "x"}, format="json"
    )
    assert response.status_code == 403


def test_a_secretary_changes_the_person_record_of_their_member(world, secretary_a):
    response = api_client(secretary_a).patch(
        f"{PEOPLE}{world.member_a.person_id}/", {"birth_date": "1981-02-03"}, format="json"
    )
    assert response.status_code == 200, response.content
    assert Person.objects.get(pk=world.member_a.person_id).birth_date == dt.date(1981, 2, 3)


def test_the_person_of_another_branch_is_a_404(world, secretary_a):
    response = api_client(secretary_a).patch(
        f"{PEOPLE}{world.member_b.person_id}/", {"occupation": "x"}, format="json"
    )
    assert response.status_code == 404
    assert Person.objects.get(pk=world.member_b.person_id).occupation == "教师"


@pytest.mark.parametrize("who", ["supervisor", "member_a", "auditor"])
def test_roles_that_read_cannot_register_people(request, world, who):
    people = Person.objects.count()
    response = api_client(persona(request, who)).post(
        PEOPLE, {"name": "刘大妈", "residence": world.community.pk}, format="json"
    )
    assert response.status_code == 403
    assert Person.objects.count() == people


def test_a_secretary_may_not_register_a_resident_they_could_not_see_afterwards(world, secretary_a):
    # Residents are their community's to keep; a secretary's contacts come with the contacts feature.
    response = api_client(secretary_a).post(
        PEOPLE, {"name": "刘大妈", "residence": world.community.pk, "mobile": "13600001111"}, format="json"
    )
    assert response.status_code == 403, response.content
    assert not Person.objects.filter(name="刘大妈").exists()


def test_a_community_worker_registers_a_resident_and_is_shown_what_was_written(world, community_worker):
    response = api_client(community_worker).post(
        PEOPLE, {"name": "刘大妈", "residence": world.community.pk, "mobile": "13600001111"}, format="json"
    )
    assert response.status_code == 201, response.content
    assert response.json()["mobile"] == "136****1111"
    assert Person.objects.get(pk=response.json()["id"]).mobile == "13600001111"
    assert api_client(community_worker).get(f"{PEOPLE}{response.json()['id']}/").status_code == 200


def test_a_community_worker_sees_the_residents_of_their_grid_only(world, community_worker):
    factories.person("本社区居民", residence=world.community)
    factories.person("外社区居民", residence=world.other_community)
    seen = names(api_client(community_worker).get(PEOPLE))
    assert "本社区居民" in seen
    assert "外社区居民" not in seen
    assert Cell.objects.count() == len(api_client(community_worker).get(CELLS).json()["results"])
