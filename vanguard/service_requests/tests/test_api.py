"""/api/v1/requests/: residents' requests in the caller's sight (overdue first, the phone masked unless the
caller calls the resident back), one request with its timeline, staff entering a request, and the steps of
the loop through the services — 404 out of sight, 403 with the service's sentence, 400 with the field named
in Chinese and nothing changed, 401 anonymous. Rating is the resident's and is not in the API."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.community.models import ServiceRecord, Team
from vanguard.org.tests import factories
from vanguard.service_requests import services
from vanguard.service_requests.models import Channel, Event, ServiceRequest, Status, Urgency

from . import factories as rf

pytestmark = pytest.mark.django_db
URL = "/api/v1/requests/"


def _url(req: ServiceRequest, action: str = "") -> str:
    return f"{URL}{req.pk}/{action + '/' if action else ''}"


def _ids(response) -> set[int]:
    assert response.status_code == 200, response.json()
    return {row["id"] for row in response.json()["results"]}


@pytest.fixture
def spread(world):
    """Branch A's request to 王建国 (member_a); a boundary case waiting in 南园社区's queue; one waiting in
    新风社区's queue; and branch B's request, dispatched to 李红梅."""
    mine = rf.submit(world)
    queue_here = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    queue_there = rf.submit(world, subject=services.Subject(community=world.other_community))
    theirs = rf.submit(world, subject=services.Subject(community=world.other_community), phone="13600002222")
    services.dispatch(actor=SYSTEM, request=theirs, member=world.member_b)
    return {"mine": mine, "queue_here": queue_here, "queue_there": queue_there, "theirs": theirs}


# --- reading ---------------------------------------------------------------------------------------------


def test_each_persona_lists_what_their_scope_reaches(
    world, spread, member_a, secretary_a, secretary_b, community_worker, office
):
    ids = {name: req.pk for name, req in spread.items()}
    assert _ids(api_client(member_a).get(URL)) == {ids["mine"], ids["queue_here"]}
    assert _ids(api_client(secretary_a).get(URL)) == {ids["mine"]}
    assert _ids(api_client(secretary_b).get(URL)) == {ids["theirs"]}
    assert _ids(api_client(community_worker).get(URL)) == {ids["mine"], ids["queue_here"]}
    assert _ids(api_client(office).get(URL)) == {ids["mine"], ids["theirs"]}


def test_the_views_mine_queue_and_escalated(world, spread, member_a, community_worker):
    client = api_client(member_a)
    assert _ids(client.get(URL, {"view": "mine"})) == {spread["mine"].pk}
    assert _ids(client.get(URL, {"view": "queue"})) == {spread["queue_here"].pk}
    assert _ids(client.get(URL, {"view": "escalated"})) == set()
    ServiceRequest.objects.filter(pk=spread["queue_here"].pk).update(escalation=1)
    assert _ids(api_client(community_worker).get(URL, {"view": "escalated"})) == {spread["queue_here"].pk}


def test_a_team_members_mine_holds_what_was_dispatched_to_their_team(
    world, spread, member_a, community_worker
):
    team = Team.objects.create(community=world.community, name="南园志愿服务队")
    team.members.add(world.member_a)
    services.dispatch(actor=community_worker, request=spread["queue_here"], team=team)
    body = api_client(member_a).get(URL, {"view": "mine"}).json()
    assert {row["id"] for row in body["results"]} == {spread["mine"].pk, spread["queue_here"].pk}
    dispatched = next(row for row in body["results"] if row["id"] == spread["queue_here"].pk)
    assert (dispatched["team_name"], dispatched["phone"]) == ("南园志愿服务队", "13600001111")


def test_the_filters_narrow_the_list(world, spread, office):
    client = api_client(office)
    assert _ids(client.get(URL, {"organisation": world.branch_b.pk})) == {spread["theirs"].pk}
    assert _ids(client.get(URL, {"community": world.community.pk})) == {spread["mine"].pk}
    assert _ids(client.get(URL, {"member": world.member_b.pk})) == {spread["theirs"].pk}
    assert _ids(client.get(URL, {"zone": rf.zone(world).pk})) == {spread["mine"].pk}
    assert _ids(client.get(URL, {"status": "assigned", "kind": "request", "category": "drain"})) == {
        spread["mine"].pk,
        spread["theirs"].pk,
    }
    assert _ids(client.get(URL, {"urgency": "complex"})) == set()
    response = client.get(URL, {"status": "lost", "zone": 999999})
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {"status", "zone"}
    assert response.json()["errors"]["zone"] == ["所选责任区不存在或不在您的可见范围内。"]


def test_overdue_requests_come_first(world, secretary_a):
    early, late = rf.submit(world), rf.submit(world, category="moving")  # a day; a week
    assert [row["id"] for row in api_client(secretary_a).get(URL).json()["results"]] == [early.pk, late.pk]
    ServiceRequest.objects.filter(pk=late.pk).update(deadline=timezone.now() - dt.timedelta(hours=1))
    body = api_client(secretary_a).get(URL).json()
    assert [(row["id"], row["overdue"]) for row in body["results"]] == [(late.pk, True), (early.pk, False)]
    assert _ids(api_client(secretary_a).get(URL, {"overdue": "true"})) == {late.pk}
    assert _ids(api_client(secretary_a).get(URL, {"overdue": "false"})) == {early.pk}


def test_the_phone_is_full_only_for_those_who_call_back(
    world, spread, member_a, secretary_a, community_worker, supervisor
):
    for user in (member_a, secretary_a, community_worker):
        assert api_client(user).get(_url(spread["mine"])).json()["phone"] == "13600001111"
    # The supervisor reads branch A's requests but does not handle them.
    assert api_client(supervisor).get(_url(spread["mine"])).json()["phone"] == "136****1111"
    # A member sees a request waiting in their community's queue to take it, not yet the resident's number.
    assert api_client(member_a).get(_url(spread["queue_here"])).json()["phone"] == "136****1111"


def test_the_detail_has_names_and_the_timeline(world, spread, secretary_a):
    body = api_client(secretary_a).get(_url(spread["mine"])).json()
    assert (body["member_name"], body["organisation_name"], body["community_name"], body["zone_name"]) == (
        "王建国",
        "一分公司党支部",
        "南园社区",
        "南园1号楼责任区",
    )
    assert (body["status"], body["overdue"], body["team"], body["team_name"]) == (
        "assigned",
        False,
        None,
        None,
    )
    assert [e["action"] for e in body["events"]] == ["submitted", "routed"]
    assert body["events"][1]["note"] == "责任区“南园1号楼责任区”的负责党员"
    assert "events" not in api_client(secretary_a).get(URL).json()["results"][0]


def test_another_branch_gets_404_for_the_detail_and_every_step(world, spread, secretary_b):
    client = api_client(secretary_b)
    missing = client.get(f"{URL}999999/")
    response = client.get(_url(spread["mine"]))
    assert response.status_code == missing.status_code == 404
    assert response.json() == missing.json()
    for action in ("take", "accept", "start", "resolve", "dispatch", "urgency", "close"):
        assert client.post(_url(spread["mine"], action), {}, format="json").status_code == 404, action
    assert ServiceRequest.objects.get(pk=spread["mine"].pk).status == Status.ASSIGNED


def test_anonymous_gets_401_and_a_login_without_a_role_403(world, spread, auditor, nobody):
    anonymous = api_client()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(_url(spread["mine"])).status_code == 401
    assert anonymous.post(URL, {}, format="json").status_code == 401
    assert anonymous.post(_url(spread["mine"], "accept")).status_code == 401
    for user in (auditor, nobody):
        assert api_client(user).get(URL).status_code == 403
        assert api_client(user).post(_url(spread["mine"], "accept")).status_code == 403
    assert ServiceRequest.objects.get(pk=spread["mine"].pk).status == Status.ASSIGNED


def test_the_list_runs_a_fixed_number_of_queries(world, office, member_a):
    for user in (office, member_a):
        client = api_client(user)

        def count(client=client) -> int:
            with CaptureQueriesContext(connection) as queries:
                assert client.get(URL).status_code == 200
            return len(queries)

        ServiceRequest.objects.all().delete()
        rf.submit(world)
        few = count()
        for _ in range(12):
            rf.submit(world)
        assert count() == few


# --- the loop --------------------------------------------------------------------------------------------


def test_the_handler_accepts_starts_and_resolves_with_hours(world, spread, member_a):
    client = api_client(member_a)
    req = spread["mine"]
    response = client.post(_url(req, "accept"))
    assert response.status_code == 200
    assert response.json()["status"] == "accepted" and response.json()["accepted_at"]
    assert client.post(_url(req, "start")).json()["status"] == "in_progress"
    response = client.post(
        _url(req, "resolve"), {"resolution": "上门疏通,已恢复排水", "hours": "1.5"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["resolution"]) == ("resolved", "上门疏通,已恢复排水")
    assert [e["action"] for e in body["events"]][-3:] == ["accepted", "started", "resolved"]
    record = ServiceRecord.objects.get(pk=body["service_record"])
    assert (record.member, record.hours, record.status) == (
        world.member_a,
        1.5,
        ServiceRecord.Status.REPORTED,
    )


def test_an_empty_resolution_is_a_400_in_chinese_and_nothing_changes(world, spread, member_a):
    req = spread["mine"]
    before = ServiceRequest.objects.get(pk=req.pk)
    response = api_client(member_a).post(_url(req, "resolve"), {"resolution": "  "}, format="json")
    assert response.status_code == 400
    assert response.json() == {
        "detail": "请求数据有误:请填写办理情况。",
        "errors": {"resolution": ["请填写办理情况。"]},
    }
    response = api_client(member_a).post(_url(req, "resolve"), {}, format="json")
    assert response.status_code == 400 and "resolution" in response.json()["errors"]
    response = api_client(member_a).post(
        _url(req, "resolve"), {"resolution": "好了", "hours": "x"}, format="json"
    )
    assert response.status_code == 400 and "hours" in response.json()["errors"]
    after = ServiceRequest.objects.get(pk=req.pk)
    assert (after.status, after.resolution, after.resolved_at) == (before.status, "", None)
    assert after.events.count() == 2


def test_a_step_in_the_wrong_state_is_a_400_with_the_services_sentence(world, spread, member_a):
    response = api_client(member_a).post(_url(spread["mine"], "start"))
    assert response.status_code == 200
    response = api_client(member_a).post(_url(spread["mine"], "accept"))
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:该诉求当前为“办理中”,不能受理。"


def test_someone_in_sight_but_not_the_handler_gets_403_whatever_they_send(
    world, spread, secretary_a, community_worker
):
    for user in (secretary_a, community_worker):
        client = api_client(user)
        response = client.post(_url(spread["mine"], "accept"))
        assert (response.status_code, response.json()["detail"]) == (403, "只有承办党员可以受理。")
        response = client.post(_url(spread["mine"], "resolve"), {"resolution": ""}, format="json")
        assert (response.status_code, response.json()["detail"]) == (403, "只有承办党员可以办结。")
    assert ServiceRequest.objects.get(pk=spread["mine"].pk).status == Status.ASSIGNED


def test_a_member_takes_a_request_waiting_in_their_communitys_queue(world, spread, member_a):
    response = api_client(member_a).post(_url(spread["queue_here"], "take"))
    assert response.status_code == 200
    body = response.json()
    assert (body["status"], body["member"], body["phone"]) == ("accepted", world.member_a.pk, "13600001111")
    # Taken, it is no longer in the queue to take again.
    response = api_client(member_a).post(_url(spread["queue_here"], "take"))
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:该诉求已有党员承办,不能再接单。"


def test_the_community_dispatches_to_a_member_or_a_team(world, spread, community_worker):
    client = api_client(community_worker)
    req = spread["queue_here"]
    response = client.post(_url(req, "dispatch"), {}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["请选择一名承办党员或一支志愿服务队。"]}
    response = client.post(_url(req, "dispatch"), {"member": world.member_b.pk}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"member": ["所选党员不存在或不在您的可见范围内。"]}
    assert ServiceRequest.objects.get(pk=req.pk).status == Status.QUEUED
    response = client.post(_url(req, "dispatch"), {"member": world.member_a.pk}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["member_name"]) == ("assigned", "王建国")
    team = Team.objects.create(community=world.community, name="南园志愿服务队")
    other = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    response = client.post(_url(other, "dispatch"), {"team": team.pk, "note": "请队长安排"}, format="json")
    assert response.status_code == 200
    assert (response.json()["team_name"], response.json()["events"][-1]["note"]) == (
        "南园志愿服务队",
        "请队长安排",
    )


def test_a_worker_dispatches_to_a_member_registered_in_the_community_living_elsewhere(
    world, spread, community_worker
):
    from vanguard.community.tests import api_factories as cf

    registered = factories.member(world.branch_b, "陈立新", residence=world.other_community)
    cf.registration(registered, world.community)
    response = api_client(community_worker).post(
        _url(spread["queue_here"], "dispatch"), {"member": registered.pk}, format="json"
    )
    assert response.status_code == 200, response.json()
    assert response.json()["member_name"] == "陈立新"


def test_only_the_community_or_the_branch_dispatches(world, spread, member_a):
    response = api_client(member_a).post(_url(spread["queue_here"], "dispatch"), {"member": 1}, format="json")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有本社区工作人员或所属党支部书记可以派单。",
    )


def test_the_urgency_changes_with_a_reason(world, spread, secretary_a):
    client = api_client(secretary_a)
    req = spread["mine"]
    response = client.post(_url(req, "urgency"), {"urgency": "complex", "reason": ""}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"reason": ["请说明调整的原因。"]}
    response = client.post(_url(req, "urgency"), {"urgency": "soon", "reason": "x"}, format="json")
    assert response.status_code == 400 and "urgency" in response.json()["errors"]
    assert ServiceRequest.objects.get(pk=req.pk).urgency == Urgency.UTILITIES
    response = client.post(
        _url(req, "urgency"), {"urgency": "complex", "reason": "需物业协调"}, format="json"
    )
    assert response.status_code == 200
    body = response.json()
    assert body["urgency"] == "complex"
    received = dt.datetime.fromisoformat(body["received_at"])
    assert dt.datetime.fromisoformat(body["deadline"]) - received == dt.timedelta(days=15)


def test_the_branch_closes_a_duplicate_with_a_reason(world, spread, secretary_a, member_a):
    req = spread["mine"]
    response = api_client(secretary_a).post(_url(req, "close"), {"reason": ""}, format="json")
    assert (response.status_code, response.json()["errors"]) == (400, {"reason": ["请说明关闭的原因。"]})
    response = api_client(member_a).post(_url(req, "close"), {"reason": "重复"}, format="json")
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有本社区工作人员或所属党支部书记可以关闭诉求。",
    )
    response = api_client(secretary_a).post(_url(req, "close"), {"reason": "重复诉求"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["events"][-1]["note"]) == ("closed", "重复诉求")


def test_the_secretary_answers_a_complaint_about_their_zone(world, secretary_a, supervisor):
    complaint = rf.submit(world, kind="complaint", subject=services.Subject(zone=rf.zone(world)))
    # The branch's supervisor reads it but does not answer for the branch.
    response = api_client(supervisor).post(
        _url(complaint, "resolve"), {"resolution": "已处理"}, format="json"
    )
    assert (response.status_code, response.json()["detail"]) == (
        403,
        "只有所属党支部书记或党委办公室可以答复。",
    )
    response = api_client(secretary_a).post(
        _url(complaint, "resolve"), {"resolution": "已约谈责任人并整改"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "resolved"


def test_rating_is_not_in_the_api(world, spread, member_a):
    api_client(member_a).post(_url(spread["mine"], "resolve"), {"resolution": "好了"}, format="json")
    response = api_client(member_a).post(_url(spread["mine"], "rate"), {"rating": 5}, format="json")
    assert response.status_code == 404
    assert ServiceRequest.objects.get(pk=spread["mine"].pk).rating is None


# --- staff entering a request ----------------------------------------------------------------------------


def _entry(**extra) -> dict:
    return {
        "category": "repair",
        "description": "楼道灯坏了一个星期",
        "name": "刘大爷",
        "phone": "13600003333",
        "consent": True,
        **extra,
    }


def test_a_worker_enters_a_request_taken_by_phone(world, community_worker):
    rf.zone(world)
    body = _entry(cell=rf.building(world, "1号楼").pk)
    response = api_client(community_worker).post(URL, body, format="json")
    assert response.status_code == 201, response.json()
    created = response.json()
    assert (created["channel"], created["entered_by"], created["member_name"]) == (
        Channel.STAFF,
        "community_worker",
        "王建国",
    )
    assert created["phone"] == "13600003333" and created["tracking_code"]
    assert [e["action"] for e in created["events"]] == ["submitted", "routed"]
    # Only a community: the community's queue.
    response = api_client(community_worker).post(URL, _entry(community=world.community.pk), format="json")
    assert (response.status_code, response.json()["status"]) == (201, "queued")
    assert response.json()["entered_by"] == "community_worker"


def test_bad_entries_name_the_field_in_chinese_and_create_nothing(world, community_worker):
    client = api_client(community_worker)
    cases = [
        (_entry(community=world.community.pk, consent=False), {"consent"}),
        (_entry(community=world.community.pk, description="堵", phone="123"), {"description", "phone"}),
        (_entry(), {"cell"}),
        (_entry(community=world.street.pk), {"community"}),
        (_entry(community=999999), {"community"}),
        (_entry(community=world.community.pk, category="pets"), {"category"}),
    ]
    for body, fields in cases:
        response = client.post(URL, body, format="json")
        assert response.status_code == 400, body
        assert set(response.json()["errors"]) == fields, response.json()
    errors = client.post(URL, _entry(community=world.street.pk), format="json").json()["errors"]
    assert errors == {"community": ["“东风街道”是街道,请选择社区。"]}
    errors = client.post(URL, _entry(community=world.community.pk, consent=False), format="json").json()
    assert errors["errors"]["consent"] == ["请勾选同意使用您的电话号码联系您,否则无法留下电话。"]
    assert not ServiceRequest.objects.exists()
    assert not Event.objects.exists()
