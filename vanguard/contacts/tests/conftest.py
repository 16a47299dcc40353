from __future__ import annotations

import datetime as dt
from zoneinfo import ZoneInfo

import pytest

# The contacts tests run on 20 May 2026 (Beijing time): "this month" is May, June is the future.
TODAY = dt.datetime(2026, 5, 20, 10, 0, tzinfo=ZoneInfo("Asia/Shanghai"))


@pytest.fixture(autouse=True)
def on_a_fixed_day(time_machine):
    time_machine.move_to(TODAY, tick=False)
