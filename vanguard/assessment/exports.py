"""A round's results as one sheet for vanguard.dataio's xlsx formatter: rank, target, unit, total, rank score,
data points, and each leaf indicator's points towards the total."""

from __future__ import annotations

import re

from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext as _

from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import IndicatorResult, Result, Round
from .selectors import indicator_tree

_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def _indicator_points(indicator_id: int):
    def get(result: Result):
        for outcome in result.export_outcomes:
            if outcome.indicator_id == indicator_id:
                return outcome.points
        return None

    return get


def export_title(round_: Round) -> str:
    """The sheet's and the file's name: Excel allows 31 characters in a sheet name and none of []:*?/\\."""
    title = _("%(round)s考核结果") % {"round": _UNSAFE.sub("-", round_.name)}
    return title if len(title) <= 31 else title[:31]


def results_export(round_: Round, queryset: QuerySet[Result]) -> ListExport:
    """The results in `queryset` (the page's filters and the user's scope), each leaf indicator's points
    prefetched per chunk, so the export's queries grow with its chunks, not its rows."""
    leaves = [row for row in indicator_tree(round_.version) if row.is_leaf]
    columns = [
        ListColumn(_("排名"), "rank", width=8),
        ListColumn(_("考核对象"), "name", width=20),
        ListColumn(_("所在党组织"), "unit.name", width=24),
        ListColumn(_("所在党支部"), "branch.name", width=24),
        ListColumn(_("得分"), "total", width=10),
        ListColumn(_("排名分"), "adjusted", width=10),
        ListColumn(_("数据数"), "data_points", width=10),
        ListColumn(_("修订次数"), "revision", width=10),
    ]
    columns += [
        ListColumn("/".join([*row.path, row.indicator.name]), _indicator_points(row.indicator.pk), width=14)
        for row in leaves
    ]
    outcomes = IndicatorResult.objects.only("result_id", "indicator_id", "points")
    queryset = queryset.prefetch_related(Prefetch("indicator_results", outcomes, to_attr="export_outcomes"))
    return ListExport(
        title=export_title(round_),
        columns=columns,
        queryset=queryset,
    )
