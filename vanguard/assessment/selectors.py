"""Reads of the assessment for its pages: schemes and their versions, rounds and their progress, the ranked
results of a round, the breakdown of one result ("why this score") and the branches' score distribution.

Everything goes through the scoping module, and each read is a fixed number of queries whatever the number
of targets: counts and statistics are SQL aggregates (variance as AVG(x²) − AVG(x)², since SQLite has no
STDDEV; the median with ROW_NUMBER() over each branch), related rows are joined or prefetched. A round's
results are stored when it closes, so nothing here recomputes a total."""

from __future__ import annotations

import datetime as dt
import math
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.conf import settings
from django.db import connection
from django.db.models import Avg, Count, F, FloatField, Max, Min, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Cast
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.core.pinyin import PREFIX_END
from vanguard.org.models import Organisation
from vanguard.org.selectors import person_search_q

from . import compute, metrics
from .models import (
    Indicator,
    IndicatorResult,
    Metric,
    Result,
    Revision,
    Round,
    Scheme,
    SchemeVersion,
    Score,
    Source,
)

Status = Round.Status

# The sources in the order the pages show them.
SOURCE_ORDER = (Source.SELF, Source.MASSES, Source.ORGANISATION, Source.SUPERVISOR)
# How many of a derived indicator's records the breakdown lists (the count is always given).
RECORDS_SHOWN = 50


# --- who is who ------------------------------------------------------------------------------------------


def office_paths(user) -> list[str]:
    return scope.scope_of(user).paths_for({Role.OFFICE})


def is_office(user) -> bool:
    """Acts as the office over some organisation (may create schemes and rounds there)."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE}))


def office_organisations(user) -> QuerySet[Organisation]:
    """The organisations the user acts as the office over: where they may put schemes and rounds."""
    qs = Organisation.objects.all()
    if not scope.scope_of(user).superuser:
        qs = qs.filter(scope.subtree_q("path", office_paths(user)))
    return qs.order_by("path")


def office_over(user, organisation: Organisation) -> bool:
    return scope.acts_as(user, {Role.OFFICE}, organisation)


def takes_part(user) -> bool:
    """Office, secretaries, supervisors (their organisations' rounds) and members (their own results)."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths) or s.person_id is not None


def reads_organisations(user) -> bool:
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


# --- schemes ---------------------------------------------------------------------------------------------


def scheme_list(*, user) -> QuerySet[Scheme]:
    latest = SchemeVersion.objects.filter(scheme=OuterRef("pk")).order_by("-number").values("number")[:1]
    return (
        scope.visible_to(user, Scheme.objects.all())
        .select_related("organisation")
        .annotate(latest_number=Subquery(latest))
        .order_by("organisation__path", "name", "pk")
    )


def scheme_detail(*, user, pk: int) -> Scheme:
    return scope.get_visible_or_404(user, Scheme.objects.select_related("organisation"), pk=pk)


def scheme_version(*, scheme: Scheme, number: int | None) -> SchemeVersion:
    """The scheme's version `number`, or its latest; 404 for a number it does not have."""
    qs = scheme.versions.select_related("created_by")
    version = qs.filter(number=number).first() if number else qs.order_by("-number").first()
    if version is None:
        raise Http404
    return version


def scheme_versions(*, user, scheme: Scheme) -> list[SchemeVersion]:
    """Every version, newest first, each with the rounds (visible to the user) that used it."""
    rounds = (
        scope.visible_to(user, Round.objects.all()).select_related("organisation").order_by("-period_start")
    )
    return list(
        scheme.versions.select_related("created_by")
        .annotate(indicator_count=Count("indicators"))
        .prefetch_related(Prefetch("rounds", queryset=rounds, to_attr="used_by"))
        .order_by("-number")
    )


@dataclass
class IndicatorRow:
    indicator: Indicator
    depth: int
    path: list[str]
    is_leaf: bool

    @property
    def formula_text(self) -> str:
        return formula_text(self.indicator)


def indicator_tree(version: SchemeVersion) -> list[IndicatorRow]:
    """The version's indicators depth first, each with its ancestors' names: one query."""
    indicators = list(version.indicators.order_by("order", "pk"))
    children: dict[int | None, list[Indicator]] = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)
    rows: list[IndicatorRow] = []

    def walk(parent_id: int | None, path: list[str]) -> None:
        for indicator in children.get(parent_id, []):
            rows.append(IndicatorRow(indicator, len(path), path, indicator.pk not in children))
            walk(indicator.pk, [*path, indicator.name])

    walk(None, [])
    return rows


