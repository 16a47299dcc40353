"""Where a resident's request goes (居民点单 → 党员接单, or → 社区派单).

A request for help: a linked household (联系户: the resident's mobile number, or the household cell
they chose, is a household contact of a member this year) → that member; else the zone named by the
board they came from, or the one zone of this year covering the chosen cell (or a cell above it) →
its responsible member; no zone, or two zones, → the community's queue, marked as a boundary case; a
zone without a responsible member → the community's queue too. An opinion, praise or complaint goes
to its subject's branch."""

from __future__ import annotations

from dataclasses import dataclass

from django.utils.translation import gettext as _

from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.validators import today

STEP = Cell.steplen


@dataclass
class Route:
    member: Member | None = None
    organisation: Organisation | None = None
    community: Cell | None = None
    zone: object | None = None
    boundary: bool = False
    note: str = ""


def ancestor_paths(path: str) -> list[str]:
    """The path itself and every path above it."""
    return [path[:i] for i in range(STEP, len(path) + 1, STEP)]


def community_of(cell: Cell | None) -> Cell | None:
    """The 社区 a cell lies in (itself, or the nearest 社区 above it)."""
    if cell is None:
        return None
    if cell.kind == Cell.Kind.COMMUNITY:
        return cell
    return (
        Cell.objects.filter(path__in=ancestor_paths(cell.path), kind=Cell.Kind.COMMUNITY)
        .order_by("-depth")
        .first()
    )


def zones_covering(cell: Cell, year: int | None = None) -> list:
    """This year's zones that cover the cell or a cell above it (a zone covering a 小区 covers its 楼栋)."""
    from vanguard.zones.models import Zone

    year = year or today().year
    return list(
        Zone.objects.filter(year=year, cells__path__in=ancestor_paths(cell.path))
        .select_related("organisation")
        .distinct()
        .order_by("pk")
    )


def lead_member(zone) -> Member | None:
    """The zone's responsible member (the role kind marked 责任人), if they are a member."""
    from vanguard.zones.models import ZoneRole

    role = (
        ZoneRole.objects.filter(zone=zone, kind__is_lead=True, person__member__isnull=False)
        .select_related("person__member__organisation", "person__member__person")
        .order_by("kind__order", "pk")
        .first()
    )
    return role.person.member if role is not None else None


def household_member(*, cell: Cell | None, phone: str, year: int | None = None) -> Member | None:
    """The member a household is linked to this year (联系户), found by the resident's mobile number or by
    the household cell they chose."""
    from django.db.models import Q

    from vanguard.contacts.models import ContactAssignment

    match = Q()
    if phone and len(phone) == 11 and phone.isdigit():
        match |= Q(person__mobile=phone)
    if cell is not None and cell.kind == Cell.Kind.HOUSEHOLD:
        match |= Q(person__residence=cell)
    if not match:
        return None
    assignment = (
        ContactAssignment.objects.filter(
            match, kind=ContactAssignment.Kind.HOUSEHOLD, year=year or today().year
        )
        .select_related("member__organisation", "member__person")
        .order_by("pk")
        .first()
    )
    return assignment.member if assignment is not None else None


def _zone_community(zone) -> Cell | None:
    first = zone.cells.order_by("path").first()
    return community_of(first)


def _to_zone(zone, route: Route) -> Route:
    route.zone = zone
    route.organisation = zone.organisation
    route.community = route.community or _zone_community(zone)
    member = lead_member(zone)
    if member is None:
        route.note = _("责任区“%(zone)s”未设负责党员,转社区派单") % {"zone": zone.name}
        return route
    route.member = member
    route.organisation = member.organisation
    route.note = _("责任区“%(zone)s”的负责党员") % {"zone": zone.name}
    return route


def route_request(*, cell: Cell | None, zone=None, community: Cell | None = None, phone: str = "") -> Route:
    route = Route(community=community_of(cell) or community)
    household = household_member(cell=cell, phone=phone)
    if household is not None:
        route.member, route.organisation = household, household.organisation
        route.note = _("联系户的联系党员")
        if zone is not None:
            route.zone = zone
            route.community = route.community or _zone_community(zone)
        elif cell is not None:
            covering = zones_covering(cell)
            route.zone = covering[0] if len(covering) == 1 else None
        return route
    if zone is not None:
        return _to_zone(zone, route)
    if cell is None:
        route.note = _("未选择具体位置,由社区派单")
        return route
    covering = zones_covering(cell)
    if len(covering) == 1:
        return _to_zone(covering[0], route)
    route.boundary = True
    if covering:
        route.note = _("该位置处于%(n)d个责任区交界,由社区派单") % {"n": len(covering)}
    else:
        route.note = _("该位置未划入责任区,由社区派单")
    return route


def route_opinion(
    *, zone=None, post=None, about_member: Member | None = None, cell: Cell | None = None
) -> Route:
    """An opinion, praise or complaint: the branch of what it is about answers it."""
    route = Route(community=community_of(cell))
    if post is not None:
        route.organisation = post.organisation
        route.note = _("示范岗“%(post)s”的党支部") % {"post": post.name}
    elif about_member is not None:
        route.organisation = about_member.organisation
        route.note = _("所涉党员的党支部")
    elif zone is not None:
        route.zone, route.organisation = zone, zone.organisation
        route.community = route.community or _zone_community(zone)
        route.note = _("责任区“%(zone)s”的党支部") % {"zone": zone.name}
    return route
