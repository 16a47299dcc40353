"""Reads of registrations, through the scoping module; and the facts other apps ask of them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, QuerySet

from vanguard.accounts import scope
from vanguard.org.models import Member

from .models import Registration


def registrations(*, user) -> QuerySet[Registration]:
    return scope.visible_to(user, Registration.objects.all()).select_related(
        "member__person", "member__organisation", "community", "confirmed_by"
    )


def confirmed_exists(member_ref: str | OuterRef = "pk") -> Exists:
    """EXISTS a confirmed registration of the member `member_ref` points at (an OuterRef to a member id),
    for annotating a list of members in one query."""
    ref = member_ref if isinstance(member_ref, OuterRef) else OuterRef(member_ref)
    return Exists(Registration.objects.filter(member_id=ref, status=Registration.Status.CONFIRMED))


def is_registered(member: Member) -> bool:
    """Whether the member has a registration confirmed by their community. (A fact about the member, not a
    read of the registration's details: the branch's rules ask it whoever the actor is.)"""
    return Registration.objects.filter(member=member, status=Registration.Status.CONFIRMED).exists()
