"""A member's own figures for the year: the months they reported, their contacts and the talks with them,
their service hours and time-bank balance, the residents' requests they handle. Eight queries, whatever the
number of their reports, talks, records or requests — and every row is theirs, read through the scoping
module like any other."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Count, Q, Sum

from vanguard.accounts import scope
from vanguard.community.models import ServiceRecord
from vanguard.contacts import selectors as contacts
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.models import Member
from vanguard.reports import selectors as reports
from vanguard.reports.months import month_end
from vanguard.timebank import selectors as timebank

from .selectors import ZERO, RequestFigures, in_month, monthly_hours, request_figures

# A month without a report: ended (missing), the current one (due), or before the member joined.
MISSING, DUE, BEFORE = "missing", "due", "before"


@dataclass(frozen=True)
class MonthCell:
    """One month of the year on the member's report strip."""

    month: dt.date
    report_id: int | None
    status: str  # a report's status, or MISSING, DUE, BEFORE
    label: str


@dataclass
class OwnFigures:
    member: Member
    year: int
    months: list[dt.date]
    report_months: list[MonthCell]
    contacts: list[ContactAssignment]
    talks: list[int]
    hours: list[Decimal]
    hours_waiting: Decimal
    balance: Decimal | None  # None: no time-bank account yet
    requests: RequestFigures

    @property
    def reported(self) -> int:
        return sum(1 for cell in self.report_months if cell.report_id is not None)

    @property
    def expected(self) -> int:
        """The months the member was due to report for by now: those that have ended since they joined."""
        return sum(1 for cell in self.report_months if cell.status not in (DUE, BEFORE))

    @property
    def hours_total(self) -> Decimal:
        return sum(self.hours, ZERO)

    @property
    def talks_total(self) -> int:
        return sum(self.talks)


def _report_months(user, member: Member, months: list[dt.date]) -> list[MonthCell]:
    filed = {
        r.month: r
        for r in reports.report_list(user=user, filters=reports.ReportFilters(member=member)).filter(
            month__in=months
        )
    }
    cells = []
    for month in months:
        report = filed.get(month)
        if report is not None:
            cells.append(MonthCell(month, report.pk, report.status, report.get_status_display()))
        elif member.join_date is not None and member.join_date > month_end(month):
            cells.append(MonthCell(month, None, BEFORE, ""))
        elif month == months[-1]:
            cells.append(MonthCell(month, None, DUE, ""))
        else:
            cells.append(MonthCell(month, None, MISSING, ""))
    return cells


def own_figures(user, member: Member, months: list[dt.date]) -> OwnFigures:
    """`months`: January to the current month of this year."""
    year = months[0].year
    window = Q(held_on__gte=months[0], held_on__lt=dt.date(year + 1, 1, 1))
    talk_counts = (
        scope.visible_to(user, Talk.objects.filter(assignment__member=member))
        .filter(window)
        .order_by()
        .aggregate(**{f"t{i}": Count("pk", filter=in_month("held_on", m)) for i, m in enumerate(months)})
    )
    records = scope.visible_to(user, ServiceRecord.objects.filter(member=member))
    waiting = records.filter(status=ServiceRecord.Status.REPORTED).aggregate(h=Sum("hours"))["h"]
    account = timebank.own_account(member)
    return OwnFigures(
        member=member,
        year=year,
        months=months,
        report_months=_report_months(user, member, months),
        contacts=list(contacts.member_contacts(user=user, member=member, year=year)),
        talks=[talk_counts[f"t{i}"] for i in range(len(months))],
        hours=monthly_hours(records.filter(status=ServiceRecord.Status.VERIFIED), months),
        hours_waiting=waiting or ZERO,
        balance=account.balance if account is not None else None,
        requests=request_figures(user, Q(member=member), months[0], dt.date(year, 12, 31)),
    )
