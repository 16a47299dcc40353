"""Fifty payments out of one household's hours at once (issue 12, item 4): the community worker's spend page
and the API, each writer with its own logged-in client in its own thread. More payments than the balance
covers are asked for; exactly as many as it covers go through, the others are refused with the balance in
Chinese, and no answer is a 500 or a locked database. The balance never goes below zero and stays the sum of
its entries. The suite runs on SQLite and PostgreSQL (.ci/run), so this runs on both."""

from __future__ import annotations

import re
import threading
from dataclasses import dataclass, field
from decimal import Decimal

import pytest
from django.db import connection
from django.db.models import Sum
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.community.tests import api_factories as made
from vanguard.conftest import client_for
from vanguard.org.tests import factories
from vanguard.timebank import services
from vanguard.timebank.models import Account, Entry, Transfer

pytestmark = pytest.mark.django_db(transaction=True)

WRITERS = 50
HOURS = 30  # in the household's account; each writer pays 1 hour, so 20 of the 50 must be refused
REFUSAL = "余额不足:独居老人刘奶奶当前余额"


@dataclass
class Outcomes:
    paid: list[str] = field(default_factory=list)
    refused: list[str] = field(default_factory=list)
    bodies: list[str] = field(default_factory=list)
    errors: list[BaseException] = field(default_factory=list)


def _household_with_hours(world) -> tuple[Account, Account, object]:
    """南园's household with HOURS hours (given by member A out of verified service) and a helper member
    registered at 南园, who is paid."""
    # A day's service is at most 24 hours: two days' service make the hours.
    made.record(world.member_a, world.community, str(HOURS // 2))
    made.record(
        world.member_a, world.community, str(HOURS - HOURS // 2), served_on=made.SERVED_ON.replace(day=13)
    )
    household = made.household(world.community)
    services.donate(
        actor=SYSTEM, source=Account.objects.get(member=world.member_a), target=household, hours=str(HOURS)
    )
    helper = factories.member(world.branch_b, "赵师傅", residence=world.community)
    made.registration(helper, world.community)
    return household, services.member_account(helper, world.community), helper


def _page_payment(client, household, helper, outcomes: Outcomes, start: threading.Barrier) -> None:
    data = {"source": household.pk, "member": helper.pk, "hours": "1", "memo": "陪同就医"}
    try:
        start.wait()
        response = client.post(reverse("timebank:spend"), data)
        body = response.content.decode()
        outcomes.bodies.append(body)
        if response.status_code == 302:
            outcomes.paid.append("page")
            return
        assert response.status_code == 200, (response.status_code, body[:500])
        (message,) = re.findall(r'class="invalid-feedback d-block">\s*([^<]+?)\s*</div>', body)
        outcomes.refused.append(message)
    except BaseException as exc:
        outcomes.errors.append(exc)
    finally:
        connection.close()


def _api_payment(client, household, target, outcomes: Outcomes, start: threading.Barrier) -> None:
    body = {"target": target.pk, "hours": "1", "memo": "疏通下水道"}
    try:
        start.wait()
        response = client.post(f"/api/v1/timebank/accounts/{household.pk}/spend/", body, format="json")
        outcomes.bodies.append(response.content.decode())
        if response.status_code == 201:
            assert Decimal(response.json()["balance"]) >= 0
            outcomes.paid.append("api")
            return
        assert response.status_code == 400, (response.status_code, response.content[:500])
        (message,) = response.json()["errors"]["hours"]
        outcomes.refused.append(message)
    except BaseException as exc:
        outcomes.errors.append(exc)
    finally:
        connection.close()


def test_fifty_payments_at_once_never_overdraw_the_household(world, community_worker):
    household, helper_account, helper = _household_with_hours(world)
    pages = [client_for(community_worker) for _ in range(WRITERS // 2)]
    apis = [api_client(community_worker) for _ in range(WRITERS - WRITERS // 2)]
    outcomes = Outcomes()
    start = threading.Barrier(WRITERS)
    threads = [
        threading.Thread(target=_page_payment, args=(c, household, helper, outcomes, start)) for c in pages
    ] + [
        threading.Thread(target=_api_payment, args=(c, household, helper_account, outcomes, start))
        for c in apis
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=120)
    assert not any(thread.is_alive() for thread in threads)

    assert outcomes.errors == []
    assert not [b for b in outcomes.bodies if "database is locked" in b.lower()]
    assert len(outcomes.paid) == HOURS, outcomes.refused
    assert len(outcomes.refused) == WRITERS - HOURS
    assert all(m.startswith(REFUSAL) and "不能支出1.0小时" in m for m in outcomes.refused), outcomes.refused
    assert Transfer.objects.filter(kind="spend").count() == HOURS
    # The balance is zero, the sum of the entries, and never went below zero along the way.
    for account, expected in ((household, Decimal(0)), (helper_account, Decimal(HOURS))):
        total = Entry.objects.filter(account=account).aggregate(s=Sum("hours"))["s"]
        assert services.balance(account) == total == expected
    balance = Decimal(0)
    for hours in Entry.objects.filter(account=household).order_by("pk").values_list("hours", flat=True):
        balance += hours
        assert balance >= 0
