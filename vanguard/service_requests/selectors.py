"""Reads of residents' requests for the staff's pages: the lists (我承办的, the community's queue, 督办, all)
with their filters and counts, one request with its timeline, and the choices the forms offer (whom to
dispatch to, where a request taken by phone is).

Every read goes through the scoping module; a list runs a fixed number of queries whatever its size (its
rows join what they show, the tabs' counts are one aggregate)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.db.models import BooleanField, Case, Count, Exists, OuterRef, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope as access
from vanguard.accounts.models import Role
from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.validators import today

from . import services
from .models import OPEN_STATUSES, Event, ServiceRequest, Status

MINE, QUEUE, ALL, ESCALATED = "mine", "queue", "all", "escalated"
# The place a request taken by phone may be pinned to, under a community.
PLACE_KINDS = (Cell.Kind.ESTATE, Cell.Kind.BUILDING, Cell.Kind.PUBLIC_AREA)


# --- who is who ------------------------------------------------------------------------------------------


def uses_requests(user) -> bool:
    """Anyone with a business role: the superuser, office, secretaries, supervisors, community workers and
    members (an auditor alone, or a login with no role, has no requests to see)."""
    return access.has_any_role(user)


def is_office_wide(user) -> bool:
    """The office or the superuser: their filters ask for a branch before offering its zones."""
    s = access.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE}))


def answers_for_organisations(user) -> bool:
    """Office, secretaries, supervisors: their lists may be narrowed to one of their organisations."""
    s = access.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def views_of(user) -> list[tuple[str, str]]:
    """The list's tabs this user has, in order, each (key, label)."""
    s = access.scope_of(user)
    member, worker = s.superuser or s.person_id is not None, s.superuser or bool(s.cell_paths)
    editor = access.edits_organisations(user)
    tabs: list[tuple[str, str]] = []
    if member:
        tabs.append((MINE, _("我承办的")))
    if member or worker:
        tabs.append((QUEUE, _("社区待派单") if worker else _("社区待接单")))
    if worker or s.any_org_paths or s.superuser:
        tabs.append((ALL, _("全部")))
    if editor:
        tabs.append((ESCALATED, _("督办")))
    return tabs


# --- the lists -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class RequestFilters:
    view: str = ""
    status: str = ""
    kind: str = ""
    category: str = ""
    urgency: str = ""
    overdue: bool = False
    community: Cell | None = None
    organisation: Organisation | None = None
    zone: object | None = None
    member_id: int | None = None
    escalation: int | None = None
    q: str = ""
    received_from: dt.date | None = None
    received_to: dt.date | None = None


def _mine_q(s: access.Scope) -> Q:
    """Handled by me, or dispatched to a team of mine; not closed."""
    from vanguard.community.models import Team

    if s.person_id is None:
        return Q(pk__in=[])
    in_team = Team.members.through.objects.filter(team_id=OuterRef("team_id"), member__person_id=s.person_id)
    return (Q(member__person_id=s.person_id) | Q(Exists(in_team))) & ~Q(status=Status.CLOSED)


def _queue_q(s: access.Scope) -> Q:
    """Waiting in the queue of a community I work in (a worker) or serve in (a member registered there and
    confirmed, or living there)."""
    from vanguard.community.models import Registration
    from vanguard.org.models import Person

    if s.superuser:
        return Q(status=Status.QUEUED)
    where = access.grid_q(s, "community__path")
    if s.person_id is not None:
        registered = Registration.objects.filter(
            member__person_id=s.person_id,
            community_id=OuterRef("community_id"),
            status=Registration.Status.CONFIRMED,
        )
        lives = Person.objects.filter(pk=s.person_id, residence__path__startswith=OuterRef("community__path"))
        where |= Q(Exists(registered)) | Q(Exists(lives))
    return Q(status=Status.QUEUED) & where


def _escalated_q() -> Q:
    """Escalated while still open, or reopened by a low rating for the secretary's attention."""
    return Q(escalation__gt=0, status__in=OPEN_STATUSES) | Q(attention=True)


def view_q(user, view: str) -> Q:
    s = access.scope_of(user)
    if view == MINE:
        return _mine_q(s)
    if view == QUEUE:
        return _queue_q(s)
    if view == ESCALATED:
        return _escalated_q()
    return Q()


