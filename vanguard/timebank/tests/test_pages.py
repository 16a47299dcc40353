"""The time-bank pages: a member's account with its balance and statement (running balance) and donations by
account number on a phone; the community worker's accounts, opening a household account for a resident, a
household paying a member for help received, reversing a transfer with a reason; the statement's audited
xlsx export. Each refusal says why in Chinese and changes nothing; another community's worker and another
branch get 404; the lists run a fixed number of queries."""

from __future__ import annotations

import io
import re
from decimal import Decimal

import pytest
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.community.tests import api_factories as made
from vanguard.community.tests.pages import (
    bank,
    count_queries,
    messages_of,
    other_worker,
    register_a,
    resident,
    text,
)
from vanguard.core.masking import mask_name
from vanguard.org.tests import factories
from vanguard.timebank import services
from vanguard.timebank.models import Account, Entry, Transfer

pytestmark = pytest.mark.django_db


@pytest.fixture
def account_a(world, member_a) -> Account:
    """member_a registered at 南园社区 with 3 verified hours."""
    register_a(world)
    made.record(world.member_a, world.community, "3")
    return Account.objects.get(member=world.member_a)


@pytest.fixture
def household(world) -> Account:
    return made.household(world.community)


def _balance(account: Account) -> Decimal:
    return services.balance(account)


def _statement_rows(page: str) -> list[tuple[str, str]]:
    """(hours, running balance) of each line of the statement, newest first."""
    body = page.split('id="statement"', 1)[1].split("</table>", 1)[0]
    rows = []
    for row in re.findall(r"<tr>(.*?)</tr>", body, re.S)[1:]:
        cells = [re.sub(r"<[^>]+>|\s", "", c) for c in re.findall(r"<td[^>]*>(.*?)</td>", row, re.S)]
        rows.append((cells[3], cells[4]))
    return rows


# --- the member ------------------------------------------------------------------------------------------


def test_the_member_sees_balance_and_statement_with_running_balance(
    world, member_a, account_a, household, as_user
):
    services.donate(actor=member_a, source=account_a, target=household, hours="1", memo="送给刘奶奶")
    page = text(as_user(member_a).get(bank("mine")))
    assert "2.0 小时" in page and f"账户编号 {account_a.pk}" in page
    assert _statement_rows(page) == [("-1.0", "2.0"), ("+3.0", "3.0")]
    assert "清理楼道小广告" in page and "送给刘奶奶" in page
    assert "独居老人刘奶奶" not in page and mask_name("独居老人刘奶奶") in page  # the household masked
    assert as_user(member_a).get(bank("index"))["Location"] == bank("mine")


def test_a_member_without_an_account_is_told_how_one_opens(world, member_a, as_user):
    client = as_user(member_a)
    assert "服务经社区核实后" in text(client.get(bank("mine")))
    response = client.get(bank("donate"))
    assert messages_of(response) == ["您还没有时间银行账户:服务经社区核实后会自动开户。"]


def test_the_member_donates_to_a_household_by_its_number(world, member_a, account_a, household, as_user):
    response = as_user(member_a).post(bank("donate"), {"target": str(household.pk), "hours": "1.5"})
    label = f"{household.pk}号账户({mask_name('独居老人刘奶奶')})"
    assert messages_of(response) == [f"已向{label}捐赠1.5小时。"]
    assert (_balance(account_a), _balance(household)) == (Decimal("1.5"), Decimal("1.5"))
    assert Transfer.objects.get(kind="donate").memo == f"捐赠给{label}"


def test_the_member_donates_to_another_member_of_the_community(world, member_a, account_a, as_user):
    other = factories.member(world.branch_b, "赵老师", residence=world.community)
    made.registration(other, world.community)
    made.record(other, world.community, "1")
    target = Account.objects.get(member=other)
    response = as_user(member_a).post(bank("donate"), {"target": str(target.pk), "hours": "2"})
    assert messages_of(response) == [f"已向{target.pk}号账户(赵**)捐赠2.0小时。"]
    assert _balance(target) == Decimal("3")


@pytest.mark.parametrize(
    ("target", "hours", "message"),
    [
        ("issuer", "1", "本社区没有编号为 {pk} 的居民户或党员账户(不能捐给自己)。"),
        ("self", "1", "本社区没有编号为 {pk} 的居民户或党员账户(不能捐给自己)。"),
        ("elsewhere", "1", "本社区没有编号为 {pk} 的居民户或党员账户(不能捐给自己)。"),
        ("abc", "1", "请填写收款账户编号(数字)。"),
        ("household", "5", "余额不足:王建国当前余额3.0小时,不能支出5.0小时。"),
        ("household", "0.3", "时数以0.5小时为单位。"),
        ("household", "很多", "请填写数字。"),
        ("", "1", "请填写收款账户编号。"),
    ],
)
def test_a_refused_donation_says_why_and_moves_nothing(
    world, member_a, account_a, household, as_user, target, hours, message
):
    accounts = {
        "issuer": services.issuer(world.community),
        "self": account_a,
        "elsewhere": made.household(world.other_community, "新风居民"),
        "household": household,
    }
    number = str(accounts[target].pk) if target in accounts else target
    page = text(as_user(member_a).post(bank("donate"), {"target": number, "hours": hours}))
    assert message.format(pk=number) in page
    assert _balance(account_a) == Decimal("3") and not Transfer.objects.filter(kind="donate").exists()


