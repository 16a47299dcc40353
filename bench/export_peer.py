"""The export's peer: xlsxwriter writing the same cells directly, as fast as it goes (constant memory,
strings as strings, dates as dates). The cells are read from a workbook the export wrote, before the clock
starts; the reported time is the writing alone."""

from __future__ import annotations

import datetime as dt
import json
import sys
import time

import xlsxwriter
from python_calamine import CalamineWorkbook


def main(source: str, target: str) -> None:
    workbook_in = CalamineWorkbook.from_path(source)
    sheets = {name: workbook_in.get_sheet_by_name(name).to_python() for name in workbook_in.sheet_names}
    start = time.perf_counter()
    workbook = xlsxwriter.Workbook(target, {"constant_memory": True})
    date_format = workbook.add_format({"num_format": "yyyy-mm-dd"})
    for name, rows in sheets.items():
        sheet = workbook.add_worksheet(name)
        for r, row in enumerate(rows):
            for c, value in enumerate(row):
                if isinstance(value, dt.date):
                    sheet.write_datetime(r, c, dt.datetime.combine(value, dt.time()), date_format)
                elif value != "":
                    sheet.write_string(r, c, str(value))
    workbook.close()
    print(json.dumps({"write_seconds": round(time.perf_counter() - start, 3)}))


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
