"""The xlsx formatter: writes `ExportSheet`s with xlsxwriter, row by row.

xlsxwriter's constant_memory mode flushes each row to a temporary file as soon as the next one starts,
so memory stays flat whatever the number of rows; the workbook is zipped into `target` on close.
Strings are always written as strings (an 18-digit 身份证号 written as a number would lose its last
digits), dates as real Excel dates shown as yyyy-mm-dd.
"""

from __future__ import annotations

import datetime as dt
import re
from collections.abc import Iterable
from decimal import Decimal
from typing import IO

import xlsxwriter
from django.utils import timezone
from django.utils.translation import gettext as _

from .base import ExportSheet

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"
# Excel's last row: xlsxwriter silently ignores anything past it, which would lose rows without a word.
MAX_ROWS = 1_048_576


class TooManyRows(ValueError):
    pass


# Excel's rules for a sheet's name: at most 31 characters, none of []:*?/\\, not blank.
_SHEET_UNSAFE = re.compile(r"[\[\]:*?/\\]")


def sheet_name(title: str, *, fallback: str = "Sheet") -> str:
    """A name Excel accepts for a sheet titled `title` (a rollup's or a person's name may hold anything)."""
    name = _SHEET_UNSAFE.sub("-", title or "").strip().strip("'")[:31]
    return name or fallback


def write_xlsx(sheets: Iterable[ExportSheet], target: str | IO[bytes]) -> dict[str, int]:
    """Write the sheets into `target` (a path or a binary file) and answer the rows written per sheet,
    the header row not counted."""
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True, "in_memory": False})
    header_format = workbook.add_format({"bold": True, "bg_color": "#F2F2F2", "bottom": 1})
    required_format = workbook.add_format(
        {"bold": True, "bg_color": "#F2F2F2", "bottom": 1, "font_color": "#C00000"}
    )
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    datetime_format = workbook.add_format({"num_format": "yyyy-mm-dd hh:mm"})
    text_format = workbook.add_format({"num_format": "@"})
    counts: dict[str, int] = {}
    try:
        for sheet in sheets:
            counts[sheet.name] = _write_sheet(
                workbook.add_worksheet(sheet_name(sheet.name)),
                sheet,
                header_format,
                required_format,
                date_format,
                datetime_format,
                text_format,
            )
    finally:
        workbook.close()
    return counts


def _write_sheet(ws, sheet, header_format, required_format, date_format, datetime_format, text_format) -> int:
    cell_formats = []
    for c, column in enumerate(sheet.columns):
        cell_format = text_format if column.text else None
        cell_formats.append(cell_format)
        ws.set_column(c, c, column.display_width, cell_format)
        ws.write_string(0, c, column.header, required_format if column.required else header_format)
    ws.freeze_panes(1, 0)
    # Bound methods and locals: this loop runs once per cell, a million times for a large roster.
    write_string, write_datetime, write_number = ws.write_string, ws.write_datetime, ws.write_number
    date, datetime = dt.date, dt.datetime
    n = 0
    for n, row in enumerate(sheet.rows, start=1):
        if n >= MAX_ROWS:
            raise TooManyRows(
                _("工作表“%(sheet)s”超过Excel的最大行数%(max)d。")
                % {"sheet": sheet.name, "max": MAX_ROWS - 1}
            )
        for c, value in enumerate(row):
            kind = type(value)
            if kind is str:
                if value:
                    write_string(n, c, value, cell_formats[c])
            elif value is None:
                continue
            elif kind is date:
                write_datetime(n, c, value, date_format)
            elif kind is datetime:
                write_datetime(n, c, _naive_local(value), datetime_format)
            elif kind is bool:
                write_string(n, c, _("是") if value else _("否"))
            elif kind is int or kind is float or kind is Decimal:
                write_number(n, c, value)
            else:
                write_string(n, c, str(value), cell_formats[c])
    return n


def _naive_local(value: dt.datetime) -> dt.datetime:
    """Excel has no time zones: an aware time is written as the wall-clock time of Asia/Shanghai."""
    if timezone.is_aware(value):
        return timezone.make_naive(value)
    return value
