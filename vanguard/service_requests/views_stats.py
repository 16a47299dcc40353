"""The rates page (/requests/stats/): the response, resolution and satisfaction rates of residents' requests
by member, zone, branch or community over a period, each with its sample size, for anyone with a business
role — counted over the requests they may see (stats.py). Each row links to the list of its requests."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vanguard.accounts import scope
from vanguard.community.feedback import Quarter
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput
from vanguard.org.validators import today

from . import stats as rates
from .models import Kind

MONTH, QUARTER, YEAR = "month", "quarter", "year"
QUICK = [(MONTH, gettext_lazy("本月")), (QUARTER, gettext_lazy("本季度")), (YEAR, gettext_lazy("本年"))]
HEADERS = {
    rates.MEMBER: gettext_lazy("党员"),
    rates.ZONE: gettext_lazy("责任区"),
    rates.BRANCH: gettext_lazy("党支部"),
    rates.COMMUNITY: gettext_lazy("社区"),
}
# The list page's filter that narrows it to one row's requests.
LINK_FILTERS = {
    rates.MEMBER: "member",
    rates.ZONE: "zone",
    rates.BRANCH: "organisation",
    rates.COMMUNITY: "community",
}


def _date(label) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请按“年-月-日”填写日期。")},
    )


def period_of(choice: str, day: dt.date) -> tuple[dt.date, dt.date]:
    """This month, quarter or year around `day`."""
    if choice == MONTH:
        first_of_next = (day.replace(day=28) + dt.timedelta(days=4)).replace(day=1)
        return day.replace(day=1), first_of_next - dt.timedelta(days=1)
    if choice == YEAR:
        return dt.date(day.year, 1, 1), dt.date(day.year, 12, 31)
    quarter = Quarter.of(day)
    return quarter.start, quarter.end


class RatesForm(BootstrapMixin, forms.Form):
    """The grouping and the period; a date left blank is this quarter's. The quick choices (this month,
    quarter, year) are links that fill both dates, so the inputs always show the period counted."""

    by = forms.ChoiceField(label=gettext_lazy("统计口径"), choices=rates.BY_CHOICES, required=False)
    start = _date(gettext_lazy("起始日期"))
    end = _date(gettext_lazy("截止日期"))

    def __init__(self, data=None, **kwargs):
        self.default = period_of(QUARTER, today())
        start, end = self.default
        super().__init__(data, initial={"by": rates.MEMBER, "start": start, "end": end}, **kwargs)

    def clean(self):
        data = super().clean()
        if "start" in self.errors or "end" in self.errors:
            return data
        start, end = data.get("start") or self.default[0], data.get("end") or self.default[1]
        if start > end:
            raise ValidationError({"end": _("截止日期不能早于起始日期。")})
        return data

    def choice(self) -> tuple[str, dt.date, dt.date]:
        """(by, start, end): what was asked, or this quarter by member when nothing (or nothing valid) was."""
        start, end = self.default
        if not (self.is_bound and self.is_valid()):
            return rates.MEMBER, start, end
        data = self.cleaned_data
        return data.get("by") or rates.MEMBER, data.get("start") or start, data.get("end") or end


def _list_link(by: str, row: rates.Row, start: dt.date, end: dt.date) -> str:
    query = {
        LINK_FILTERS[by]: row.id,
        "kind": Kind.REQUEST.value,
        "received_from": start.isoformat(),
        "received_to": end.isoformat(),
    }
    return f"{reverse('service_requests:list')}?{urlencode(query)}"


@login_required
@require_GET
def stats(request: HttpRequest) -> HttpResponse:
    if not scope.has_any_role(request.user):
        raise PermissionDenied
    form = RatesForm(request.GET or None)
    by, start, end = form.choice()
    result = rates.rates(user=request.user, by=by, start=start, end=end)
    page = Paginator(result.rows, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    rows = [(row, _list_link(by, row, start, end)) for row in page.object_list]
    day = today()
    quick = []
    for value, label in QUICK:
        first, last = period_of(value, day)
        link = "?" + urlencode({"by": by, "start": first.isoformat(), "end": last.isoformat()})
        quick.append((label, link, (first, last) == (start, end)))
    context = {
        "form": form,
        "by": by,
        "by_label": dict(rates.BY_CHOICES)[by],
        "header": HEADERS[by],
        "start": start,
        "end": end,
        "quick": quick,
        "page": page,
        "rows": rows,
        "totals": result.totals,
    }
    return render(request, "service_requests/stats.html", context)
