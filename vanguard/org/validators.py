"""Validation of the personal data on a roster: identity numbers, mobile numbers, dates.

Each function raises ValidationError with a message that names what is wrong, in Chinese.
"""

from __future__ import annotations

import datetime as dt
import re
import time

from django.core.exceptions import ValidationError
from django.utils import timezone
from django.utils.translation import gettext as _

_ID_WEIGHTS = (7, 9, 10, 5, 8, 4, 2, 1, 6, 3, 7, 9, 10, 5, 8, 4, 2)
_ID_CHECK = "10X98765432"
_ID_FORMAT = re.compile(r"^\d{17}[\dX]$")
_MOBILE_FORMAT = re.compile(r"^1[3-9]\d{9}$")


_today: tuple[int, dt.date | None] = (0, None)


def today() -> dt.date:
    """Today in the site's time zone, worked out at most once a second: validating a large import asks
    for it several times a row."""
    global _today
    second = int(time.time())
    if _today[0] != second or _today[1] is None:
        _today = (second, timezone.localdate())
    return _today[1]


def id_number_check_digit(first17: str) -> str:
    """The check character of a GB 11643 citizen identity number."""
    total = sum(int(d) * w for d, w in zip(first17, _ID_WEIGHTS, strict=True))
    return _ID_CHECK[total % 11]


def normalise_id_number(value: str) -> str:
    return (value or "").strip().upper()


def birth_date_from_id_number(value: str) -> dt.date | None:
    try:
        return dt.date(int(value[6:10]), int(value[10:12]), int(value[12:14]))
    except (ValueError, IndexError):
        return None


def effective_birth_date(birth_date: dt.date | None, id_number: str) -> dt.date | None:
    """The birth date, or the one the 身份证号 carries when none is given."""
    if birth_date:
        return birth_date
    if id_number and len(id_number) == 18:
        return birth_date_from_id_number(id_number)
    return None


def gender_from_id_number(value: str) -> str:
    """ "M" or "F": the 17th digit is odd for men."""
    return "M" if int(value[16]) % 2 else "F"


def validate_id_number(value: str) -> None:
    value = normalise_id_number(value)
    if not _ID_FORMAT.match(value):
        raise ValidationError(_("身份证号应为18位:前17位是数字,最后一位是数字或X。"), code="id_number_format")
    birth = birth_date_from_id_number(value)
    if birth is None:
        raise ValidationError(_("身份证号中的出生日期(第7至14位)不是有效日期。"), code="id_number_birth")
    if birth > today():
        raise ValidationError(_("身份证号中的出生日期晚于今天。"), code="id_number_future")
    expected = id_number_check_digit(value[:17])
    if value[17] != expected:
        raise ValidationError(
            _("身份证号校验位错误:按GB 11643计算最后一位应为%(expected)s。") % {"expected": expected},
            code="id_number_checksum",
        )


def validate_mobile(value: str) -> None:
    if not _MOBILE_FORMAT.match((value or "").strip()):
        raise ValidationError(_("手机号应为以1开头的11位数字,第二位为3至9。"), code="mobile_format")


def validate_not_future(value: dt.date | None) -> None:
    if value and value > today():
        raise ValidationError(_("日期不能晚于今天。"), code="future_date")


def age_on(birth: dt.date, on: dt.date) -> int:
    return on.year - birth.year - ((on.month, on.day) < (birth.month, birth.day))


def eighteenth_birthday(birth: dt.date) -> dt.date:
    """The first day `age_on` counts as 18: for someone born on 29 February, 1 March in a common year."""
    try:
        return birth.replace(year=birth.year + 18)
    except ValueError:
        return dt.date(birth.year + 18, 3, 1)
