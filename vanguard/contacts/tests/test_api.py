"""The contacts endpoints under /api/v1/contacts/. Each works for its role, answers 404 for the other branch
exactly as for a missing object, asks for a token and checks the method; a foreign key out of scope changes
nothing; a member logs talks with their own contacts; the lists pin their query counts."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.contacts.tests import factories
from vanguard.org.models import Person
from vanguard.org.tests import factories as org_factories

ASSIGNMENTS = "/api/v1/contacts/assignments/"
TALKS = "/api/v1/contacts/talks/"
BELOW_TWO = "/api/v1/contacts/below-two/"
NOT_VISITED = "/api/v1/contacts/not-visited/"
NOT_FOUND = {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}


def persona(request, name: str):
    return request.getfixturevalue(name)


def results(response) -> list[dict]:
    assert response.status_code == 200, response.content
    return response.json()["results"]


@pytest.fixture
def contact(world) -> ContactAssignment:
    assignment = factories.assignment(world.member_a, factories.resident("孙大妈", mobile="13700001111"))
    factories.talk(assignment, dt.date(2026, 4, 8), "谈了社区的垃圾分类。")
    return assignment


@pytest.fixture
def contact_b(world) -> ContactAssignment:
    return factories.assignment(world.member_b, factories.resident("周大爷"))


# --- assignments: reading --------------------------------------------------------------------------------


def test_an_assignment_reads_with_its_talk_summary_and_a_masked_mobile(world, secretary_a, contact):
    response = api_client(secretary_a).get(f"{ASSIGNMENTS}{contact.pk}/")
    assert response.status_code == 200
    assert response.json() == {
        "id": contact.pk,
        "member": world.member_a.pk,
        "member_name": "王建国",
        "organisation": world.branch_a.pk,
        "organisation_name": "一分公司党支部",
        "person": contact.person_id,
        "person_name": "孙大妈",
        "person_mobile": "137****1111",
        "person_residence": None,
        "kind": "key",
        "year": 2026,
        "assigned_on": "2026-01-10",
        "notes": "",
        "last_talk": "2026-04-08",
        "talk_count": 1,
        "visited_this_month": False,
    }


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("office", {"孙大妈", "周大爷"}),
        ("secretary_a", {"孙大妈"}),
        ("supervisor", {"孙大妈"}),
        ("member_a", {"孙大妈"}),
        ("secretary_b", {"周大爷"}),
        ("community_worker", set()),
    ],
)
def test_the_assignment_list_shows_what_the_role_reaches(request, world, contact, contact_b, who, sees):
    response = api_client(persona(request, who)).get(ASSIGNMENTS)
    assert {row["person_name"] for row in results(response)} == sees


def test_the_assignment_list_filters(world, office, contact, contact_b):
    factories.assignment(
        world.member_a, factories.resident("去年的"), year=2025, assigned_on=dt.date(2025, 2, 2)
    )
    factories.assignment(world.member_a, factories.activist(world.branch_a, "钱积极"), kind="cultivation")
    client = api_client(office)

    def names(**params) -> set[str]:
        return {row["person_name"] for row in results(client.get(ASSIGNMENTS, params))}

    assert names(member=world.member_a.pk) == {"孙大妈", "去年的", "钱积极"}
    assert names(member=world.member_a.pk, year=2025) == {"去年的"}
    assert names(kind="cultivation") == {"钱积极"}
    assert names(organisation=world.branch_b.pk) == {"周大爷"}


def test_a_filter_out_of_scope_is_refused(world, secretary_a):
    response = api_client(secretary_a).get(ASSIGNMENTS, {"member": world.member_b.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["所选党员不存在或不在您的管理范围内。"]}


@pytest.mark.parametrize("who", ["secretary_b", "community_worker", "member_a"])
def test_another_branchs_or_members_contact_is_a_404(request, world, contact, contact_b, who):
    target = contact_b if who == "member_a" else contact
    response = api_client(persona(request, who)).get(f"{ASSIGNMENTS}{target.pk}/")
    assert response.status_code == 404
    assert response.json() == NOT_FOUND
    assert api_client(persona(request, who)).get(f"{ASSIGNMENTS}999999/").json() == NOT_FOUND


@pytest.mark.parametrize("address", [ASSIGNMENTS, TALKS, BELOW_TWO, NOT_VISITED])
def test_every_endpoint_needs_a_token(world, address):
    response = api_client().get(address)
    assert response.status_code == 401
    assert "Authorization: Token" in response.json()["detail"]


@pytest.mark.parametrize("address", [ASSIGNMENTS, TALKS, BELOW_TWO, NOT_VISITED])
def test_an_auditor_or_a_login_without_a_role_reads_no_contacts(world, auditor, nobody, address):
    for user in (auditor, nobody):
        assert api_client(user).get(address).status_code == 403


# --- assignments: writing --------------------------------------------------------------------------------


def _new(member, **overrides) -> dict:
    body = {
        "member": member.pk,
        "new_person": {"name": "孙大妈", "mobile": "13700001111"},
        "kind": "household",
        "year": 2026,
        "assigned_on": "2026-05-20",
    }
    body.update(overrides)
    return body


def test_a_secretary_assigns_a_new_contact(world, secretary_a):
    body = _new(world.member_a)
    body["new_person"]["residence"] = world.community.pk
    response = api_client(secretary_a).post(ASSIGNMENTS, body, format="json")
    assert response.status_code == 201, response.content
    data = response.json()
    assert (data["person_name"], data["kind"], data["talk_count"], data["last_talk"]) == (
        "孙大妈",
        "household",
        0,
        None,
    )
    assert Person.objects.get(pk=data["person"]).residence == world.community


def test_a_secretary_assigns_an_activist_of_the_branch(world, secretary_a):
    activist = factories.activist(world.branch_a)
    body = _new(world.member_a, person=activist.pk, kind="cultivation")
    del body["new_person"]
    response = api_client(secretary_a).post(ASSIGNMENTS, body, format="json")
    assert response.status_code == 201
    assert response.json()["person"] == activist.pk


@pytest.mark.parametrize(
    ("field", "value", "message"),
    [
        ("member", "member_b", "所选党员不存在或不在您的管理范围内。"),
        ("person", "activist_b", "所选人员不存在或不在您的管理范围内。"),
    ],
)
def test_a_foreign_key_out_of_scope_is_refused_and_nothing_changes(world, secretary_a, field, value, message):
    activist_b = factories.activist(world.branch_b, "周外支")
    body = _new(world.member_a)
    if field == "member":
        body["member"] = world.member_b.pk
    else:
        del body["new_person"]
        body["person"] = activist_b.pk
    people = Person.objects.count()
    response = api_client(secretary_a).post(ASSIGNMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {field: [message]}
    assert not ContactAssignment.objects.exists() and Person.objects.count() == people


@pytest.mark.parametrize("who", ["supervisor", "member_a"])
def test_those_who_read_do_not_assign(request, world, who):
    response = api_client(persona(request, who)).post(ASSIGNMENTS, _new(world.member_a), format="json")
    assert response.status_code == 403
    assert not ContactAssignment.objects.exists()
    assert not Person.objects.filter(name="孙大妈").exists()


def test_the_services_rules_answer_in_words(world, secretary_a, contact):
    client = api_client(secretary_a)
    body = _new(world.member_a, person=contact.person_id)
    del body["new_person"]
    response = client.post(ASSIGNMENTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:孙大妈已是王建国2026年的联系对象。"
    late = _new(world.member_a, assigned_on="2026-05-21", new_person={"name": "李大姐"})
    response = client.post(ASSIGNMENTS, late, format="json")
    assert response.json()["errors"] == {"assigned_on": ["日期不能晚于今天。"]}
    response = client.post(ASSIGNMENTS, {**_new(world.member_a), "person": contact.person_id}, format="json")
    assert response.json()["errors"] == {"person": ["请选择一名已有人员,或填写新联系对象的姓名(二者选一)。"]}
    assert ContactAssignment.objects.count() == 1


def test_a_secretary_changes_an_assignment_and_others_may_not(
    world, secretary_a, secretary_b, supervisor, member_a, contact
):
    response = api_client(secretary_a).patch(
        f"{ASSIGNMENTS}{contact.pk}/", {"kind": "household"}, format="json"
    )
    assert response.status_code == 200 and response.json()["kind"] == "household"
    assert response.json()["assigned_on"] == "2026-01-10"
    assert api_client(secretary_b).patch(f"{ASSIGNMENTS}{contact.pk}/", {"kind": "key"}).status_code == 404
    for user in (supervisor, member_a):
        assert api_client(user).patch(f"{ASSIGNMENTS}{contact.pk}/", {"kind": "key"}).status_code == 403
    contact.refresh_from_db()
    assert contact.kind == "household"


def test_an_update_does_not_move_the_contact_to_another_member(world, secretary_a, contact):
    body = {"kind": "key", "assigned_on": "2026-01-10", "member": world.member_b.pk, "person": 1}
    response = api_client(secretary_a).put(f"{ASSIGNMENTS}{contact.pk}/", body, format="json")
    assert response.status_code == 200
    contact.refresh_from_db()
    assert contact.member == world.member_a


def test_a_secretary_removes_a_contact_with_its_talks(world, secretary_a, secretary_b, member_a, contact):
    assert api_client(secretary_b).delete(f"{ASSIGNMENTS}{contact.pk}/").status_code == 404
    assert api_client(member_a).delete(f"{ASSIGNMENTS}{contact.pk}/").status_code == 403
    assert api_client(secretary_a).delete(f"{ASSIGNMENTS}{contact.pk}/").status_code == 204
    assert not ContactAssignment.objects.exists() and not Talk.objects.exists()


def test_last_years_contact_is_not_removed(world, secretary_a):
    old = factories.assignment(world.member_a, year=2025, assigned_on=dt.date(2025, 1, 3))
    response = api_client(secretary_a).delete(f"{ASSIGNMENTS}{old.pk}/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:2025年的联系对象和谈话记录已归入活动档案,不能删除。"


# --- talks -----------------------------------------------------------------------------------------------


def _talk(contact, **overrides) -> dict:
    return {
        "assignment": contact.pk,
        "held_on": "2026-05-19",
        "kind": "visit",
        "content": "上门走访。",
        **overrides,
    }


def test_a_member_logs_a_talk_with_their_own_contact(world, member_a, contact):
    response = api_client(member_a).post(TALKS, _talk(contact, problems="下水道堵塞"), format="json")
    assert response.status_code == 201, response.content
    body = response.json()
    assert {k: body[k] for k in ("assignment", "member", "person_name", "held_on", "kind", "problems")} == {
        "assignment": contact.pk,
        "member": world.member_a.pk,
        "person_name": "孙大妈",
        "held_on": "2026-05-19",
        "kind": "visit",
        "problems": "下水道堵塞",
    }
    assert api_client(member_a).get(f"{ASSIGNMENTS}{contact.pk}/").json()["visited_this_month"] is True


def test_a_member_may_not_log_a_talk_for_another_members_contact(world, member_a, contact_b):
    response = api_client(member_a).post(TALKS, _talk(contact_b), format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"assignment": ["所选联系对象不存在或不在您的管理范围内。"]}
    assert not Talk.objects.exists()


def test_a_talk_dated_before_the_contact_was_assigned_is_refused(world, member_a, contact):
    response = api_client(member_a).post(TALKS, _talk(contact, held_on="2026-01-09"), format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求数据有误:谈话日期不能早于确定联系对象的日期(2026-01-10)。",
        "errors": {"held_on": ["谈话日期不能早于确定联系对象的日期(2026-01-10)。"]},
    }
    assert contact.talks.count() == 1


@pytest.mark.parametrize(("who", "status"), [("supervisor", 403), ("secretary_b", 400), ("secretary_a", 201)])
def test_who_logs_talks_through_the_api(request, world, contact, who, status):
    response = api_client(persona(request, who)).post(TALKS, _talk(contact), format="json")
    assert response.status_code == status


def test_talks_list_by_contact_and_stay_in_scope(world, member_a, secretary_b, contact, contact_b):
    factories.talk(contact_b, dt.date(2026, 5, 2), "二支部的谈话")
    assert [t["content"] for t in results(api_client(member_a).get(TALKS))] == ["谈了社区的垃圾分类。"]
    assert [
        t["content"] for t in results(api_client(secretary_b).get(TALKS, {"assignment": contact_b.pk}))
    ] == ["二支部的谈话"]
    response = api_client(secretary_b).get(TALKS, {"assignment": contact.pk})
    assert response.status_code == 400


def test_a_talk_is_corrected_by_its_member_and_is_a_404_to_others(
    world, member_a, secretary_b, supervisor, contact
):
    talk = contact.talks.get()
    address = f"{TALKS}{talk.pk}/"
    response = api_client(member_a).patch(address, {"content": "电话里谈了垃圾分类。"}, format="json")
    assert response.status_code == 200 and response.json()["content"] == "电话里谈了垃圾分类。"
    assert response.json()["held_on"] == "2026-04-08"
    assert api_client(secretary_b).patch(address, {"content": "x"}, format="json").status_code == 404
    assert api_client(secretary_b).get(address).status_code == 404
    assert api_client(supervisor).get(address).status_code == 200
    assert api_client(supervisor).patch(address, {"content": "x"}, format="json").status_code == 403
    other = factories.talk(
        factories.assignment(org_factories.member(world.branch_a, "同支部")), dt.date(2026, 5, 1)
    )
    assert (
        api_client(member_a).patch(f"{TALKS}{other.pk}/", {"content": "x"}, format="json").status_code == 404
    )
    talk.refresh_from_db()
    assert talk.content == "电话里谈了垃圾分类。"


def test_a_talk_is_not_deleted_through_the_api(world, secretary_a, contact):
    talk = contact.talks.get()
    assert api_client(secretary_a).delete(f"{TALKS}{talk.pk}/").status_code == 405
    assert Talk.objects.filter(pk=talk.pk).exists()


# --- the two lists ---------------------------------------------------------------------------------------


def test_the_below_two_list(world, office, secretary_a, contact):
    factories.assignment(world.member_b, factories.resident("甲"))
    factories.assignment(world.member_b, factories.resident("乙"))
    body = api_client(office).get(BELOW_TWO, {"year": 2026}).json()
    assert body["results"] == [
        {
            "id": world.member_a.pk,
            "name": "王建国",
            "organisation": world.branch_a.pk,
            "organisation_name": "一分公司党支部",
            "contact_count": 1,
        }
    ]
    assert {r["name"] for r in results(api_client(office).get(BELOW_TWO, {"year": 2025}))} == {
        "王建国",
        "李红梅",
    }
    response = api_client(secretary_a).get(BELOW_TWO, {"organisation": world.branch_b.pk})
    assert response.status_code == 400


def test_the_not_visited_list(world, office, contact, contact_b):
    factories.talk(contact_b, dt.date(2026, 5, 4))
    may = results(api_client(office).get(NOT_VISITED))
    assert [(r["member_name"], r["person_name"], r["last_talk"]) for r in may] == [
        ("王建国", "孙大妈", "2026-04-08")
    ]
    april = results(
        api_client(office).get(NOT_VISITED, {"month": "2026-04", "organisation": world.branch_b.pk})
    )
    assert [r["person_name"] for r in april] == ["周大爷"]


@pytest.mark.parametrize(
    ("params", "message"),
    [({"month": "2026-06"}, "月份不能晚于本月。"), ({"month": "五月"}, "月份应写成“2026-05”这样的年-月。")],
)
def test_the_not_visited_list_refuses_a_bad_month(world, office, params, message):
    response = api_client(office).get(NOT_VISITED, params)
    assert response.status_code == 400
    assert response.json()["errors"] == {"month": [message]}


@pytest.mark.parametrize("who", ["member_a", "community_worker"])
def test_the_lists_are_for_those_who_oversee_a_branch(request, world, who):
    for address in (BELOW_TWO, NOT_VISITED):
        assert api_client(persona(request, who)).get(address).status_code == 403


def test_the_lists_are_read_only(world, office):
    for address in (BELOW_TWO, NOT_VISITED):
        for method in ("post", "put", "patch", "delete"):
            assert getattr(api_client(office), method)(address).status_code == 405


def test_the_lists_run_the_same_queries_for_5_and_50_rows(world, office):
    def count(address: str) -> int:
        client = api_client(office)
        with CaptureQueriesContext(connection) as ctx:
            assert client.get(address).status_code == 200
        return len(ctx.captured_queries)

    def add(n: int, offset: int) -> None:
        for i in range(n):
            member = org_factories.member(world.branch_a, f"党员{offset + i}")
            contact = factories.assignment(member, factories.resident(f"群众{offset + i}"))
            factories.talk(contact, dt.date(2026, 4, 2))

    addresses = [BELOW_TWO, NOT_VISITED, ASSIGNMENTS, TALKS]
    add(5, 0)
    few = [count(a) for a in addresses]
    add(45, 5)
    many = [count(a) for a in addresses]
    assert few == many
