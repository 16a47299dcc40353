"""The home page runs a fixed number of queries whatever the size of the scope: the same count for the
small world and for the world with more members, reports, results, hours, registrations, requests, cells
and zones in every part of it (and more of the member's own talks, hours and requests)."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.assessment.models import Result
from vanguard.community.tests import api_factories as community
from vanguard.conftest import client_for
from vanguard.org.models import Cell
from vanguard.org.tests import factories as org
from vanguard.reports.tests import factories as reports
from vanguard.zones.tests import zone_factories as zones

from .page import texts
from .world import Filled, _request, at

pytestmark = pytest.mark.django_db


def grow(filled: Filled, time_machine, n: int) -> None:
    w = filled.world
    for i in range(n):
        organisation = w.group_a if i % 2 else w.branch_a
        member = org.member(organisation, f"党员{i}")
        reports.report(member, dt.date(2026, 2, 1))
        reports.report(member, dt.date(2025, 11, 1))
        Result.objects.create(
            round=filled.round,
            member=member,
            unit=organisation,
            branch=w.branch_a,
            name=member.person.name,
            total=Decimal(50 + 5 * i),
        )
        community.registration(member, w.community)
        community.record(member, w.community, "1", served_on=dt.date(2026, 1, 5 + i))
        building = org.cell(f"{i + 3}号楼", Cell.Kind.BUILDING, parent=filled.estate)
        if i % 2:
            zones.zone(w.branch_a, f"{i + 3}号楼责任区", cells=[building], lead=member.person)
        board = {"zone": zones.Zone.objects.get(name="南园1号楼责任区"), "cell": filled.building_1}
        _request(w, time_machine, at(2026, 3, 2 + i), **board)
        _request(w, time_machine, at(2026, 3, 2 + i, 11), cell=building, community=w.community)
        contact = reports.contact(
            w.member_a, org.person(f"群众{i}"), year=2026, assigned_on=dt.date(2026, 1, 5)
        )
        reports.talk(contact, dt.date(2026, 2, 1 + i))
        community.record(w.member_a, w.community, "1", served_on=dt.date(2026, 2, 11 + i))


def count(user, query: str = "") -> tuple[int, list]:
    """The queries of the home page, and its figures (to see that the world did grow under it)."""
    client = client_for(user)
    client.get(f"/{query}")  # the session and the caches settle on the first request
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(f"/{query}")
    assert response.status_code == 200
    return len(ctx.captured_queries), texts(response.content.decode(), "data-figure")


@pytest.mark.parametrize(
    ("persona", "query"),
    [
        ("office", ""),
        ("office", "?organisation={branch_a}"),
        ("secretary_a", ""),
        ("member_a", ""),
        ("community_worker", ""),
        ("community_worker", "?cell={estate}"),
    ],
)
def test_the_home_page_runs_a_fixed_number_of_queries(filled, time_machine, persona, query, request):
    user = request.getfixturevalue(persona)
    query = query.format(branch_a=filled.world.branch_a.pk, estate=filled.estate.pk)
    small, figures = count(user, query)
    grow(filled, time_machine, 8)
    large, grown = count(user, query)
    assert large == small
    assert grown != figures
    assert small <= 30, small