def formula_text(indicator: Indicator) -> str:
    """A derived indicator's rule in words, as shown beside its score."""
    if indicator.kind != Indicator.Kind.DERIVED:
        return ""
    metric = Metric(indicator.metric).label if indicator.metric else ""
    if indicator.formula == "capped":
        rule = _("满%(n)d次得满分(得分 = 满分 × min(次数, %(n)d) ÷ %(n)d)") % {"n": indicator.parameter or 1}
    elif indicator.parameter:
        rule = _("按应完成%(n)d次的比例(得分 = 满分 × min(完成数 ÷ %(n)d, 1))") % {"n": indicator.parameter}
    else:
        rule = _("按应完成数的比例(得分 = 满分 × min(完成数 ÷ 应完成数, 1);无应完成数时得满分)")
    return _("依据“%(metric)s”,%(rule)s") % {"metric": metric, "rule": rule}


def manual_leaves(version: SchemeVersion) -> list[Indicator]:
    return list(
        version.indicators.filter(children__isnull=True, kind=Indicator.Kind.MANUAL).order_by("order", "pk")
    )


# --- rounds ----------------------------------------------------------------------------------------------


def round_list(*, user, status: str = "") -> QuerySet[Round]:
    qs = scope.visible_to(user, Round.objects.all()).select_related("version__scheme", "organisation")
    if status:
        qs = qs.filter(status=status)
    return qs.order_by("-period_start", "-pk")


def round_detail(*, user, pk: int) -> Round:
    return scope.get_visible_or_404(
        user, Round.objects.select_related("version__scheme__organisation", "organisation"), pk=pk
    )


def visible_results(*, user, round_: Round) -> QuerySet[Result]:
    return scope.visible_to(user, Result.objects.filter(round=round_))


