from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

# The reports tests run on 15 March 2026 (Beijing time): "this month" is March, April is the future.
TODAY = dt.datetime(2026, 3, 15, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
JAN, FEB, MARCH, APRIL = (dt.date(2026, m, 1) for m in (1, 2, 3, 4))
DECEMBER = dt.date(2025, 12, 1)


@pytest.fixture(autouse=True)
def on_a_fixed_day(time_machine):
    time_machine.move_to(TODAY, tick=False)
