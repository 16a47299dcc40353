"""Who sees a resident's request (registered with the scoping module in apps.py):

- the office and the secretary over its branch (`organisation`: the handling member's, else the zone's) and
  over the zone's branch;
- the workers of its community (they dispatch it);
- the member handling it, the members of the team it was dispatched to, and — while it waits in the
  community's queue — the members of that community (registered there and confirmed, or living there), who may
  take it.
The resident sees it through its tracking code only, masked (views_public.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def request_q(s: Scope, prefix: str = "") -> Q:
    from vanguard.community.models import Registration, Team
    from vanguard.org.models import Person

    from .models import Status

    q = access.organisation_q(s, f"{prefix}organisation__path")
    q |= access.organisation_q(s, f"{prefix}zone__organisation__path")
    q |= access.grid_q(s, f"{prefix}community__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
        q |= Q(
            Exists(
                Team.members.through.objects.filter(
                    team_id=OuterRef(f"{prefix}team_id"), member__person_id=s.person_id
                )
            )
        )
        registered = Registration.objects.filter(
            member__person_id=s.person_id,
            community_id=OuterRef(f"{prefix}community_id"),
            status=Registration.Status.CONFIRMED,
        )
        lives = Person.objects.filter(
            pk=s.person_id, residence__path__startswith=OuterRef(f"{prefix}community__path")
        )
        q |= Q(**{f"{prefix}status": Status.QUEUED}) & (Q(Exists(registered)) | Q(Exists(lives)))
    return q


def register() -> None:
    access.register(
        "service_requests.servicerequest",
        request_q,
        org_path=lambda r: r.organisation.path if r.organisation_id else None,
        owner=lambda r: r.member.person_id if r.member_id else None,
    )
    access.register("service_requests.event", lambda s: request_q(s, "request__"))