@dataclass
class SourceProgress:
    source: str
    label: str
    entered: int
    expected: int
    complete: int

    @property
    def percent(self) -> int:
        return min(100, self.entered * 100 // self.expected) if self.expected else 0


@dataclass
class Progress:
    targets: int
    leaves: int
    sources: list[SourceProgress]


def round_progress(*, user, round_: Round) -> Progress:
    """How far the scoring has got, per source, over the results the user sees: scores entered against
    targets × manual indicators, and the targets scored on every manual indicator. Four queries."""
    results = visible_results(user=user, round_=round_).values("pk")
    targets = results.count()
    leaf_ids = [i.pk for i in manual_leaves(round_.version)]
    active = [s for s in SOURCE_ORDER if s in round_.version.active_sources()]
    scores = Score.objects.filter(result__in=results, indicator_id__in=leaf_ids, source__in=active).order_by()
    entered = dict(scores.values("source").annotate(n=Count("pk")).values_list("source", "n"))
    complete: dict[str, int] = {}
    if leaf_ids:
        per_target = scores.values("source", "result_id").annotate(n=Count("pk")).filter(n__gte=len(leaf_ids))
        sql, params = per_target.query.sql_with_params()
        with connection.cursor() as cursor:
            cursor.execute(f"SELECT source, COUNT(*) FROM ({sql}) t GROUP BY source", params)
            complete = dict(cursor.fetchall())
    return Progress(
        targets=targets,
        leaves=len(leaf_ids),
        sources=[
            SourceProgress(
                source=s,
                label=Source(s).label,
                entered=entered.get(s, 0),
                expected=targets * len(leaf_ids),
                complete=complete.get(s, 0),
            )
            for s in active
        ],
    )


# --- the scoring sheet -----------------------------------------------------------------------------------

# Who enters each source on the sheet (self-assessment has its own page): services._check_source decides
# each score; these narrow the sheet to the targets the user may score at all.
SHEET_ROLES = {
    Source.ORGANISATION: {Role.OFFICE, Role.SECRETARY},
    Source.MASSES: {Role.OFFICE, Role.SECRETARY},
    Source.SUPERVISOR: {Role.SUPERVISOR},
}
# The sheet opens on the organisation's part, the one most scoring is about.
SHEET_ORDER = (Source.ORGANISATION, Source.MASSES, Source.SUPERVISOR)


def sheet_sources(*, user, round_: Round) -> list[str]:
    """The sources of the round's scheme that the user holds a role to enter on the sheet."""
    s = scope.scope_of(user)
    active = round_.version.active_sources()
    return [
        source
        for source in SHEET_ORDER
        if source in active and (s.superuser or s.paths_for(SHEET_ROLES[source]))
    ]


def scorable_q(user, source: str) -> Q:
    s = scope.scope_of(user)
    if s.superuser:
        return Q()
    paths = s.paths_for(SHEET_ROLES.get(source, set()))
    q = Q(pk__in=[])
    for path in paths:
        end = path + PREFIX_END
        if source == Source.SUPERVISOR:
            q |= Q(unit__path__gte=path, unit__path__lt=end)
        else:
            # A branch or group is scored by those above it, not by its own secretary.
            q |= Q(member__isnull=False, unit__path__gte=path, unit__path__lt=end)
            q |= Q(zone__isnull=False, unit__path__gte=path, unit__path__lt=end)
            q |= Q(organisation__isnull=False, unit__path__gt=path, unit__path__lt=end)
    return q


def sheet_results(
    *, user, round_: Round, source: str, filters: ResultFilters | None = None
) -> QuerySet[Result]:
    """The round's targets the user may score with `source`, by branch and name."""
    filters = filters or ResultFilters()
    qs = visible_results(user=user, round_=round_).filter(scorable_q(user, source))
    if filters.branch is not None:
        qs = qs.filter(branch=filters.branch)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | person_search_q(q, "member__person__"))
    return qs.select_related("unit", "branch").order_by("branch__path", "unit__path", "name", "pk")


def sheet_branches(*, user, round_: Round, source: str) -> QuerySet[Organisation]:
    ids = visible_results(user=user, round_=round_).filter(scorable_q(user, source)).values("branch_id")
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def scores_of(results, source: str) -> dict[tuple[int, int], Score]:
    """The source's scores of some results, by (result id, indicator id): one query."""
    ids = [r.pk for r in results]
    return {
        (score.result_id, score.indicator_id): score
        for score in Score.objects.filter(result_id__in=ids, source=source)
    }


def own_results(*, user, round_: Round) -> QuerySet[Result]:
    """The results the user assesses themselves in: their own as a member; for a branch or group scheme,
    the organisation whose secretary they are."""
    s = scope.scope_of(user)
    q = Q(pk__in=[])
    if s.person_id is not None:
        q |= Q(member__person_id=s.person_id)
    secretary_paths = s.org_paths.get(Role.SECRETARY, [])
    if secretary_paths:
        q |= Q(organisation__isnull=False, unit__path__in=secretary_paths)
    return Result.objects.filter(round=round_).filter(q).select_related("unit", "branch").order_by("pk")


# --- results ---------------------------------------------------------------------------------------------


@dataclass
class ResultFilters:
    branch: Organisation | None = None
    q: str = ""


def ranked_results(*, user, round_: Round, filters: ResultFilters | None = None) -> QuerySet[Result]:
    """The round's results the user sees, by rank (then name): one query per page."""
    filters = filters or ResultFilters()
    qs = visible_results(user=user, round_=round_)
    if filters.branch is not None:
        qs = qs.filter(branch=filters.branch)
    q = filters.q.strip()
    if q:
        qs = qs.filter(Q(name__icontains=q) | person_search_q(q, "member__person__"))
    return qs.select_related("unit", "branch").order_by(F("rank").asc(nulls_last=True), "name", "pk")


