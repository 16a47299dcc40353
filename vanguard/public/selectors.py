"""What the public pages show: a community's board, a published round's results and the big screen's data.

The public has no login and sees no private row: these reads take no user and return plain values — counts,
rates, the names of organisations, zones and posts, and the names of people masked (张*) here, before any
template sees them; no phone of a person and no ID number ever leaves this module. Aggregates that another
app defines for its staff (the requests' rates) are read over everything, as the system actor, since only
their totals are shown.

Each read is a fixed number of queries whatever the size of the community, the branch or the round."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

from django.core.paginator import Page, Paginator
from django.db.models import Count, Exists, F, Max, OuterRef, Q, QuerySet, Subquery, Sum
from django.db.models.functions import TruncMonth
from django.http import Http404
from django.utils import timezone

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment.models import Result, Round
from vanguard.community.models import CommunityPost, Registration, ServiceRecord, Team
from vanguard.community.selectors_pages import suggestions
from vanguard.core.masking import mask_name
from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.validators import today
from vanguard.posts.models import MAX_STARS, ModelPost
from vanguard.service_requests import stats as request_stats
from vanguard.service_requests.models import Category, Kind, ServiceRequest
from vanguard.zones import coverage as zone_coverage
from vanguard.zones.models import Responsibility, Zone, ZoneRole
from vanguard.zones.selectors import branch_path, full_names

RESULTS_PAGE = 50
SCREEN_ROWS = 10  # results, stars and gaps on one slide of the big screen
BOARD_POSTS = 12
BOARD_ZONES = 200
HOURS_MONTHS = 6

# A published result shows its rank and total only: the engine gives a round no grades (等次), and a public
# board does not invent any.


# --- what a page is about ---------------------------------------------------------------------------------


def public_community(pk: int) -> Cell:
    """A community (社区) of the grid; any other cell has no board."""
    try:
        return Cell.objects.get(pk=pk, kind=Cell.Kind.COMMUNITY)
    except Cell.DoesNotExist as exc:
        raise Http404 from exc


def public_organisation(pk: int) -> Organisation:
    try:
        return Organisation.objects.get(pk=pk)
    except Organisation.DoesNotExist as exc:
        raise Http404 from exc


def published_round(pk: int) -> Round:
    """A round whose results are published; a round still being scored, closed or archived is not public."""
    try:
        return Round.objects.select_related("organisation", "version__scheme").get(
            pk=pk, status=Round.Status.PUBLISHED
        )
    except Round.DoesNotExist as exc:
        raise Http404 from exc


# --- pieces shared by the board and the screen --------------------------------------------------------------


@dataclass(frozen=True)
class StarLine:
    id: int
    name: str
    organisation: str
    stars: int
    named: bool

    @property
    def icons(self) -> str:
        return "★" * self.stars + "☆" * (MAX_STARS - self.stars)


def _star_lines(posts: QuerySet[ModelPost], limit: int) -> list[StarLine]:
    """The posts with the most stars first: one query."""
    return [
        StarLine(p.pk, p.name, p.organisation.name, p.stars, p.named_at is not None)
        for p in posts.select_related("organisation").order_by("-stars", "name", "pk")[:limit]
    ]


def serving_posts(cell: Cell, limit: int = BOARD_POSTS) -> list[StarLine]:
    """The model posts on the wall of the branches (and groups) whose members serve in the community (a
    confirmed registration): two queries."""
    rows = (
        Registration.objects.filter(community=cell, status=Registration.Status.CONFIRMED)
        .order_by()
        .values_list("member__organisation__path", "member__organisation__kind")
        .distinct()
    )
    paths: set[str] = set()
    for path, kind in rows:
        paths.add(path)
        paths.add(branch_path(Organisation(path=path, kind=kind)))
    if not paths:
        return []
    posts = ModelPost.objects.filter(status=ModelPost.Status.APPROVED, organisation__path__in=sorted(paths))
    return _star_lines(posts, limit)


def branch_posts(organisation: Organisation, limit: int = SCREEN_ROWS) -> list[StarLine]:
    """The model posts on the wall in the organisation's subtree."""
    posts = ModelPost.objects.filter(
        organisation.subtree_q("organisation__"), status=ModelPost.Status.APPROVED
    )
    return _star_lines(posts, limit)


