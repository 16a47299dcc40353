"""Who sees which zones and what hangs on them (registered with the scoping module in apps.py).

A zone belongs to its branch: the branch's secretary and the office above see and edit it; a supervisor
sees the zones of the organisations they supervise; a community worker sees the zones that cover cells
of their community; a member sees the zones they hold a role in, and their own tasks."""

from __future__ import annotations

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def zone_q(s: Scope, prefix: str = "") -> Q:
    from .models import Zone, ZoneRole

    q = access.organisation_q(s, f"{prefix}organisation__path")
    zone_ref = OuterRef(f"{prefix}pk") if prefix else OuterRef("pk")
    if s.cell_paths:
        covering = Zone.cells.through.objects.filter(zone_id=zone_ref).filter(access.grid_q(s, "cell__path"))
        q |= Q(Exists(covering))
    if s.person_id:
        q |= Q(Exists(ZoneRole.objects.filter(zone_id=zone_ref, person_id=s.person_id)))
    return q


def _task_q(s: Scope) -> Q:
    q = access.organisation_q(s, "zone__organisation__path") | access.organisation_q(
        s, "member__organisation__path"
    )
    if s.person_id:
        q |= Q(member__person_id=s.person_id) | zone_q(s, "zone__")
    return q


def _activity_q(s: Scope) -> Q:
    from .models import ActivityParticipant

    q = access.organisation_q(s, "organisation__path")
    if s.person_id:
        q |= Q(Exists(ActivityParticipant.objects.filter(activity_id=OuterRef("pk"), person_id=s.person_id)))
    return q


def _zone_org_path(obj) -> str | None:
    return obj.zone.organisation.path if obj.zone_id else None


def _task_org_path(task) -> str | None:
    if task.zone_id:
        return task.zone.organisation.path
    return task.member.organisation.path if task.member_id else None


def register() -> None:
    access.register("zones.zone", zone_q, org_path=lambda z: z.organisation.path)
    access.register("zones.zonerole", lambda s: zone_q(s, "zone__"), org_path=_zone_org_path)
    access.register("zones.workplanentry", lambda s: zone_q(s, "zone__"), org_path=_zone_org_path)
    access.register("zones.task", _task_q, org_path=_task_org_path)
    access.register(
        "zones.responsibility",
        lambda s: access.organisation_q(s, "organisation__path"),
        org_path=lambda r: r.organisation.path,
    )
    access.register("zones.activity", _activity_q, org_path=lambda a: a.organisation.path)
