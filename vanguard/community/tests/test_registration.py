"""A member's registration at their home community (登记报到): the member submits, the community's worker
confirms or returns it with a reason; who sees it; one active registration at a time."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM, visible_to
from vanguard.audit.models import AuditRecord
from vanguard.community import selectors, services
from vanguard.community.models import Registration
from vanguard.conftest import _user

pytestmark = pytest.mark.django_db
Status = Registration.Status


@pytest.fixture
def submitted(world, member_a):
    return services.registration_submit(actor=member_a, member=world.member_a, community=world.community)


def test_the_member_registers_and_the_community_confirms(world, member_a, community_worker, submitted):
    assert (submitted.status, submitted.community) == (Status.SUBMITTED, world.community)
    assert not selectors.is_registered(world.member_a)
    confirmed = services.registration_confirm(actor=community_worker, registration=submitted)
    assert (confirmed.status, confirmed.confirmed_by) == (Status.CONFIRMED, community_worker)
    assert confirmed.confirmed_at is not None
    assert selectors.is_registered(world.member_a)
    actions = list(
        AuditRecord.objects.filter(object_type="community.registration").values_list("action", flat=True)
    )
    assert actions == ["create", "update"]


def test_a_return_needs_a_reason_and_the_member_may_submit_again(
    world, member_a, community_worker, submitted
):
    with pytest.raises(ValidationError) as exc:
        services.registration_return(actor=community_worker, registration=submitted, reason=" ")
    assert exc.value.message_dict == {"return_reason": ["退回报到时须填写原因。"]}
    returned = services.registration_return(
        actor=community_worker, registration=submitted, reason="住址不在本社区"
    )
    assert (returned.status, returned.return_reason) == (Status.RETURNED, "住址不在本社区")
    again = services.registration_submit(
        actor=member_a, member=world.member_a, community=world.other_community
    )
    assert again.status == Status.SUBMITTED
    with pytest.raises(ValidationError) as exc:
        services.registration_confirm(actor=community_worker, registration=returned)
    assert exc.value.messages == ["王建国的报到已退回,不能再确认或退回。"]


def test_a_second_registration_while_one_is_active_is_refused(world, member_a, community_worker, submitted):
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(actor=member_a, member=world.member_a, community=world.other_community)
    assert exc.value.message_dict == {"community": ["已向南园社区提交报到,正等待社区确认。"]}
    services.registration_confirm(actor=community_worker, registration=submitted)
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(actor=member_a, member=world.member_a, community=world.community)
    assert exc.value.message_dict == {"community": ["已在南园社区报到,无需重复报到。"]}


def test_only_a_community_is_a_place_to_register(world, member_a):
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(actor=member_a, member=world.member_a, community=world.street)
    assert exc.value.message_dict == {"community": ["“东风街道”是街道,请选择社区。"]}
    with pytest.raises(ValidationError) as exc:
        services.registration_submit(actor=member_a, member=world.member_a, community=None)
    assert exc.value.message_dict == {"community": ["请选择报到的社区。"]}
    assert not Registration.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "office"])
def test_only_the_member_or_their_community_submits(world, persona, request):
    """The member registers online; a worker of the community enters a paper form (test_work.py); the
    branch does not register its members."""
    with pytest.raises(PermissionDenied):
        services.registration_submit(
            actor=request.getfixturevalue(persona), member=world.member_a, community=world.community
        )


def test_only_a_worker_of_that_community_confirms(world, secretary_a, member_a, submitted):
    other_worker = _user("other_worker", Role.COMMUNITY, cell=world.other_community)
    street_worker = _user("street_worker", Role.COMMUNITY, cell=world.street)
    for actor in (secretary_a, member_a, other_worker):
        with pytest.raises(PermissionDenied):
            services.registration_confirm(actor=actor, registration=submitted)
    services.registration_confirm(actor=street_worker, registration=submitted)


def test_who_sees_a_registration(world, member_a, secretary_a, secretary_b, community_worker, submitted):
    other_worker = _user("other_worker", Role.COMMUNITY, cell=world.other_community)
    sees = {
        user.username: visible_to(user, Registration.objects.all()).exists()
        for user in (member_a, secretary_a, secretary_b, community_worker, other_worker)
    }
    assert sees == {
        "member_a": True,
        "secretary_a": True,
        "secretary_b": False,
        "community_worker": True,
        "other_worker": False,
    }


def test_the_console_registers_for_the_demo(world):
    registration = services.registration_submit(
        actor=SYSTEM, member=world.member_b, community=world.other_community
    )
    services.registration_confirm(actor=SYSTEM, registration=registration)
    assert selectors.is_registered(world.member_b)
