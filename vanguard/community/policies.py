"""Who sees a registration (registered with the scoping module in apps.py): the member their own, the
workers of the community it names (they confirm it), and the member's branch and the office above it (dual
management: the branch knows where its members serve). Claims of community posts and service records follow
the same rule; a community post is seen by its community's workers, by the members registered there (who
may claim it) and by whoever sees a claim of it."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def registration_q(s: Scope, prefix: str = "") -> Q:
    q = access.organisation_q(s, f"{prefix}member__organisation__path")
    q |= access.grid_q(s, f"{prefix}community__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def member_record_q(s: Scope, community_path: str = "community__path") -> Q:
    """A record of one member in one community (a claim of a post, a service record): the member, the
    community's workers, the member's branch and the office above it (dual management)."""
    q = access.organisation_q(s, "member__organisation__path")
    q |= access.grid_q(s, community_path)
    if s.person_id:
        q |= Q(member__person_id=s.person_id)
    return q


def post_q(s: Scope) -> Q:
    """A community post: the community's workers; a member registered (submitted or confirmed) at that
    community, who may claim it, or who has claimed it; the branch and office of a member who claimed it."""
    from .models import PostClaim, Registration

    q = access.grid_q(s, "community__path")
    if s.person_id:
        q |= Q(
            Exists(
                Registration.objects.filter(
                    member__person_id=s.person_id,
                    community_id=OuterRef("community_id"),
                    status__in=[Registration.Status.SUBMITTED, Registration.Status.CONFIRMED],
                )
            )
        )
    by_claim = access.organisation_q(s, "member__organisation__path")
    if s.person_id:
        by_claim |= Q(member__person_id=s.person_id)
    if s.any_org_paths or s.person_id:
        q |= Q(Exists(PostClaim.objects.filter(by_claim, post_id=OuterRef("pk"))))
    return q


def team_q(s: Scope) -> Q:
    """A volunteer team: its community's workers; its leader and members; the branch and office of its
    leader or of one of its members."""
    from .models import Team

    q = access.grid_q(s, "community__path")
    through = Team.members.through
    if s.person_id:
        q |= Q(leader__person_id=s.person_id)
        q |= Q(Exists(through.objects.filter(team_id=OuterRef("pk"), member__person_id=s.person_id)))
    if s.any_org_paths:
        q |= access.organisation_q(s, "leader__organisation__path")
        q |= Q(
            Exists(
                through.objects.filter(
                    access.organisation_q(s, "member__organisation__path"), team_id=OuterRef("pk")
                )
            )
        )
    return q


def visit_q(s: Scope) -> Q:
    """A visit of a pairing: whoever sees the pairing (member_record_q through `pairing`)."""
    q = access.organisation_q(s, "pairing__member__organisation__path")
    q |= access.grid_q(s, "pairing__community__path")
    if s.person_id:
        q |= Q(pairing__member__person_id=s.person_id)
    return q


def register() -> None:
    access.register(
        "community.registration",
        registration_q,
        org_path=lambda r: r.member.organisation.path,
        owner=lambda r: r.member.person_id,
    )
    access.register("community.communitypost", post_q)
    access.register(
        "community.postclaim",
        lambda s: member_record_q(s, "post__community__path"),
        org_path=lambda c: c.member.organisation.path,
        owner=lambda c: c.member.person_id,
    )
    access.register(
        "community.servicerecord",
        member_record_q,
        org_path=lambda r: r.member.organisation.path,
        owner=lambda r: r.member.person_id,
    )
    # Teams and pairings (the pages of issue 8): the same dual-management rule.
    access.register("community.team", team_q)
    access.register(
        "community.pairing",
        member_record_q,
        org_path=lambda p: p.member.organisation.path,
        owner=lambda p: p.member.person_id,
    )
    access.register("community.pairingvisit", visit_q)
