"""The demo's reports area: three months of reports for the two bus branches, valid, with reviews,
comments, returns and a few members missing this month; a second run adds nothing."""

from __future__ import annotations

import pytest
from django.db.models import Count

from vanguard.accounts.models import User
from vanguard.demo import builder
from vanguard.reports import selectors
from vanguard.reports.models import MonthlyReport
from vanguard.reports.months import current_month, previous_month

Status = MonthlyReport.Status


@pytest.fixture(autouse=True)
def on_a_fixed_day():
    """The demo is built today, as `vanguard demo` is: its people are dated from a fixed anchor."""


@pytest.mark.django_db
def test_the_demo_has_three_months_of_reports_and_a_second_run_adds_nothing():
    builder.build_demo()
    this_month = current_month()
    months = [previous_month(previous_month(this_month)), previous_month(this_month), this_month]
    reports = MonthlyReport.objects.all()
    assert set(reports.values_list("month", flat=True)) == set(months)
    for report in reports.select_related("member__organisation"):
        report.full_clean()
    by_status = dict(reports.values_list("status").annotate(n=Count("pk")))
    assert by_status[Status.REVIEWED] > by_status[Status.SUBMITTED] > 0
    assert by_status[Status.RETURNED] > 0
    assert reports.filter(status=Status.REVIEWED).exclude(review_comment="").exists()
    assert not reports.filter(status=Status.RETURNED, review_comment="").exists()
    assert reports.exclude(zone=None).exists()

    secretary = User.objects.get(username="secretary")
    summary = selectors.month_summary(user=secretary, organisation=None, month=this_month)
    assert 0 < summary.missing < summary.members
    assert summary.submitted > 0
    assert selectors.review_queue(user=secretary).exists()

    member = User.objects.get(username="member")
    own = dict(reports.filter(member__person__user=member).values_list("month", "status"))
    assert own == {months[0]: Status.REVIEWED, months[1]: Status.RETURNED}

    count = reports.count()
    builder.build_demo()
    assert MonthlyReport.objects.count() == count