def branch_choices(*, user, round_: Round) -> QuerySet[Organisation]:
    """The branches of the round's results that the user sees: the choices of the branch filter."""
    ids = visible_results(user=user, round_=round_).values("branch_id")
    return Organisation.objects.filter(pk__in=ids).order_by("path")


def result_detail(*, user, pk: int) -> Result:
    return scope.get_visible_or_404(
        user,
        Result.objects.select_related(
            "round__version__scheme",
            "round__organisation",
            "unit",
            "branch",
            "member__person",
            "organisation",
            "zone",
        ),
        pk=pk,
    )


@dataclass
class RecordRow:
    """One record a derived indicator counted (or, for tasks, one it expected and did not get)."""

    date: Any
    text: str
    note: str = ""
    counted: bool = True


@dataclass
class LeafRow:
    indicator: Indicator
    path: list[str]
    outcome: IndicatorResult | None
    scores: list[Score] = field(default_factory=list)
    records: list[RecordRow] = field(default_factory=list)
    records_count: int = 0

    @property
    def derived(self) -> bool:
        return self.indicator.kind == Indicator.Kind.DERIVED

    @property
    def formula_text(self) -> str:
        return formula_text(self.indicator)

    @property
    def more_records(self) -> int:
        return max(0, self.records_count - len(self.records))


@dataclass
class ChangeRow:
    name: str
    source: str
    before: str | None
    after: str


@dataclass
class RevisionRow:
    revision: Revision
    changes: list[ChangeRow]


@dataclass
class Breakdown:
    result: Result
    leaves: list[LeafRow]
    revisions: list[RevisionRow]
    weights: dict[str, Decimal]

    @property
    def points_sum(self) -> Decimal:
        return sum((row.outcome.points for row in self.leaves if row.outcome), Decimal(0))

    @property
    def computed(self) -> bool:
        return any(row.outcome is not None for row in self.leaves)


def _source_rank(source: str) -> int:
    return SOURCE_ORDER.index(source) if source in SOURCE_ORDER else len(SOURCE_ORDER)


def breakdown(result: Result) -> Breakdown:
    """Why this score: each leaf indicator with its ancestors, its points towards the total, each source's
    points with who entered them when, the records a derived indicator counted (the first 50 and their
    number), and the revisions with the numbers before and after. Four queries, and two per derived
    indicator of the scheme."""
    round_ = result.round
    tree = indicator_tree(round_.version)
    outcomes = {ir.indicator_id: ir for ir in IndicatorResult.objects.filter(result=result)}
    scores: dict[int, list[Score]] = {}
    for score in Score.objects.filter(result=result).order_by("indicator_id", "pk"):
        scores.setdefault(score.indicator_id, []).append(score)
    period = compute.period_of(round_)
    leaves = []
    for row in tree:
        if not row.is_leaf:
            continue
        leaf = LeafRow(
            indicator=row.indicator,
            path=row.path,
            outcome=outcomes.get(row.indicator.pk),
            scores=sorted(scores.get(row.indicator.pk, []), key=lambda s: _source_rank(s.source)),
        )
        if leaf.derived and row.indicator.metric:
            records = metrics.records(row.indicator.metric, result, period)
            leaf.records_count = records.count()
            leaf.records = [_record_row(row.indicator.metric, r) for r in records[:RECORDS_SHOWN]]
        leaves.append(leaf)
    revisions = [
        RevisionRow(
            revision=revision,
            changes=[
                ChangeRow(
                    name=c.get("name", ""),
                    source=Source(c["source"]).label if c.get("source") in Source.values else "",
                    before=c.get("before"),
                    after=c.get("after", ""),
                )
                for c in revision.changes
            ],
        )
        for revision in Revision.objects.filter(result=result).order_by("-number")
    ]
    return Breakdown(
        result=result, leaves=leaves, revisions=revisions, weights=round_.version.source_weights()
    )


