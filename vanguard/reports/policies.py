"""A monthly report belongs to the member who writes it and to their branch, whose secretary reviews it."""

from __future__ import annotations

from django.db.models import Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def _report_q(s: Scope) -> Q:
    q = access.organisation_q(s, "member__organisation__path")
    if s.person_id:
        q |= Q(member__person_id=s.person_id)
    return q


def report_member_q(s: Scope, prefix: str = "") -> Q:
    """The members whose reports and archive book (活动档案簿册) a scope reaches: those of its organisation
    subtrees, and a member's own. Narrower than seeing the member at all: a community worker sees the
    in-service members living in the community, but not what they report to their own branch."""
    if s.superuser:
        return Q()
    q = access.organisation_q(s, f"{prefix}organisation__path")
    if s.person_id:
        q |= Q(**{f"{prefix}person_id": s.person_id})
    return q


def register() -> None:
    access.register(
        "reports.monthlyreport",
        _report_q,
        org_path=lambda r: r.member.organisation.path,
        owner=lambda r: r.member.person_id,
    )
