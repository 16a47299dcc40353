"""The zone list (责任区一览) as the page shows it, with its filters, as an xlsx sheet (vanguard.dataio)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

from django.db.models import Prefetch
from django.utils.translation import gettext as _

from vanguard.dataio.exporters.base import CHUNK_SIZE, ListColumn, ListExport
from vanguard.org.models import Cell, Organisation

from . import selectors
from .models import Zone


class ZoneListExport(ListExport):
    """A ListExport whose rows name each zone's cells by their full path: the ancestors of one chunk's cells
    are read in one query, so the export's queries grow with its chunks, not its rows."""

    def rows(self) -> Iterator[tuple[Any, ...]]:
        chunk: list[Zone] = []
        for zone in self.queryset.iterator(chunk_size=CHUNK_SIZE):
            chunk.append(zone)
            if len(chunk) == CHUNK_SIZE:
                yield from self._chunk_rows(chunk)
                chunk = []
        yield from self._chunk_rows(chunk)

    def _chunk_rows(self, zones: list[Zone]) -> Iterator[tuple[Any, ...]]:
        cells = {c.path: c.name for zone in zones for c in zone.export_cells}
        names = selectors.full_names(cells, cells) if cells else {}
        getters = [c.getter() for c in self.columns]
        for zone in zones:
            zone.cell_names = "、".join(names[c.path] for c in zone.export_cells)
            yield tuple(get(zone) for get in getters)


def _organisation(zone: Zone) -> str:
    if zone.organisation.kind == Organisation.Kind.GROUP:
        return f"{zone.branch_name}/{zone.organisation.name}"
    return zone.organisation.name


def _leads(zone: Zone) -> str:
    return "、".join(role.person.name for role in zone.lead_roles)


def zone_list_export(*, user, filters: selectors.ZoneFilters | None = None) -> ZoneListExport:
    """The list of `selectors.zone_list` (the page's own query: same filters, scope and order)."""
    kinds = {value: str(label) for value, label in Zone.Kind.choices}
    queryset = selectors.zone_list(user=user, filters=filters).prefetch_related(
        Prefetch("cells", queryset=Cell.objects.order_by("path"), to_attr="export_cells")
    )
    return ZoneListExport(
        title=_("责任区一览"),
        columns=[
            ListColumn(_("年度"), "year", width=8),
            ListColumn(_("名称"), "name", width=24),
            ListColumn(_("类型"), lambda z: kinds.get(z.kind, z.kind), width=12),
            ListColumn(_("所属党组织"), _organisation, width=30),
            ListColumn(_("负责人"), _leads, width=14),
            ListColumn(_("覆盖网格"), "cell_names", width=48),
            ListColumn(_("责任范围"), "scope", width=30),
            ListColumn(_("承诺"), "commitment", width=40),
            ListColumn(_("服务电话"), "service_phone", width=16, text=True),
        ],
        queryset=queryset,
    )
