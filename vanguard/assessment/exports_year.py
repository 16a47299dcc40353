"""What the year's pages export, as sheets for vanguard.dataio's xlsx formatter: a roll-up's ranking."""

from __future__ import annotations

from django.db.models import QuerySet
from django.utils.translation import gettext as _

from vanguard.dataio.exporters.base import ListColumn, ListExport

from .models import Rollup, RollupResult


def rollup_export(rollup: Rollup, queryset: QuerySet[RollupResult], title: str) -> ListExport:
    """The roll-up's ranking, one row per target, with the recommendation marked."""
    return ListExport(
        title=_("%(name)s排名") % {"name": rollup.name},
        columns=[
            ListColumn(_("排名"), "rank", width=8),
            ListColumn(_("考核对象"), "name", width=16),
            ListColumn(_("所在党组织"), "unit.name", width=24),
            ListColumn(_("年度得分"), "total", width=10),
            ListColumn(_("计入轮次数"), "rounds", width=10),
            ListColumn(_("评分数据数"), "data_points", width=10),
            ListColumn(
                _("推荐为%(title)s") % {"title": title}, lambda r: _("是") if r.recommended else "", width=16
            ),
        ],
        queryset=queryset,
    )
