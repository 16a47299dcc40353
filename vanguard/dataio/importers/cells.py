"""What calamine hands back for a cell, turned into the text, dates and stored choices the models take.

Excel keeps numbers as floats and dates as numbers with a format, and people type dates as text; calamine
passes on whichever the file holds. Each function here accepts the reasonable forms and raises CellError
with the message for the row's report otherwise.
"""

from __future__ import annotations

import datetime as dt
import re
from typing import Any

from django.utils.translation import gettext as _

# Excel's day 0 (the 1900 date system, after its fictitious 29 February 1900).
_EXCEL_EPOCH = dt.date(1899, 12, 30)
_LAST_EXCEL_SERIAL = 2958465  # 9999-12-31
_DATE_TEXT = re.compile(r"(\d{4})([-/.])(\d{1,2})\2(\d{1,2})")
# 15 significant digits: what Excel keeps of a number, and what a float shows exactly as an integer.
_EXACT_INTEGER = 10**15


class CellError(Exception):
    def __init__(self, message: str):
        super().__init__(message)
        self.message = message


def text(value: Any) -> str:
    """A text cell, trimmed; numbers without a trailing `.0` (a mobile number typed as a number)."""
    if value is None:
        return ""
    if isinstance(value, str):
        return value.strip()
    if isinstance(value, bool):
        return str(value)
    if isinstance(value, float):
        if value.is_integer() and abs(value) < _EXACT_INTEGER:
            return str(int(value))
        return repr(value)
    if isinstance(value, dt.datetime):
        return value.date().isoformat() if value.time() == dt.time() else value.isoformat(sep=" ")
    if isinstance(value, dt.date):
        return value.isoformat()
    return str(value).strip()


def id_number(value: Any) -> str:
    """身份证号 must come as text: as a number Excel has already rounded it to 15 digits."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        raise CellError(
            _("身份证号须设为文本格式:以数字保存的身份证号已被Excel截去末几位,请把该列设为文本后重新填写。")
        )
    return text(value)


def date_message() -> str:
    return _("日期格式应为YYYY-MM-DD。")


def date(value: Any) -> dt.date | None:
    """A date cell, a date typed as text (YYYY-MM-DD, YYYY/MM/DD, YYYY.MM.DD), or an Excel serial number."""
    if value is None:
        return None
    if isinstance(value, dt.datetime):
        return value.date()
    if isinstance(value, dt.date):
        return value
    if isinstance(value, bool):
        raise CellError(date_message())
    if isinstance(value, int | float):
        if not 1 <= value <= _LAST_EXCEL_SERIAL:
            raise CellError(date_message())
        return _EXCEL_EPOCH + dt.timedelta(days=int(value))
    if isinstance(value, str):
        stripped = value.strip()
        if not stripped:
            return None
        match = _DATE_TEXT.fullmatch(stripped)
        if match is None:
            raise CellError(date_message())
        try:
            return dt.date(int(match[1]), int(match[3]), int(match[4]))
        except ValueError as exc:
            raise CellError(date_message()) from exc
    raise CellError(date_message())


def choice(value: Any, mapping: dict[str, Any], header: str) -> Any:
    """The stored value for one of the workbook's words (roster.GENDERS …); "" for a blank cell."""
    word = text(value)
    if not word:
        return ""
    try:
        return mapping[word]
    except KeyError:
        raise CellError(
            _("“%(value)s”不是有效的%(header)s,应为:%(choices)s。")
            % {"value": word, "header": header, "choices": "、".join(mapping)}
        ) from None