# --- the community worker --------------------------------------------------------------------------------


def test_the_worker_lists_the_communitys_accounts_with_balances(
    world, member_a, community_worker, account_a, household, as_user
):
    services.donate(actor=member_a, source=account_a, target=household, hours="1")
    client = as_user(community_worker)
    assert client.get(bank("index"))["Location"] == bank("account_list")
    page = text(client.get(bank("account_list")))
    rows = page.split('id="accounts"', 1)[1]
    assert "王建国" in rows and "2.0" in rows and "独居老人刘奶奶" in rows and "1.0" in rows
    only_households = text(client.get(bank("account_list"), {"kind": "household"}))
    assert (
        "独居老人刘奶奶" in only_households and "王建国" not in only_households.split('id="accounts"', 1)[1]
    )
    by_name = text(client.get(bank("account_list"), {"q": "wjg"}))
    assert "王建国" in by_name.split('id="accounts"', 1)[1]


def test_the_worker_opens_a_household_account_for_a_resident(world, community_worker, as_user):
    grandpa = resident(world, "孤寡老人张大爷")
    client = as_user(community_worker)
    response = client.post(
        bank("household_open"), {"community": world.community.pk, "name": "孤寡老人张大爷"}
    )
    account = Account.objects.get(person=grandpa)
    assert response["Location"] == bank("account_detail", account.pk)
    assert messages_of(response) == [f"已为孤寡老人张大爷开设居民户账户,账户编号 {account.pk}。"]
    assert (account.kind, account.community) == (Account.Kind.HOUSEHOLD, world.community)
    assert AuditRecord.objects.filter(object_type="timebank.account", object_id=str(account.pk)).exists()
    again = text(
        client.post(bank("household_open"), {"community": world.community.pk, "name": "孤寡老人张大爷"})
    )
    assert f"孤寡老人张大爷已有居民户账户(编号 {account.pk})。" in again
    member = text(client.post(bank("household_open"), {"community": world.community.pk, "name": "王建国"}))
    assert "王建国是党员,使用党员账户。" in member
    nobody = text(client.post(bank("household_open"), {"community": world.community.pk, "name": "李红梅"}))
    assert "南园社区没有名为“李红梅”的居民。" in nobody  # she lives in 新风社区
    assert Account.objects.filter(kind="household").count() == 1


def test_a_household_pays_a_member_for_help(world, member_a, community_worker, account_a, household, as_user):
    services.donate(actor=member_a, source=account_a, target=household, hours="2")
    helper = factories.member(world.branch_b, "赵师傅", residence=world.community)
    made.registration(helper, world.community)
    client = as_user(community_worker)
    page = text(client.get(bank("spend")))
    assert f"{household.pk} · 独居老人刘奶奶(南园社区)" in page and "赵师傅(南园社区)" in page
    data = {"source": household.pk, "member": helper.pk, "hours": "1.5", "memo": "疏通下水道"}
    response = client.post(bank("spend"), data)
    assert messages_of(response) == ["已从独居老人刘奶奶的账户支付1.5小时给赵师傅。"]
    helper_account = Account.objects.get(member=helper)  # opened by the payment
    assert (_balance(household), _balance(helper_account)) == (Decimal("0.5"), Decimal("1.5"))
    over = text(client.post(bank("spend"), {**data, "hours": "5"}))
    assert "余额不足:独居老人刘奶奶当前余额0.5小时,不能支出5.0小时。" in over
    assert "请填写兑换的服务内容。" in text(client.post(bank("spend"), {**data, "memo": ""}))
    assert _balance(household) == Decimal("0.5") and Transfer.objects.filter(kind="spend").count() == 1