def _month_bounds(day: dt.date) -> tuple[dt.datetime, dt.datetime]:
    """The local month of `day` as an aware datetime range [start, end)."""
    first = day.replace(day=1)
    following = (first + dt.timedelta(days=32)).replace(day=1)
    zone = timezone.get_current_timezone()
    return (
        timezone.make_aware(dt.datetime.combine(first, dt.time.min), zone),
        timezone.make_aware(dt.datetime.combine(following, dt.time.min), zone),
    )


@dataclass(frozen=True)
class RequestFigures:
    month: dt.date
    received: int
    resolved: int
    response: request_stats.Rate
    resolution: request_stats.Rate
    satisfaction: request_stats.Rate
    by_category: list[tuple[str, int]]


def request_figures(
    *, community: Cell | None = None, organisation: Organisation | None = None, categories: bool = False
) -> RequestFigures:
    """This month's requests for help of a community or an organisation's subtree: received, resolved, and
    the rates of the requests page (响应率、解决率、满意率, each with its sample) — two queries, three with
    the categories."""
    now = timezone.now()
    day = today()
    population = request_stats.population(
        user=SYSTEM, start=day.replace(day=1), end=day, organisation=organisation, community=community
    )
    counts = population.order_by().aggregate(**request_stats.aggregates(now))
    start, end = _month_bounds(day)
    resolved = ServiceRequest.objects.filter(kind=Kind.REQUEST, resolved_at__gte=start, resolved_at__lt=end)
    if community is not None:
        resolved = resolved.filter(community.subtree_q("community__"))
    if organisation is not None:
        resolved = resolved.filter(organisation.subtree_q("organisation__"))
    by_category: list[tuple[str, int]] = []
    if categories:
        labels = dict(Category.choices)
        by_category = [
            (str(labels.get(category, category)), n)
            for category, n in population.order_by()
            .values("category")
            .annotate(n=Count("pk"))
            .order_by("-n", "category")
            .values_list("category", "n")
        ]
    return RequestFigures(
        month=day.replace(day=1),
        received=counts["received"],
        resolved=resolved.count(),
        **{
            rate: request_stats.Rate(counts[f"{rate}_counted"], counts[f"{rate}_expected"])
            for rate in request_stats.RATES
        },
        by_category=by_category,
    )


# --- the community's board ----------------------------------------------------------------------------------


@dataclass(frozen=True)
class ZoneLine:
    id: int
    name: str
    kind: str
    organisation: str
    leads: list[str]  # masked
    service_phone: str  # the zone's public service line, never a person's


@dataclass(frozen=True)
class TeamLine:
    name: str
    purpose: str
    leader: str  # masked
    size: int


@dataclass(frozen=True)
class CommunityBoard:
    community: Cell
    type_label: str
    suggestions: list
    year: int
    zones: list[ZoneLine]
    registered: int
    teams: list[TeamLine]
    posts: list[CommunityPost]
    model_posts: list[StarLine]
    requests: RequestFigures


def community_zones(cell: Cell, year: int) -> list[ZoneLine]:
    """The zones of `year` that cover a cell of the community (or the community itself), with their
    responsible people: two queries."""
    covering = Zone.cells.through.objects.filter(cell.subtree_q("cell__")).values("zone_id")
    zones = list(
        Zone.objects.filter(year=year, pk__in=Subquery(covering))
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")[:BOARD_ZONES]
    )
    leads: dict[int, list[str]] = {}
    for zone_id, name in (
        ZoneRole.objects.filter(zone__in=[z.pk for z in zones], kind__is_lead=True)
        .order_by("kind__order", "pk")
        .values_list("zone_id", "person__name")
    ):
        leads.setdefault(zone_id, []).append(mask_name(name))
    return [
        ZoneLine(
            z.pk, z.name, z.get_kind_display(), z.organisation.name, leads.get(z.pk, []), z.service_phone
        )
        for z in zones
    ]