def _on_time(report) -> bool:
    grace = getattr(settings, "REPORT_GRACE_DAYS", 5)
    next_month = (report.month + dt.timedelta(days=32)).replace(day=1)
    deadline = timezone.make_aware(dt.datetime.combine(next_month + dt.timedelta(days=grace), dt.time.min))
    return report.submitted_at is not None and report.submitted_at < deadline


def _record_row(metric: str, record) -> RecordRow:
    if metric in (Metric.REPORTS_SUBMITTED, Metric.REPORTS_ON_TIME):
        text = _("%(name)s %(year)d年%(month)d月的月度汇报") % {
            "name": record.member.person.name,
            "year": record.month.year,
            "month": record.month.month,
        }
        note = record.get_status_display()
        counted = True
        if metric == Metric.REPORTS_ON_TIME:
            counted = _on_time(record)
            note = _("按时提交") if counted else _("逾期提交,不计入")
        return RecordRow(date=record.submitted_at or record.month, text=text, note=note, counted=counted)
    if metric == Metric.CONTACTS_TALKED:
        text = _("%(member)s 与 %(contact)s") % {
            "member": record.assignment.member.person.name,
            "contact": record.assignment.person.name,
        }
        return RecordRow(date=record.held_on, text=text, note=record.get_kind_display())
    if metric == Metric.TASKS_DONE:
        done = record.status == "done"
        return RecordRow(
            date=record.done_on if done else record.due_date,
            text=record.title,
            note=_("已完成") if done else _("逾期未完成,计入应完成数"),
            counted=done,
        )
    if metric == Metric.SERVICE_HOURS:
        text = _("%(member)s 在%(community)s:%(activity)s,%(hours)s小时") % {
            "member": record.member.person.name,
            "community": record.community.name,
            "activity": record.activity,
            "hours": record.hours,
        }
        return RecordRow(date=record.served_on, text=text, note=record.get_status_display())
    if metric in metrics.REQUEST_METRICS:
        return _request_row(metric, record)
    return RecordRow(date=record.held_on, text=record.title)


def _request_row(metric: str, record) -> RecordRow:
    """A resident's request a rate considered (issue 9): counted or not, and why."""
    counted = metrics.request_counted(metric, record)
    if record.member_id:
        handler = record.member.person.name
    elif record.team_id:
        handler = record.team.name
    else:
        handler = _("社区待派单")
    text = _("%(code)s %(category)s,%(handler)s承办") % {
        "code": record.tracking_code,
        "category": record.get_category_display(),
        "handler": handler,
    }
    if metric == Metric.REQUESTS_RESPONDED:
        note = _("按时响应") if counted else _("超时响应") if record.accepted_at else _("超时未响应")
    elif metric == Metric.REQUESTS_RESOLVED:
        note = _("按期办结") if counted else _("逾期办结") if record.resolved_at else _("逾期未办结")
    else:
        note = _("%(n)d星") % {"n": record.rating}
    return RecordRow(date=record.received_at, text=text, note=note, counted=counted)


# --- distribution ----------------------------------------------------------------------------------------


@dataclass
class Stats:
    """The totals of one branch (or of all the results the user sees, `branch` None)."""

    branch: Organisation | None
    count: int
    mean: float | None
    median: float | None
    minimum: float | None
    maximum: float | None
    stddev: float | None
    org_percent: float | None = None
    org_scores: int = 0
    flags: list[str] = field(default_factory=list)

    @property
    def mean_bar(self) -> float:
        return _bar(self.mean)

    @property
    def org_bar(self) -> float:
        return _bar(self.org_percent)


def _bar(value: float | None) -> float:
    return 0.0 if value is None else round(max(0.0, min(100.0, value)), 1)


def _float(value) -> float | None:
    return None if value is None else float(value)


# A branch is flagged when its mean total is more than this many standard deviations (of all totals) from
# the overall mean, or when its organisation scores average this many percentage points off the overall.
FLAG_DEVIATIONS = 1.0
FLAG_POINTS = 10.0


