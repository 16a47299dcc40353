"""What derived indicators count, as SQL over the whole round at once.

Each metric gives, for every Result of a round, two correlated subqueries: the records counted and the
number expected (None where a metric has no natural expectation for a kind of target, in which case only the
capped formula applies). The formulas turn them into points on the indicator's scale:

- ratio (按应完成数的比例): max × min(counted ÷ expected, 1); with nothing expected, full points (nothing
  was due); a parameter N replaces the expected number;
- capped (计数,满N次得满分): max × min(counted, N) ÷ N.

Metrics by target kind (member / group or branch / zone):
- reports_submitted: monthly reports submitted or reviewed for the period's months (not those returned);
  expected: the months × the members (for a group or branch: all members under it; a zone: its members who
  hold a role in it).
- reports_on_time: the same, submitted by the `REPORT_GRACE_DAYS`-th day after the month (settings).
- contacts_talked: the contacts of the period's year talked with or visited in the period; expected: the
  contacts assigned for the year. Not for zones.
- tasks_done: tasks done in the period; expected: those done plus those still open past their deadline
  (按期完成率). For a branch: its members' tasks and its zones' tasks.
- activities_attended: activities in the period the member took part in (a branch: its members' attendance;
  a zone: activities held for the zone); expected for a member: the activities their own organisation held.
- service_hours (社区服务时长, issue 8): the hours of community service verified by the community, served in
  the period (a group or branch: its members' sum), in whole hours — a half hour left over is not counted,
  because `counted` is stored as an integer. Self-reported hours still waiting are not counted. No natural
  expectation: the capped formula (N hours for full points) or the ratio formula with N. Not for zones.
- requests_responded, requests_resolved, requests_satisfied (群众诉求, issue 9): residents' requests for help
  (kind 求助) received in the period — by the local date (Asia/Shanghai) of their receipt — leaving out those
  closed without ever being resolved (a duplicate, not a request). Responded: accepted by the response
  deadline, out of those accepted or past it; resolved (按期办结): resolved by the deadline, out of those
  resolved or past it; satisfied: rated 4 or 5, out of those rated. "Past it" is as of the close, so a
  request still inside its time expects nothing yet. A member answers for the requests they handle, a group
  or branch for those of its organisation and the organisations under it, a zone for those routed to it.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.conf import settings
from django.db.models import Exists, Expression, F, IntegerField, OuterRef, Q, QuerySet, Subquery, Value
from django.db.models.functions import Cast, Coalesce, Floor
from django.utils import timezone

from .models import Metric, TargetKind

ORG_KINDS = (TargetKind.GROUP, TargetKind.BRANCH)


class SubqueryCount(Subquery):
    """COUNT(*) of a correlated queryset, as one scalar subquery."""

    template = "(SELECT COUNT(*) FROM (%(subquery)s) _counted)"
    output_field = IntegerField()


def _count(qs) -> Expression:
    return Coalesce(SubqueryCount(qs.order_by().values("pk")), Value(0))


@dataclass(frozen=True)
class Period:
    start: dt.date
    end: dt.date

    @property
    def months(self) -> list[dt.date]:
        first = self.start.replace(day=1)
        months = []
        while first <= self.end:
            months.append(first)
            first = (first + dt.timedelta(days=32)).replace(day=1)
        return months

    @property
    def year(self) -> int:
        return self.start.year


def _member_filter(kind: str) -> dict[str, object]:
    """How a member-owned record (through its `member`) hangs on the outer Result."""
    if kind == TargetKind.MEMBER:
        return {"member_id": OuterRef("member_id")}
    if kind in ORG_KINDS:
        return {"member__organisation__path__startswith": OuterRef("organisation__path")}
    return {"member__person__zone_roles__zone_id": OuterRef("zone_id")}


def _members_expected(kind: str) -> Expression:
    from vanguard.org.models import Member
    from vanguard.zones.models import ZoneRole

    if kind == TargetKind.MEMBER:
        return Value(1)
    if kind in ORG_KINDS:
        return _count(Member.objects.filter(organisation__path__startswith=OuterRef("organisation__path")))
    return _count(
        ZoneRole.objects.filter(zone_id=OuterRef("zone_id"), person__member__isnull=False)
        .values("person_id")
        .distinct()
    )


def _reports(kind: str, period: Period, on_time: bool) -> tuple[Expression, Expression]:
    from vanguard.reports.models import MonthlyReport

    months = period.months
    qs = MonthlyReport.objects.filter(
        month__in=months, status__in=[MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.REVIEWED]
    ).filter(**_member_filter(kind))
    if kind == TargetKind.ZONE:
        qs = MonthlyReport.objects.filter(
            month__in=months,
            status__in=[MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.REVIEWED],
            zone_id=OuterRef("zone_id"),
        )
    if on_time:
        grace = getattr(settings, "REPORT_GRACE_DAYS", 5)
        in_time = Q(pk__in=[])
        for month in months:
            next_month = (month + dt.timedelta(days=32)).replace(day=1)
            deadline = dt.datetime.combine(next_month + dt.timedelta(days=grace), dt.time.min)
            in_time |= Q(month=month, submitted_at__lt=timezone.make_aware(deadline))
        qs = qs.filter(in_time)
    expected = Value(len(months)) * _members_expected(kind)
    return _count(qs), expected


def _contacts(kind: str, period: Period) -> tuple[Expression, Expression | None]:
    from vanguard.contacts.models import ContactAssignment, Talk

    if kind == TargetKind.ZONE:
        return Value(0), None
    assigned = ContactAssignment.objects.filter(year=period.year).filter(**_member_filter(kind))
    talked_to = Talk.objects.filter(
        assignment_id=OuterRef("pk"), held_on__gte=period.start, held_on__lte=period.end
    )
    return _count(assigned.filter(Exists(talked_to))), _count(assigned)


def _tasks(kind: str, period: Period) -> tuple[Expression, Expression]:
    from vanguard.zones.models import Task

    if kind == TargetKind.MEMBER:
        own = Q(member_id=OuterRef("member_id"))
    elif kind in ORG_KINDS:
        own = Q(member__organisation__path__startswith=OuterRef("organisation__path")) | Q(
            zone__organisation__path__startswith=OuterRef("organisation__path")
        )
    else:
        own = Q(zone_id=OuterRef("zone_id"))
    done = Task.objects.filter(
        own, status=Task.Status.DONE, done_on__gte=period.start, done_on__lte=period.end
    )
    overdue = Task.objects.filter(own, status=Task.Status.OPEN, due_date__lte=period.end)
    done_count = _count(done)
    return done_count, done_count + _count(overdue)


def _activities(kind: str, period: Period) -> tuple[Expression, Expression | None]:
    from vanguard.zones.models import Activity, ActivityParticipant

    held = {"activity__held_on__gte": period.start, "activity__held_on__lte": period.end}
    if kind == TargetKind.MEMBER:
        attended = ActivityParticipant.objects.filter(person_id=OuterRef("member__person_id"), **held)
        expected = _count(
            Activity.objects.filter(
                organisation_id=OuterRef("member__organisation_id"),
                held_on__gte=period.start,
                held_on__lte=period.end,
            )
        )
        return _count(attended), expected
    if kind in ORG_KINDS:
        attended = ActivityParticipant.objects.filter(
            person__member__organisation__path__startswith=OuterRef("organisation__path"), **held
        )
        return _count(attended), None
    return (
        _count(
            Activity.objects.filter(
                zone_id=OuterRef("zone_id"), held_on__gte=period.start, held_on__lte=period.end
            )
        ),
        None,
    )


def _service_hours(kind: str, period: Period) -> tuple[Expression, None]:
    from vanguard.community.feedback import sum_hours
    from vanguard.community.models import ServiceRecord

    records = ServiceRecord.objects.filter(
        status=ServiceRecord.Status.VERIFIED, served_on__gte=period.start, served_on__lte=period.end
    ).filter(**_member_filter(kind))
    # FLOOR before the cast: PostgreSQL's CAST rounds, SQLite's truncates.
    return Cast(Floor(sum_hours(records)), IntegerField()), None


def _local_day_range(period: Period) -> tuple[dt.datetime, dt.datetime]:
    """[the period's first day 00:00, the day after its last 00:00) in the current time zone: a range on the
    datetime itself, which its index serves, rather than a comparison of its date."""
    zone = timezone.get_current_timezone()
    start = timezone.make_aware(dt.datetime.combine(period.start, dt.time.min), zone)
    end = timezone.make_aware(dt.datetime.combine(period.end + dt.timedelta(days=1), dt.time.min), zone)
    return start, end


REQUEST_METRICS = (Metric.REQUESTS_RESPONDED, Metric.REQUESTS_RESOLVED, Metric.REQUESTS_SATISFIED)


def _request_rule(metric: str, now: dt.datetime) -> tuple[Q, Q]:
    """(counted, expected) of one of the request rates, as conditions on a request of the population."""
    if metric == Metric.REQUESTS_RESPONDED:
        return (
            Q(accepted_at__isnull=False, accepted_at__lte=F("respond_by")),
            Q(accepted_at__isnull=False) | Q(respond_by__lt=now),
        )
    if metric == Metric.REQUESTS_RESOLVED:
        return (
            Q(resolved_at__isnull=False, resolved_at__lte=F("deadline")),
            Q(resolved_at__isnull=False) | Q(deadline__lt=now),
        )
    return Q(rating__gte=4), Q(rating__isnull=False)


def request_counted(metric: str, request) -> bool:
    """The counted condition of `_request_rule` on one loaded request (for the breakdown's rows)."""
    if metric == Metric.REQUESTS_RESPONDED:
        return request.accepted_at is not None and request.accepted_at <= request.respond_by
    if metric == Metric.REQUESTS_RESOLVED:
        return request.resolved_at is not None and request.resolved_at <= request.deadline
    return request.rating is not None and request.rating >= 4


def _request_owner(kind: str) -> dict[str, object]:
    """How a request hangs on the outer Result: its member, its organisation (or one under it), its zone."""
    if kind == TargetKind.MEMBER:
        return {"member_id": OuterRef("member_id")}
    if kind in ORG_KINDS:
        return {"organisation__path__startswith": OuterRef("organisation__path")}
    return {"zone_id": OuterRef("zone_id")}


def _request_population(period: Period) -> QuerySet:
    from vanguard.service_requests.models import Kind, ServiceRequest

    start, end = _local_day_range(period)
    return ServiceRequest.objects.filter(
        kind=Kind.REQUEST, received_at__gte=start, received_at__lt=end
    ).exclude(closed_at__isnull=False, resolved_at__isnull=True)


def _requests(metric: str, kind: str, period: Period) -> tuple[Expression, Expression]:
    counted, expected = _request_rule(metric, timezone.now())
    own = _request_population(period).filter(**_request_owner(kind))
    return _count(own.filter(counted)), _count(own.filter(expected))


# Which target kinds each metric serves.
SUPPORTED: dict[str, tuple[str, ...]] = {
    Metric.REPORTS_SUBMITTED: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.REPORTS_ON_TIME: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.CONTACTS_TALKED: (TargetKind.MEMBER, *ORG_KINDS),
    Metric.TASKS_DONE: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.ACTIVITIES_ATTENDED: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.SERVICE_HOURS: (TargetKind.MEMBER, *ORG_KINDS),
    Metric.REQUESTS_RESPONDED: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.REQUESTS_RESOLVED: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
    Metric.REQUESTS_SATISFIED: (TargetKind.MEMBER, *ORG_KINDS, TargetKind.ZONE),
}


def has_expected(metric: str, kind: str) -> bool:
    """Whether the ratio formula can use the metric's own expectation for this kind of target."""
    if metric == Metric.ACTIVITIES_ATTENDED:
        return kind == TargetKind.MEMBER
    if metric == Metric.SERVICE_HOURS:
        return False
    return kind in SUPPORTED.get(metric, ())


def expressions(metric: str, kind: str, period: Period) -> tuple[Expression, Expression | None]:
    """(counted, expected) for each Result row of a round whose targets are of `kind`."""
    if metric == Metric.REPORTS_SUBMITTED:
        return _reports(kind, period, on_time=False)
    if metric == Metric.REPORTS_ON_TIME:
        return _reports(kind, period, on_time=True)
    if metric == Metric.CONTACTS_TALKED:
        return _contacts(kind, period)
    if metric == Metric.TASKS_DONE:
        return _tasks(kind, period)
    if metric == Metric.ACTIVITIES_ATTENDED:
        return _activities(kind, period)
    if metric == Metric.SERVICE_HOURS:
        return _service_hours(kind, period)
    if metric in REQUEST_METRICS:
        return _requests(metric, kind, period)
    raise ValueError(f"unknown metric {metric!r}")


def records(metric: str, result, period: Period):
    """The records a derived indicator counted for one result, for its breakdown (newest first)."""
    from vanguard.contacts.models import Talk
    from vanguard.reports.models import MonthlyReport
    from vanguard.zones.models import Activity, Task

    kind = _kind_of(result)
    if metric in (Metric.REPORTS_SUBMITTED, Metric.REPORTS_ON_TIME):
        qs = MonthlyReport.objects.filter(
            month__in=period.months,
            status__in=[MonthlyReport.Status.SUBMITTED, MonthlyReport.Status.REVIEWED],
        )
        qs = (
            qs.filter(**_resolve(_member_filter(kind), result))
            if kind != TargetKind.ZONE
            else qs.filter(zone_id=result.zone_id)
        )
        return qs.select_related("member__person").order_by("-month")
    if metric == Metric.CONTACTS_TALKED:
        filters = {f"assignment__{k}": v for k, v in _resolve(_member_filter(kind), result).items()}
        return (
            Talk.objects.filter(
                held_on__gte=period.start, held_on__lte=period.end, assignment__year=period.year, **filters
            )
            .select_related("assignment__person", "assignment__member__person")
            .order_by("-held_on")
        )
    if metric == Metric.TASKS_DONE:
        if kind == TargetKind.MEMBER:
            own = Q(member_id=result.member_id)
        elif kind in ORG_KINDS:
            path = result.organisation.path
            own = Q(member__organisation__path__startswith=path) | Q(
                zone__organisation__path__startswith=path
            )
        else:
            own = Q(zone_id=result.zone_id)
        return (
            Task.objects.filter(own)
            .filter(
                Q(status=Task.Status.DONE, done_on__gte=period.start, done_on__lte=period.end)
                | Q(status=Task.Status.OPEN, due_date__lte=period.end)
            )
            .order_by("-done_on", "-due_date")
        )
    if metric == Metric.ACTIVITIES_ATTENDED:
        qs = Activity.objects.filter(held_on__gte=period.start, held_on__lte=period.end)
        if kind == TargetKind.MEMBER:
            qs = qs.filter(attendance__person_id=result.member.person_id)
        elif kind in ORG_KINDS:
            qs = qs.filter(
                attendance__person__member__organisation__path__startswith=result.organisation.path
            ).distinct()
        else:
            qs = qs.filter(zone_id=result.zone_id)
        return qs.order_by("-held_on")
    if metric == Metric.SERVICE_HOURS:
        from vanguard.community.models import ServiceRecord

        return (
            ServiceRecord.objects.filter(
                status=ServiceRecord.Status.VERIFIED, served_on__gte=period.start, served_on__lte=period.end
            )
            .filter(**_resolve(_member_filter(kind), result))
            .select_related("member__person", "community")
            .order_by("-served_on", "-pk")
        )
    if metric in REQUEST_METRICS:
        # The requests the rate considered (its expected ones), each counted or not by `request_counted`;
        # "past the time limit" as of the round's close, as when it was computed.
        now = result.round.closed_at or timezone.now()
        _counted, expected = _request_rule(metric, now)
        return (
            _request_population(period)
            .filter(**_resolve(_request_owner(kind), result))
            .filter(expected)
            .select_related("member__person", "zone", "team")
            .order_by("-received_at", "-pk")
        )
    raise ValueError(f"unknown metric {metric!r}")


def _kind_of(result) -> str:
    if result.member_id:
        return TargetKind.MEMBER
    if result.zone_id:
        return TargetKind.ZONE
    return TargetKind.BRANCH


def _resolve(filters: dict[str, object], result) -> dict[str, object]:
    """The correlated filters of `_member_filter` with the outer row's values of one result."""
    values = {
        "member_id": result.member_id,
        "organisation__path": result.organisation.path if result.organisation_id else None,
        "zone_id": result.zone_id,
    }
    return {key: values[ref.name] for key, ref in filters.items()}
