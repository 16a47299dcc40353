"""What an export is, apart from the file it ends up in.

A generator (roster.py, members.py …) turns querysets into `ExportSheet`s: a name, the columns and an
iterator of rows whose values are plain Python (str, date, number, None). A formatter (xlsx.py) writes
them. The rows are produced while the formatter writes them, so an export never holds all its rows.
"""

from __future__ import annotations

import operator
import unicodedata
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import dataclass
from typing import Any

from django.db.models import QuerySet

# Rows fetched from the database at a time: large enough that the round trips do not matter, small enough
# that a chunk of model instances stays a few megabytes.
CHUNK_SIZE = 2000


def display_width(text: str) -> int:
    """Columns a text takes on screen: a Chinese character takes two."""
    return sum(2 if unicodedata.east_asian_width(ch) in "WF" else 1 for ch in text)


@dataclass(frozen=True)
class ExportColumn:
    header: str
    # In Excel's units (about one Latin character); None: wide enough for the header.
    width: float | None = None
    # Digits that must stay text in Excel (身份证号, 手机号): written as strings into a column formatted as
    # text, so that what a person types into it later stays text too.
    text: bool = False
    # Shown in the header's style; the template's 说明 sheet explains it.
    required: bool = False

    @property
    def display_width(self) -> float:
        return self.width or max(display_width(self.header) + 2, 10)


@dataclass
class ExportSheet:
    """One sheet: what a generator yields and a formatter writes."""

    name: str
    columns: Sequence[ExportColumn]
    rows: Iterable[Sequence[Any]]

    @property
    def headers(self) -> list[str]:
        return [c.header for c in self.columns]


@dataclass(frozen=True)
class ListColumn:
    """A column of a list export: its header and how to get the cell's value from one object."""

    header: str
    accessor: Callable[[Any], Any] | str
    width: float | None = None
    text: bool = False

    def getter(self) -> Callable[[Any], Any]:
        if callable(self.accessor):
            return self.accessor
        return operator.attrgetter(self.accessor)


@dataclass
class ListExport:
    """A list page as a sheet: a title, the columns as (header, accessor) pairs and the queryset.

    The queryset carries the page's filters and the user's scope; it is read in chunks, so its
    select_related and prefetch_related hold for every chunk and the query count does not grow with the
    list (Django 5 applies prefetch_related to iterator() when a chunk size is given)."""

    title: str
    columns: Sequence[ListColumn | tuple]
    queryset: QuerySet

    def __post_init__(self) -> None:
        self.columns = [c if isinstance(c, ListColumn) else ListColumn(*c) for c in self.columns]

    def rows(self) -> Iterator[tuple[Any, ...]]:
        getters = [c.getter() for c in self.columns]
        for obj in self.queryset.iterator(chunk_size=CHUNK_SIZE):
            yield tuple(get(obj) for get in getters)

    def sheet(self) -> ExportSheet:
        columns = [ExportColumn(c.header, width=c.width, text=c.text) for c in self.columns]
        return ExportSheet(self.title, columns, self.rows())


@dataclass(frozen=True)
class ExportKind:
    """An export the console can run (`vanguard export NAME --out FILE.xlsx`) and pages can offer."""

    name: str
    title: str  # the file's name, without the date and extension
    object_type: str  # what the audit record says was exported ("org.person")
    sheets: Callable[[Any], Iterable[ExportSheet]]  # user -> the sheets, in the user's scope
    description: str = ""
    counted_sheet: int = -1  # the position of the sheet whose rows the audit record counts

    def count(self, counts: dict[str, int]) -> int:
        """The number the audit record keeps, from the rows written per sheet."""
        values = list(counts.values())
        return values[self.counted_sheet] if values else 0
