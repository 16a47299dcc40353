"""Opening an uploaded roster workbook safely, and reading its rows as the roster contract names them.

The checks run from cheapest to dearest, and each refuses the file with one message a person can act on:
size on disk, then the first bytes, then the ZIP directory (an .xlsx is a ZIP holding `[Content_Types].xml`
and `xl/workbook.xml`), then the unpacked size (a zip bomb is refused before calamine unpacks anything), and
only then calamine. Rows are streamed with `CalamineSheet.iter_rows()`: a row is turned into a small dict of
the columns the contract knows and handed on, never kept here.
"""

from __future__ import annotations

import contextlib
import os
import zipfile
from collections.abc import Iterator
from dataclasses import dataclass, field
from operator import itemgetter
from pathlib import Path
from typing import Any

import python_calamine
from django.utils.translation import gettext as _

from . import roster

MAX_FILE_BYTES = 10 * 1024 * 1024
MAX_UNPACKED_BYTES = 100 * 1024 * 1024

_ZIP_MAGIC = b"PK\x03\x04"
# The compound-file header of .xls (Excel 97-2003) and of password-protected .xlsx alike.
_OLE_MAGIC = b"\xd0\xcf\x11\xe0\xa1\xb1\x1a\xe1"
_REQUIRED_PARTS = ("[Content_Types].xml", "xl/workbook.xml")
_READ_CHUNK = 1024 * 1024


class WorkbookError(Exception):
    """The file as a whole cannot be imported: one message, nothing read past it, nothing written."""

    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def not_xlsx_message() -> str:
    return _("无法读取该文件,请确认是Excel(.xlsx)文件。")


def empty_message() -> str:
    return _("工作簿中没有数据行。")


def size_message(size: int) -> str:
    return _("文件大小为%(size).1f MB,超过了10 MB的上限,请拆分成几个工作簿分批导入。") % {
        "size": size / 1024 / 1024
    }


def check_file(path: str | os.PathLike) -> None:
    """Refuse what is not a reasonable .xlsx, by its content and sizes, before any parser reads it."""
    size = os.path.getsize(path)
    if size > MAX_FILE_BYTES:
        raise WorkbookError(size_message(size))
    with open(path, "rb") as handle:
        head = handle.read(len(_OLE_MAGIC))
    if head.startswith(_OLE_MAGIC):
        raise WorkbookError(
            _("这是旧版Excel(.xls)文件或设有密码的工作簿:请在Excel中另存为不加密的.xlsx文件后再导入。")
        )
    if not head.startswith(_ZIP_MAGIC):
        raise WorkbookError(not_xlsx_message())
    try:
        with zipfile.ZipFile(path) as archive:
            infos = archive.infolist()
            names = {info.filename for info in infos}
            if not all(part in names for part in _REQUIRED_PARTS):
                raise WorkbookError(not_xlsx_message())
            declared = sum(info.file_size for info in infos)
            if declared > MAX_UNPACKED_BYTES:
                raise WorkbookError(_unpacked_message())
            # The directory's sizes are the sender's word; unpack once with a running cap (zipfile stops each
            # entry at its declared size and checks its CRC, so an entry that lies fails here, not later).
            _check_unpacked(archive, infos)
    except (zipfile.BadZipFile, zipfile.LargeZipFile, NotImplementedError, OSError, EOFError) as exc:
        raise WorkbookError(not_xlsx_message()) from exc


def _unpacked_message() -> str:
    return _("文件解压后超过100 MB,不像是正常的人员名册(可能是“压缩炸弹”),已拒绝。")


def _check_unpacked(archive: zipfile.ZipFile, infos: list[zipfile.ZipInfo]) -> None:
    total = 0
    for info in infos:
        if info.is_dir():
            continue
        with archive.open(info) as entry:
            while chunk := entry.read(_READ_CHUNK):
                total += len(chunk)
                if total > MAX_UNPACKED_BYTES:
                    raise WorkbookError(_unpacked_message())


def _header(value: Any) -> str:
    # A template may mark required columns with an asterisk (姓名*); the contract's name is without it.
    return str(value if value is not None else "").strip().rstrip("*＊").strip()