def test_the_worker_reverses_a_transfer_with_a_reason(
    world, member_a, community_worker, account_a, household, as_user
):
    transfer = services.donate(actor=member_a, source=account_a, target=household, hours="1")
    client = as_user(community_worker)
    statement = text(client.get(bank("account_detail", household.pk)))
    assert bank("reverse", transfer.pk) in statement
    assert "请填写冲正原因。" in text(client.post(bank("reverse", transfer.pk), {"reason": ""}))
    response = client.post(bank("reverse", transfer.pk), {"reason": "捐错了户"})
    assert response["Location"] == bank("account_detail", household.pk)
    assert (_balance(account_a), _balance(household)) == (Decimal("3"), Decimal("0"))
    assert Transfer.objects.get(kind="reversal").memo == "冲正:捐错了户"
    assert "该交易已经冲正。" in text(client.post(bank("reverse", transfer.pk), {"reason": "再冲"}))
    assert "已冲正" in text(client.get(bank("account_detail", household.pk)))
    assert Entry.objects.count() == 6  # credit, donation, reversal: two entries each, nothing changed


def test_a_member_cannot_reverse(world, member_a, account_a, as_user):
    transfer = account_a.entries.get().transfer
    assert as_user(member_a).post(bank("reverse", transfer.pk), {"reason": "想撤回"}).status_code == 403
    assert not Transfer.objects.filter(kind="reversal").exists()


def test_the_statement_is_exported_and_the_export_is_audited(
    world, member_a, community_worker, account_a, household, as_user
):
    services.donate(actor=member_a, source=account_a, target=household, hours="1", memo="送给刘奶奶")
    response = as_user(community_worker).get(bank("account_export", account_a.pk))
    assert response.status_code == 200
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = workbook.get_sheet_by_index(0).to_python()
    assert rows[0] == ["时间", "类型", "摘要", "对方账户", "时数", "余额", "经办人"]
    assert [(r[1], r[2], r[4], r[5]) for r in rows[1:]] == [
        ("服务入账", "2026-08-12 清理楼道小广告", 3.0, 3.0),
        ("捐赠", "送给刘奶奶", -1.0, 2.0),
    ]
    assert rows[2][3] == f"{household.pk} · 独居老人刘奶奶"
    record = AuditRecord.objects.filter(action="export").latest("pk")
    assert record.after == {"kind": "timebank_statement", "count": 2}
    assert f"账户编号 {account_a.pk}" in record.detail


# --- who sees what ---------------------------------------------------------------------------------------


def test_the_branch_reads_its_members_account_without_acting(world, secretary_a, account_a, as_user):
    page = text(as_user(secretary_a).get(bank("account_detail", account_a.pk)))
    assert "3.0 小时" in page and bank("reverse", account_a.entries.get().transfer_id) not in page
    assert as_user(secretary_a).get(bank("spend")).status_code == 403
    assert as_user(secretary_a).get(bank("household_open")).status_code == 403


def test_others_get_404_and_strangers_a_login(world, secretary_b, account_a, household, resident, as_user):
    transfer = account_a.entries.get().transfer
    for user in (other_worker(world), secretary_b):
        client = as_user(user)
        for address in (
            bank("account_detail", account_a.pk),
            bank("account_export", account_a.pk),
            bank("account_detail", household.pk),
            bank("reverse", transfer.pk),
        ):
            assert client.get(address).status_code == 404, address
        assert client.post(bank("reverse", transfer.pk), {"reason": "x"}).status_code == 404
    for address in (bank("index"), bank("mine"), bank("account_list"), bank("account_detail", account_a.pk)):
        response = resident.get(address)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    assert not Transfer.objects.filter(kind="reversal").exists()


def test_a_household_number_from_another_community_cannot_be_spent(
    world, community_worker, account_a, as_user
):
    elsewhere = made.household(world.other_community, "新风居民")
    data = {"source": elsewhere.pk, "member": world.member_a.pk, "hours": "1", "memo": "x"}
    assert "请选择本社区的居民户账户。" in text(as_user(community_worker).post(bank("spend"), data))


def test_the_pages_run_a_fixed_number_of_queries(
    world, member_a, community_worker, account_a, household, as_user
):
    worker, member = as_user(community_worker), as_user(member_a)
    pages = [
        (worker, bank("account_list")),
        (worker, bank("account_detail", account_a.pk)),
        (member, bank("mine")),
    ]
    few = [count_queries(client, address) for client, address in pages]
    for i in range(8):
        if i < 4:
            services.donate(actor=member_a, source=account_a, target=household, hours="0.5")
        made.household(world.community, f"居民{i}")
    assert [count_queries(client, address) for client, address in pages] == few == [6, 7, 9]


def test_a_member_sees_only_their_own_account(world, member_a, account_a, household, as_user):
    made.registration(world.member_b, world.other_community)
    made.record(world.member_b, world.other_community, "2")
    other = Account.objects.get(member=world.member_b)
    client = as_user(member_a)
    for address in (
        bank("account_detail", other.pk),
        bank("account_export", other.pk),
        bank("account_detail", household.pk),
    ):
        assert client.get(address).status_code == 404, address
    assert client.get(bank("account_detail", account_a.pk)).status_code == 200
    assert client.get(bank("account_list"))["Location"] == bank("mine")
