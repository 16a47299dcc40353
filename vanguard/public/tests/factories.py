"""What the public pages show, made through each app's own services on the test world: a published round,
and a community full of content — every person with a full name, a mobile and an ID number, so that the
masking tests can look for them."""

from __future__ import annotations

from dataclasses import dataclass

from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Round
from vanguard.assessment.tests.pages import scored_round
from vanguard.community import services_teams
from vanguard.community.models import CommunityPost, Team
from vanguard.community.tests import api_factories as community
from vanguard.org.models import Person
from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.posts.models import ModelPost
from vanguard.posts.tests.factories import approved_post
from vanguard.service_requests.models import ServiceRequest
from vanguard.service_requests.tests import factories as requests
from vanguard.zones.models import Zone


def published_round(world) -> Round:
    """The committee's quarter, member A and member B scored, closed and published (made on first use)."""
    found = Round.objects.filter(organisation=world.committee, status=Round.Status.PUBLISHED).first()
    if found is not None:
        return found
    scored = scored_round(world)
    return assessment.round_transition(actor=SYSTEM, round_=scored.round, action="publish")


def sweep_round(world) -> Round:
    """The access sweep's published round."""
    return published_round(world)


@dataclass
class Full:
    zone: Zone
    team: Team
    post: CommunityPost
    model_post: ModelPost
    request: ServiceRequest
    round: Round
    people: list[Person]  # everyone whose name, mobile and ID number must never show in full


def full_community(world) -> Full:
    """南园社区 with everything its board and screen show: member A (王建国, 13812345678, an ID number) leads
    branch A's zone over 南园小区/1号楼, is registered there, leads its patrol team, serves two verified hours
    and is on a model post; a resident (张阿姨, 13600001111) asked for help there; the committee's round with
    member A and member B (李红梅, 13987654321) is published."""
    for member in (world.member_a, world.member_b):
        member.person.id_number = factories.id_number(male=member == world.member_a)
        member.person.save()
    zone = requests.zone(world)
    community.registration(world.member_a, world.community, strengths="驾驶、维修")
    team = services_teams.team_create(
        actor=SYSTEM,
        community=world.community,
        name="治安巡逻队",
        purpose="夜间巡逻",
        leader=world.member_a,
        members=[world.member_a],
    )
    post = community.post(world.community, "3号楼楼栋长")
    community.record(world.member_a, world.community, "2", served_on=today())
    model_post = approved_post(world)
    request = requests.submit(world)
    return Full(
        zone=zone,
        team=team,
        post=post,
        model_post=model_post,
        request=request,
        round=published_round(world),
        people=[world.member_a.person, world.member_b.person],
    )


def community_url(cell) -> str:
    return reverse("public:community_board", args=[cell.pk])


def results_url(round_) -> str:
    return reverse("public:results", args=[round_.pk])


def screen_url(kind: str, pk: int, data: bool = False) -> str:
    return reverse(f"public:screen_{kind}{'_data' if data else ''}", args=[pk])


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()
