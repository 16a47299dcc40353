"""Posts and claims, registration twice, service records: the refusals issue 8 names."""

from __future__ import annotations

import datetime as dt

import pytest
from django.core.exceptions import ValidationError

from vanguard.community import services, services_work
from vanguard.community.models import CommunityPost, PostClaim
from vanguard.org.tests import factories

pytestmark = pytest.mark.django_db


def test_registering_at_two_communities_is_refused(world, member_a):
    services.registration_submit(
        actor=member_a, member=world.member_a, community=world.community, strengths="书法"
    )
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(actor=member_a, member=world.member_a, community=world.other_community)
    assert "南园社区" in exc.value.message_dict["community"][0]


def test_a_worker_enters_a_paper_registration(world, community_worker):
    registration = services.registration_submit(
        actor=community_worker, member=world.member_a, community=world.community, wishes="周末可参加巡逻"
    )
    assert (registration.channel, registration.occupation) == ("paper", "驾驶员")


def test_claiming_a_full_post_is_refused(world, member_a, community_worker):
    post = services_work.post_create(
        actor=community_worker, community=world.community, name="3号楼楼栋长", category="building", places=1
    )
    other = factories.member(world.branch_a, "赵志强", residence=world.community)
    from vanguard.conftest import _user

    other_user = _user("other_member", "member")
    other.person.user = other_user
    other.person.save()
    services_work.post_claim(actor=other_user, post=post, member=other)
    with pytest.raises(ValidationError) as exc:
        services_work.post_claim(actor=member_a, post=post, member=world.member_a)
    assert exc.value.messages == ["“3号楼楼栋长”的1个名额已满,请选择其他岗位。"]
    assert PostClaim.objects.count() == 1
    claim = PostClaim.objects.get()
    services_work.claim_confirm(actor=community_worker, claim=claim)
    assert PostClaim.objects.get().status == PostClaim.Status.CONFIRMED
    assert CommunityPost.objects.get().claims.count() == 1


def test_a_service_date_in_the_future_is_refused(world, member_a):
    with pytest.raises(ValidationError) as exc:
        services_work.service_report(
            actor=member_a,
            member=world.member_a,
            community=world.community,
            activity="巡逻",
            served_on=dt.date.today() + dt.timedelta(days=3),
            hours=2,
        )
    assert "served_on" in exc.value.message_dict
