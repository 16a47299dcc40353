"""The sections of the dashboard as the templates show them: the figures of selectors.py made into charts
(charts.py), the children's rows one level down, and the pages where the work behind each figure is done.

- the organisation section: the office, secretaries and supervisors (coverage, report rate, score
  distribution, service hours, request rates — for the focus organisation and each child);
- the grid section: community workers (in-service members registered, hours verified, requests by status
  and the queue, coverage of the community's cells — for the focus cell and each child);
- the member's own section (their year: reports, contacts and talks, hours and balance, requests)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from decimal import Decimal
from urllib.parse import urlencode

from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.org.models import Cell, Member, Organisation, TreeNode
from vanguard.reports.months import format_month
from vanguard.service_requests import selectors as request_selectors
from vanguard.service_requests.models import Status

from . import selectors
from .charts import BAR, DONUT, LINE, Chart, Series, month_labels, percent
from .focus import Focus
from .selectors_own import OwnFigures

RED, GOLD, BLUE, GREY = "#b71c1c", "#d97706", "#2563eb", "#9ca3af"


def _url(name: str, *args, **query) -> str:
    path = reverse(name, args=args)
    query = {k: v for k, v in query.items() if v not in (None, "")}
    return f"{path}?{urlencode(query)}" if query else path


def _pk(node: TreeNode | None) -> int | None:
    return node.pk if node is not None else None


# --- charts shared by the sections -----------------------------------------------------------------------


def coverage_chart(prefix: str, coverage: selectors.CoverageFigures) -> Chart:
    return Chart(
        id=f"chart-{prefix}-coverage",
        title=_("%(year)d年党员覆盖") % {"year": coverage.year},
        kind=DONUT,
        categories=[_("已覆盖"), _("未覆盖")],
        series=[Series(_("网格数"), [coverage.covered, coverage.uncovered])],
        axis=_("网格"),
        colors=[RED, GREY],
        empty=not coverage.total,
    )


def hours_chart(prefix: str, months: list[dt.date], hours: list[Decimal], title: str) -> Chart:
    return Chart(
        id=f"chart-{prefix}-hours",
        title=title,
        kind=BAR,
        categories=month_labels(months),
        series=[Series(_("已核实服务时长(小时)"), list(hours), color=GOLD)],
        axis=_("月份"),
        empty=not any(hours),
    )


def rates_chart(prefix: str, figures: selectors.RequestFigures) -> Chart:
    names = {
        "response": _("响应率"),
        "resolution": _("按期办结率"),
        "satisfaction": _("满意率"),
    }
    rates = figures.rates
    return Chart(
        id=f"chart-{prefix}-rates",
        title=_("群众诉求办理情况"),
        kind=BAR,
        categories=[names[name] for name, _rate in rates],
        series=[
            Series(_("比率"), [float(r.rate) if r.rate is not None else None for _n, r in rates], color=RED),
            Series(_("达标数"), [r.counted for _n, r in rates], hidden=True, unit=""),
            Series(_("样本数"), [r.expected for _n, r in rates], hidden=True, unit=""),
        ],
        axis=_("指标"),
        unit="%",
        max=100,
        note=_("%(start)s至%(end)s受理的求助,共%(count)d件")
        % {
            "start": f"{figures.start:%Y-%m-%d}",
            "end": f"{figures.end:%Y-%m-%d}",
            "count": figures.received,
        },
        empty=not figures.received,
    )


def status_chart(prefix: str, figures: selectors.RequestFigures) -> Chart:
    return Chart(
        id=f"chart-{prefix}-statuses",
        title=_("在办群众诉求"),
        kind=BAR,
        categories=[str(Status(s).label) for s in selectors.PIPELINE],
        series=[Series(_("件数"), [figures.by_status[s] for s in selectors.PIPELINE], color=BLUE)],
        axis=_("状态"),
        empty=not any(figures.by_status.values()),
    )


# --- the organisation section ----------------------------------------------------------------------------


@dataclass
class OrgChild:
    node: Organisation
    url: str
    members: int
    report_rate: float | None
    coverage: float | None
    cells: int


@dataclass
class OrgPanel:
    focus: Focus
    coverage: selectors.CoverageFigures
    reports: selectors.ReportFigures
    scores: selectors.ScoreFigures | None
    requests: selectors.RequestFigures
    charts: dict[str, Chart]
    children: list[OrgChild]
    links: dict[str, str]
    last_month: dt.date

    @property
    def report_rate(self) -> float | None:
        return self.reports.rates[-1]


def org_panel(user, focus: Focus, *, today: dt.date) -> OrgPanel:
    year = today.year
    this_month = today.replace(day=1)
    last_month = selectors.months_ending(this_month, 2)[0]
    report_months = selectors.months_ending(last_month)
    months = selectors.months_ending(this_month)
    coverage = selectors.organisation_coverage(focus, year)
    reports = selectors.report_rates(user, focus, report_months)
    scores = selectors.score_distribution(user, focus)
    hours = selectors.organisation_hours(user, focus, months)
    requests = selectors.request_figures(user, focus.q("organisation__path"), months[0], today)
    charts = {
        "coverage": coverage_chart("org", coverage),
        "reports": Chart(
            id="chart-org-reports",
            title=_("月度汇报率"),
            kind=BAR,
            categories=month_labels(report_months),
            series=[
                Series(_("汇报率"), reports.rates, color=RED),
                Series(_("应汇报"), reports.expected, hidden=True, unit=""),
                Series(_("已汇报"), reports.reported, hidden=True, unit=""),
            ],
            axis=_("月份"),
            unit="%",
            max=100,
            empty=not any(reports.expected),
        ),
        "hours": hours_chart("org", months, hours, _("党员进社区服务时长")),
        "rates": rates_chart("org", requests),
        "statuses": status_chart("org", requests),
    }
    if scores is not None:
        charts["scores"] = Chart(
            id="chart-org-scores",
            title=_("考核得分分布"),
            kind=BAR,
            categories=scores.labels,
            series=[Series(_("考核对象数"), scores.counts, color=GOLD)],
            axis=_("得分段"),
            note=_("每段含下限、不含上限"),
        )
    children = []
    for child in focus.children:
        figures = reports.of(child.path)
        cells, covered = coverage.of(child.path)
        children.append(
            OrgChild(
                node=child,
                url=focus.url_for(child),
                members=figures["members"],
                report_rate=percent(figures["reported"], figures["expected"]),
                coverage=percent(covered, cells),
                cells=cells,
            )
        )
    node = focus.node
    links = {
        "coverage": _url("zones:coverage", organisation=_pk(node), year=year),
        "missing": _url("reports:missing", organisation=_pk(node), month=format_month(last_month)),
        "hours": _url("community:service_list"),
        "requests": _url("service_requests:list", view=request_selectors.ALL, organisation=_pk(node)),
        "rates": _url(
            "service_requests:stats",
            by="branch",
            start=months[0].isoformat(),
            end=today.isoformat(),
        ),
    }
    if scores is not None:
        links["round"] = _url("assessment:round_detail", scores.round.pk)
    return OrgPanel(
        focus=focus,
        coverage=coverage,
        reports=reports,
        scores=scores,
        requests=requests,
        charts=charts,
        children=children,
        links=links,
        last_month=last_month,
    )


# --- the grid section ------------------------------------------------------------------------------------


@dataclass
class GridChild:
    node: Cell
    url: str
    coverage: float | None
    cells: int
    registered: int


@dataclass
class GridPanel:
    focus: Focus
    coverage: selectors.CoverageFigures
    registrations: selectors.RegistrationFigures | None
    requests: selectors.RequestFigures
    queue: list[selectors.QueueRow]
    charts: dict[str, Chart]
    children: list[GridChild]
    links: dict[str, str]
    # Whether the children are communities or above: registrations are a community's, so below one the
    # children's column of registered members would only show zeros.
    children_register: bool = True

    @property
    def per_community(self) -> bool:
        """Registrations and hours are counted per community: a cell below one (an estate, a building)
        has none of its own, so the page sends the worker back up for them."""
        return self.registrations is not None


# Cells below the level of a community: they hold no registrations nor service records of their own.
_BELOW_COMMUNITY = (Cell.Kind.ESTATE, Cell.Kind.BUILDING, Cell.Kind.HOUSEHOLD, Cell.Kind.PUBLIC_AREA)


def grid_panel(user, focus: Focus, *, today: dt.date) -> GridPanel:
    months = selectors.months_ending(today.replace(day=1))
    node = focus.node
    below = node is not None and node.kind in _BELOW_COMMUNITY
    coverage = selectors.grid_coverage(focus, today.year)
    # A request belongs to its community's queue, and is about a place in it (an estate, a building).
    where = focus.q("community__path") | focus.q("cell__path")
    requests = selectors.request_figures(user, where, months[0], today)
    charts = {
        "coverage": coverage_chart("grid", coverage),
        "statuses": status_chart("grid", requests),
        "rates": rates_chart("grid", requests),
    }
    registrations = None
    if not below:
        registrations = selectors.registrations(user, focus, months)
        hours = selectors.grid_hours(user, focus, months)
        charts["registrations"] = Chart(
            id="chart-grid-registrations",
            title=_("每月报到人数"),
            kind=BAR,
            categories=month_labels(months),
            series=[
                Series(_("当月报到"), registrations.new, color=RED),
                Series(_("累计报到"), registrations.cumulative, kind=LINE, color=GOLD),
            ],
            axis=_("月份"),
            empty=not registrations.total,
        )
        charts["hours"] = hours_chart("grid", months, hours, _("已核实服务时长"))
    children = []
    for child in focus.children:
        cells, covered = coverage.of(child.path)
        children.append(
            GridChild(
                node=child,
                url=focus.url_for(child),
                coverage=percent(covered, cells),
                cells=cells,
                registered=registrations.by_child.get(child.path, 0) if registrations else 0,
            )
        )
    book = node if node is not None and node.kind in (Cell.Kind.STREET, Cell.Kind.COMMUNITY) else None
    return GridPanel(
        focus=focus,
        coverage=coverage,
        registrations=registrations,
        requests=requests,
        queue=selectors.request_queue(user, where),
        charts=charts,
        children=children,
        links={
            "book": _url("community:book", cell=_pk(book)),
            "hours": _url("community:service_list"),
            "queue": _url("service_requests:list", view=request_selectors.QUEUE),
            "requests": _url("service_requests:list", view=request_selectors.ALL),
            "rates": _url(
                "service_requests:stats",
                by="community",
                start=months[0].isoformat(),
                end=today.isoformat(),
            ),
        },
        children_register=not below and (node is None or node.kind != Cell.Kind.COMMUNITY),
    )


# --- the member's own section ----------------------------------------------------------------------------


@dataclass
class OwnPanel:
    figures: OwnFigures
    charts: dict[str, Chart]
    links: dict[str, str]

    @property
    def member(self) -> Member:
        return self.figures.member


def own_panel(figures: OwnFigures) -> OwnPanel:
    labels = month_labels(figures.months)
    requests = figures.requests
    charts = {
        "talks": Chart(
            id="chart-own-talks",
            title=_("谈心走访次数"),
            kind=BAR,
            categories=labels,
            series=[Series(_("次数"), figures.talks, color=RED)],
            axis=_("月份"),
            empty=not figures.talks_total,
        ),
        "hours": hours_chart("own", figures.months, figures.hours, _("我的服务时长")),
        "statuses": status_chart("own", requests),
    }
    return OwnPanel(
        figures=figures,
        charts=charts,
        links={
            "reports": _url("reports:mine"),
            "contacts": _url("contacts:mine"),
            "hours": _url("community:service_list"),
            "timebank": _url("timebank:mine"),
            "requests": _url("service_requests:list", view=request_selectors.MINE),
        },
    )
