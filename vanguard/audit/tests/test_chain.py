from __future__ import annotations

import datetime as dt
import threading

import pytest
from django.db import connections
from django.test import override_settings

from vanguard.audit import chain, services
from vanguard.audit.models import Action, AuditRecord

from .helpers import guard_lifted, make_records, raw_sql, run_verify

pytestmark = pytest.mark.django_db


def test_each_record_chains_to_the_one_before_it():
    first, second, third = make_records(3)
    assert first.prev_hash == chain.GENESIS
    assert second.prev_hash == first.hash
    assert third.prev_hash == second.hash
    assert len({first.hash, second.hash, third.hash}) == 3


def test_the_hash_covers_what_is_read_back_from_the_database(member_a):
    # Values that change shape on the way through the database: a date, an IPv6 address, Chinese text,
    # nested JSON, a user.
    services.record(
        action=Action.UPDATE,
        user=member_a,
        object_type="org.person",
        object_id="7",
        object_repr="王建国",
        before={"birth_date": dt.date(1980, 1, 1), "strengths": ["维修", "法律咨询"], "n": 1.5},
        after={"birth_date": "1980-02-01", "nested": {"b": 1, "a": None}},
        detail="修改出生日期",
    )
    with services.audit_context(address="2001:0db8:0000:0000:0000:0000:0000:0001"):
        services.record(action=Action.OTHER)
    for stored in AuditRecord.objects.order_by("pk"):
        assert chain.hash_matches(stored), stored
    assert AuditRecord.objects.order_by("pk").last().address == "2001:db8::1"


def test_verify_passes_on_a_clean_chain():
    make_records(5)
    passed, output = run_verify()
    assert passed
    assert "审计记录完整:共 5 条" in output


def test_verify_passes_on_an_empty_trail():
    passed, output = run_verify()
    assert passed
    assert "共 0 条" in output


def test_verify_finds_a_record_changed_in_the_database():
    records = make_records(4)
    with guard_lifted():
        raw_sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["改过的说明", records[1].pk])
    passed, output = run_verify()
    assert not passed
    assert f"#{records[1].pk}" in output
    assert "内容与哈希不符" in output
    assert f"#{records[2].pk}" not in output


def test_verify_finds_a_record_whose_hash_was_replaced_too():
    records = make_records(3)
    with guard_lifted():
        raw_sql(
            "UPDATE audit_auditrecord SET success = %s, hash = %s WHERE id = %s",
            [False, "f" * 64, records[0].pk],
        )
    passed, output = run_verify()
    assert not passed
    assert f"#{records[0].pk}" in output
    # The record after it no longer links to it.
    assert f"#{records[1].pk}" in output
    assert "未接续上一条记录" in output


def test_verify_finds_a_record_deleted_from_the_middle():
    records = make_records(3)
    with guard_lifted():
        raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [records[1].pk])
    passed, output = run_verify()
    assert not passed
    assert f"#{records[2].pk}" in output
    assert "未接续上一条记录" in output


def test_verify_finds_the_head_of_the_chain_deleted_without_a_purge():
    records = make_records(3)
    with guard_lifted():
        raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [records[0].pk])
    passed, output = run_verify()
    assert not passed
    assert f"#{records[1].pk}" in output
    assert "被直接删除" in output


def test_verify_reports_missing_triggers():
    make_records(1)
    with guard_lifted():
        passed, output = run_verify()
    assert not passed
    assert "触发器" in output


def test_verify_walks_the_trail_in_chunks():
    make_records(7)
    result = chain.verify(chunk_size=2)
    assert result.ok
    assert result.count == 7


def test_records_made_under_an_older_key_still_verify_after_it_is_rotated():
    with override_settings(AUDIT_HMAC_KEY="old-key"):
        make_records(2)
    with override_settings(AUDIT_HMAC_KEY="new-key", AUDIT_HMAC_KEY_FALLBACKS=["old-key"]):
        make_records(1)
        assert chain.verify().ok
    with override_settings(AUDIT_HMAC_KEY="new-key"):
        result = chain.verify()
    assert not result.ok
    assert len(result.problems) == 2


def test_two_records_can_never_chain_to_the_same_predecessor():
    from django.db import IntegrityError, transaction

    first = make_records(1)[0]
    forged = AuditRecord(
        at=first.at,
        action=Action.OTHER,
        prev_hash=first.prev_hash,
        hash="e" * 64,
    )
    with pytest.raises(IntegrityError), transaction.atomic():
        forged.save()


@pytest.mark.django_db(transaction=True)
def test_concurrent_writers_build_one_unbroken_chain():
    errors: list[Exception] = []

    def write(n: int) -> None:
        try:
            for i in range(10):
                services.record(action=Action.OTHER, detail=f"{n}-{i}")
        except Exception as exc:  # pragma: no cover - reported below
            errors.append(exc)
        finally:
            connections.close_all()

    threads = [threading.Thread(target=write, args=(n,)) for n in range(6)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert errors == []
    result = chain.verify()
    assert result.ok, result.problems
    assert result.count == 60


def test_a_nul_character_never_stops_a_record():
    entry = services.record(
        action=Action.LOGIN_FAILED, username="ad\x00min", success=False, after={"k\x00": ["v\x00"]}
    )
    stored = AuditRecord.objects.get(pk=entry.pk)
    assert stored.username == "admin"
    assert stored.after == {"k": ["v"]}
    assert chain.hash_matches(stored)
