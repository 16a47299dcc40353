"""Who sees what of the assessment (registered with the scoping module in apps.py).

Schemes, rounds, settings and roll-ups belong to the organisation that runs them; the office and the
secretaries and supervisors below it see them (a secretary sees the committee's round that scores their
branch), as do the office's ancestors. A result belongs to its unit (the member's branch or group, the
organisation itself, the zone's branch): the roles over that unit see it, and a member sees their own — with
everything behind it (scores, indicator points, revisions): who sees a result sees why. Votes of the
democratic appraisal are secret: the branch's editors and the voter see them."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def overlap_q(s: Scope, field_path: str) -> Q:
    """Rows whose organisation (`field_path`, a tree path) lies inside the scope's subtrees or above them."""
    ancestors = {p[:i] for p in s.any_org_paths for i in range(4, len(p), 4)}
    q = access.organisation_q(s, field_path)
    if ancestors:
        q |= Q(**{f"{field_path}__in": sorted(ancestors)})
    return q


def result_q(s: Scope, prefix: str = "") -> Q:
    q = access.organisation_q(s, f"{prefix}unit__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def _round_q(s: Scope) -> Q:
    from .models import Result

    q = overlap_q(s, "organisation__path")
    if s.person_id:
        q |= Q(Exists(Result.objects.filter(round_id=OuterRef("pk"), member__person_id=s.person_id)))
    return q


def _rollup_result_q(s: Scope) -> Q:
    q = access.organisation_q(s, "unit__path")
    if s.person_id:
        q |= Q(member__person_id=s.person_id)
    return q


def _member_q(s: Scope, prefix: str) -> Q:
    q = access.organisation_q(s, f"{prefix}organisation__path")
    if s.person_id:
        q |= Q(**{f"{prefix}person_id": s.person_id})
    return q


def _appraisal_q(s: Scope, prefix: str = "") -> Q:
    from vanguard.org.models import Member

    q = access.organisation_q(s, f"{prefix}organisation__path")
    if s.person_id:
        ref = OuterRef(f"{prefix}organisation__path")
        q |= Q(Exists(Member.objects.filter(person_id=s.person_id, organisation__path__startswith=ref)))
    return q


def _vote_q(s: Scope) -> Q:
    q = access.organisation_q(s, "entry__appraisal__organisation__path")
    if s.person_id:
        q |= Q(voter__person_id=s.person_id)
    return q


def _result_member(obj) -> int | None:
    result = obj if hasattr(obj, "unit_id") else obj.result
    return result.member.person_id if result.member_id else None


def register() -> None:
    org = lambda o: o.organisation.path  # noqa: E731
    access.register("assessment.scheme", lambda s: overlap_q(s, "organisation__path"), org_path=org)
    access.register(
        "assessment.schemeversion",
        lambda s: overlap_q(s, "scheme__organisation__path"),
        org_path=lambda v: v.scheme.organisation.path,
    )
    access.register(
        "assessment.indicator",
        lambda s: overlap_q(s, "version__scheme__organisation__path"),
        org_path=lambda i: i.version.scheme.organisation.path,
    )
    access.register("assessment.round", _round_q, org_path=org)
    access.register("assessment.result", result_q, org_path=lambda r: r.unit.path, owner=_result_member)
    access.register(
        "assessment.score",
        lambda s: result_q(s, "result__"),
        org_path=lambda sc: sc.result.unit.path,
        owner=_result_member,
    )
    access.register(
        "assessment.indicatorresult", lambda s: result_q(s, "result__"), org_path=lambda x: x.result.unit.path
    )
    access.register(
        "assessment.revision", lambda s: result_q(s, "result__"), org_path=lambda x: x.result.unit.path
    )
    access.register("assessment.settings", lambda s: overlap_q(s, "organisation__path"), org_path=org)
    access.register("assessment.rollup", lambda s: overlap_q(s, "organisation__path"), org_path=org)
    access.register("assessment.rollupresult", _rollup_result_q, org_path=lambda x: x.unit.path)
    access.register(
        "assessment.branchreview", lambda s: access.organisation_q(s, "organisation__path"), org_path=org
    )
    access.register(
        "assessment.rectification",
        lambda s: _member_q(s, "member__"),
        org_path=lambda r: r.member.organisation.path,
    )
    access.register(
        "assessment.rectificationnote",
        lambda s: _member_q(s, "rectification__member__"),
        org_path=lambda n: n.rectification.member.organisation.path,
    )
    access.register("assessment.appraisal", _appraisal_q, org_path=org)
    access.register(
        "assessment.appraisalentry",
        lambda s: _appraisal_q(s, "appraisal__"),
        org_path=lambda e: e.appraisal.organisation.path,
    )
    access.register(
        "assessment.appraisalvote", _vote_q, org_path=lambda v: v.entry.appraisal.organisation.path
    )
