"""A chart as the dashboard hands it to the page: the data that `dashboard.js` draws with ECharts (through
`json_script`, never an inline script) and the same numbers as a table, for screen readers, for a browser
without JavaScript and for the tests.

The specification is small on purpose — categories, series, a unit — so that the script stays a thin
translation into ECharts options and every number on the page comes from Python."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.utils.translation import gettext as _

BAR, LINE, DONUT = "bar", "line", "donut"
Number = int | float | Decimal | None


@dataclass
class Series:
    name: str
    data: list[Number]
    kind: str = ""  # a line over a bar chart, e.g. a rate over counts
    stack: str = ""
    color: str = ""
    hidden: bool = False  # in the table only: a sample size beside its rate
    unit: str | None = None  # the chart's unit unless given (a count beside a rate has none)


@dataclass
class Chart:
    id: str
    title: str
    kind: str
    categories: list[str]
    series: list[Series]
    axis: str = ""  # the header of the categories' column in the table
    unit: str = ""
    max: float | None = None
    note: str = ""
    colors: list[str] = field(default_factory=list)
    empty: bool = False  # nothing to draw: the page says so instead

    @property
    def data_id(self) -> str:
        return f"{self.id}-data"

    @property
    def spec(self) -> dict[str, Any]:
        spec: dict[str, Any] = {
            "kind": self.kind,
            "categories": self.categories,
            "series": [
                {
                    "name": s.name,
                    "data": [_json(v) for v in s.data],
                    **({"kind": s.kind} if s.kind else {}),
                    **({"stack": s.stack} if s.stack else {}),
                    **({"color": s.color} if s.color else {}),
                }
                for s in self.series
                if not s.hidden
            ],
            "unit": self.unit,
        }
        if self.max is not None:
            spec["max"] = self.max
        if self.colors:
            spec["colors"] = self.colors
        return spec

    @property
    def header(self) -> list[str]:
        return [self.axis, *(s.name for s in self.series)]

    @property
    def rows(self) -> list[list[str]]:
        return [
            [category, *(number(s.data[i], self.unit if s.unit is None else s.unit) for s in self.series)]
            for i, category in enumerate(self.categories)
        ]


def _json(value: Number) -> int | float | None:
    if isinstance(value, Decimal):
        return float(value)
    return value


def number(value: Number, unit: str = "") -> str:
    """A figure as the tables print it: whole numbers as they are, hours with one decimal, "—" for none."""
    if value is None:
        return "—"
    text = f"{value:.1f}".removesuffix(".0") if isinstance(value, Decimal | float) else str(value)
    return f"{text}{unit}" if unit == "%" else text


def percent(counted: int, expected: int) -> float | None:
    """A percentage with one decimal; None when nothing is expected (never a made-up 100%)."""
    if not expected:
        return None
    return round(counted * 100 / expected, 1)


def month_label(month: dt.date, *, first: bool = False) -> str:
    """ "3月"; with its year for the first month of a chart and for January ("2026年1月")."""
    if first or month.month == 1:
        return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}
    return _("%(month)d月") % {"month": month.month}


def month_labels(months: list[dt.date]) -> list[str]:
    return [month_label(m, first=i == 0) for i, m in enumerate(months)]
