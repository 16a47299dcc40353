"""Reads of a zone's work, always through the scoping module: tasks (by zone, by member, overdue, a
member's own), the work plan with its dates in a month, and activities with their participants' count and
hours summed in SQL."""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Count, DecimalField, Exists, F, OuterRef, Prefetch, Q, QuerySet, Sum, Value
from django.db.models.functions import Coalesce

from vanguard.accounts import scope
from vanguard.org.models import Member, Organisation
from vanguard.org.selectors import person_search_q
from vanguard.org.validators import today

from .models import Activity, ActivityParticipant, Task, WorkPlanEntry, Zone, ZoneRole

# --- tasks -----------------------------------------------------------------------------------------------

_TASK_RELATED = (
    "zone",
    "zone__organisation",
    "member",
    "member__person",
    "member__organisation",
)


@dataclass
class TaskFilters:
    organisation: Organisation | None = None
    zone: Zone | None = None
    member: Member | None = None
    category: str = ""
    status: str = ""
    overdue: bool = False
    q: str = ""


def overdue_q(prefix: str = "") -> Q:
    """Open and past its due date: the secretary's list of what slipped."""
    return Q(**{f"{prefix}status": Task.Status.OPEN, f"{prefix}due_date__lt": today()})


def _in_organisation_q(organisation: Organisation) -> Q:
    # A task hangs on its zone's organisation or, without a zone, on its member's.
    return organisation.subtree_q("zone__organisation__") | (
        Q(zone__isnull=True) & organisation.subtree_q("member__organisation__")
    )


def _ordered(qs: QuerySet[Task]) -> QuerySet[Task]:
    return qs.select_related(*_TASK_RELATED).order_by(F("due_date").asc(nulls_last=True), "pk")


