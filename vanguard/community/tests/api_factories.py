"""Community and time-bank objects for the API, feedback and access-sweep tests, made through the services
as the console's system actor (so they are what the pages and the API would have made)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.community import services, services_work
from vanguard.community.models import CommunityPost, PostClaim, Registration, ServiceRecord
from vanguard.org.models import Cell, Member, Person
from vanguard.timebank import services as timebank
from vanguard.timebank.models import Account

SERVED_ON = dt.date(2026, 8, 12)  # in 2026Q3


def registration(member: Member, community: Cell, *, confirm: bool = True, **fields) -> Registration:
    registration = services.registration_submit(actor=SYSTEM, member=member, community=community, **fields)
    if confirm:
        registration = services.registration_confirm(actor=SYSTEM, registration=registration)
    return registration


def record(
    member: Member,
    community: Cell,
    hours="2",
    *,
    served_on: dt.date = SERVED_ON,
    verify: bool = True,
    activity: str = "清理楼道小广告",
) -> ServiceRecord:
    record = services_work.service_report(
        actor=SYSTEM, member=member, community=community, activity=activity, served_on=served_on, hours=hours
    )
    if verify:
        record = services_work.service_verify(actor=SYSTEM, record=record)
    return record


def post(community: Cell, name: str = "3号楼楼栋长", places: int = 2, category: str = "building"):
    return services_work.post_create(
        actor=SYSTEM, community=community, name=name, category=category, places=places
    )


def claim(post: CommunityPost, member: Member, *, confirm: bool = True) -> PostClaim:
    claim = services_work.post_claim(actor=SYSTEM, post=post, member=member)
    if confirm:
        claim = services_work.claim_confirm(actor=SYSTEM, claim=claim)
    return claim


def household(community: Cell, name: str = "独居老人刘奶奶") -> Account:
    return timebank.household_account(Person.objects.create(name=name, residence=community), community)


def worker_of(cell: Cell, username: str = "other_worker"):
    """A community worker of `cell` (e.g. the other community: a worker who must get 404 for 南园's)."""
    from vanguard.conftest import _user

    return _user(username, Role.COMMUNITY, cell=cell)


def member_user(member: Member, username: str):
    from vanguard.conftest import _user

    user = _user(username, Role.MEMBER)
    member.person.user = user
    member.person.save()
    return user


# --- one object of branch A's member in 南园社区 for the access sweep, made on first use ----------------


def sweep_registration(w) -> Registration:
    found = Registration.objects.filter(member=w.member_a).first()
    return found or registration(w.member_a, w.community, strengths="驾驶、维修")


def sweep_post(w) -> CommunityPost:
    found = CommunityPost.objects.filter(community=w.community, name="治安巡逻岗").first()
    return found or post(w.community, "治安巡逻岗", category="patrol")


def sweep_claim(w) -> PostClaim:
    found = PostClaim.objects.filter(member=w.member_a).first()
    return found or claim(sweep_post(w), w.member_a, confirm=False)


def sweep_record(w) -> ServiceRecord:
    found = ServiceRecord.objects.filter(member=w.member_a).first()
    return found or record(w.member_a, w.community, verify=False)


def sweep_account(w) -> Account:
    found = Account.objects.filter(member=w.member_a).first()
    if found is None:
        record(w.member_a, w.community, "3")
        found = Account.objects.get(member=w.member_a)
    return found


def balance(account: Account) -> Decimal:
    return timebank.balance(account)
