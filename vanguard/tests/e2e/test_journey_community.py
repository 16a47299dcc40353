"""A community worker's journey, at a desk: from the community's to-do card, confirms an in-service member's
registration at 南园社区; the member, on a phone, then records two and a half hours of service, which waits
unverified; the worker checks it in the queue and verifies it, and the hours are credited to the member's
time-bank account — on the worker's account list and statement, and on the member's own page."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.utils import timezone

from vanguard.community.models import Registration, ServiceRecord
from vanguard.community.tests import api_factories as made
from vanguard.timebank.models import Account, Entry

pytestmark = pytest.mark.django_db(transaction=True)


def test_a_worker_confirms_a_registration_and_verifies_hours_into_the_time_bank(
    page, phone_page, sign_in, watch_errors, world, community_worker, member_a
):
    name = world.member_a.person.name
    registration = made.registration(
        world.member_a,
        world.community,
        confirm=False,
        occupation="驾驶员",
        strengths="维修、驾驶",
        wishes="周末",
    )

    # The worker's overview: one registration waiting. 报到待确认 → the list → the member's registration.
    errors = watch_errors(page)
    sign_in(page, community_worker, "/community/")
    waiting = page.locator("#waiting")
    waiting.get_by_text("报到待确认").click()
    page.wait_for_url("**/community/registrations/?status=submitted")
    rows = page.locator("#registration-rows tbody tr")
    assert rows.count() == 1 and "待确认" in rows.first.inner_text()
    rows.first.get_by_role("link", name=name).click()
    page.wait_for_url(f"**/community/registrations/{registration.pk}/")
    data = page.locator("#registration-data")
    assert data.get_by_text("维修、驾驶").is_visible()
    assert data.get_by_text("138****5678").is_visible()  # the mobile is masked, even for the worker
    page.get_by_role("button", name="确认报到").click()
    page.get_by_text(f"已确认{name}在南园社区报到。").wait_for()
    assert page.locator("h1").get_by_text("已报到").is_visible()
    assert page.get_by_role("button", name="确认报到").count() == 0
    registration.refresh_from_db()
    assert registration.status == Registration.Status.CONFIRMED
    assert registration.confirmed_by == community_worker

    # The member, on a phone: now registered, records an afternoon's service; it waits for the community.
    phone = phone_page
    phone_errors = watch_errors(phone)
    sign_in(phone, member_a, "/community/")
    mine = phone.locator("#my-status")
    assert mine.get_by_text("已报到").is_visible()
    mine.get_by_role("link", name="记录服务").click()
    phone.wait_for_url("**/community/service/new/")
    today = timezone.localdate()
    phone.fill("#id_activity", "为独居老人刘奶奶打扫房间、代购药品")
    phone.fill("#id_served_on", f"{today:%Y-%m-%d}")
    phone.fill("#id_hours", "2.5")
    phone.get_by_role("button", name="提交").click()
    phone.get_by_text(f"已记录{today:%Y-%m-%d}的服务2.5小时,待社区核实后计入时间银行。").wait_for()
    record = ServiceRecord.objects.get()
    assert (record.status, record.hours, record.member) == (
        ServiceRecord.Status.REPORTED,
        Decimal("2.5"),
        world.member_a,
    )
    assert not Entry.objects.exists()  # nothing credited before the community verifies

    # The worker: back to the overview, 服务待核实 → the queue → 核实并入账.
    page.locator(".community-nav").get_by_role("link", name="概览").click()
    page.locator("#waiting").get_by_text("服务待核实").click()
    page.wait_for_url("**/community/service/?status=reported")
    item = page.locator("#records li", has_text="为独居老人刘奶奶打扫房间、代购药品")
    assert item.get_by_text("2.5 小时").is_visible() and item.get_by_text(name).is_visible()
    item.get_by_role("button", name="核实并入账").click()
    page.get_by_text(f"已核实{name}的服务,2.5小时已计入时间银行。").wait_for()
    assert page.get_by_text("没有服务记录。").is_visible()  # the queue is empty
    record.refresh_from_db()
    assert (record.status, record.verified_by) == (ServiceRecord.Status.VERIFIED, community_worker)

    # The time bank: the member's account was opened by the credit and holds the hours.
    page.locator(".community-nav").get_by_role("link", name="时间银行").click()
    page.wait_for_url("**/timebank/accounts/")
    account_row = page.locator("#accounts tbody tr", has_text=name)
    assert account_row.locator("td").last.inner_text() == "2.5"
    account_row.get_by_role("link", name=name).click()
    page.wait_for_url("**/timebank/accounts/*/")
    assert page.locator("#balance").get_by_text("2.5 小时").is_visible()
    assert page.get_by_text("为独居老人刘奶奶打扫房间、代购药品").first.is_visible()
    account = Account.objects.get(member=world.member_a)
    assert made.balance(account) == Decimal("2.5")

    # And the member sees the same balance on their phone.
    phone.locator(".community-nav").get_by_role("link", name="时间银行").click()
    phone.wait_for_url("**/timebank/mine/")
    assert phone.locator("#balance").get_by_text("2.5 小时").is_visible()
    assert errors == [] and phone_errors == []  # no script error, no CSP violation on the way
