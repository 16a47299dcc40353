"""The rates of residents' requests (响应率、解决率、满意率) per member, zone, branch or community, each
with its sample size — one definition for the rates page, the API and the assessment's derived indicators.

Only requests for help (求助) count. The population of a period: the requests received in it (the local date
of received_at, start and end inclusive), leaving out those closed without ever being resolved (a duplicate,
or not a request, closed by staff).

- 响应率: counted — accepted by respond_by; expected — decided: accepted, or respond_by has passed;
- 解决率 (按期办结): counted — resolved by the deadline; expected — resolved, or the deadline has passed;
- 满意率: counted — rated 4 or 5; expected — rated.

Attribution: a member by `member`, a zone by `zone`, a community by `community`, a branch by `organisation`
under its path (a group's requests count for the branch above it). Everything is counted in SQL with
conditional aggregation over the requests the user may see: a fixed number of queries whatever the number of
rows. The members', zones' and communities' rows come lazily, so a page of them reads only that page."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal
from typing import Any

from django.db.models import Count, F, Q, QuerySet
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope as access
from vanguard.org.models import Cell, Organisation
from vanguard.zones.selectors import branch_path

from .models import Kind, ServiceRequest

MEMBER, ZONE, BRANCH, COMMUNITY = "member", "zone", "branch", "community"
BY_CHOICES = [
    (MEMBER, gettext_lazy("按党员")),
    (ZONE, gettext_lazy("按责任区")),
    (BRANCH, gettext_lazy("按党支部")),
    (COMMUNITY, gettext_lazy("按社区")),
]
RATES = ("response", "resolution", "satisfaction")
_TENTH = Decimal("0.1")


@dataclass(frozen=True)
class Rate:
    counted: int
    expected: int

    @property
    def rate(self) -> Decimal | None:
        """A percentage with one decimal; None when nothing is expected (never a made-up 100%)."""
        if not self.expected:
            return None
        return (Decimal(self.counted) * 100 / Decimal(self.expected)).quantize(_TENTH, ROUND_HALF_UP)

    def __str__(self) -> str:
        if not self.expected:
            return "—"
        return f"{self.rate}%(n={self.expected})"


@dataclass
class Row:
    """One group's rates. `id` is the member's, zone's, organisation's or community's; None for the totals."""

    id: int | None
    name: str
    detail: str
    received: int
    response: Rate
    resolution: Rate
    satisfaction: Rate


@dataclass
class Rates:
    by: str
    start: dt.date
    end: dt.date
    rows: Any  # a sequence of Row: len(), slicing and iteration
    totals: Row = field(repr=False)


def _local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def population(
    *,
    user,
    start: dt.date,
    end: dt.date,
    organisation: Organisation | None = None,
    community: Cell | None = None,
) -> QuerySet[ServiceRequest]:
    """The requests the rates count: for help, received in [start, end] (local dates), not closed unresolved,
    in the user's sight; within `organisation` (its subtree) and `community` (its grid subtree) if given.
    The bounds are a datetime range, so the index on received_at serves it."""
    queryset = access.visible_to(user, ServiceRequest.objects.all()).filter(
        Q(closed_at__isnull=True) | Q(resolved_at__isnull=False),
        kind=Kind.REQUEST,
        received_at__gte=_local_midnight(start),
        received_at__lt=_local_midnight(end + dt.timedelta(days=1)),
    )
    if organisation is not None:
        queryset = queryset.filter(organisation.subtree_q("organisation__"))
    if community is not None:
        queryset = queryset.filter(community.subtree_q("community__"))
    return queryset


def aggregates(now: dt.datetime) -> dict[str, Count]:
    """The seven counts, as conditional aggregates (also used by whoever needs the same numbers)."""
    return {
        "received": Count("pk"),
        "response_counted": Count(
            "pk", filter=Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by"))
        ),
        "response_expected": Count("pk", filter=Q(accepted_at__isnull=False) | Q(respond_by__lt=now)),
        "resolution_counted": Count(
            "pk", filter=Q(resolved_at__isnull=False, resolved_at__lte=F("deadline"))
        ),
        "resolution_expected": Count("pk", filter=Q(resolved_at__isnull=False) | Q(deadline__lt=now)),
        "satisfaction_counted": Count("pk", filter=Q(rating__gte=4)),
        "satisfaction_expected": Count("pk", filter=Q(rating__isnull=False)),
    }


