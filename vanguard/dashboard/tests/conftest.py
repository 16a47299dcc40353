from __future__ import annotations

import pytest

from .world import TODAY, Filled, fill


@pytest.fixture(autouse=True)
def on_a_fixed_day(time_machine):
    time_machine.move_to(TODAY, tick=False)


@pytest.fixture
def filled(world, time_machine) -> Filled:
    return fill(world, time_machine)