def _medians(results: QuerySet[Result], by_branch: bool) -> dict[int | None, float]:
    """The median total of each branch (or overall) in one query: ROW_NUMBER() and COUNT() over the
    branch, then the mean of the middle one or two rows."""
    sql, params = results.values("branch_id", "total").query.sql_with_params()
    partition = "PARTITION BY r.branch_id" if by_branch else ""
    select_key = "branch_id" if by_branch else "NULL"
    group_by = "GROUP BY branch_id" if by_branch else ""
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            SELECT {select_key}, AVG(total) FROM (
                SELECT r.branch_id, r.total,
                       ROW_NUMBER() OVER ({partition} ORDER BY r.total) AS rn,
                       COUNT(*) OVER ({partition}) AS n
                FROM ({sql}) r
            ) t
            WHERE rn IN ((n + 1) / 2, (n + 2) / 2)
            {group_by}
            """,
            params,
        )
        return {row[0]: _float(row[1]) for row in cursor.fetchall()}


_STATS = {
    "n": Count("pk"),
    "mean": Avg("total"),
    "lo": Min("total"),
    "hi": Max("total"),
    "sq": Avg(Cast(F("total"), FloatField()) * Cast(F("total"), FloatField())),
}
_ORG = {
    "pct": Avg(Cast(F("points"), FloatField()) * 100.0 / Cast(F("indicator__max_points"), FloatField())),
    "n": Count("pk"),
}


def _stats(branch, row: dict, median: float | None, org: dict | None) -> Stats:
    mean = _float(row["mean"])
    stddev = None
    if mean is not None and row["sq"] is not None:
        stddev = math.sqrt(max(0.0, float(row["sq"]) - mean * mean))
    return Stats(
        branch=branch,
        count=row["n"],
        mean=mean,
        median=median,
        minimum=_float(row["lo"]),
        maximum=_float(row["hi"]),
        stddev=stddev,
        org_percent=_float(org["pct"]) if org else None,
        org_scores=org["n"] if org else 0,
    )


def distribution(*, user, round_: Round) -> tuple[Stats, list[Stats]]:
    """The overall figures and each branch's (Result.branch), highest mean first, in six queries: totals
    by branch and overall, medians by branch and overall, and the organisation's manual scores as a
    percentage of their maximum by branch and overall."""
    results = visible_results(user=user, round_=round_).filter(total__isnull=False).order_by()
    org_scores = Score.objects.filter(
        result__in=results.values("pk"), source=Source.ORGANISATION, indicator__kind=Indicator.Kind.MANUAL
    ).order_by()
    per_branch = list(results.values("branch_id").annotate(**_STATS))
    overall_row = results.aggregate(**_STATS)
    medians = _medians(results, by_branch=True)
    overall_median = _medians(results, by_branch=False).get(None)
    org_by_branch = {
        row["result__branch_id"]: row for row in org_scores.values("result__branch_id").annotate(**_ORG)
    }
    overall_org = org_scores.aggregate(**_ORG)
    branches = Organisation.objects.in_bulk([row["branch_id"] for row in per_branch])
    overall = _stats(None, overall_row, overall_median, overall_org if overall_org["n"] else None)
    rows = [
        _stats(
            branches.get(row["branch_id"]),
            row,
            medians.get(row["branch_id"]),
            org_by_branch.get(row["branch_id"]),
        )
        for row in per_branch
    ]
    for row in rows:
        row.flags = _flags(row, overall)
    rows.sort(key=lambda s: (-(s.mean or 0), s.branch.path if s.branch else ""))
    return overall, rows


def _flags(row: Stats, overall: Stats) -> list[str]:
    flags = []
    if row.mean is not None and overall.mean is not None and overall.stddev:
        if row.mean - overall.mean > FLAG_DEVIATIONS * overall.stddev:
            flags.append(_("总分明显偏高"))
        elif overall.mean - row.mean > FLAG_DEVIATIONS * overall.stddev:
            flags.append(_("总分明显偏低"))
    if row.org_percent is not None and overall.org_percent is not None:
        if row.org_percent - overall.org_percent >= FLAG_POINTS:
            flags.append(_("组织评定偏松"))
        elif overall.org_percent - row.org_percent >= FLAG_POINTS:
            flags.append(_("组织评定偏严"))
    return flags
