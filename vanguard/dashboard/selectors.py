"""The figures behind the dashboards, for a focus node (focus.py) and what the user may see of it.

The dashboard has no models: it reads the other apps' records through the scoping module and counts them in
SQL — conditional aggregates over a window of months, grouped by the focus's children where a child's figure
is shown — so each figure is one or two queries whatever the size of the scope. Each function's docstring
says how many.

Definitions are the owning apps': coverage is zones/coverage.py's (a zone of the year with a party member in
a role covers a target cell or an ancestor of it); the report rate is the missing-reports list's (members
expected for a month are those who had joined by its end); the request rates are those of
service_requests/stats.py."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import (
    Avg,
    Case,
    CharField,
    Count,
    Exists,
    Max,
    Min,
    OuterRef,
    Q,
    QuerySet,
    Sum,
    Value,
    When,
)
from django.db.models.functions import Substr
from django.db.models.lookups import In
from django.utils import timezone

from vanguard.accounts import scope
from vanguard.accounts.scope import _outermost
from vanguard.assessment import selectors as assessment
from vanguard.assessment.models import Purpose, Result, Round
from vanguard.community.models import Registration, ServiceRecord
from vanguard.org.models import Cell, Member
from vanguard.reports.models import MonthlyReport
from vanguard.reports.months import month_end, previous_month
from vanguard.service_requests import selectors as requests
from vanguard.service_requests import stats as request_stats
from vanguard.service_requests.models import OPEN_STATUSES, ServiceRequest, Status
from vanguard.zones import coverage as zone_coverage
from vanguard.zones.models import Responsibility

from .charts import percent
from .focus import STEP, Focus

MONTHS = 6
# Rounds whose results are computed (a round's totals are stored when it closes).
COMPUTED = (Round.Status.CLOSED, Round.Status.PUBLISHED, Round.Status.ARCHIVED)
BUCKET = 10  # points per bar of the score histogram; the last bar holds 90 and above (totals are out of 100)
BUCKETS = 10
QUEUE_ROWS = 8
ZERO = Decimal("0")


# --- months ----------------------------------------------------------------------------------------------


def next_month(month: dt.date) -> dt.date:
    return month_end(month) + dt.timedelta(days=1)


def months_ending(last: dt.date, count: int = MONTHS) -> list[dt.date]:
    """`count` months (their first days) up to `last`, oldest first."""
    months = [last.replace(day=1)]
    while len(months) < count:
        months.append(previous_month(months[-1]))
    return months[::-1]


def months_of_year(today: dt.date) -> list[dt.date]:
    """January to the current month."""
    return [dt.date(today.year, m, 1) for m in range(1, today.month + 1)]


def local_midnight(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min), timezone.get_current_timezone())


def in_month(field_path: str, month: dt.date, *, aware: bool = False) -> Q:
    start, end = month, next_month(month)
    if aware:
        start, end = local_midnight(start), local_midnight(end)
    return Q(**{f"{field_path}__gte": start, f"{field_path}__lt": end})


def monthly_hours(records: QuerySet[ServiceRecord], months: list[dt.date]) -> list[Decimal]:
    """The hours of `records` served in each month: one query."""
    window = Q(served_on__gte=months[0], served_on__lt=next_month(months[-1]))
    sums = (
        records.filter(window)
        .order_by()
        .aggregate(**{f"h{i}": Sum("hours", filter=in_month("served_on", m)) for i, m in enumerate(months)})
    )
    return [sums[f"h{i}"] or ZERO for i in range(len(months))]


# --- coverage --------------------------------------------------------------------------------------------


@dataclass
class CoverageFigures:
    year: int
    total: int = 0
    covered: int = 0
    by_child: dict[str, tuple[int, int]] = field(default_factory=dict)  # child path → (total, covered)

    @property
    def uncovered(self) -> int:
        return self.total - self.covered

    @property
    def percent(self) -> float | None:
        return percent(self.covered, self.total)

    def of(self, path: str) -> tuple[int, int]:
        return self.by_child.get(path, (0, 0))

    def add(self, keys: set[str], total: int, covered: int) -> None:
        for key in keys:
            t, c = self.by_child.get(key, (0, 0))
            self.by_child[key] = (t + total, c + covered)


def _org_targets(focus: Focus, roots: list[str]) -> QuerySet[Cell]:
    """The target cells under `roots` (as zones/coverage.py reads them: by index ranges, or past
    MAX_RANGES roots by an EXISTS on the responsibilities of the focus)."""
    cells = Cell.objects.filter(kind__in=zone_coverage.TARGET_KINDS)
    if len(roots) <= zone_coverage.MAX_RANGES:
        return cells.filter(scope.subtree_q("path", roots))
    depth = max(len(r) for r in roots) // STEP
    ancestors = [Substr(OuterRef("path"), 1, STEP * level) for level in range(1, depth + 1)]
    answering = Responsibility.objects.filter(focus.q("organisation__path"), cell__path__in=ancestors)
    return cells.filter(Exists(answering))


def organisation_coverage(focus: Focus, year: int) -> CoverageFigures:
    """The coverage of the cells the focus's organisations answer for, and of each child's: three queries
    (the responsibilities, the depth of the deepest target, the counts grouped by the children's roots).

    A child's targets are those under its own outermost responsibilities; each target is counted once for
    the focus and once for every child that answers for it, so each child's figure is the one the coverage
    page shows for that child."""
    result = CoverageFigures(year=year)
    child_roots: dict[str, list[str]] = {}
    every_root: list[str] = []
    responsibilities = Responsibility.objects.filter(focus.q("organisation__path")).values_list(
        "organisation__path", "cell__path"
    )
    for organisation_path, cell_path in responsibilities:
        every_root.append(cell_path)
        child = focus.child_of(organisation_path)
        if child is not None:
            child_roots.setdefault(child.path, []).append(cell_path)
    roots = _outermost(every_root)
    if not roots:
        return result
    owners: dict[str, set[str]] = {}
    for child_path, paths in child_roots.items():
        for root in _outermost(paths):
            owners.setdefault(root, set()).add(child_path)
    targets = _org_targets(focus, roots)
    depth = targets.aggregate(depth=Max("depth"))["depth"]
    if depth is None:
        return result
    covered = zone_coverage.covered(year, depth)
    by_length: dict[int, list[str]] = {}
    for root in owners:
        by_length.setdefault(len(root), []).append(root)
    # For each depth of the children's roots, the root a target lies under at that depth ("" if none): the
    # groups are the combinations of roots, never more than the roots themselves.
    keys = {}
    for length, paths in sorted(by_length.items()):
        prefix = Substr("path", 1, length)
        keys[f"root{length}"] = Case(
            When(In(prefix, sorted(paths)), then=prefix), default=Value(""), output_field=CharField()
        )
    counts = {"total": Count("pk"), "covered": Count("pk", filter=covered)}
    if not keys:
        row = targets.aggregate(**counts)
        result.total, result.covered = row["total"], row["covered"]
        return result
    for row in targets.order_by().annotate(**keys).values(*keys).annotate(**counts):
        result.total += row["total"]
        result.covered += row["covered"]
        hit: set[str] = set()
        for key in keys:
            if row[key]:
                hit |= owners[row[key]]
        result.add(hit, row["total"], row["covered"])
    return result


def grid_coverage(focus: Focus, year: int) -> CoverageFigures:
    """The coverage of the target cells (班组, 线路, 楼栋, 公共区域) under the focus cell, whichever branch's
    zones cover them, and of each child cell: two queries."""
    result = CoverageFigures(year=year)
    targets = Cell.objects.filter(focus.q("path"), kind__in=zone_coverage.TARGET_KINDS)
    depth = targets.aggregate(depth=Max("depth"))["depth"]
    if depth is None:
        return result
    covered = zone_coverage.covered(year, depth)
    rows = (
        targets.order_by()
        .annotate(child_key=focus.child_key("path"))
        .values("child_key")
        .annotate(total=Count("pk"), covered=Count("pk", filter=covered))
    )
    for row in rows:
        result.total += row["total"]
        result.covered += row["covered"]
        result.add({row["child_key"]}, row["total"], row["covered"])
    return result


# --- monthly reports -------------------------------------------------------------------------------------


@dataclass
class ReportFigures:
    months: list[dt.date]
    expected: list[int]
    reported: list[int]
    members: int = 0
    by_child: dict[str, dict[str, int]] = field(default_factory=dict)  # members, expected, reported (last)

    @property
    def rates(self) -> list[float | None]:
        return [percent(r, e) for r, e in zip(self.reported, self.expected, strict=True)]

    def of(self, path: str) -> dict[str, int]:
        return self.by_child.get(path, {"members": 0, "expected": 0, "reported": 0})


def _joined_by(month: dt.date, prefix: str = "") -> Q:
    return Q(**{f"{prefix}join_date__isnull": True}) | Q(**{f"{prefix}join_date__lte": month_end(month)})


def report_rates(user, focus: Focus, months: list[dt.date]) -> ReportFigures:
    """For each month, the members expected to report and those who did (submitted, returned or reviewed),
    for the focus and (the last month) each child: two queries, members and reports, by child."""
    n = len(months)
    members = (
        scope.visible_to(user, Member.objects.all())
        .filter(focus.q("organisation__path"))
        .order_by()
        .annotate(child_key=focus.child_key("organisation__path"))
        .values("child_key")
        .annotate(
            members=Count("pk"), **{f"e{i}": Count("pk", filter=_joined_by(m)) for i, m in enumerate(months)}
        )
    )
    reports = (
        scope.visible_to(user, MonthlyReport.objects.all())
        .filter(focus.q("member__organisation__path"), month__in=months)
        .order_by()
        .annotate(child_key=focus.child_key("member__organisation__path"))
        .values("child_key")
        .annotate(
            **{
                f"r{i}": Count("pk", filter=Q(month=m) & _joined_by(m, "member__"))
                for i, m in enumerate(months)
            }
        )
    )
    result = ReportFigures(months=months, expected=[0] * n, reported=[0] * n)
    for row in members:
        result.members += row["members"]
        result.expected = [a + row[f"e{i}"] for i, a in enumerate(result.expected)]
        child = result.by_child.setdefault(row["child_key"], {"members": 0, "expected": 0, "reported": 0})
        child["members"] += row["members"]
        child["expected"] += row[f"e{n - 1}"]
    for row in reports:
        result.reported = [a + row[f"r{i}"] for i, a in enumerate(result.reported)]
        child = result.by_child.setdefault(row["child_key"], {"members": 0, "expected": 0, "reported": 0})
        child["reported"] += row[f"r{n - 1}"]
    return result


# --- assessment ------------------------------------------------------------------------------------------


@dataclass
class ScoreFigures:
    round: Round
    counts: list[int]
    count: int
    mean: Decimal | None
    minimum: Decimal | None
    maximum: Decimal | None

    @property
    def labels(self) -> list[str]:
        return [
            f"{i * BUCKET}–{(i + 1) * BUCKET}" if i < BUCKETS - 1 else f"{i * BUCKET}+"
            for i in range(BUCKETS)
        ]


def score_distribution(user, focus: Focus) -> ScoreFigures | None:
    """The totals of the latest computed quantified-assessment round (量化考核) with results under the focus,
    counted in bands of ten points: two queries (the round, the bands)."""
    results = scope.visible_to(user, Result.objects.all()).filter(focus.q("unit__path"), total__isnull=False)
    round_ = (
        assessment.round_list(user=user)
        .filter(status__in=COMPUTED, version__scheme__purpose=Purpose.ASSESSMENT)
        .filter(Exists(results.filter(round_id=OuterRef("pk"))))
        .order_by("-period_end", "-pk")
        .first()
    )
    if round_ is None:
        return None
    bands = {}
    for i in range(BUCKETS):
        band = Q(total__gte=i * BUCKET)
        if i < BUCKETS - 1:
            band &= Q(total__lt=(i + 1) * BUCKET)
        bands[f"b{i}"] = Count("pk", filter=band)
    row = (
        results.filter(round=round_)
        .order_by()
        .aggregate(n=Count("pk"), mean=Avg("total"), lo=Min("total"), hi=Max("total"), **bands)
    )
    mean = row["mean"]
    return ScoreFigures(
        round=round_,
        counts=[row[f"b{i}"] for i in range(BUCKETS)],
        count=row["n"],
        mean=Decimal(str(mean)).quantize(Decimal("0.1")) if mean is not None else None,
        minimum=row["lo"],
        maximum=row["hi"],
    )


# --- service hours ---------------------------------------------------------------------------------------


def organisation_hours(user, focus: Focus, months: list[dt.date]) -> list[Decimal]:
    """The verified service hours of the focus's members in their communities, by month: one query."""
    records = scope.visible_to(user, ServiceRecord.objects.all()).filter(
        focus.q("member__organisation__path"), status=ServiceRecord.Status.VERIFIED
    )
    return monthly_hours(records, months)


def grid_hours(user, focus: Focus, months: list[dt.date]) -> list[Decimal]:
    """The verified service hours in the focus's communities, by month: one query."""
    records = scope.visible_to(user, ServiceRecord.objects.all()).filter(
        focus.q("community__path"), status=ServiceRecord.Status.VERIFIED
    )
    return monthly_hours(records, months)


# --- registrations ---------------------------------------------------------------------------------------


@dataclass
class RegistrationFigures:
    months: list[dt.date]
    new: list[int]
    cumulative: list[int]
    total: int = 0
    by_child: dict[str, int] = field(default_factory=dict)


def registrations(user, focus: Focus, months: list[dt.date]) -> RegistrationFigures:
    """In-service members confirmed at the focus's communities (the book's count: confirmed registrations
    of in-service members): those confirmed in each month, those registered at each month's end, all of them
    now and by child — one query."""
    n = len(months)
    rows = (
        scope.visible_to(
            user,
            Registration.objects.filter(
                status=Registration.Status.CONFIRMED, member__category=Member.Category.IN_SERVICE
            ),
        )
        .filter(focus.q("community__path"))
        .order_by()
        .annotate(child_key=focus.child_key("community__path"))
        .values("child_key")
        .annotate(
            total=Count("pk"),
            **{
                f"n{i}": Count("pk", filter=in_month("confirmed_at", m, aware=True))
                for i, m in enumerate(months)
            },
            **{
                f"c{i}": Count("pk", filter=Q(confirmed_at__lt=local_midnight(next_month(m))))
                for i, m in enumerate(months)
            },
        )
    )
    result = RegistrationFigures(months=months, new=[0] * n, cumulative=[0] * n)
    for row in rows:
        result.total += row["total"]
        result.new = [a + row[f"n{i}"] for i, a in enumerate(result.new)]
        result.cumulative = [a + row[f"c{i}"] for i, a in enumerate(result.cumulative)]
        result.by_child[row["child_key"]] = result.by_child.get(row["child_key"], 0) + row["total"]
    return result


# --- residents' requests ---------------------------------------------------------------------------------

PIPELINE = (*OPEN_STATUSES, Status.RESOLVED)


@dataclass
class RequestFigures:
    start: dt.date
    end: dt.date
    received: int
    response: request_stats.Rate
    resolution: request_stats.Rate
    satisfaction: request_stats.Rate
    by_status: dict[str, int]  # the requests now open or waiting for their rating, by status
    overdue: int

    @property
    def rates(self) -> list[tuple[str, request_stats.Rate]]:
        return [(name, getattr(self, name)) for name in request_stats.RATES]

    @property
    def open(self) -> int:
        return sum(v for k, v in self.by_status.items() if k in OPEN_STATUSES)


def request_figures(user, where: Q, start: dt.date, end: dt.date) -> RequestFigures:
    """The rates of the requests for help received in [start, end] (stats.py's definitions, with their
    sample sizes), and the requests now open by status: two queries. `where` narrows both (to the focus, or
    to the member's own)."""
    now = timezone.now()
    counts = (
        request_stats.population(user=user, start=start, end=end)
        .filter(where)
        .order_by()
        .aggregate(**request_stats.aggregates(now))
    )
    statuses = (
        requests.visible_requests(user)
        .filter(where)
        .order_by()
        .aggregate(
            overdue=Count("pk", filter=Q(status__in=OPEN_STATUSES, deadline__lt=now)),
            **{status: Count("pk", filter=Q(status=status)) for status in PIPELINE},
        )
    )
    overdue = statuses.pop("overdue")
    return RequestFigures(
        start=start,
        end=end,
        received=counts["received"],
        **{
            rate: request_stats.Rate(counts[f"{rate}_counted"], counts[f"{rate}_expected"])
            for rate in request_stats.RATES
        },
        by_status=statuses,
        overdue=overdue,
    )


@dataclass(frozen=True)
class QueueRow:
    request: ServiceRequest
    overdue: bool


def request_queue(user, where: Q) -> list[QueueRow]:
    """The requests waiting longest in the queue (the list's 社区待派单 tab) of the communities or places
    `where` selects, with the place they are about: one query."""
    now = timezone.now()
    rows = (
        requests.visible_requests(user)
        .filter(requests.view_q(user, requests.QUEUE))
        .filter(where)
        .select_related("community", "cell")
        .order_by("deadline", "pk")[:QUEUE_ROWS]
    )
    return [QueueRow(req, requests.overdue_by(req, now) is not None) for req in rows]
