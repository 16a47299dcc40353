"""For reference beside the import: calamine reads the same workbook and raw executemany statements store
its rows in Vanguard's own tables, with their indexes and constraints (tree nodes, people, memberships,
strength links), in one transaction as the import writes them.

No validation, no pinyin, no audit trail: what SQLite itself takes to store these rows in this schema,
which the import's lower bound (import_lower_bound.py: the same cells as text into a table without
indexes) leaves out. The database must be a migrated, empty Vanguard database. Like the import, it uses a
100 MB page cache while it writes."""

from __future__ import annotations

import datetime as dt
import sqlite3
import sys

from python_calamine import CalamineWorkbook

PEOPLE_COLUMNS = (
    "id, created_at, updated_at, name, name_pinyin, name_initials, gender, birth_date, id_number, mobile, "
    "occupation, notes, residence_id, user_id, workplace_id"
)
MEMBER_COLUMNS = (
    "id, created_at, updated_at, status, category, join_date, badge_no, organisation_id, person_id"
)


def _date(value) -> str | None:
    return value.isoformat() if isinstance(value, dt.date) else (str(value) or None)


def _nodes(connection, book, sheet: str, table: str, now: str, cell: bool) -> dict[str, int]:
    rows = book.get_sheet_by_name(sheet).iter_rows()
    header = [str(h) for h in next(rows)]
    name, parent = header.index("名称"), header.index("上级")
    ids: dict[str, int] = {}
    values = []
    for number, row in enumerate(rows, start=1):
        key = f"{row[parent]}/{row[name]}" if row[parent] else str(row[name])
        ids[key] = number
        extra = ("",) if cell else ()
        values.append((number, now, now, f"{number:08d}", 1, 0, str(row[name]), "unit", *extra))
    columns = "id, created_at, updated_at, path, depth, numchild, name, kind" + (
        ", community_type" if cell else ""
    )
    marks = ", ".join("?" * (9 if cell else 8))
    connection.executemany(f"INSERT INTO {table} ({columns}) VALUES ({marks})", values)
    return ids


def main(path: str, database: str) -> None:
    book = CalamineWorkbook.from_path(path)
    connection = sqlite3.connect(database, isolation_level=None)
    connection.execute("PRAGMA journal_mode=WAL")
    connection.execute("PRAGMA synchronous=NORMAL")
    connection.execute("PRAGMA foreign_keys=ON")
    # The page cache the import sets while it writes (dataio.services.IMPORT_CACHE_KIB).
    connection.execute("PRAGMA cache_size=-100000")
    connection.execute("BEGIN IMMEDIATE")
    now = dt.datetime.now(dt.UTC).strftime("%Y-%m-%d %H:%M:%S.%f")
    organisations = _nodes(connection, book, "党组织", "org_organisation", now, cell=False)
    cells = _nodes(connection, book, "网格", "org_cell", now, cell=True)

    rows = book.get_sheet_by_name("人员").iter_rows()
    header = [str(h) for h in next(rows)]
    at = {h: i for i, h in enumerate(header)}
    strengths: dict[str, int] = {}
    people, members, links = [], [], []
    for number, row in enumerate(rows, start=1):
        people.append(
            (
                number,
                now,
                now,
                str(row[at["姓名"]]),
                "",
                "",
                "M" if row[at["性别"]] == "男" else "F",
                _date(row[at["出生日期"]]),
                str(row[at["身份证号"]]),
                str(row[at["手机号"]]),
                str(row[at["职业"]]),
                str(row[at["备注"]]),
                cells.get(str(row[at["居住社区"]])),
                None,
                cells.get(str(row[at["工作单位"]])),
            )
        )
        members.append(
            (
                number,
                now,
                now,
                "full",
                "in_service",
                _date(row[at["入党日期"]]),
                "",
                organisations[str(row[at["所在党组织"]])],
                number,
            )
        )
        for name in str(row[at["特长"]]).split("、"):
            if name:
                links.append((number, strengths.setdefault(name, len(strengths) + 1)))
    connection.executemany(
        "INSERT INTO org_strength (id, name) VALUES (?, ?)", [(i, n) for n, i in strengths.items()]
    )
    connection.executemany(
        f"INSERT INTO org_person ({PEOPLE_COLUMNS}) VALUES ({', '.join('?' * 15)})", people
    )
    connection.executemany(
        f"INSERT INTO org_member ({MEMBER_COLUMNS}) VALUES ({', '.join('?' * 9)})", members
    )
    connection.executemany("INSERT INTO org_person_strengths (person_id, strength_id) VALUES (?, ?)", links)
    connection.execute("COMMIT")
    connection.close()


if __name__ == "__main__":
    main(sys.argv[1], sys.argv[2])