def task_list(*, user, filters: TaskFilters | None = None) -> QuerySet[Task]:
    filters = filters or TaskFilters()
    qs = scope.visible_to(user, Task.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(_in_organisation_q(filters.organisation))
    if filters.zone is not None:
        qs = qs.filter(zone=filters.zone)
    if filters.member is not None:
        qs = qs.filter(member=filters.member)
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.overdue:
        qs = qs.filter(overdue_q())
    if filters.q:
        qs = qs.filter(Q(title__icontains=filters.q.strip()) | person_search_q(filters.q, "member__person__"))
    return _ordered(qs)


def zone_tasks(*, user, zone: Zone) -> QuerySet[Task]:
    return task_list(user=user, filters=TaskFilters(zone=zone))


def member_tasks(*, user, member: Member) -> QuerySet[Task]:
    return task_list(user=user, filters=TaskFilters(member=member))


def overdue_tasks(*, user) -> QuerySet[Task]:
    return task_list(user=user, filters=TaskFilters(overdue=True))


def my_tasks(*, user) -> QuerySet[Task]:
    """A member's own tasks, and the tasks of the zones they hold a role in that name no other member:
    open ones first, by due date."""
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return Task.objects.none()
    roles = ZoneRole.objects.filter(zone_id=OuterRef("zone_id"), person_id=person_id)
    qs = Task.objects.filter(Q(member__person_id=person_id) | (Q(member__isnull=True) & Q(Exists(roles))))
    return (
        scope.visible_to(user, qs)
        .select_related(*_TASK_RELATED)
        .order_by(
            # open (the only status that sorts after "done" and "cancelled") first
            F("status").desc(),
            F("due_date").asc(nulls_last=True),
            "pk",
        )
    )


def task_detail(*, user, pk: int) -> Task:
    return scope.get_visible_or_404(user, Task.objects.select_related(*_TASK_RELATED), pk=pk)


# --- the work plan ---------------------------------------------------------------------------------------


def parse_month(value: str) -> dt.date:
    """`YYYY-MM` as the month's first day; ValueError unless it is a month of 2000–2100 (dates are
    expanded month by month, and a month at the calendar's very end has no next one)."""
    try:
        month = dt.datetime.strptime(value, "%Y-%m").date()
    except (TypeError, ValueError) as exc:
        raise ValueError(value) from exc
    if not 2000 <= month.year <= 2100:
        raise ValueError(value)
    return month


def month_bounds(month: dt.date) -> tuple[dt.date, dt.date]:
    first = month.replace(day=1)
    return first, first.replace(day=calendar.monthrange(first.year, first.month)[1])


def _add_months(day: dt.date, months: int, anchor_day: int) -> dt.date:
    """`day` moved by `months`, on `anchor_day` or the month's last day when it is shorter (31 → 30, 28)."""
    index = day.year * 12 + day.month - 1 + months
    year, month = divmod(index, 12)
    last = calendar.monthrange(year, month + 1)[1]
    return dt.date(year, month + 1, min(anchor_day, last))


_STEP_MONTHS = {
    WorkPlanEntry.Recurrence.MONTHLY: 1,
    WorkPlanEntry.Recurrence.QUARTERLY: 3,
    WorkPlanEntry.Recurrence.YEARLY: 12,
}


def occurrences(entry: WorkPlanEntry, start: dt.date, end: dt.date) -> list[dt.date]:
    """The dates of `entry` between `start` and `end` (both included): from its starts_on, every week,
    month, quarter or year until its ends_on. A monthly duty on the 31st falls on the last day of shorter
    months; a yearly one on 29 February on the 28th in common years."""
    first = entry.starts_on
    last = min(end, entry.ends_on) if entry.ends_on else end
    if first > last:
        return []
    if entry.recurrence == WorkPlanEntry.Recurrence.ONCE:
        return [first] if start <= first <= last else []
    if entry.recurrence == WorkPlanEntry.Recurrence.WEEKLY:
        # Jump straight to the first week in the window: no walk from a starts_on years ago.
        skip = max(0, (start - first).days + 6) // 7
        day = first + dt.timedelta(weeks=skip)
        dates = []
        while day <= last:
            if day >= start:
                dates.append(day)
            day += dt.timedelta(weeks=1)
        return dates
    step = _STEP_MONTHS[entry.recurrence]
    months_apart = (start.year - first.year) * 12 + start.month - first.month
    n = max(0, months_apart // step - 1)
    dates = []
    while True:
        day = _add_months(first, n * step, first.day)
        if day > last:
            return dates
        if day >= start:
            dates.append(day)
        n += 1


@dataclass
class PlanRow:
    entry: WorkPlanEntry
    dates: list[dt.date] = field(default_factory=list)


@dataclass
class PlanMonth:
    month: dt.date  # its first day
    rows: list[PlanRow]

    @property
    def previous(self) -> dt.date:
        return _add_months(self.month, -1, 1)

    @property
    def next(self) -> dt.date:
        return _add_months(self.month, 1, 1)

    @property
    def agenda(self) -> list[tuple[dt.date, WorkPlanEntry]]:
        """Every date of the month that has work on it, in order: the 工作运行表 as a calendar."""
        items = [(day, row.entry) for row in self.rows for day in row.dates]
        return sorted(items, key=lambda item: (item[0], item[1].pk))


def plan_entries(*, user, zone: Zone | None = None) -> QuerySet[WorkPlanEntry]:
    qs = scope.visible_to(user, WorkPlanEntry.objects.all())
    if zone is not None:
        qs = qs.filter(zone=zone)
    return qs.select_related("zone", "zone__organisation", "person").order_by("starts_on", "pk")


def plan_month(*, user, zone: Zone, month: dt.date | None = None) -> PlanMonth:
    """The zone's work plan with each entry's dates in `month` (this month by default)."""
    start, end = month_bounds(month or today())
    # The whole table (a zone's dozen or so lines), each with its dates in the month, expanded in Python.
    rows = [PlanRow(entry, occurrences(entry, start, end)) for entry in plan_entries(user=user, zone=zone)]
    return PlanMonth(month=start, rows=rows)


def plan_entry_detail(*, user, pk: int) -> WorkPlanEntry:
    return scope.get_visible_or_404(
        user, WorkPlanEntry.objects.select_related("zone", "zone__organisation", "person"), pk=pk
    )


# --- activities ------------------------------------------------------------------------------------------


@dataclass
class ActivityFilters:
    organisation: Organisation | None = None
    zone: Zone | None = None
    held_from: dt.date | None = None
    held_to: dt.date | None = None
    person_id: int | None = None
    q: str = ""


def with_totals(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    # One grouped join; visible_to filtered with Exists, so no row is counted twice.
    return qs.annotate(
        participant_count=Count("attendance"),
        total_hours=Coalesce(
            Sum("attendance__hours"),
            Value(Decimal(0)),
            output_field=DecimalField(max_digits=9, decimal_places=1),
        ),
    )


def activity_list(*, user, filters: ActivityFilters | None = None) -> QuerySet[Activity]:
    filters = filters or ActivityFilters()
    qs = scope.visible_to(user, Activity.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("organisation__"))
    if filters.zone is not None:
        qs = qs.filter(zone=filters.zone)
    if filters.held_from is not None:
        qs = qs.filter(held_on__gte=filters.held_from)
    if filters.held_to is not None:
        qs = qs.filter(held_on__lte=filters.held_to)
    if filters.person_id is not None:
        qs = qs.filter(
            Exists(
                ActivityParticipant.objects.filter(activity_id=OuterRef("pk"), person_id=filters.person_id)
            )
        )
    if filters.q:
        qs = qs.filter(title__icontains=filters.q.strip())
    return with_totals(qs).select_related("organisation", "zone").order_by("-held_on", "-pk")


def with_participants(qs: QuerySet[Activity]) -> QuerySet[Activity]:
    """The participants of each activity in one more query, for lists that show them (the API)."""
    return qs.prefetch_related(
        Prefetch(
            "attendance",
            queryset=ActivityParticipant.objects.select_related("person").order_by(
                "person__name_pinyin", "pk"
            ),
        )
    )


def activity_detail(*, user, pk: int) -> Activity:
    qs = with_participants(with_totals(Activity.objects.select_related("organisation", "zone")))
    return scope.get_visible_or_404(user, qs, pk=pk)
