"""Service records (活动记实) in the browser: a member records service on a phone and sees 待核实 until the
community verifies it; a verified record is credited to the time bank, a self-reported one never is; the
worker rejects with a reason, or enters a record verified at once; wrong hours and dates are named; another
community's worker and another branch get 404; fixed queries."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest

from vanguard.community.models import ServiceRecord
from vanguard.org.tests import factories
from vanguard.timebank.models import Account, Entry

from . import api_factories as made
from .pages import count_queries, messages_of, other_worker, register_a, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, member_a):
    return register_a(world)


@pytest.fixture
def worker_b(world):
    return other_worker(world)


Status = ServiceRecord.Status


def _report(client, **extra):
    data = {"activity": "清理楼道小广告", "served_on": "2026-08-12", "hours": "2.5"}
    return client.post(url("service_report"), {**data, **extra})


def test_a_members_record_waits_unverified_and_is_not_credited(world, member_a, registered, as_user):
    client = as_user(member_a)
    page = text(client.get(url("service_report")))
    assert 'step="0.5"' in page and "南园社区" in page
    response = _report(client)
    assert messages_of(response) == ["已记录2026-08-12的服务2.5小时,待社区核实后计入时间银行。"]
    record = ServiceRecord.objects.get()
    assert (record.status, record.hours, record.community) == (
        Status.REPORTED,
        Decimal("2.5"),
        world.community,
    )
    listing = text(client.get(url("service_list")))
    assert "清理楼道小广告" in listing and "待核实" in listing and "核实并入账" not in listing
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field_message"),
    [
        ({"hours": "1.3"}, "时长以0.5小时为单位。"),
        ({"hours": "0"}, "时长应大于0且不超过24小时。"),
        ({"hours": "25"}, "时长应大于0且不超过24小时。"),
        ({"hours": "两小时"}, "请填写数字。"),
        ({"served_on": "2099-01-01"}, "服务日期不能晚于今天。"),
        ({"served_on": "12/08/2026"}, "请按“年-月-日”填写日期。"),
        ({"activity": ""}, "请填写服务内容。"),
    ],
)
def test_wrong_input_is_named_and_nothing_is_saved(
    world, member_a, registered, as_user, extra, field_message
):
    page = text(_report(as_user(member_a), **extra))
    assert field_message in page
    assert not ServiceRecord.objects.exists()


def test_an_unregistered_member_is_told_to_register_first(world, member_a, as_user):
    client = as_user(member_a)
    assert "请先在居住地社区报到" in text(client.get(url("service_report")))
    response = _report(client)
    assert messages_of(response) == ["请先在居住地社区报到,经社区确认后再记录服务。"]
    assert not ServiceRecord.objects.exists()


def test_the_worker_verifies_and_the_hours_are_credited(
    world, member_a, community_worker, registered, as_user
):
    record = made.record(world.member_a, world.community, "2.5", verify=False)
    client = as_user(community_worker)
    queue = text(client.get(url("service_list"), {"status": "reported"}))
    assert "王建国" in queue and url("service_verify", record.pk) in queue
    response = client.post(url("service_verify", record.pk))
    assert messages_of(response) == ["已核实王建国的服务,2.5小时已计入时间银行。"]
    assert response["Location"] == url("service_list") + "?status=reported"
    record.refresh_from_db()
    assert record.status == Status.VERIFIED
    account = Account.objects.get(member=world.member_a)
    assert made.balance(account) == Decimal("2.5")
    again = client.post(url("service_verify", record.pk))
    assert messages_of(again)[-1] == "该服务记录当前为“已核实”,不能再核实。"
    assert made.balance(account) == Decimal("2.5")


def test_a_rejection_needs_a_reason_and_is_never_credited(
    world, member_a, community_worker, registered, as_user
):
    record = made.record(world.member_a, world.community, verify=False)
    client = as_user(community_worker)
    assert "未予核实的原因" in text(client.get(url("service_reject", record.pk)))
    assert "请说明不予核实的原因。" in text(client.post(url("service_reject", record.pk), {"reason": ""}))
    record.refresh_from_db()
    assert record.status == Status.REPORTED
    response = client.post(url("service_reject", record.pk), {"reason": "当天没有该活动"})
    assert messages_of(response) == ["已将王建国的服务记录标为未核实。"]
    record.refresh_from_db()
    assert (record.status, record.rejection_reason) == (Status.REJECTED, "当天没有该活动")
    assert not Entry.objects.exists()
    page = text(as_user(member_a).get(url("service_list")))
    assert "未核实" in page and "当天没有该活动" in page


def test_the_worker_enters_a_record_verified_at_once(world, community_worker, registered, as_user):
    client = as_user(community_worker)
    page = text(client.get(url("service_enter")))
    assert "王建国(南园社区)" in page
    response = client.post(
        url("service_enter"),
        {"member": world.member_a.pk, "activity": "治安巡逻", "served_on": "2026-08-01", "hours": "3"},
    )
    assert messages_of(response) == ["已录入王建国的服务并核实,3.0小时已计入时间银行。"]
    record = ServiceRecord.objects.get()
    assert (record.status, record.verified_by) == (Status.VERIFIED, community_worker)
    assert made.balance(Account.objects.get(member=world.member_a)) == Decimal("3")
    page = text(client.post(url("service_enter"), {"member": world.member_b.pk, "hours": "1"}))
    assert "请选择在本社区报到的党员。" in page


def test_members_cannot_verify_or_enter(world, member_a, registered, as_user):
    record = made.record(world.member_a, world.community, verify=False)
    client = as_user(member_a)
    assert client.post(url("service_verify", record.pk)).status_code == 403
    assert client.get(url("service_reject", record.pk)).status_code == 403
    assert client.get(url("service_enter")).status_code == 403
    record.refresh_from_db()
    assert record.status == Status.REPORTED


def test_another_communitys_records_are_out_of_sight(world, worker_b, secretary_b, registered, as_user):
    record = made.record(world.member_a, world.community, verify=False)
    for user in (worker_b, secretary_b):
        client = as_user(user)
        assert client.post(url("service_verify", record.pk)).status_code == 404
        assert client.get(url("service_reject", record.pk)).status_code == 404
        assert "清理楼道小广告" not in text(client.get(url("service_list")))
    record.refresh_from_db()
    assert record.status == Status.REPORTED


def test_the_branch_reads_its_members_records_read_only(world, secretary_a, registered, as_user):
    made.record(world.member_a, world.community, verify=False)
    page = text(as_user(secretary_a).get(url("service_list")))
    assert "清理楼道小广告" in page and "核实并入账" not in page


def test_the_list_runs_a_fixed_number_of_queries(world, member_a, community_worker, registered, as_user):
    made.record(world.member_a, world.community, verify=False)
    worker, member = as_user(community_worker), as_user(member_a)
    few = (count_queries(worker, url("service_list")), count_queries(member, url("service_list")))
    other = factories.member(world.branch_b, "赵志强", residence=world.community)
    made.registration(other, world.community)
    for i in range(10):
        made.record(
            other if i % 2 else world.member_a,
            world.community,
            verify=bool(i % 3),
            served_on=dt.date(2026, 7, i + 1),
        )
    assert (
        (count_queries(worker, url("service_list")), count_queries(member, url("service_list")))
        == few
        == (6, 8)
    )
