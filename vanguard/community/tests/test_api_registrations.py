"""/api/v1/registrations/: the member registers online, a worker enters a paper form, the community confirms
or returns it; everyone reads what their scope reaches (a worker of another community and another branch's
secretary get 404, anonymous 401)."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.community.models import Registration
from vanguard.org.tests import factories

from . import api_factories as cf

pytestmark = pytest.mark.django_db
URL = "/api/v1/registrations/"


def _submit(world, member_a, **extra):
    body = {"community": world.community.pk, "occupation": "驾驶员", "strengths": "驾驶、维修", **extra}
    return api_client(member_a).post(URL, body, format="json")


def test_a_member_registers_online_with_occupation_strengths_and_wishes(world, member_a):
    response = _submit(world, member_a, wishes="周末参加治安巡逻")
    assert response.status_code == 201, response.json()
    body = response.json()
    assert {k: body[k] for k in ("member", "community", "status", "channel", "strength_list", "wishes")} == {
        "member": world.member_a.pk,
        "community": world.community.pk,
        "status": "submitted",
        "channel": "online",
        "strength_list": ["驾驶", "维修"],
        "wishes": "周末参加治安巡逻",
    }
    assert (body["member_name"], body["organisation_name"], body["community_name"]) == (
        "王建国",
        "一分公司党支部",
        "南园社区",
    )


def test_registering_twice_at_two_communities_is_refused_with_the_services_message(world, member_a):
    assert _submit(world, member_a).status_code == 201
    response = _submit(world, member_a, community=world.other_community.pk)
    assert response.status_code == 400
    assert response.json()["errors"] == {"community": ["已向南园社区提交报到,正等待社区确认。"]}
    assert Registration.objects.count() == 1


def test_bad_input_names_the_field_and_changes_nothing(world, member_a):
    cases = [
        ({"community": world.street.pk}, "community", "“东风街道”是街道,请选择社区。"),
        ({"community": 999999}, "community", "所选社区不存在。"),
        ({"community": None}, "community", None),
        ({"strengths": "长" * 201}, "strengths", None),
    ]
    for extra, field, message in cases:
        response = _submit(world, member_a, **extra)
        assert response.status_code == 400, extra
        assert field in response.json()["errors"]
        if message:
            assert response.json()["errors"][field] == [message]
    assert not Registration.objects.exists()


def test_a_worker_enters_a_paper_form_for_a_member_living_there(world, community_worker):
    body = {"community": world.community.pk, "member": world.member_a.pk, "wishes": "辅导功课"}
    response = api_client(community_worker).post(URL, body, format="json")
    assert response.status_code == 201
    assert (response.json()["channel"], response.json()["occupation"]) == ("paper", "驾驶员")


def test_a_worker_of_another_community_cannot_enter_a_paper_form_here(world):
    other = cf.worker_of(world.other_community)
    # 王建国 lives in 南园社区: out of the other worker's sight, as if missing.
    body = {"community": world.community.pk, "member": world.member_a.pk}
    response = api_client(other).post(URL, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["所选党员不存在或不在您的可见范围内。"]}
    # A member they do see, registered at a community they do not work for: the service's refusal.
    neighbour = factories.member(world.branch_b, "邻居", residence=world.other_community)
    body = {"community": world.community.pk, "member": neighbour.pk}
    response = api_client(other).post(URL, body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有党员本人或该社区的工作人员(录入纸质登记表)可以办理报到。"
    assert not Registration.objects.exists()


def test_a_secretary_does_not_register_members(world, secretary_a):
    body = {"community": world.community.pk, "member": world.member_a.pk}
    response = api_client(secretary_a).post(URL, body, format="json")
    assert response.status_code == 403
    assert not Registration.objects.exists()
    response = api_client(secretary_a).post(URL, {"community": world.community.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["您的账户没有对应的党员记录,请选择党员。"]}


def test_the_community_confirms_or_returns_with_a_reason(world, member_a, community_worker):
    registration = cf.registration(world.member_a, world.community, confirm=False)
    client = api_client(community_worker)
    response = client.post(f"{URL}{registration.pk}/return/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(f"{URL}{registration.pk}/return/", {"reason": "住址不在本社区"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["return_reason"]) == ("returned", "住址不在本社区")
    response = client.post(f"{URL}{registration.pk}/confirm/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:王建国的报到已退回,不能再确认或退回。"
    # Returned, the member registers again and this time the community confirms.
    again = _submit(world, member_a).json()
    response = client.post(f"{URL}{again['id']}/confirm/")
    assert response.status_code == 200
    assert response.json()["status"] == "confirmed" and response.json()["confirmed_by"] == "community_worker"


@pytest.mark.parametrize("persona", ["member_a", "secretary_a", "office"])
def test_only_the_community_confirms(world, persona, request):
    registration = cf.registration(world.member_a, world.community, confirm=False)
    response = api_client(request.getfixturevalue(persona)).post(f"{URL}{registration.pk}/confirm/")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有报到社区的工作人员可以确认或退回报到。"
    assert Registration.objects.get().status == "submitted"


def test_out_of_sight_is_404_and_anonymous_is_401(world, secretary_b):
    registration = cf.registration(world.member_a, world.community, confirm=False)
    other = cf.worker_of(world.other_community)
    for user in (secretary_b, other):
        client = api_client(user)
        assert client.get(f"{URL}{registration.pk}/").status_code == 404
        assert client.post(f"{URL}{registration.pk}/confirm/").status_code == 404
        assert client.post(f"{URL}{registration.pk}/return/", {"reason": "x"}).status_code == 404
        assert client.get(URL).json()["count"] == 0
    anonymous = api_client()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{registration.pk}/").status_code == 401
    assert anonymous.post(f"{URL}{registration.pk}/confirm/").status_code == 401
    assert Registration.objects.get().status == "submitted"


def test_each_role_lists_what_it_sees(world, member_a, community_worker, secretary_a, office):
    mine = cf.registration(world.member_a, world.community)
    cf.registration(world.member_b, world.other_community)
    in_group = factories.member(world.group_a, "小组党员", residence=world.other_community)
    cf.registration(in_group, world.other_community, confirm=False, strengths="书法")

    def ids(user, **params) -> set[int]:
        response = api_client(user).get(URL, params)
        assert response.status_code == 200
        return {row["id"] for row in response.json()["results"]}

    assert ids(member_a) == {mine.pk}
    assert ids(community_worker) == {mine.pk}
    assert ids(secretary_a) == {mine.pk, Registration.objects.get(member=in_group).pk}
    assert len(ids(office)) == 3
    assert ids(office, status="submitted") == {Registration.objects.get(member=in_group).pk}
    assert ids(office, community=world.community.pk) == {mine.pk}
    assert ids(office, strength="书法") == {Registration.objects.get(member=in_group).pk}
    assert ids(office, organisation=world.branch_b.pk) == {Registration.objects.get(member=world.member_b).pk}
    assert api_client(secretary_a).get(f"{URL}{mine.pk}/").json()["status"] == "confirmed"


def test_the_list_runs_a_fixed_number_of_queries(world, office, django_assert_max_num_queries):
    for n in range(3):
        cf.registration(
            factories.member(world.branch_a, f"党员{n}", residence=world.community), world.community
        )
    client = api_client(office)

    with CaptureQueriesContext(connection) as small:
        assert client.get(URL).json()["count"] == 3
    for n in range(3, 15):
        cf.registration(
            factories.member(world.branch_b, f"党员{n}", residence=world.community), world.community
        )
    with CaptureQueriesContext(connection) as large:
        assert client.get(URL).json()["count"] == 15
    assert len(large) == len(small)
