"""What a user must do now: the to-do list behind the dashboards' panel and `vanguard remind`.

`items_for(user)` answers, for each role the user holds, the things waiting for them — a member's monthly
report and contacts, the secretary's review queue and missing reports, rounds to score, close or publish,
rectifications due, registrations and service hours to confirm, residents' requests waiting or overdue —
each as a count with the page where it is done (with its filters), so the count is the length of the list
that page shows.

Every count goes through the owning app's selectors and so through the scoping module; the counts of one
model are one aggregate. Whatever the size of the user's scope, it is a fixed number of queries (at most
about fifteen, fewer for one role), never a query per row or per branch.
"""

from __future__ import annotations

import calendar
import datetime as dt
from dataclasses import dataclass
from urllib.parse import urlencode

from django.conf import settings
from django.db.models import Count, Exists, OuterRef, Q
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.accounts.models import Role

DANGER, WARNING, INFO = "danger", "warning", "info"
# An open rectification whose deadline is this close is "due soon".
RECTIFICATION_SOON_DAYS = 7
# In the last days of a month, this month's report and talks turn from a hint into a reminder.
MONTH_END_DAYS = 7


@dataclass(frozen=True)
class DueItem:
    """One kind of thing due: `count` of them, done at `url`. `key` names what is due (e.g.
    "report_missing:2026-10"): the same key is the same reminder, told again only every few days."""

    kind: str
    label: str
    count: int
    url: str
    severity: str  # "danger" | "warning" | "info"
    key: str


def _url(name: str, *args, **query) -> str:
    path = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(query)}" if query else path


def _ym(month: dt.date) -> str:
    return f"{month:%Y-%m}"


def _month_label(month: dt.date) -> str:
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


def _near_month_end(day: dt.date) -> bool:
    return calendar.monthrange(day.year, day.month)[1] - day.day < MONTH_END_DAYS


def grace_days() -> int:
    """The days after a month in which its report is still on time (as the assessment counts it)."""
    return getattr(settings, "REPORT_GRACE_DAYS", 5)


@dataclass
class _Context:
    user: object
    s: scope.Scope
    today: dt.date
    now: dt.datetime
    this_month: dt.date
    last_month: dt.date

    @property
    def in_grace(self) -> bool:
        return self.today.day <= grace_days()

    @property
    def member(self) -> bool:
        return self.s.person_id is not None

    @property
    def secretary(self) -> bool:
        return bool(self.s.paths_for({Role.SECRETARY}))

    @property
    def office(self) -> bool:
        return self.s.superuser or bool(self.s.paths_for({Role.OFFICE}))

    @property
    def scorer(self) -> bool:
        return self.s.superuser or bool(self.s.paths_for({Role.OFFICE, Role.SECRETARY, Role.SUPERVISOR}))

    @property
    def worker(self) -> bool:
        return bool(self.s.cell_paths)


def items_for(user) -> list[DueItem]:
    """What `user` must do now, most urgent first; only items with something to do (count > 0)."""
    from vanguard.reports.months import current_month, previous_month

    s = scope.scope_of(user)
    if not (s.superuser or s.roles - {Role.AUDITOR}):
        return []
    now = timezone.now()
    this_month = current_month()
    ctx = _Context(
        user=user,
        s=s,
        today=timezone.localdate(now),
        now=now,
        this_month=this_month,
        last_month=previous_month(this_month),
    )
    items: list[DueItem] = []
    if ctx.member:
        items += _member_reports(ctx)
        items += _member_contacts(ctx)
    if ctx.secretary:
        items += _branch_reports(ctx)
        items += _branch_contacts(ctx)
    if ctx.scorer or ctx.member:
        items += _rounds(ctx)
    if ctx.member or ctx.secretary or ctx.office:
        items += _rectifications(ctx)
    if ctx.worker:
        items += _community(ctx)
    items += _requests(ctx)
    order = {DANGER: 0, WARNING: 1, INFO: 2}
    return sorted((i for i in items if i.count > 0), key=lambda i: order[i.severity])


# --- monthly reports -------------------------------------------------------------------------------------


def _member_reports(ctx: _Context) -> list[DueItem]:
    """This month's report; in the first days of a month (the grace period), last month's first."""
    from vanguard.reports import selectors as reports
    from vanguard.reports.months import month_end

    member = reports.own_member(user=ctx.user)
    if member is None:
        return []
    months = [ctx.this_month, ctx.last_month] if ctx.in_grace else [ctx.this_month]
    filed = set(
        reports.report_list(user=ctx.user, filters=reports.ReportFilters(member=member))
        .filter(month__in=months)
        .values_list("month", flat=True)
    )

    def expected(month: dt.date) -> bool:
        return month not in filed and (member.join_date is None or member.join_date <= month_end(month))

    if ctx.in_grace and expected(ctx.last_month):
        month, severity = ctx.last_month, DANGER
    elif expected(ctx.this_month):
        month = ctx.this_month
        severity = WARNING if _near_month_end(ctx.today) else INFO
    else:
        return []
    return [
        DueItem(
            kind="report_missing",
            label=_("待提交的%(month)s月度汇报") % {"month": _month_label(month)},
            count=1,
            url=_url("reports:submit", month=_ym(month)),
            severity=severity,
            key=f"report_missing:{_ym(month)}",
        )
    ]


