"""A community's public board (/p/communities/<pk>/): its type and suggested activities, this year's zones
with their responsible people (masked) and boards, its registered in-service members, teams, posts, the model
posts of the branches serving there, this month's requests with the satisfaction rate and its sample, and the
way in to ask for help. Only a 社区 has one; it costs a fixed number of queries; it changes as soon as its
content does."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.accounts.scope import SYSTEM
from vanguard.community import services_teams
from vanguard.community.tests import api_factories as community
from vanguard.org.models import Cell, Member
from vanguard.org.tests import factories
from vanguard.posts.tests.factories import approved_post
from vanguard.service_requests.models import ServiceRequest, Status
from vanguard.service_requests.tests import factories as requests
from vanguard.zones.tests import zone_factories as zf

from .factories import community_url, full_community, text

pytestmark = pytest.mark.django_db

DUMMY_CACHE = {"default": {"BACKEND": "django.core.cache.backends.dummy.DummyCache"}}


def figure(page: str, name: str) -> str:
    return re.search(rf'data-figure="{name}">\s*(.*?)\s*</div>', page, re.S).group(1)


def test_the_board_shows_the_community_and_how_to_ask_for_help(world, resident):
    full = full_community(world)
    page = text(resident.get(community_url(world.community)))
    assert "南园社区" in page and "学习型" in page
    assert "读书漂流" in page  # the learning community's suggested activities
    # This year's zone over 1号楼, its responsible member masked, and its board.
    assert "南园1号楼责任区" in page and f'href="/p/zones/{full.zone.pk}/"' in page
    assert "王**" in page and "王建国" not in page
    assert "0551-12345678" in page  # the zone's public service line
    # The team with its leader masked, the community's post, branch A's model post with its board.
    assert "治安巡逻队" in page and "队长 王**" in page and "队员1人" in page
    assert "3号楼楼栋长" in page
    assert "一车队1路党员示范岗" in page and f'href="/p/posts/{full.model_post.pk}/"' in page
    assert 'href="/p/requests/new/?community=' + str(world.community.pk) + '"' in page
    assert "我要求助" in page


def test_the_numbers_count_confirmed_in_service_members_and_this_month_s_requests(world, resident):
    community.registration(world.member_a, world.community)
    retired = factories.member(world.branch_b, "周退休", category=Member.Category.RETIRED)
    community.registration(retired, world.community)
    waiting = factories.member(world.branch_b, "吴待确认")
    community.registration(waiting, world.community, confirm=False)
    requests.submit(world)
    resolved = requests.submit(world, description="楼道灯坏了")
    earlier = timezone.now() - dt.timedelta(days=3)
    ServiceRequest.objects.filter(pk=resolved.pk).update(
        status=Status.CLOSED,
        accepted_at=earlier,
        resolved_at=timezone.now(),
        rating=5,
        rated_at=timezone.now(),
    )
    board = text(resident.get(community_url(world.community)))
    assert [figure(board, name) for name in ("registered", "received", "resolved")] == ["1", "2", "1"]
    assert figure(board, "satisfaction") == "100.0%"
    assert "本月满意率(评价1件)" in board


def test_without_ratings_the_satisfaction_rate_is_a_dash_not_a_made_up_100(world, resident):
    requests.submit(world)
    board = text(resident.get(community_url(world.community)))
    assert figure(board, "satisfaction") == "—"
    assert "本月满意率(评价0件)" in board


def test_only_this_year_s_zones_over_the_community_are_listed(world, resident):
    estate = factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
    zf.zone(world.branch_a, "南园小区责任区", cells=[estate], kind="area")
    zf.zone(world.branch_a, "去年的南园责任区", cells=[estate], kind="area", year=timezone.now().year - 1)
    zf.zone(world.branch_b, "新风社区责任区", cells=[world.other_community], kind="area")
    page = text(resident.get(community_url(world.community)))
    assert "南园小区责任区" in page and "责任人正在确定中" not in page
    assert "正在确定中" in page  # no responsible person yet
    assert "去年的南园责任区" not in page and "新风社区责任区" not in page


@pytest.mark.parametrize("cell", ["street", "team", "estate"])
def test_a_cell_that_is_not_a_community_has_no_board(world, resident, cell):
    target = (
        factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
        if cell == "estate"
        else getattr(world, cell)
    )
    assert resident.get(community_url(target)).status_code == 404


def test_an_unknown_community_is_404_and_the_board_takes_no_posts(world, resident):
    assert resident.get("/p/communities/999999/").status_code == 404
    assert resident.post(community_url(world.community)).status_code == 405


def test_a_new_registration_shows_on_the_next_request(world, resident):
    url = community_url(world.community)
    for _visit in range(2):
        resident.get(url)
    assert "治安巡逻队" not in text(resident.get(url))
    community.registration(world.member_a, world.community)
    services_teams.team_create(
        actor=SYSTEM, community=world.community, name="治安巡逻队", leader=world.member_a
    )
    page = text(resident.get(url))
    assert "治安巡逻队" in page and figure(page, "registered") == "1"


def _queries(client, url: str) -> int:
    with CaptureQueriesContext(connection) as queries:
        text(client.get(url))
    return len(queries)


def test_the_board_costs_the_same_queries_whatever_the_size_of_the_community(world, resident, settings):
    settings.CACHES = DUMMY_CACHE  # every request renders the board
    full_community(world)
    small = _queries(resident, community_url(world.community))
    estate = factories.cell("南园二区", Cell.Kind.ESTATE, parent=world.community)
    for n in range(4):
        member = factories.member(world.branch_b, f"队员{n}", residence=world.community)
        community.registration(member, world.community)
        building = factories.cell(f"{n + 3}号楼", Cell.Kind.BUILDING, parent=estate)
        zf.zone(world.branch_b, f"{n + 3}号楼责任区", cells=[building], kind="area", lead=member.person)
        services_teams.team_create(
            actor=SYSTEM, community=world.community, name=f"服务队{n}", leader=member, members=[member]
        )
        community.post(world.community, f"{n + 4}号楼楼栋长")
        requests.submit(world, description=f"楼道灯坏了{n}号")
    approved_post(world, "一车队2路党员示范岗")
    assert _queries(resident, community_url(world.community)) == small
