"""The demo of 在职党员进社区 and the time bank: registrations across 东风街道's seven communities, posts with
one full, three teams, pairings with visits, service records verified and waiting, households with donations
and a spend, the 党员服务社 with its special members; built once, removed by its reset."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db.models import Sum

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.community import stats
from vanguard.community.models import (
    CommunityPost,
    Pairing,
    PairingVisit,
    PostClaim,
    Registration,
    ServiceRecord,
    Team,
)
from vanguard.demo import builder, data
from vanguard.demo import community as demo_community
from vanguard.demo import requests as demo_requests
from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.timebank import services as timebank
from vanguard.timebank.models import Account, Entry, Transfer

pytestmark = pytest.mark.django_db
MODELS = (
    Registration,
    CommunityPost,
    PostClaim,
    Team,
    Pairing,
    PairingVisit,
    ServiceRecord,
    Account,
    Transfer,
    Entry,
)


def _counts() -> tuple[int, ...]:
    return tuple(model.objects.count() for model in MODELS)


def test_the_demo_registers_in_service_members_across_the_seven_communities_and_builds_once():
    builder.build_demo()
    street = Cell.objects.get(name=data.STREET, depth=1)
    registrations = Registration.objects.filter(street.subtree_q("community__"))
    by_status = {s: registrations.filter(status=s).count() for s in Registration.Status.values}
    assert by_status["returned"] == 1
    assert 3 <= by_status["submitted"] < by_status["confirmed"] / 5
    assert set(registrations.values_list("community__name", flat=True)) == {c[0] for c in data.COMMUNITIES}
    assert registrations.filter(channel="paper", community__name="南园社区").exists()
    assert not registrations.exclude(member__category=Member.Category.IN_SERVICE).exists()
    # Occupation and strengths are known (知职业、知优势); the street's book counts them.
    assert not registrations.filter(occupation="").exists()
    admin = builder.User.objects.get(username="admin")
    book = stats.in_service_stats(user=admin, cell=street)
    assert book.total == by_status["confirmed"]
    assert len(book.by_community) == 7 and book.by_strength

    # The logins: the member is registered and confirmed; the community worker works at 南园社区, where
    # a registration waits for them.
    member = Member.objects.get(person__user__username="member")
    assert Registration.objects.get(member=member).status == "confirmed"
    nanyuan = Cell.objects.get(name="南园社区")
    assert RoleAssignment.objects.filter(
        user__username="community", role=Role.COMMUNITY, cell=nanyuan
    ).exists()
    assert registrations.filter(community=nanyuan, status="submitted").exists()

    # Posts with claims, one full; three teams; pairings with visits.
    full = CommunityPost.objects.get(community=nanyuan, name="1号楼楼栋长")
    assert full.places == full.claims.count() == 1
    assert CommunityPost.objects.filter(street.subtree_q("community__")).count() == 21
    assert PostClaim.objects.filter(status="claimed").exists() and PostClaim.objects.filter(
        status="confirmed"
    )
    assert set(Team.objects.values_list("name", flat=True)) == {"代理家长队", "社区治安队", "政策宣传队"}
    assert all(team.members.filter(pk=team.leader_id).exists() for team in Team.objects.all())
    assert Pairing.objects.count() == 3 and PairingVisit.objects.count() == 5

    # Service records: most verified and credited, some waiting, the member login's among them.
    verified = ServiceRecord.objects.filter(status="verified")
    assert verified.count() > 2 * ServiceRecord.objects.filter(status="reported").count() > 0
    assert Transfer.objects.filter(kind="credit").count() == verified.count()
    assert ServiceRecord.objects.filter(member=member, status="reported").exists()
    assert timebank.balance(Account.objects.get(member=member)) > 0

    # Households received donations and one paid for help; the ledger balances and nobody is overdrawn.
    households = Account.objects.filter(kind=Account.Kind.HOUSEHOLD)
    assert households.count() == 3
    assert (
        Transfer.objects.filter(kind="donate").count() >= 3
        and Transfer.objects.filter(kind="spend").count() == 1
    )
    assert Entry.objects.aggregate(total=Sum("hours"))["total"] == 0
    for account in Account.objects.exclude(kind=Account.Kind.ISSUER):
        assert timebank.balance(account) >= Decimal("0")

    # Seed 002: the 党员服务社 under 南园社区党委 with its four special members.
    society = Organisation.objects.get(name=demo_community.SOCIETY)
    assert society.kind == Organisation.Kind.SERVICE_SOCIETY
    assert Organisation.objects.get_parent(society).name == "南园社区党委"
    assert set(Member.objects.filter(organisation=society).values_list("category", flat=True)) == {
        "floating",
        "released",
        "dependant",
        "veteran",
    }

    counts = _counts()
    builder.build_demo()
    assert _counts() == counts

    # The residents' requests hang on the teams: their area goes first, as in builder.reset_demo().
    demo_requests.reset()
    demo_community.reset()
    assert _counts() == (0,) * len(MODELS)
    assert not Organisation.objects.filter(name=demo_community.SOCIETY).exists()
    assert not Person.objects.filter(id_number__in=demo_community.SPECIAL_IDS).exists()
    # The rest of the demo is still there, and the area builds again.
    builder.build_demo()
    assert _counts() == counts
