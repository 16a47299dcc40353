"""Volunteer teams (代理家长队, 治安队, 政策宣传队) and one-to-one pairings (结对帮扶) in the browser: the
worker forms a team with a leader and members registered at the community, pairs a member with a resident
found by name (and phone when two share it), the member logs visits on a phone, the worker ends a pairing;
bad input is named; another community's worker and another branch get 404; fixed queries."""

from __future__ import annotations

import datetime as dt

import pytest

from vanguard.accounts.scope import SYSTEM
from vanguard.community import services_teams
from vanguard.community.models import Pairing, PairingVisit, Team
from vanguard.org.tests import factories

from . import api_factories as made
from .pages import (
    count_queries,
    messages_of,
    other_worker,
    register_a,
    resident,
    sweep_pairing,
    sweep_team,
    text,
    url,
)

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, member_a):
    return register_a(world)


@pytest.fixture
def worker_b(world):
    return other_worker(world)


@pytest.fixture
def teacher(world):
    member = factories.member(world.branch_b, "赵老师", residence=world.community, occupation="教师")
    made.registration(member, world.community)
    return member


# --- teams -----------------------------------------------------------------------------------------------


def test_the_worker_forms_a_team_with_a_leader(world, community_worker, registered, teacher, as_user):
    client = as_user(community_worker)
    page = text(client.get(url("team_create")))
    assert "王建国(南园社区)" in page and "赵老师(南园社区)" in page
    response = client.post(
        url("team_create"),
        {
            "community": world.community.pk,
            "name": "代理家长队",
            "purpose": "与留守儿童一对一结对",
            "leader": teacher.pk,
            "members": [world.member_a.pk],
        },
    )
    team = Team.objects.get()
    assert response["Location"] == url("team_detail", team.pk)
    assert messages_of(response) == ["已组建“代理家长队”。"]
    assert team.leader == teacher and set(team.members.all()) == {teacher, world.member_a}
    page = text(client.get(url("team_detail", team.pk)))
    assert "队员(2)" in page and "队长" in page
    assert "代理家长队" in text(client.get(url("team_list")))


def test_a_member_not_registered_there_cannot_join(world, community_worker, registered, as_user):
    client = as_user(community_worker)
    page = text(
        client.post(
            url("team_create"),
            {"community": world.community.pk, "name": "治安队", "members": [world.member_b.pk]},
        )
    )
    assert "请选择在本社区报到的党员。" in page
    assert "请填写队名。" in text(client.post(url("team_create"), {"community": world.community.pk}))
    assert not Team.objects.exists()


def test_team_members_see_their_team_and_outsiders_get_404(
    world, member_a, worker_b, secretary_a, secretary_b, registered, as_user
):
    team = sweep_team(world)
    assert "代理家长队" in text(as_user(member_a).get(url("team_detail", team.pk)))
    assert "代理家长队" in text(as_user(secretary_a).get(url("team_detail", team.pk)))
    for user in (worker_b, secretary_b):
        assert as_user(user).get(url("team_detail", team.pk)).status_code == 404
        assert "代理家长队" not in text(as_user(user).get(url("team_list")))
    assert as_user(member_a).get(url("team_create")).status_code == 403


# --- pairings --------------------------------------------------------------------------------------------


def _pair(client, world, **extra):
    data = {
        "member": world.member_a.pk,
        "person_name": "刘奶奶",
        "kind": "elderly",
        "started_on": "2026-03-01",
        "notes": "每周探望一次",
    }
    return client.post(url("pairing_create"), {**data, **extra})


def test_the_worker_pairs_a_member_with_a_resident(world, community_worker, registered, as_user):
    grandma = resident(world)
    client = as_user(community_worker)
    response = _pair(client, world)
    pairing = Pairing.objects.get()
    assert response["Location"] == url("pairing_detail", pairing.pk)
    assert messages_of(response) == ["已安排王建国与刘奶奶结对。"]
    assert (pairing.person, pairing.kind, pairing.community) == (grandma, "elderly", world.community)
    assert "已与刘奶奶结对" in text(_pair(client, world))
    assert Pairing.objects.count() == 1


