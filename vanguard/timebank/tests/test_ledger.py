"""The time bank's ledger: double entry, never below zero (also under concurrent spends), corrections by
reversal, and every balance equal to the sum of its entries after a randomised sequence of operations."""

from __future__ import annotations

import datetime as dt
import random
import threading
from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.db import DatabaseError, connection
from django.db.models import Sum

from vanguard.community import services_work
from vanguard.community.models import ServiceRecord
from vanguard.org.models import Person
from vanguard.timebank import services
from vanguard.timebank.models import Account, Entry, Transfer


def _record(world, member_a, hours="3", on=dt.date(2026, 10, 5)) -> ServiceRecord:
    return services_work.service_report(
        actor=member_a,
        member=world.member_a,
        community=world.community,
        activity="清理楼道",
        served_on=on,
        hours=hours,
    )


@pytest.mark.django_db
def test_an_unverified_record_is_never_credited(world, member_a, community_worker):
    record = _record(world, member_a)
    assert record.status == ServiceRecord.Status.REPORTED
    with pytest.raises(ValidationError) as exc:
        services.credit(actor=community_worker, record=record)
    assert "尚未经社区核实" in exc.value.messages[0]
    assert not Entry.objects.exists()


@pytest.mark.django_db
def test_a_verified_record_is_credited_once(world, member_a, community_worker):
    record = services_work.service_verify(actor=community_worker, record=_record(world, member_a, "2.5"))
    account = Account.objects.get(member=world.member_a)
    assert services.balance(account) == Decimal("2.5")
    assert services.balance(services.issuer(world.community)) == Decimal("-2.5")
    with pytest.raises(ValidationError):
        services.credit(actor=community_worker, record=record)
    assert Transfer.objects.count() == 1


@pytest.mark.django_db
def test_hours_come_in_half_hours(world, member_a):
    with pytest.raises(ValidationError) as exc:
        _record(world, member_a, "1.3")
    assert exc.value.message_dict == {"hours": ["时长以0.5小时为单位。"]}


@pytest.mark.django_db
def test_spending_more_than_the_balance_is_refused(world, member_a, community_worker):
    services_work.service_verify(actor=community_worker, record=_record(world, member_a, "2"))
    member = Account.objects.get(member=world.member_a)
    household = services.household_account(Person.objects.create(name="独居老人"), world.community)
    with pytest.raises(ValidationError) as exc:
        services.donate(actor=member_a, source=member, target=household, hours="2.5")
    assert (
        "余额不足" in exc.value.message_dict["hours"][0]
        and "当前余额2.0小时" in exc.value.message_dict["hours"][0]
    )
    assert services.balance(member) == Decimal("2")
    services.donate(actor=member_a, source=member, target=household, hours="2")
    assert (services.balance(member), services.balance(household)) == (Decimal("0"), Decimal("2"))


@pytest.mark.django_db
def test_a_correction_is_a_reversing_transfer_and_the_ledger_refuses_updates(
    world, member_a, community_worker
):
    record = services_work.service_verify(actor=community_worker, record=_record(world, member_a, "3"))
    credit = record.transfer
    with pytest.raises(ValidationError):
        services.reverse(actor=community_worker, transfer=credit, reason="")
    reversal = services.reverse(actor=community_worker, transfer=credit, reason="重复登记")
    assert reversal.reverses == credit
    assert services.balance(Account.objects.get(member=world.member_a)) == Decimal("0")
    with pytest.raises(ValidationError):
        services.reverse(actor=community_worker, transfer=credit, reason="再次")
    with pytest.raises(DatabaseError):
        Entry.objects.filter(transfer=credit).update(hours=Decimal("10"))


@pytest.mark.django_db
def test_a_randomised_sequence_keeps_every_balance_equal_to_its_entries(world, member_a, community_worker):
    rng = random.Random(20261121)
    member = None
    households = [
        services.household_account(Person.objects.create(name=f"居民{i}"), world.community) for i in range(3)
    ]
    expected: dict[int, Decimal] = {h.pk: Decimal(0) for h in households}
    for step in range(60):
        op = rng.choice(["earn", "earn", "donate", "spend", "reverse"])
        try:
            if op == "earn":
                hours = Decimal(rng.randint(1, 8)) / 2
                record = services_work.service_verify(
                    actor=community_worker,
                    record=_record(world, member_a, hours, dt.date(2026, 10, 1 + step % 28)),
                )
                member = record.transfer.entries.get(hours__gt=0).account
            elif op == "donate" and member is not None:
                services.donate(
                    actor=member_a,
                    source=member,
                    target=rng.choice(households),
                    hours=Decimal(rng.randint(1, 6)) / 2,
                )
            elif op == "spend" and member is not None:
                services.spend(
                    actor=community_worker,
                    source=rng.choice(households),
                    target=member,
                    hours=Decimal(rng.randint(1, 4)) / 2,
                    memo="帮忙搬家",
                )
            elif op == "reverse":
                candidates = Transfer.objects.exclude(kind=Transfer.Kind.REVERSAL).filter(
                    reversed_by__isnull=True
                )
                if candidates.exists():
                    services.reverse(
                        actor=community_worker, transfer=rng.choice(list(candidates)), reason="更正"
                    )
        except ValidationError:
            pass  # refused for want of a balance: the ledger must be unchanged, checked below
    for transfer in Transfer.objects.all():
        assert transfer.entries.count() == 2
        assert transfer.entries.aggregate(s=Sum("hours"))["s"] == 0
    assert Entry.objects.aggregate(s=Sum("hours"))["s"] == 0
    for account in Account.objects.all():
        total = Entry.objects.filter(account=account).aggregate(s=Sum("hours"))["s"] or Decimal(0)
        assert services.balance(account) == total
        if account.kind != Account.Kind.ISSUER:
            assert total >= 0
    assert Transfer.objects.count() > 20
    del expected


@pytest.mark.django_db(transaction=True)
def test_two_concurrent_spends_that_together_exceed_the_balance(world, member_a, community_worker):
    services_work.service_verify(actor=community_worker, record=_record(world, member_a, "3"))
    member = Account.objects.get(member=world.member_a)
    household = services.household_account(Person.objects.create(name="空巢老人"), world.community)
    services.donate(actor=member_a, source=member, target=household, hours="3")
    outcomes: list[object] = []
    start = threading.Barrier(2)

    def pay() -> None:
        try:
            start.wait()
            services.spend(
                actor=community_worker, source=household, target=member, hours="2", memo="陪同就医"
            )
            outcomes.append("paid")
        except ValidationError as exc:
            outcomes.append(exc.message_dict["hours"][0])
        except BaseException as exc:
            outcomes.append(exc)
        finally:
            connection.close()

    threads = [threading.Thread(target=pay) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=60)
    assert sorted(outcomes, key=str).count("paid") == 1, outcomes
    (refusal,) = [o for o in outcomes if o != "paid"]
    assert isinstance(refusal, str) and "余额不足" in refusal
    assert services.balance(household) == Decimal("1")