def community_board(cell: Cell) -> CommunityBoard:
    year = today().year
    teams = (
        Team.objects.filter(community=cell)
        .select_related("leader__person")
        .annotate(size=Count("members"))
        .order_by("name", "pk")
    )
    return CommunityBoard(
        community=cell,
        type_label=cell.get_community_type_display() if cell.community_type else "",
        suggestions=[str(s) for s in suggestions(cell.community_type)],
        year=year,
        zones=community_zones(cell, year),
        registered=Registration.objects.filter(
            community=cell,
            status=Registration.Status.CONFIRMED,
            member__category=Member.Category.IN_SERVICE,
        ).count(),
        teams=[
            TeamLine(t.name, t.purpose, mask_name(t.leader.person.name) if t.leader else "", t.size)
            for t in teams
        ],
        posts=list(
            CommunityPost.objects.filter(community=cell, active=True).order_by("category", "name", "pk")
        ),
        model_posts=serving_posts(cell),
        requests=request_figures(community=cell),
    )


# --- published results --------------------------------------------------------------------------------------


@dataclass(frozen=True)
class ResultLine:
    rank: int | None
    name: str  # a member's masked; an organisation's, zone's or post's as it is
    unit: str
    total: Decimal | None


def _result_line(result: Result) -> ResultLine:
    is_person = result.member_id is not None
    unit = result.unit.name if result.unit.name != result.name or is_person else ""
    return ResultLine(
        rank=result.rank,
        name=mask_name(result.name) if is_person else result.name,
        unit=unit,
        total=result.total,
    )


def _ranked(results: QuerySet[Result]) -> QuerySet[Result]:
    return results.select_related("unit").order_by(F("rank").asc(nulls_last=True), "name", "pk")


def result_page(round_: Round, number: str | int | None) -> tuple[Page, list[ResultLine]]:
    """One page of the round's results by rank: two queries."""
    page = Paginator(_ranked(Result.objects.filter(round=round_)), RESULTS_PAGE).get_page(number)
    return page, [_result_line(r) for r in page.object_list]


# --- the big screen ---------------------------------------------------------------------------------------


def _coverage(total: int, covered: int, gaps: list[str], year: int) -> dict[str, Any]:
    return {
        "year": year,
        "total": total,
        "covered": covered,
        "uncovered": total - covered,
        "percent": int(covered * 100 / total) if total else None,
        "gaps": gaps,
    }


def community_coverage(cell: Cell, year: int) -> dict[str, Any]:
    """The coverage of the community's buildings and public areas by this year's zones, measured as the
    zones app measures a branch's (coverage.py): up to four queries."""
    targets = Cell.objects.filter(cell.subtree_q(), kind__in=zone_coverage.TARGET_KINDS)
    depth = targets.aggregate(depth=Max("depth"))["depth"]
    if depth is None:
        return _coverage(0, 0, [], year)
    covered = zone_coverage.covered(year, depth)
    counts = targets.aggregate(total=Count("pk"), covered=Count("pk", filter=covered))
    rows = list(targets.filter(~covered).order_by("path").values_list("path", "name")[:SCREEN_ROWS])
    names = full_names([p for p, _n in rows], {p: n for p, n in rows}) if rows else {}
    # Named from the community down ("南园小区/1号楼"): one name per level, and a name holds no "/".
    gaps = ["/".join(names[p].split("/")[cell.depth :]) for p, _n in rows]
    return _coverage(counts["total"], counts["covered"], gaps, year)


def organisation_coverage(organisation: Organisation, year: int) -> dict[str, Any]:
    found = zone_coverage.coverage(organisation=organisation, year=year)
    gaps = [gap.path for gap in found.uncovered[:SCREEN_ROWS]]
    return _coverage(found.cells_total, found.cells_covered, gaps, year)