def _branch_reports(ctx: _Context) -> list[DueItem]:
    """The review queue, and the members who have not reported for last month (on time until the end of
    the grace period, late after it)."""
    from vanguard.reports import selectors as reports

    to_review = reports.review_queue(user=ctx.user).count()
    missing = reports.missing_reports(user=ctx.user, organisation=None, month=ctx.last_month).count()
    month = _ym(ctx.last_month)
    return [
        DueItem(
            kind="reports_to_review",
            label=_("待审阅的月度汇报"),
            count=to_review,
            url=_url("reports:queue"),
            severity=WARNING,
            key="reports_to_review",
        ),
        DueItem(
            kind="reports_missing",
            label=_("%(month)s未交月度汇报的党员") % {"month": _month_label(ctx.last_month)},
            count=missing,
            url=_url("reports:missing", month=month),
            severity=WARNING if ctx.in_grace else DANGER,
            key=f"reports_missing:{month}",
        ),
    ]


# --- contacts --------------------------------------------------------------------------------------------


def _member_contacts(ctx: _Context) -> list[DueItem]:
    """The member's own contacts not yet talked with or visited this month."""
    from vanguard.contacts import selectors as contacts

    count = (
        contacts.contacts_not_visited(user=ctx.user, month=ctx.this_month)
        .filter(member__person_id=ctx.s.person_id)
        .count()
    )
    return [
        DueItem(
            kind="contacts_not_visited",
            label=_("本月尚未谈心走访的联系对象"),
            count=count,
            url=_url("contacts:mine"),
            severity=WARNING if _near_month_end(ctx.today) else INFO,
            key=f"contacts_not_visited:{_ym(ctx.this_month)}",
        )
    ]


def _branch_contacts(ctx: _Context) -> list[DueItem]:
    """Members with fewer than two contacts this year, and the contacts nobody talked with last month (a
    month that has ended: overdue)."""
    from vanguard.contacts import selectors as contacts

    year = ctx.today.year
    below_two = contacts.members_below_two(user=ctx.user, year=year).count()
    overdue = contacts.contacts_not_visited(user=ctx.user, month=ctx.last_month).count()
    return [
        DueItem(
            kind="contacts_overdue",
            label=_("%(month)s未谈心走访的联系对象") % {"month": _month_label(ctx.last_month)},
            count=overdue,
            url=_url("contacts:not_visited", month=_ym(ctx.last_month)),
            severity=WARNING,
            key=f"contacts_overdue:{_ym(ctx.last_month)}",
        ),
        DueItem(
            kind="contacts_below_two",
            label=_("联系群众不足两人的党员"),
            count=below_two,
            url=_url("contacts:below_two", year=year),
            severity=INFO,
            key=f"contacts_below_two:{year}",
        ),
    ]


# --- assessment ------------------------------------------------------------------------------------------


def _unscored(source: str, result_q: Q) -> Exists:
    """EXISTS a result of the round (the outer query) matching `result_q` that still lacks `source`'s score
    on some manual leaf indicator of the round's scheme version."""
    from vanguard.assessment.models import Indicator, Result, Score

    missing_score = ~Exists(
        Score.objects.filter(result_id=OuterRef(OuterRef("pk")), indicator_id=OuterRef("pk"), source=source)
    )
    leaves = Indicator.objects.filter(
        version_id=OuterRef(OuterRef("version_id")), kind=Indicator.Kind.MANUAL
    ).filter(~Exists(Indicator.objects.filter(parent_id=OuterRef("pk"))), missing_score)
    return Exists(Result.objects.filter(result_q, round_id=OuterRef("pk")).filter(Exists(leaves)))


def _any(qs: list[Q]) -> Q:
    combined = qs[0]
    for q in qs[1:]:
        combined |= q
    return combined


_WEIGHT = {
    "self": "version__weight_self__gt",
    "masses": "version__weight_masses__gt",
    "organisation": "version__weight_organisation__gt",
    "supervisor": "version__weight_supervisor__gt",
}


