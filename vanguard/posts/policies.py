"""Who sees what of standards and model posts (registered with the scoping module in apps.py).

A model post belongs to its branch: the roles over the branch see it, its members see it. The rules belong to
the office that sets them (seen above and below, like schemes). A standard belongs to its member and their
branch; the member writes their own proposal and benchmark records. (The public sees posts on their boards,
which show only what is public, outside this module.)"""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope
from vanguard.assessment.policies import overlap_q


def post_q(s: Scope, prefix: str = "") -> Q:
    from .models import PostMember

    q = access.organisation_q(s, f"{prefix}organisation__path")
    if s.person_id:
        ref = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
        q |= Q(Exists(PostMember.objects.filter(post_id=ref, member__person_id=s.person_id)))
    return q


def standard_q(s: Scope, prefix: str = "") -> Q:
    q = access.organisation_q(s, f"{prefix}member__organisation__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def register() -> None:
    access.register(
        "posts.postrules",
        lambda s: overlap_q(s, "organisation__path"),
        org_path=lambda r: r.organisation.path,
    )
    access.register("posts.modelpost", post_q, org_path=lambda p: p.organisation.path)
    for label in ("posts.postmember", "posts.evaluation", "posts.starevent", "posts.opinion"):
        access.register(label, lambda s: post_q(s, "post__"), org_path=lambda x: x.post.organisation.path)
    access.register(
        "posts.standard",
        standard_q,
        org_path=lambda x: x.member.organisation.path,
        owner=lambda x: x.member.person_id,
    )
    access.register(
        "posts.standardcomment",
        lambda s: standard_q(s, "standard__"),
        org_path=lambda x: x.standard.member.organisation.path,
    )
    access.register(
        "posts.benchmarkrecord",
        lambda s: standard_q(s, "standard__"),
        org_path=lambda x: x.standard.member.organisation.path,
        owner=lambda x: x.standard.member.person_id,
    )
