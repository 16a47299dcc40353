"""Reads of monthly reports, the missing-report list and the member's archive book (活动档案簿册).

Everything goes through the scoping module, and every read is a fixed number of queries whatever the
number of rows: counts are SQL aggregates, per-member facts are subqueries, related rows are joined or
prefetched. The archive book reads the zones and contacts apps' models directly (their selectors were
written at the same time as this module); it only reads, and through `scope.visible_to` like any other.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field, replace

from django.core.exceptions import ValidationError
from django.db.models import Count, Exists, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.http import Http404

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.models import Member, Organisation
from vanguard.zones.models import Task, Zone, ZoneRole, validate_year

from .models import MonthlyReport
from .months import month_end
from .policies import report_member_q

Status = MonthlyReport.Status


# --- reports ---------------------------------------------------------------------------------------------


@dataclass
class ReportFilters:
    organisation: Organisation | None = None
    member: Member | None = None
    month: dt.date | None = None
    status: str = ""


def with_related(queryset: QuerySet[MonthlyReport]) -> QuerySet[MonthlyReport]:
    return queryset.select_related("member__person", "member__organisation", "zone", "reviewed_by")


def reports_in_scope(*, user) -> QuerySet[MonthlyReport]:
    return with_related(scope.visible_to(user, MonthlyReport.objects.all()))


def report_list(*, user, filters: ReportFilters | None = None) -> QuerySet[MonthlyReport]:
    filters = filters or ReportFilters()
    qs = reports_in_scope(user=user)
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("member__organisation__"))
    if filters.member is not None:
        qs = qs.filter(member=filters.member)
    if filters.month is not None:
        qs = qs.filter(month=filters.month)
    if filters.status:
        qs = qs.filter(status=filters.status)
    return qs.order_by("-month", "member__person__name_pinyin", "pk")


def review_queue(*, user, filters: ReportFilters | None = None) -> QuerySet[MonthlyReport]:
    """Submitted reports the user may review, oldest first: their own report is not theirs to review."""
    filters = replace(filters or ReportFilters(), status=Status.SUBMITTED)
    qs = report_list(user=user, filters=filters).order_by("submitted_at", "pk")
    return qs.exclude(member__person__user=user) if getattr(user, "pk", None) else qs


def report_detail(*, user, pk: int) -> MonthlyReport:
    return scope.get_visible_or_404(user, reports_in_scope(user=user), pk=pk)


def own_member(*, user) -> Member | None:
    """The member record of the user's own person, when the user acts as a member."""
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person_id=person_id).first()


def is_own(*, user, report: MonthlyReport) -> bool:
    person_id = scope.scope_of(user).person_id
    return person_id is not None and report.member.person_id == person_id


def may_review(*, user, report: MonthlyReport) -> bool:
    """Whether the user reviews for the report's branch (the service decides the transition itself)."""
    person_user = report.member.person.user_id
    own = person_user is not None and person_user == getattr(user, "pk", None)
    return not own and scope.can_edit_under(user, report.member.organisation)


def reviews_anything(*, user) -> bool:
    """Whether the user reviews some branch's reports: the organisation editors (scope._ORG_EDITORS),
    answered from the scope already loaded, without a query."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE, Role.SECRETARY}))


def reads_organisations(*, user) -> bool:
    """Office, secretaries and supervisors: the roles that read a branch's reports, not only their own."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def my_reports(*, user, member: Member) -> QuerySet[MonthlyReport]:
    return report_list(user=user, filters=ReportFilters(member=member))


def member_zones(*, member: Member, year: int) -> QuerySet[Zone]:
    """The zones the member holds a role in that year."""
    return Zone.objects.filter(year=year, roles__person_id=member.person_id).distinct().order_by("name")


def default_zone_id(*, member: Member, year: int) -> int | None:
    """The zone a report defaults to: the one the member holds a role in that year, if exactly one."""
    ids = list(
        ZoneRole.objects.filter(person_id=member.person_id, zone__year=year)
        .values_list("zone_id", flat=True)
        .distinct()
        .order_by("zone_id")[:2]
    )
    return ids[0] if len(ids) == 1 else None


def zone_choices(*, member: Member, years: list[int]) -> QuerySet[Zone]:
    return (
        Zone.objects.filter(year__in=years, roles__person_id=member.person_id)
        .distinct()
        .order_by("-year", "name")
    )


# --- missing reports -------------------------------------------------------------------------------------


def _branch_members(*, user, organisation: Organisation | None, month: dt.date) -> QuerySet[Member]:
    """The members expected to report for `month`: current members of the organisation's subtree inside
    the user's organisation scope, except those who joined after the month ended."""
    s = scope.scope_of(user)
    qs = (
        Member.objects.all()
        if s.superuser
        else Member.objects.filter(scope.organisation_q(s, "organisation__path"))
    )
    if organisation is not None:
        qs = qs.filter(organisation.subtree_q("organisation__"))
    return qs.filter(Q(join_date__isnull=True) | Q(join_date__lte=month_end(month)))


def _has_report(month: dt.date) -> Exists:
    return Exists(MonthlyReport.objects.filter(member_id=OuterRef("pk"), month=month))