def _rounds(ctx: _Context) -> list[DueItem]:
    """Open rounds where the user still has targets to score (on the scoring sheet, or their own
    self-assessment), and, for the office, rounds whose period is over but still open, or closed and not
    yet published. One aggregate."""
    from vanguard.assessment import selectors as assessment
    from vanguard.assessment.models import Round, Source

    s = ctx.s
    is_open = Q(status=Round.Status.OPEN)
    counts: dict[str, Count] = {}
    to_score: list[Q] = []
    for source in assessment.SHEET_ORDER if ctx.scorer else ():
        if s.superuser or s.paths_for(assessment.SHEET_ROLES[source]):
            # The same narrowing as the scoring sheet (assessment.selectors.sheet_results).
            scorable = assessment.scorable_q(ctx.user, source)
            to_score.append(Q(**{_WEIGHT[source]: 0}) & Q(_unscored(source, scorable)))
    if to_score:
        counts["to_score"] = Count("pk", filter=is_open & _any(to_score))
    if ctx.member:
        own = Q(member__person_id=s.person_id)
        counts["own"] = Count(
            "pk", filter=is_open & Q(**{_WEIGHT[Source.SELF]: 0}) & Q(_unscored(Source.SELF, own))
        )
    if ctx.office:
        mine = Q() if s.superuser else scope.subtree_q("organisation__path", s.paths_for({Role.OFFICE}))
        counts["to_close"] = Count("pk", filter=mine & is_open & Q(period_end__lt=ctx.today))
        counts["to_publish"] = Count("pk", filter=mine & Q(status=Round.Status.CLOSED))
    if not counts:
        return []
    totals = assessment.round_list(user=ctx.user).order_by().aggregate(**counts)
    items = [
        DueItem(
            kind="rounds_to_score",
            label=_("待评分的考核"),
            count=totals.get("to_score", 0),
            url=_url("assessment:round_list", status=Round.Status.OPEN),
            severity=WARNING,
            key="rounds_to_score",
        ),
        DueItem(
            kind="self_assessment",
            label=_("待自评的考核"),
            count=totals.get("own", 0),
            url=_url("assessment:round_list", status=Round.Status.OPEN),
            severity=WARNING,
            key="self_assessment",
        ),
    ]
    if ctx.office:
        items += [
            DueItem(
                kind="rounds_to_close",
                label=_("考核期已过、待结束评分的考核"),
                count=totals["to_close"],
                url=_url("assessment:round_list", status=Round.Status.OPEN),
                severity=WARNING,
                key="rounds_to_close",
            ),
            DueItem(
                kind="rounds_to_publish",
                label=_("已结束、待公布结果的考核"),
                count=totals["to_publish"],
                url=_url("assessment:round_list", status=Round.Status.CLOSED),
                severity=INFO,
                key="rounds_to_publish",
            ),
        ]
    return items


def _rectifications(ctx: _Context) -> list[DueItem]:
    """Open rectifications past their deadline or due within a week: the member's own, and (secretary,
    office) those of the branch. One aggregate."""
    from vanguard.assessment import selectors_year as year
    from vanguard.assessment.models import Rectification

    is_open = Q(status=Rectification.Status.OPEN)
    overdue = is_open & Q(deadline__lt=ctx.today)
    soon = is_open & Q(
        deadline__gte=ctx.today, deadline__lte=ctx.today + dt.timedelta(RECTIFICATION_SOON_DAYS)
    )
    counts = {"overdue": Count("pk", filter=overdue), "soon": Count("pk", filter=soon)}
    if ctx.member:
        own = Q(member__person_id=ctx.s.person_id)
        counts["own_overdue"] = Count("pk", filter=own & overdue)
        counts["own_soon"] = Count("pk", filter=own & soon)
    totals = {"own_overdue": 0, "own_soon": 0}
    totals.update(year.rectifications(user=ctx.user).order_by().aggregate(**counts))
    items: list[DueItem] = []
    if ctx.member:
        items += [
            DueItem(
                kind="own_rectification_overdue",
                label=_("已超过期限的整改"),
                count=totals["own_overdue"],
                url=_url("assessment_year:rectification_list", status="overdue"),
                severity=DANGER,
                key="own_rectification_overdue",
            ),
            DueItem(
                kind="own_rectification_due",
                label=_("%(days)d天内到期的整改") % {"days": RECTIFICATION_SOON_DAYS},
                count=totals["own_soon"],
                url=_url("assessment_year:rectification_list", status=Rectification.Status.OPEN),
                severity=WARNING,
                key="own_rectification_due",
            ),
        ]
    if ctx.secretary or ctx.office:
        items += [
            DueItem(
                kind="rectification_overdue",
                label=_("党员逾期未完成的整改"),
                count=totals["overdue"] - totals["own_overdue"],
                url=_url("assessment_year:rectification_list", status="overdue"),
                severity=DANGER,
                key="rectification_overdue",
            ),
            DueItem(
                kind="rectification_due",
                label=_("%(days)d天内到期的党员整改") % {"days": RECTIFICATION_SOON_DAYS},
                count=totals["soon"] - totals["own_soon"],
                url=_url("assessment_year:rectification_list", status=Rectification.Status.OPEN),
                severity=INFO,
                key="rectification_due",
            ),
        ]
    return items