def _overdue(now: dt.datetime) -> Case:
    return Case(
        When(status__in=OPEN_STATUSES, deadline__lt=now, then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def visible_requests(user) -> QuerySet[ServiceRequest]:
    return access.visible_to(user, ServiceRequest.objects.all())


def request_list(*, user, filters: RequestFilters | None = None) -> QuerySet[ServiceRequest]:
    """The requests the user sees, narrowed by the tab and the filters: overdue first, then those needing the
    secretary's attention, then by deadline."""
    f = filters or RequestFilters()
    now = timezone.now()
    qs = visible_requests(user).filter(view_q(user, f.view))
    for name in ("status", "kind", "category", "urgency"):
        value = getattr(f, name)
        if value:
            qs = qs.filter(**{name: value})
    if f.overdue:
        qs = qs.filter(status__in=OPEN_STATUSES, deadline__lt=now)
    if f.community is not None:
        qs = qs.filter(community=f.community)
    if f.organisation is not None:
        qs = qs.filter(f.organisation.subtree_q("organisation__"))
    if f.zone is not None:
        qs = qs.filter(zone=f.zone)
    if f.member_id is not None:
        qs = qs.filter(member_id=f.member_id)
    if f.escalation is not None:
        qs = qs.filter(escalation=f.escalation)
    if f.q:
        text = f.q.strip()
        qs = qs.filter(Q(tracking_code=text.upper()) | Q(description__contains=text))
    if f.received_from is not None:
        qs = qs.filter(received_at__date__gte=f.received_from)
    if f.received_to is not None:
        qs = qs.filter(received_at__date__lte=f.received_to)
    return (
        qs.select_related(
            "cell",
            "zone",
            "community",
            "organisation",
            "member__person",
            "team",
            "post",
            "about_member__person",
        )
        .annotate(overdue=_overdue(now))
        .order_by("-overdue", "-attention", "deadline", "pk")
    )


def tab_counts(user, views: list[str]) -> dict[str, int]:
    """How many requests each tab holds (without the filters): one query."""
    if not views:
        return {}
    counts = visible_requests(user).aggregate(**{v: Count("pk", filter=view_q(user, v)) for v in views})
    return {v: counts[v] or 0 for v in views}


def overdue_by(req: ServiceRequest, now: dt.datetime | None = None) -> dt.timedelta | None:
    """How long an open request is past its deadline; None if it is not."""
    now = now or timezone.now()
    if req.status in OPEN_STATUSES and req.deadline < now:
        return now - req.deadline
    return None


# --- the filters' choices --------------------------------------------------------------------------------


def worker_communities(user) -> QuerySet[Cell]:
    s = access.scope_of(user)
    qs = Cell.objects.filter(kind=Cell.Kind.COMMUNITY)
    if not s.superuser:
        qs = qs.filter(access.subtree_q("path", s.cell_paths))
    return qs.order_by("path")


def filter_communities(user) -> QuerySet[Cell]:
    """A community worker's own communities; anyone else's, every community (the grid is shared)."""
    s = access.scope_of(user)
    if s.cell_paths and not s.superuser:
        return worker_communities(user)
    return Cell.objects.filter(kind=Cell.Kind.COMMUNITY).order_by("path")


def filter_organisations(user) -> QuerySet[Organisation]:
    return access.visible_to(user, Organisation.objects.all()).order_by("path")


def year_zones(user):
    """This year's zones the user sees, with their branch."""
    from vanguard.zones.models import Zone

    return (
        access.visible_to(user, Zone.objects.filter(year=today().year))
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )


# --- one request -----------------------------------------------------------------------------------------


def request_detail(*, user, pk: int) -> ServiceRequest:
    return access.get_visible_or_404(
        user,
        ServiceRequest.objects.select_related(
            "cell",
            "zone__organisation",
            "community",
            "organisation",
            "member__person",
            "member__organisation",
            "team",
            "post",
            "about_member__person",
            "opinion",
            "service_record",
            "entered_by",
        ),
        pk=pk,
    )


def timeline(req: ServiceRequest) -> QuerySet[Event]:
    return req.events.select_related("actor").order_by("at", "pk")


def own_member(user) -> Member | None:
    person_id = access.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person_id=person_id).first()


def dispatch_members(*, user, req: ServiceRequest) -> QuerySet[Member]:
    """Whom the user may dispatch the request to: for a worker of its community, the members serving there
    (registered and confirmed, or living there); for the secretary or the office, the members of the
    request's branch."""
    from vanguard.community.models import Registration

    q = Q(pk__in=[])
    if req.community_id is not None and services.is_community_worker(user, req):
        registered = Registration.objects.filter(
            member_id=OuterRef("pk"), community_id=req.community_id, status=Registration.Status.CONFIRMED
        )
        q |= Q(Exists(registered)) | req.community.subtree_q("person__residence__")
    branch = editable_branch(user, req)
    if branch is not None:
        q |= branch.subtree_q("organisation__")
    return (
        Member.objects.filter(q)
        .select_related("person", "organisation")
        .order_by("person__name_pinyin", "pk")
    )


def editable_branch(user, req: ServiceRequest) -> Organisation | None:
    """The branch the user edits that answers for the request (its own, else its zone's); a group's branch
    rather than the group itself."""
    for org in (req.organisation, req.zone.organisation if req.zone_id else None):
        if org is not None and access.can_edit_under(user, org):
            branch = _branch_of(org)
            return branch if access.can_edit_under(user, branch) else org
    return None


def dispatch_teams(*, user, req: ServiceRequest):
    """The community's volunteer teams, for its workers."""
    from vanguard.community.models import Team

    if req.community_id is None or not services.is_community_worker(user, req):
        return Team.objects.none()
    return Team.objects.filter(community_id=req.community_id).order_by("name", "pk")


# --- entering a request taken by phone -------------------------------------------------------------------


def entry_cells(user) -> QuerySet[Cell]:
    """The estates, buildings and public areas a community worker may pin a request to: those under their
    communities. Others choose a community or a zone (a city's every building would be no choice at all)."""
    s = access.scope_of(user)
    if not s.cell_paths:
        return Cell.objects.none()
    return (
        Cell.objects.filter(kind__in=PLACE_KINDS)
        .filter(access.subtree_q("path", s.cell_paths))
        .order_by("path")
    )


def _branch_of(organisation: Organisation) -> Organisation:
    if organisation.kind == Organisation.Kind.GROUP and organisation.depth > 1:
        return organisation.get_parent()
    return organisation


def entry_zones(user):
    """This year's zones of the user's branch: the branches a secretary runs, the branch a member belongs
    to. (The office chooses the community instead: a committee's zones are too many for one list.)"""
    from vanguard.zones.models import Zone

    s = access.scope_of(user)
    paths = list(s.paths_for({Role.SECRETARY}))
    member = own_member(user)
    if member is not None:
        paths.append(_branch_of(member.organisation).path)
    if not paths:
        return Zone.objects.none()
    return (
        Zone.objects.filter(year=today().year)
        .filter(access.subtree_q("organisation__path", paths))
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )
