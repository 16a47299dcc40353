"""The error report: the uploaded workbook's rows again, with a column 错误 beside each bad row, in red.

The person fixes the rows in this copy and uploads it again: the importer ignores the unknown column 错误.
"""

from __future__ import annotations

import datetime as dt
import io
import os
from typing import Any

import xlsxwriter
from django.utils.translation import gettext as _

from vanguard.dataio import workbook

from .plan import Plan

CONTENT_TYPE = "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet"


def error_column() -> str:
    return _("错误")


def _write_cell(sheet, row: int, column: int, value: Any, date_format) -> None:
    if value is None or value == "":
        return
    if isinstance(value, dt.datetime | dt.date):
        if not isinstance(value, dt.datetime):
            value = dt.datetime.combine(value, dt.time())
        sheet.write_datetime(row, column, value, date_format)
    elif isinstance(value, bool):
        sheet.write_boolean(row, column, value)
    elif isinstance(value, int | float):
        sheet.write_number(row, column, value)
    else:
        # Always text: a cell that begins with "=" is the person's text, never a formula to run.
        sheet.write_string(row, column, str(value))


def error_workbook(path: str | os.PathLike, plan: Plan) -> bytes:
    """The known sheets of the workbook at `path`, each row as read, with the row's errors in red."""
    errors = plan.errors_by_row()
    output = io.BytesIO()
    book = xlsxwriter.Workbook(output, {"in_memory": True, "constant_memory": True})
    red = book.add_format({"font_color": "#C00000", "text_wrap": True})
    bold = book.add_format({"bold": True})
    bold_red = book.add_format({"bold": True, "font_color": "#C00000"})
    date_format = book.add_format({"num_format": "yyyy-mm-dd"})
    with workbook.open_workbook(path) as source:
        for reader in source.sheets:
            sheet = book.add_worksheet(reader.name)
            width = len(reader.headers)
            for column, header in enumerate(reader.headers):
                sheet.write_string(0, column, header, bold)
            sheet.write_string(0, width, error_column(), bold_red)
            sheet.set_column(width, width, 60)
            # Row errors are reported against Excel's rows; the copy keeps every row where it was.
            for number, cells in reader.raw_rows():
                for column, value in enumerate(cells[:width]):
                    _write_cell(sheet, number - 1, column, value, date_format)
                found = errors.get((reader.name, number))
                if found:
                    text = ";".join(f"{e.column}:{e.message}" if e.column else e.message for e in found)
                    sheet.write_string(number - 1, width, text, red)
    book.close()
    return output.getvalue()