@dataclass
class SheetReader:
    """One known sheet: which column of the file holds which of the contract's columns."""

    spec: roster.Sheet
    calamine: Any
    headers: list[str]
    # contract key -> index in the file's row
    positions: dict[str, int] = field(default_factory=dict)

    @property
    def name(self) -> str:
        return self.spec.name

    def raw_rows(self) -> Iterator[tuple[int, list[Any]]]:
        """(Excel row number, the cells as calamine reads them) for every row under the header.

        The header is in row 1 (a sheet whose first row is empty was refused), so the n-th row calamine
        returns is Excel's row n whichever way calamine treats leading empty rows."""
        rows = self.calamine.iter_rows()
        next(rows, None)
        yield from enumerate(rows, start=2)

    def rows(self) -> Iterator[tuple[int, dict[str, Any]]]:
        """(Excel row number, {column key: cell}) for every row with something in a known column."""
        positions = list(self.positions.items())
        for number, cells in self.raw_rows():
            width = len(cells)
            values = {key: cells[index] if index < width else "" for key, index in positions}
            if any(not _is_blank(v) for v in values.values()):
                yield number, values

    def records(self, keys: tuple[str, ...]) -> Iterator[tuple[int, tuple[Any, ...]]]:
        """rows() for a long sheet: the cells of `keys` as one tuple per row, in that order ("" where
        the sheet has no such column), picked in one call instead of a dict built per row."""
        last = max(self.positions.values(), default=0)
        # A column the sheet lacks reads the "" appended to every row.
        pick = itemgetter(*[self.positions.get(key, -1) for key in keys], -1)
        for number, cells in self.raw_rows():
            if len(cells) <= last:
                cells = [*cells, *[""] * (last + 1 - len(cells))]
            cells.append("")
            values = pick(cells)[:-1]
            if not _is_blank(values[0]) or any(not _is_blank(v) for v in values):
                yield number, values


def _is_blank(value: Any) -> bool:
    return value is None or (isinstance(value, str) and not value.strip())


class Workbook(contextlib.AbstractContextManager):
    """The known sheets of a checked workbook, in the contract's order (trees before the people on them)."""

    def __init__(self, book: Any, sheets: list[SheetReader]):
        self._book = book
        self.sheets = sheets

    def sheet(self, name: str) -> SheetReader | None:
        return next((s for s in self.sheets if s.name == name), None)

    def close(self) -> None:
        with contextlib.suppress(Exception):
            self._book.close()

    def __exit__(self, *exc_info) -> None:
        self.close()


def open_workbook(path: str | os.PathLike) -> Workbook:
    """Check the file, open it with calamine and find the known sheets and their columns."""
    check_file(path)
    try:
        book = python_calamine.CalamineWorkbook.from_path(str(Path(path)))
        names = list(book.sheet_names)
    except Exception as exc:  # calamine's own errors and anything a malformed part provokes
        raise WorkbookError(not_xlsx_message()) from exc
    by_name = {str(n).strip(): n for n in names}
    sheets: list[SheetReader] = []
    try:
        for spec in roster.SHEETS:
            if spec.name not in by_name:
                continue
            reader = _reader(book, spec, by_name[spec.name])
            if reader is not None:
                sheets.append(reader)
    except WorkbookError:
        book.close()
        raise
    except Exception as exc:
        book.close()
        raise WorkbookError(not_xlsx_message()) from exc
    if not any(spec.name in by_name for spec in roster.SHEETS):
        book.close()
        raise WorkbookError(
            _("工作簿中没有可导入的工作表:工作表应名为%(expected)s(本文件中的是%(found)s)。")
            % {
                "expected": "、".join(f"“{s.name}”" for s in roster.SHEETS),
                "found": "、".join(f"“{n}”" for n in names) or _("空"),
            }
        )
    if not sheets:
        book.close()
        raise WorkbookError(empty_message())
    return Workbook(book, sheets)


def _reader(book: Any, spec: roster.Sheet, name: str) -> SheetReader | None:
    """The reader of a known sheet; None when the sheet holds nothing at all (not even a header)."""
    sheet = book.get_sheet_by_name(name)
    if sheet.height == 0 or sheet.width == 0:
        return None
    start_row, _start_column = sheet.start
    first = next(sheet.iter_rows(), None) or []
    headers = [_header(v) for v in first] if start_row == 0 else []
    positions: dict[str, int] = {}
    for column in spec.columns:
        if column.header in headers:
            positions[column.key] = headers.index(column.header)
    missing = [c.header for c in spec.required if c.key not in positions]
    if missing:
        raise WorkbookError(
            _("工作表“%(sheet)s”缺少必填列:%(columns)s(表头须在第1行)。")
            % {"sheet": spec.name, "columns": "、".join(missing)}
        )
    return SheetReader(spec=spec, calamine=sheet, headers=headers, positions=positions)