def _row(group_id: int | None, name: str, detail: str, counts: dict[str, int]) -> Row:
    return Row(
        id=group_id,
        name=name,
        detail=detail,
        received=counts["received"],
        **{rate: Rate(counts[f"{rate}_counted"], counts[f"{rate}_expected"]) for rate in RATES},
    )


class _Grouped:
    """The rows of a grouped queryset, made into Rows as they are read: a paginator counts them in SQL and
    reads one page."""

    def __init__(self, queryset: QuerySet, make: Callable[[dict], Row]) -> None:
        self.queryset = queryset
        self.make = make

    def count(self) -> int:
        return self.queryset.count()

    def __len__(self) -> int:
        return self.count()

    def __getitem__(self, index):
        if isinstance(index, slice):
            return [self.make(values) for values in self.queryset[index]]
        return self.make(self.queryset[index])

    def __iter__(self) -> Iterator[Row]:
        return (self.make(values) for values in self.queryset)


def _member_row(v: dict) -> Row:
    return _row(v["member_id"], v["member__person__name"], v["member__organisation__name"], v)


def _zone_row(v: dict) -> Row:
    detail = _("%(year)d年 · %(organisation)s") % {
        "year": v["zone__year"],
        "organisation": v["zone__organisation__name"],
    }
    return _row(v["zone_id"], v["zone__name"], detail, v)


def _community_row(v: dict) -> Row:
    return _row(v["community_id"], v["community__name"], "", v)


# by → (the group's key, the other fields read with it, the order, the row maker)
_GROUPS: dict[str, tuple[str, tuple[str, ...], tuple[str, ...], Callable[[dict], Row]]] = {
    MEMBER: (
        "member_id",
        ("member__person__name", "member__organisation__name"),
        ("member__person__name", "member_id"),
        _member_row,
    ),
    ZONE: (
        "zone_id",
        ("zone__name", "zone__year", "zone__organisation__name"),
        ("zone__name", "-zone__year", "zone_id"),
        _zone_row,
    ),
    COMMUNITY: ("community_id", ("community__name", "community__path"), ("community__path",), _community_row),
}
_COUNTS = (
    "received",
    *(f"{rate}_{part}" for rate in RATES for part in ("counted", "expected")),
)


def _branches(queryset: QuerySet, now: dt.datetime) -> list[Row]:
    """By branch: counted per organisation in SQL, then each group folded into the branch it answers
    through (branches need not all be at one depth, so no SQL prefix of a fixed length would do)."""
    per_organisation = (
        queryset.filter(organisation__isnull=False)
        .order_by()
        .values("organisation_id", "organisation__path", "organisation__kind", "organisation__name")
        .annotate(**aggregates(now))
    )
    folded: dict[str, dict[str, int]] = {}
    names: dict[str, tuple[int, str]] = {}
    for v in per_organisation:
        path = branch_path(Organisation(path=v["organisation__path"], kind=v["organisation__kind"]))
        if path == v["organisation__path"]:
            names[path] = (v["organisation_id"], v["organisation__name"])
        counts = folded.setdefault(path, dict.fromkeys(_COUNTS, 0))
        for key in _COUNTS:
            counts[key] += v[key]
    missing = sorted(set(folded) - set(names))
    for path, pk, name in Organisation.objects.filter(path__in=missing).values_list("path", "pk", "name"):
        names[path] = (pk, name)
    return [_row(*names[path], "", folded[path]) for path in sorted(folded) if path in names]


def rates(
    *,
    user,
    by: str,
    start: dt.date,
    end: dt.date,
    organisation: Organisation | None = None,
    community: Cell | None = None,
    now: dt.datetime | None = None,
) -> Rates:
    """The rates of the period by member, zone, branch or community (groups with at least one request in
    the population), and the totals of the whole population."""
    if by not in dict(BY_CHOICES):
        raise ValueError(f"unknown grouping {by!r}")
    now = now or timezone.now()
    queryset = population(user=user, start=start, end=end, organisation=organisation, community=community)
    totals = _row(None, _("合计"), "", queryset.order_by().aggregate(**aggregates(now)))
    if by == BRANCH:
        rows: Any = _branches(queryset, now)
    else:
        key, names, order, make = _GROUPS[by]
        grouped = (
            queryset.filter(**{f"{key}__isnull": False})
            .order_by()
            .values(key, *names)
            .annotate(**aggregates(now))
            .order_by(*order)
        )
        rows = _Grouped(grouped, make)
    return Rates(by=by, start=start, end=end, rows=rows, totals=totals)
