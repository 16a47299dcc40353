from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

# The notification tests run on Monday 16 March 2026, 10:00 Beijing time: past February's grace period
# (REPORT_GRACE_DAYS, 5), more than a week before the end of March.
TODAY = dt.datetime(2026, 3, 16, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))
FEB, MARCH = dt.date(2026, 2, 1), dt.date(2026, 3, 1)


@pytest.fixture(autouse=True)
def on_a_fixed_day(time_machine):
    time_machine.move_to(TODAY, tick=False)
