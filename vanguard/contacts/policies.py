"""Contacts belong to the member who keeps them and to that member's branch (registered in apps.py)."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def _assignment_q(s: Scope, prefix: str = "") -> Q:
    q = access.organisation_q(s, f"{prefix}member__organisation__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def member_q(s: Scope) -> Q:
    """The members whose contacts a scope sees: the same reach as `_assignment_q`, on the member itself.
    (The org app's member rule reaches further — a community worker sees the members living in their
    grid — but their contacts are the branch's business, not the community's.)"""
    q = access.organisation_q(s, "organisation__path")
    if s.person_id:
        q |= Q(person_id=s.person_id)
    return q


def kept_contacts_q(s: Scope) -> Q:
    """People kept as contacts by members of the scope's organisations: the branch that keeps a resident
    as its member's contact sees them in the roster too (org.person is widened with this)."""
    from .models import ContactAssignment

    kept = ContactAssignment.objects.filter(person_id=OuterRef("pk")).filter(
        access.organisation_q(s, "member__organisation__path")
    )
    return Q(Exists(kept)) if s.any_org_paths else Q(pk__in=[])


def register() -> None:
    access.extend("org.person", kept_contacts_q)
    access.register(
        "contacts.contactassignment",
        _assignment_q,
        org_path=lambda a: a.member.organisation.path,
        owner=lambda a: a.member.person_id,
    )
    access.register(
        "contacts.talk",
        lambda s: _assignment_q(s, "assignment__"),
        org_path=lambda t: t.assignment.member.organisation.path,
        owner=lambda t: t.assignment.member.person_id,
    )