def test_a_resident_is_found_by_name_and_phone(world, community_worker, registered, as_user):
    resident(world, mobile="13900000001")
    second = resident(world, mobile="13900000002")
    resident(world, "王大爷", residence=None)  # lives nowhere in the community: not found
    client = as_user(community_worker)
    assert "南园社区有不止一位名为“刘奶奶”的居民,请同时填写手机号。" in text(_pair(client, world))
    assert "南园社区没有名为“王大爷”的居民。" in text(_pair(client, world, person_name="王大爷"))
    assert "请填写帮扶对象的姓名。" in text(_pair(client, world, person_name=""))
    assert not Pairing.objects.exists()
    _pair(client, world, person_mobile="13900000002")
    assert Pairing.objects.get().person == second


def test_the_member_logs_visits_on_a_phone(world, member_a, registered, as_user):
    pairing = sweep_pairing(world)
    client = as_user(member_a)
    listing = text(client.get(url("pairing_list")))
    assert "我的结对帮扶" in listing and "留守儿童小明" in listing
    page = text(client.get(url("pairing_detail", pairing.pk)))
    assert "记录走访" in page and "结束结对" not in page
    response = client.post(
        url("pairing_visit", pairing.pk), {"visited_on": "2026-04-02", "content": "辅导作业"}
    )
    assert messages_of(response) == ["已记录2026-04-02的走访。"]
    assert PairingVisit.objects.get().content == "辅导作业"
    assert "走访记录(1)" in text(client.get(url("pairing_detail", pairing.pk)))
    page = text(client.post(url("pairing_visit", pairing.pk), {"visited_on": "2026-02-01", "content": "早"}))
    assert "走访日期不能早于结对日期。" in page
    page = text(client.post(url("pairing_visit", pairing.pk), {"visited_on": "2026-04-03", "content": ""}))
    assert "请填写帮扶情况。" in page
    assert PairingVisit.objects.count() == 1


def test_the_worker_ends_a_pairing_and_no_more_visits_are_logged(
    world, member_a, community_worker, registered, as_user
):
    pairing = sweep_pairing(world)
    worker = as_user(community_worker)
    assert "请填写日期。" in text(worker.post(url("pairing_end", pairing.pk), {"ended_on": ""}))
    response = worker.post(url("pairing_end", pairing.pk), {"ended_on": "2026-06-30"})
    assert messages_of(response) == ["已结束王建国与留守儿童小明的结对。"]
    pairing.refresh_from_db()
    assert pairing.ended_on == dt.date(2026, 6, 30)
    response = as_user(member_a).post(
        url("pairing_visit", pairing.pk), {"visited_on": "2026-07-01", "content": "x"}
    )
    assert messages_of(response) == ["该结对已于2026-06-30结束,不能再记录走访。"]
    assert (
        as_user(member_a).post(url("pairing_end", pairing.pk), {"ended_on": "2026-07-01"}).status_code == 403
    )


def test_another_communitys_pairings_are_out_of_sight(world, worker_b, secretary_b, registered, as_user):
    pairing = sweep_pairing(world)
    for user in (worker_b, secretary_b):
        client = as_user(user)
        assert client.get(url("pairing_detail", pairing.pk)).status_code == 404
        assert (
            client.post(
                url("pairing_visit", pairing.pk), {"visited_on": "2026-04-02", "content": "x"}
            ).status_code
            == 404
        )
        assert client.post(url("pairing_end", pairing.pk), {"ended_on": "2026-04-02"}).status_code == 404
    assert not PairingVisit.objects.exists()


def test_the_lists_run_a_fixed_number_of_queries(
    world, member_a, community_worker, registered, teacher, as_user
):
    sweep_team(world)
    sweep_pairing(world)
    worker = as_user(community_worker)
    pages = (url("team_list"), url("pairing_list"))
    few = [count_queries(worker, p) for p in pages]
    for i in range(8):
        services_teams.team_create(
            actor=SYSTEM, community=world.community, name=f"服务队{i}", members=[teacher]
        )
        pairing = services_teams.pairing_create(
            actor=SYSTEM,
            community=world.community,
            member=teacher,
            person=resident(world, f"老人{i}"),
            kind="elderly",
            started_on=dt.date(2026, 1, 1),
        )
        services_teams.pairing_visit(
            actor=SYSTEM, pairing=pairing, visited_on=dt.date(2026, 2, 1), content="探望"
        )
    assert [count_queries(worker, p) for p in pages] == few == [6, 6]
    assert count_queries(as_user(member_a), url("pairing_list")) == 8
