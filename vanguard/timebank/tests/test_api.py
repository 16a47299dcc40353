"""/api/v1/timebank/accounts/: accounts with their balance, the statement with a running balance, and the
spend, donate and reverse endpoints with the ledger services' refusals; scoped like the pages."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.community.tests import api_factories as cf
from vanguard.org.tests import factories
from vanguard.timebank import services
from vanguard.timebank.models import Account, Entry, Transfer

pytestmark = pytest.mark.django_db
URL = "/api/v1/timebank/accounts/"


@pytest.fixture
def bank(world):
    """member_a's account with 5 hours credited (3 + 2), a household of 南园社区 and a neighbour's account."""
    cf.record(world.member_a, world.community, "3")
    cf.record(world.member_a, world.community, "2")
    neighbour = factories.member(world.branch_a, "赵志强", residence=world.community)
    cf.record(neighbour, world.community, "1")
    return (
        Account.objects.get(member=world.member_a),
        cf.household(world.community),
        Account.objects.get(member=neighbour),
    )


def test_each_role_sees_the_accounts_its_scope_reaches(world, bank, member_a, community_worker, secretary_a):
    mine, household, neighbour = bank

    def listed(user, **params) -> dict[int, str]:
        response = api_client(user).get(URL, params)
        assert response.status_code == 200
        return {row["id"]: row["balance"] for row in response.json()["results"]}

    assert listed(member_a) == {mine.pk: "5.0"}
    issuer = services.issuer(world.community)
    assert listed(community_worker) == {
        mine.pk: "5.0",
        neighbour.pk: "1.0",
        household.pk: "0.0",
        issuer.pk: "-6.0",
    }
    assert listed(community_worker, kind="household") == {household.pk: "0.0"}
    assert listed(secretary_a) == {mine.pk: "5.0", neighbour.pk: "1.0"}
    detail = api_client(member_a).get(f"{URL}{mine.pk}/").json()
    assert (detail["owner_name"], detail["kind"], detail["balance"]) == ("王建国", "member", "5.0")


def test_out_of_sight_is_404_and_anonymous_401(world, bank, secretary_b, member_a):
    mine, household, _neighbour = bank
    other = cf.worker_of(world.other_community)
    for user in (secretary_b, other):
        client = api_client(user)
        assert client.get(URL).json()["count"] == 0
        for path in ("", "statement/"):
            assert client.get(f"{URL}{mine.pk}/{path}").status_code == 404
        for action in ("spend", "donate", "reverse"):
            assert client.post(f"{URL}{mine.pk}/{action}/", {}).status_code == 404
    # A member does not browse the community's households.
    assert api_client(member_a).get(f"{URL}{household.pk}/").status_code == 404
    anonymous = api_client()
    assert anonymous.get(URL).status_code == 401
    assert anonymous.get(f"{URL}{mine.pk}/statement/").status_code == 401
    assert anonymous.post(f"{URL}{mine.pk}/donate/", {}).status_code == 401


def test_the_statement_shows_a_running_balance_and_the_other_side(world, bank, member_a, community_worker):
    mine, household, _neighbour = bank
    services.donate(actor=SYSTEM, source=mine, target=household, hours="1.5", memo="赠给刘奶奶")
    response = api_client(member_a).get(f"{URL}{mine.pk}/statement/")
    assert response.status_code == 200
    body = response.json()
    assert (body["count"], body["balance"]) == (3, "3.5")
    rows = [(r["kind"], r["hours"], r["balance"], r["counterparty_name"]) for r in body["results"]]
    assert rows == [
        ("donate", "-1.5", "3.5", "独居老人刘奶奶"),
        ("credit", "2.0", "5.0", "南园社区"),
        ("credit", "3.0", "3.0", "南园社区"),
    ]
    assert body["results"][0]["counterparty"] == household.pk
    # The household's own statement, read by the community.
    body = api_client(community_worker).get(f"{URL}{household.pk}/statement/").json()
    assert [(r["hours"], r["counterparty_name"]) for r in body["results"]] == [("1.5", "王建国")]


def test_the_statement_runs_a_fixed_number_of_queries(world, bank, community_worker):
    mine, household, _neighbour = bank
    client = api_client(community_worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"{URL}{mine.pk}/statement/").status_code == 200
            assert client.get(URL).status_code == 200
        return len(captured)

    small = queries()
    for _ in range(12):
        cf.record(world.member_a, world.community, "1")
        services.donate(actor=SYSTEM, source=mine, target=household, hours="0.5", memo="赠")
    assert queries() == small


def test_a_member_donates_to_a_household_by_its_number(world, bank, member_a):
    mine, household, neighbour = bank
    client = api_client(member_a)
    response = client.post(f"{URL}{mine.pk}/donate/", {"target": household.pk, "hours": "2"}, format="json")
    assert response.status_code == 201
    body = response.json()
    assert (body["kind"], body["hours"], body["source"], body["target"], body["balance"]) == (
        "donate",
        "2.0",
        mine.pk,
        household.pk,
        "3.0",
    )
    assert body["memo"] == "捐赠给独居老人刘奶奶"
    response = client.post(f"{URL}{mine.pk}/donate/", {"target": neighbour.pk, "hours": 1}, format="json")
    assert response.status_code == 201 and services.balance(neighbour) == Decimal("2")


def test_donating_more_than_the_balance_or_elsewhere_is_refused(world, bank, member_a):
    mine, household, _neighbour = bank
    client = api_client(member_a)
    before = Entry.objects.count()
    response = client.post(f"{URL}{mine.pk}/donate/", {"target": household.pk, "hours": "5.5"}, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"hours": ["余额不足:王建国当前余额5.0小时,不能支出5.5小时。"]}
    elsewhere = cf.household(world.other_community, "新风社区居民")
    for target, message in (
        (elsewhere.pk, "所选账户不存在或不属于本社区。"),
        (999999, "所选账户不存在或不属于本社区。"),
        (services.issuer(world.community).pk, "所选账户不存在或不属于本社区。"),
    ):
        response = client.post(f"{URL}{mine.pk}/donate/", {"target": target, "hours": 1}, format="json")
        assert response.status_code == 400
        assert response.json()["errors"] == {"target": [message]}
    response = client.post(f"{URL}{mine.pk}/donate/", {"target": household.pk, "hours": "0.7"}, format="json")
    assert response.json()["errors"] == {"hours": ["时数以0.5小时为单位。"]}
    response = client.post(f"{URL}{mine.pk}/donate/", {"target": mine.pk, "hours": 1}, format="json")
    assert response.json()["errors"] == {"target": ["转出和转入不能是同一个账户。"]}
    assert Entry.objects.count() == before


def test_only_the_holder_or_the_community_moves_a_members_hours(world, bank, secretary_a):
    mine, household, _neighbour = bank
    body = {"target": household.pk, "hours": 1}
    response = api_client(secretary_a).post(f"{URL}{mine.pk}/donate/", body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只能捐赠自己账户的时数。"
    response = api_client(secretary_a).post(f"{URL}{mine.pk}/spend/", {**body, "memo": "x"}, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有该社区的工作人员可以办理时间兑换。"


def test_a_household_pays_for_help_and_cannot_overspend(world, bank, community_worker, member_a):
    mine, household, neighbour = bank
    services.donate(actor=SYSTEM, source=mine, target=household, hours="2", memo="捐赠")
    client = api_client(community_worker)
    body = {"target": neighbour.pk, "hours": "1.5", "memo": "疏通下水道"}
    response = client.post(f"{URL}{household.pk}/spend/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["balance"]) == ("spend", "0.5")
    response = client.post(f"{URL}{household.pk}/spend/", body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "hours": ["余额不足:独居老人刘奶奶当前余额0.5小时,不能支出1.5小时。"]
    }
    response = client.post(f"{URL}{household.pk}/spend/", {**body, "memo": ""}, format="json")
    assert response.status_code == 400 and "memo" in response.json()["errors"]
    response = api_client(member_a).post(f"{URL}{mine.pk}/spend/", body, format="json")
    assert response.status_code == 403
    assert services.balance(household) == Decimal("0.5")


def test_a_correction_is_a_reversing_transfer_once(world, bank, community_worker, member_a):
    mine, _household, _neighbour = bank
    credit = Transfer.objects.filter(kind="credit", entries__account=mine).order_by("pk").first()
    client = api_client(community_worker)
    body = {"transfer": credit.pk, "reason": "重复录入"}
    response = client.post(f"{URL}{mine.pk}/reverse/", body, format="json")
    assert response.status_code == 201
    assert (response.json()["kind"], response.json()["hours"], response.json()["balance"]) == (
        "reversal",
        "3.0",
        "2.0",
    )
    response = client.post(f"{URL}{mine.pk}/reverse/", body, format="json")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:该交易已经冲正。"
    statement = client.get(f"{URL}{mine.pk}/statement/").json()["results"]
    assert [r["reversed"] for r in statement] == [False, False, True]
    # Not one of this account's transfers; no reason; a member may not reverse.
    other = cf.record(factories.member(world.branch_a, "某某", residence=world.community), world.community)
    response = client.post(
        f"{URL}{mine.pk}/reverse/", {"transfer": other.transfer.pk, "reason": "x"}, format="json"
    )
    assert response.json()["errors"] == {"transfer": ["所选交易不存在或不是本账户的交易。"]}
    response = client.post(f"{URL}{mine.pk}/reverse/", {"transfer": credit.pk, "reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = api_client(member_a).post(f"{URL}{mine.pk}/reverse/", body, format="json")
    assert (response.status_code, response.json()["detail"]) == (403, "只有该社区的工作人员可以冲正。")
    assert services.balance(mine) == Decimal("2")