def missing_reports(*, user, organisation: Organisation | None, month: dt.date) -> QuerySet[Member]:
    """Members of the subtree with no report for the month, with the month of their latest report."""
    latest = MonthlyReport.objects.filter(member_id=OuterRef("pk")).order_by("-month").values("month")[:1]
    return (
        _branch_members(user=user, organisation=organisation, month=month)
        .filter(~_has_report(month))
        .annotate(last_month=Subquery(latest))
        .select_related("person", "organisation")
        .order_by("organisation__path", "person__name_pinyin", "pk")
    )


@dataclass
class MonthSummary:
    month: dt.date
    organisation: Organisation | None
    members: int = 0
    submitted: int = 0
    returned: int = 0
    reviewed: int = 0
    missing: int = 0

    @property
    def reported(self) -> int:
        return self.submitted + self.returned + self.reviewed

    @property
    def rate(self) -> int:
        """Percentage of the expected members who have reported, rounded down."""
        return self.reported * 100 // self.members if self.members else 0


def month_summary(*, user, organisation: Organisation | None, month: dt.date) -> MonthSummary:
    """Counts for the month in two aggregate queries: the members expected and those missing, and the
    reports of those members by status."""
    members = _branch_members(user=user, organisation=organisation, month=month)
    totals = members.aggregate(total=Count("pk"), missing=Count("pk", filter=~Q(_has_report(month))))
    by_status = MonthlyReport.objects.filter(month=month, member__in=members.values("pk")).aggregate(
        submitted=Count("pk", filter=Q(status=Status.SUBMITTED)),
        returned=Count("pk", filter=Q(status=Status.RETURNED)),
        reviewed=Count("pk", filter=Q(status=Status.REVIEWED)),
    )
    return MonthSummary(
        month=month,
        organisation=organisation,
        members=totals["total"],
        missing=totals["missing"],
        **by_status,
    )


# --- the archive book ------------------------------------------------------------------------------------


@dataclass
class TalkRow:
    contact: ContactAssignment
    talk: Talk


@dataclass
class MonthRow:
    month: dt.date
    report: MonthlyReport | None


@dataclass
class ArchiveBook:
    """A member's 活动档案簿册 for one year: who they are, their zones and roles, their tasks, their
    contacts and the talks with them, and their monthly reports."""

    member: Member
    year: int
    zone_roles: list[ZoneRole] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    contacts: list[ContactAssignment] = field(default_factory=list)
    reports: list[MonthlyReport] = field(default_factory=list)

    @property
    def zones(self) -> list[Zone]:
        seen: dict[int, Zone] = {}
        for role in self.zone_roles:
            seen.setdefault(role.zone_id, role.zone)
        return list(seen.values())

    @property
    def talks(self) -> list[TalkRow]:
        rows = [TalkRow(c, t) for c in self.contacts for t in c.year_talks]
        return sorted(rows, key=lambda r: (r.talk.held_on, r.talk.pk))

    def months(self, *, until: dt.date) -> list[MonthRow]:
        """Each month of the year up to `until` (the current month), with its report or None."""
        by_month = {r.month: r for r in self.reports}
        last = 12 if until.year > self.year else (until.month if until.year == self.year else 0)
        return [
            MonthRow(dt.date(self.year, m, 1), by_month.get(dt.date(self.year, m, 1)))
            for m in range(1, last + 1)
        ]


def valid_year(year: int) -> bool:
    try:
        validate_year(year)
    except ValidationError:
        return False
    return True


def archive_book(*, user, member_pk: int, year: int) -> ArchiveBook:
    """The book in six queries: the member, zone roles, tasks, contacts, their talks, reports."""
    if not valid_year(year):
        raise Http404
    member = scope.get_visible_or_404(
        user,
        Member.objects.filter(report_member_q(scope.scope_of(user))).select_related(
            "person", "organisation", "person__workplace", "person__residence"
        ),
        pk=member_pk,
    )
    roles = list(
        scope.visible_to(user, ZoneRole.objects.filter(person_id=member.person_id, zone__year=year))
        .select_related("zone", "kind", "zone__organisation")
        .order_by("zone__name", "kind__order", "pk")
    )
    zone_ids = sorted({r.zone_id for r in roles})
    own = Q(member=member) & (
        Q(zone__year=year)
        | Q(zone__isnull=True, due_date__year=year)
        | Q(zone__isnull=True, due_date__isnull=True, created_at__year=year)
    )
    tasks = list(
        scope.visible_to(user, Task.objects.filter(Q(zone_id__in=zone_ids) | own))
        .select_related("zone")
        .order_by("category", "due_date", "pk")
    )
    talks = Talk.objects.filter(held_on__year=year).order_by("held_on", "pk")
    contacts = list(
        scope.visible_to(user, ContactAssignment.objects.filter(member=member, year=year))
        .select_related("person")
        .prefetch_related(Prefetch("talks", queryset=talks, to_attr="year_talks"))
        .order_by("assigned_on", "pk")
    )
    reports = list(
        scope.visible_to(user, MonthlyReport.objects.filter(member=member, month__year=year))
        .select_related("zone", "reviewed_by")
        .order_by("month")
    )
    return ArchiveBook(
        member=member, year=year, zone_roles=roles, tasks=tasks, contacts=contacts, reports=reports
    )
