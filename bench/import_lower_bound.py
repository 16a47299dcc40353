"""The import's lower bound: calamine reads the same workbook and one raw executemany inserts its rows.

No validation, no paths resolved, no audit: what any importer of this file must at least do."""

from __future__ import annotations

import sqlite3
import sys

from python_calamine import CalamineWorkbook


def main(path: str, database: str) -> None:
    workbook = CalamineWorkbook.from_path(path)
    connection = sqlite3.connect(database)
    connection.execute("PRAGMA journal_mode=WAL")
    for name in ("党组织", "网格", "人员"):
        rows = workbook.get_sheet_by_name(name).iter_rows()
        header = next(rows)
        columns = ", ".join(f"c{i} TEXT" for i in range(len(header)))
        connection.execute(f"CREATE TABLE IF NOT EXISTS t_{len(header)}_{abs(hash(name))} ({columns})")
        placeholders = ", ".join("?" for _ in header)
        with connection:
            connection.executemany(
                f"INSERT INTO t_{len(header)}_{abs(hash(name))} VALUES ({placeholders})",
                ([str(v) for v in row] for row in rows),
            )
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
