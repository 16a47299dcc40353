"""Who sees a registration (registered with the scoping module in apps.py): the member their own, the
workers of the community it names (they confirm it), and the member's branch and the office above it (dual
management: the branch knows where its members serve)."""

from __future__ import annotations

from django.db.models import Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def registration_q(s: Scope, prefix: str = "") -> Q:
    q = access.organisation_q(s, f"{prefix}member__organisation__path")
    q |= access.grid_q(s, f"{prefix}community__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def register() -> None:
    access.register(
        "community.registration",
        registration_q,
        org_path=lambda r: r.member.organisation.path,
        owner=lambda r: r.member.person_id,
    )