def _results(results_q: Q) -> dict[str, Any] | None:
    """The latest published round with a result matching `results_q`, and its top results among those: two
    queries."""
    matching = Result.objects.filter(results_q, round=OuterRef("pk"))
    round_ = (
        Round.objects.filter(status=Round.Status.PUBLISHED)
        .filter(Exists(matching))
        .order_by("-period_end", "-published_at", "-pk")
        .first()
    )
    if round_ is None:
        return None
    rows = _ranked(Result.objects.filter(results_q, round=round_))[:SCREEN_ROWS]
    return {
        "id": round_.pk,
        "name": round_.name,
        "period": f"{round_.period_start:%Y-%m-%d} ~ {round_.period_end:%Y-%m-%d}",
        "rows": [
            {
                "rank": line.rank,
                "name": line.name,
                "unit": line.unit,
                "total": float(line.total) if line.total is not None else None,
            }
            for line in map(_result_line, rows)
        ],
    }


def community_results_q(cell: Cell) -> Q:
    """The results that belong to a community: its registered members', its zones', and those of the
    organisations that answer for it."""
    members = Registration.objects.filter(community=cell, status=Registration.Status.CONFIRMED).values(
        "member_id"
    )
    zones = Zone.cells.through.objects.filter(cell.subtree_q("cell__")).values("zone_id")
    answering = Responsibility.objects.filter(
        Q(cell__path__in=[*cell.ancestor_paths(), cell.path]) | cell.subtree_q("cell__")
    ).values("organisation_id")
    return (
        Q(member_id__in=Subquery(members))
        | Q(zone_id__in=Subquery(zones))
        | Q(organisation_id__in=Subquery(answering))
    )


def _hours(records: QuerySet[ServiceRecord]) -> dict[str, Any]:
    """Verified service hours by month of service, the last six months (this one included): one query."""
    day = today()
    months = []
    month = day.replace(day=1)
    for _i in range(HOURS_MONTHS):
        months.append(month)
        month = (month - dt.timedelta(days=1)).replace(day=1)
    months.reverse()
    sums = {
        row["month"]: row["hours"]
        for row in records.filter(
            status=ServiceRecord.Status.VERIFIED, served_on__gte=months[0], served_on__lte=day
        )
        .annotate(month=TruncMonth("served_on"))
        .order_by()
        .values("month")
        .annotate(hours=Sum("hours"))
    }
    return {
        "months": [f"{m:%Y-%m}" for m in months],
        "hours": [float(sums.get(m) or 0) for m in months],
    }


def _requests(figures: RequestFigures) -> dict[str, Any]:
    def rate(r: request_stats.Rate) -> dict[str, Any]:
        value = r.rate
        return {
            "rate": float(value) if value is not None else None,
            "counted": r.counted,
            "expected": r.expected,
        }

    return {
        "month": f"{figures.month:%Y-%m}",
        "received": figures.received,
        "resolved": figures.resolved,
        "response": rate(figures.response),
        "resolution": rate(figures.resolution),
        "satisfaction": rate(figures.satisfaction),
        "by_category": [{"name": name, "value": n} for name, n in figures.by_category],
    }


def _stars(lines: list[StarLine]) -> list[dict[str, Any]]:
    return [
        {"name": s.name, "organisation": s.organisation, "stars": s.stars, "named": s.named} for s in lines
    ]


def _envelope(kind: str, pk: int, name: str) -> dict[str, Any]:
    now = timezone.localtime()
    return {"kind": kind, "id": pk, "name": name, "generated_at": now.isoformat(timespec="seconds")}


def community_screen(cell: Cell) -> dict[str, Any]:
    year = today().year
    return {
        **_envelope("community", cell.pk, cell.name),
        "coverage": community_coverage(cell, year),
        "results": _results(community_results_q(cell)),
        "stars": _stars(serving_posts(cell, SCREEN_ROWS)),
        "requests": _requests(request_figures(community=cell, categories=True)),
        "hours": _hours(ServiceRecord.objects.filter(cell.subtree_q("community__"))),
    }


def branch_screen(organisation: Organisation) -> dict[str, Any]:
    year = today().year
    return {
        **_envelope("branch", organisation.pk, organisation.name),
        "coverage": organisation_coverage(organisation, year),
        "results": _results(organisation.subtree_q("unit__")),
        "stars": _stars(branch_posts(organisation)),
        "requests": _requests(request_figures(organisation=organisation, categories=True)),
        "hours": _hours(ServiceRecord.objects.filter(organisation.subtree_q("member__organisation__"))),
    }