# --- community -------------------------------------------------------------------------------------------


def _community(ctx: _Context) -> list[DueItem]:
    """What waits for the community worker's confirmation (the hub's three counts)."""
    from vanguard.community import selectors_pages as community
    from vanguard.community.models import Registration, ServiceRecord

    waiting = community.waiting_for_worker(ctx.user)
    return [
        DueItem(
            kind="registrations_to_confirm",
            label=_("待确认的报到登记"),
            count=waiting.registrations,
            url=_url("community:registration_list", status=Registration.Status.SUBMITTED),
            severity=WARNING,
            key="registrations_to_confirm",
        ),
        DueItem(
            kind="hours_to_verify",
            label=_("待核实的服务时长记录"),
            count=waiting.records,
            url=_url("community:service_list", status=ServiceRecord.Status.REPORTED),
            severity=WARNING,
            key="hours_to_verify",
        ),
        DueItem(
            kind="claims_to_confirm",
            label=_("待确认的认岗申请"),
            count=waiting.claims,
            url=_url("community:post_list"),
            severity=INFO,
            key="claims_to_confirm",
        ),
    ]


# --- residents' requests ---------------------------------------------------------------------------------


def _requests(ctx: _Context) -> list[DueItem]:
    """Requests the member handles (waiting, overdue); the community's queue and its overdue ones; the
    branch's overdue and escalated ones; those escalated to the office. One aggregate, over the same
    views as the request list's tabs."""
    from vanguard.service_requests import selectors as requests
    from vanguard.service_requests.models import OPEN_STATUSES, Escalation

    is_open = Q(status__in=OPEN_STATUSES)
    late = is_open & Q(deadline__lt=ctx.now)
    counts: dict[str, Count] = {}
    if ctx.member:
        mine = requests.view_q(ctx.user, requests.MINE)
        counts["mine_waiting"] = Count("pk", filter=mine & is_open & Q(deadline__gte=ctx.now))
        counts["mine_overdue"] = Count("pk", filter=mine & late)
    if ctx.worker:
        counts["queue"] = Count("pk", filter=requests.view_q(ctx.user, requests.QUEUE))
    if ctx.worker or ctx.secretary:
        counts["overdue"] = Count("pk", filter=late)
    if ctx.secretary:
        counts["escalated"] = Count("pk", filter=requests.view_q(ctx.user, requests.ESCALATED))
    if ctx.office:
        counts["to_office"] = Count("pk", filter=is_open & Q(escalation=Escalation.OFFICE))
    if not counts:
        return []
    totals = requests.visible_requests(ctx.user).order_by().aggregate(**counts)
    items: list[DueItem] = []
    if ctx.member:
        items += [
            DueItem(
                kind="requests_overdue_mine",
                label=_("我承办的已超期群众诉求"),
                count=totals["mine_overdue"],
                url=_url("service_requests:list", view=requests.MINE, overdue="on"),
                severity=DANGER,
                key="requests_overdue:mine",
            ),
            DueItem(
                kind="requests_waiting_mine",
                label=_("我承办的待办群众诉求"),
                count=totals["mine_waiting"],
                url=_url("service_requests:list", view=requests.MINE),
                severity=WARNING,
                key="requests_waiting:mine",
            ),
        ]
    if ctx.worker:
        items.append(
            DueItem(
                kind="requests_queued",
                label=_("社区待派单的群众诉求"),
                count=totals["queue"],
                url=_url("service_requests:list", view=requests.QUEUE),
                severity=WARNING,
                key="requests_queued",
            )
        )
    if ctx.worker or ctx.secretary:
        items.append(
            DueItem(
                kind="requests_overdue",
                label=_("辖内已超期的群众诉求"),
                count=totals["overdue"],
                url=_url("service_requests:list", view=requests.ALL, overdue="on"),
                severity=DANGER,
                key="requests_overdue",
            )
        )
    if ctx.secretary:
        items.append(
            DueItem(
                kind="requests_escalated",
                label=_("提请督办的群众诉求"),
                count=totals["escalated"],
                url=_url("service_requests:list", view=requests.ESCALATED),
                severity=DANGER,
                key="requests_escalated",
            )
        )
    if ctx.office:
        items.append(
            DueItem(
                kind="requests_escalated_office",
                label=_("提请党委办公室督办的群众诉求"),
                count=totals["to_office"],
                url=_url(
                    "service_requests:list", view=requests.ESCALATED, escalation=Escalation.OFFICE.value
                ),
                severity=DANGER,
                key="requests_escalated:office",
            )
        )
    return items
