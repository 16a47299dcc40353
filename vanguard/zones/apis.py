"""The zones app's REST endpoints. ROUTES lists (prefix, viewset, basename) for the API router."""

from __future__ import annotations

ROUTES: list = []

# Tasks, work plan entries and activities: vanguard/zones/work_apis.py.
from .work_apis import ROUTES as WORK_ROUTES  # noqa: E402

ROUTES += WORK_ROUTES

# Zones, their roles, the role kinds, responsibilities and coverage: vanguard/zones/zone_apis.py.
from .zone_apis import ROUTES as ZONE_ROUTES  # noqa: E402

ROUTES += ZONE_ROUTES
