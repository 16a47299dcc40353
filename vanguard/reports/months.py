"""Months as the reports use them: a date on the first of the month, written `YYYY-MM` in forms, URLs and
the API (what `<input type="month">` sends)."""

from __future__ import annotations

import calendar
import datetime as dt
import re

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vanguard.org.validators import today

_MONTH = re.compile(r"^\s*(\d{4})\s*(?:-|/|年)\s*(\d{1,2})\s*月?\s*$")
FIRST_YEAR = 2000


def current_month() -> dt.date:
    return today().replace(day=1)


def month_end(month: dt.date) -> dt.date:
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def previous_month(month: dt.date) -> dt.date:
    return (month - dt.timedelta(days=1)).replace(day=1)


def format_month(month: dt.date | None) -> str:
    return f"{month:%Y-%m}" if month else ""


def parse_month(text: str) -> dt.date:
    """`2026-03`, `2026-3`, `2026/03` or `2026年3月` as the first of that month; ValidationError with a
    message that shows the expected form otherwise. A month in the future is the model's to refuse, with
    its own message; a year before 2000 is refused here, as no report can be that old."""
    match = _MONTH.match(text or "")
    if match is None:
        raise ValidationError(
            _("请按“年-月”填写月份,如 %(example)s。") % {"example": format_month(current_month())}
        )
    year, month = int(match.group(1)), int(match.group(2))
    if not 1 <= month <= 12:
        raise ValidationError(_("月份应在1到12之间,收到的是%(month)d。") % {"month": month})
    if year < FIRST_YEAR:
        raise ValidationError(_("月份不能早于%(year)d年。") % {"year": FIRST_YEAR})
    if year > 9998:
        raise ValidationError(_("不能提交未来月份的汇报。"))
    return dt.date(year, month, 1)
