"""Helpers of the community and time-bank page tests: addresses, a page's text, a worker of another
community, and the objects of branch A's member in 南园社区 that the access sweep tries
(vanguard/tests/test_access_sweep.py): each made through the services on first use, found afterwards."""

from __future__ import annotations

import datetime as dt

from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.community import services_teams
from vanguard.community.models import Pairing, Team
from vanguard.org.models import Person
from vanguard.timebank.models import Transfer

from . import api_factories as made

SERVED_ON = made.SERVED_ON


def url(name: str, *args) -> str:
    return reverse(f"community:{name}", args=args)


def bank(name: str, *args) -> str:
    return reverse(f"timebank:{name}", args=args)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def messages_of(response) -> list[str]:
    return [str(m) for m in response.wsgi_request._messages]


def other_worker(world):
    """A worker of 新风社区: 南园's objects are out of their sight."""
    return made.worker_of(world.other_community)


def resident(world, name: str = "刘奶奶", **fields) -> Person:
    fields.setdefault("residence", world.community)
    return Person.objects.create(name=name, **fields)


# --- the access sweep's objects ---------------------------------------------------------------------------


def sweep_registration(w):
    return made.sweep_registration(w)


def sweep_post(w):
    return made.sweep_post(w)


def sweep_claim(w):
    return made.sweep_claim(w)


def sweep_record(w):
    return made.sweep_record(w)


def sweep_team(w) -> Team:
    found = Team.objects.filter(community=w.community, name="代理家长队").first()
    if found is not None:
        return found
    sweep_registration(w)
    return services_teams.team_create(
        actor=SYSTEM, community=w.community, name="代理家长队", leader=w.member_a, members=[w.member_a]
    )


def sweep_pairing(w) -> Pairing:
    found = Pairing.objects.filter(member=w.member_a).first()
    if found is not None:
        return found
    sweep_registration(w)
    return services_teams.pairing_create(
        actor=SYSTEM,
        community=w.community,
        member=w.member_a,
        person=resident(w, "留守儿童小明"),
        kind=Pairing.Kind.CHILD,
        started_on=dt.date(2026, 3, 1),
    )


def sweep_account(w):
    return made.sweep_account(w)


def sweep_transfer(w) -> Transfer:
    return sweep_account(w).entries.order_by("pk").first().transfer


def register_a(world):
    """member_a registered at 南园社区 and confirmed (the `registered` fixture of the page tests)."""
    return made.registration(world.member_a, world.community, occupation="驾驶员", strengths="维修、驾驶")


def count_queries(client, address: str, **extra) -> int:
    with CaptureQueriesContext(connection) as queries:
        response = client.get(address, **extra)
    assert response.status_code == 200, response.status_code
    return len(queries)
