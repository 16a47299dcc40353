"""record_many(): many records in one call, on the same chain as record(); and batch records, many
objects of one model in one record."""

from __future__ import annotations

import datetime as dt
from itertools import pairwise

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.audit import chain, services
from vanguard.audit.models import Action, AuditRecord, AuditTrailError
from vanguard.org.models import Person

from .helpers import make_records, run_verify

pytestmark = pytest.mark.django_db


def test_it_appends_every_entry_in_order_on_the_chain():
    count = services.record_many(
        ({"action": Action.OTHER, "detail": f"第{i}条"} for i in range(5)), username="导入"
    )
    assert count == 5
    records = list(AuditRecord.objects.order_by("pk"))
    assert [r.detail for r in records] == [f"第{i}条" for i in range(5)]
    assert records[0].prev_hash == chain.GENESIS
    for previous, record in pairwise(records):
        assert record.prev_hash == previous.hash
    assert {r.username for r in records} == {"导入"}
    assert all(chain.hash_matches(r) for r in records)
    assert run_verify()[0]


def test_the_chain_is_unbroken_when_record_and_record_many_interleave(member_a):
    make_records(2)
    services.record_many([{"action": Action.OTHER, "detail": "批量"}] * 3, user=member_a, batch_size=2)
    make_records(1)
    services.record_many([{"action": Action.EXPORT, "after": {"n": 1}}] * 4, batch_size=3)
    make_records(1)
    records = list(AuditRecord.objects.order_by("pk"))
    assert len(records) == 11
    for previous, record in pairwise(records):
        assert record.prev_hash == previous.hash
    passed, output = run_verify()
    assert passed, output
    assert "共 11 条" in output


def test_an_entry_with_an_object_is_a_create_or_an_update_with_its_snapshot(world, office):
    person = world.member_a.person
    before = services.snapshot(person)
    person.occupation = "调度员"
    person.save()
    services.record_many(
        [{"obj": person, "before": None}, {"obj": person, "before": before, "detail": "改职业"}], user=office
    )
    created, updated = AuditRecord.objects.order_by("pk")
    assert (created.action, created.before, created.after["occupation"]) == (Action.CREATE, None, "调度员")
    assert (updated.action, updated.before["occupation"], updated.after["occupation"]) == (
        Action.UPDATE,
        "驾驶员",
        "调度员",
    )
    assert (updated.object_type, updated.object_id, updated.object_repr) == (
        "org.person",
        str(person.pk),
        "王建国",
    )
    assert updated.username == "office" and updated.user_id == office.pk
    assert updated.detail == "改职业"
    assert run_verify()[0]


def test_values_are_stored_as_record_stores_them():
    with services.audit_context(address="2001:0db8::0001"):
        before = {"d": dt.date(1980, 1, 1), "s": {"b", "a"}}
        services.record_many([{"action": Action.OTHER, "before": before, "detail": "x\x00y"}])
    stored = AuditRecord.objects.get()
    assert stored.address == "2001:db8::1"
    assert stored.before == {"d": "1980-01-01", "s": ["a", "b"]}
    assert stored.detail == "xy"
    assert chain.hash_matches(stored)


def test_it_inserts_in_batches_not_one_query_per_record():
    make_records(1)
    with CaptureQueriesContext(connection) as queries:
        services.record_many([{"action": Action.OTHER}] * 250, batch_size=100)
    # A savepoint and its release, the lock (PostgreSQL), one read of the last hash, three executemany
    # batches (each logged as one query): never a query per record.
    assert len(queries) <= 7
    assert AuditRecord.objects.count() == 251
    assert run_verify()[0]


def test_an_unknown_action_is_refused_and_nothing_is_written():
    with pytest.raises(ValueError):
        services.record_many([{"action": Action.OTHER}, {"action": "rename"}])
    assert AuditRecord.objects.count() == 0


def test_bulk_create_is_still_refused_and_the_private_path_wants_chained_rows():
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.bulk_create([AuditRecord(action=Action.OTHER, hash="x", prev_hash="y")])
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.all()._append_chained([{"action": Action.OTHER, "hash": "", "prev_hash": ""}])
    assert AuditRecord.objects.count() == 0


# --- batch records: many objects of one model in one record ------------------------------------------------


def test_a_batch_record_keeps_every_objects_values_and_gives_them_back(world, office):
    person = world.member_a.person
    fields = ["id", "name", "gender", "birth_date", "strengths"]
    rows = [
        (person.pk, person.name, Person.Gender.MALE, dt.date(1980, 1, 1), ("文艺", "维修")),
        [person.pk + 1, "李四", "", None, []],
    ]
    stamp = dt.datetime(2026, 1, 2, 3, 4, 5, tzinfo=dt.UTC)
    entry = services.batch_entry(
        action=Action.CREATE,
        model=Person,
        fields=fields,
        rows=rows,
        same={"created_at": stamp},
        detail="导入",
    )
    assert services.record_many([entry], user=office) == 1
    record = AuditRecord.objects.get()
    assert (record.action, record.object_type, record.object_id) == (Action.CREATE, "org.person", "")
    assert record.object_repr == "人员 2条" and record.detail == "导入"
    assert services.is_batch(record.after) and record.before is None
    assert services.batch_objects(record.after) == [
        {
            "id": person.pk,
            "name": "王建国",
            "gender": "M",
            "birth_date": "1980-01-01",
            "strengths": ["文艺", "维修"],
            "created_at": "2026-01-02T03:04:05Z",
        },
        {
            "id": person.pk + 1,
            "name": "李四",
            "gender": "",
            "birth_date": None,
            "strengths": [],
            "created_at": "2026-01-02T03:04:05Z",
        },
    ]
    assert chain.hash_matches(record)
    assert run_verify()[0]


def test_a_batch_update_keeps_each_objects_values_before_and_after_in_the_same_order(world):
    a, b = world.member_a.person, world.member_b.person
    entry = services.batch_entry(
        action=Action.UPDATE,
        model=Person,
        fields=["id", "mobile"],
        rows=[[a.pk, "13700000001"], [b.pk, "13700000002"]],
        before_rows=[[a.pk, a.mobile], [b.pk, b.mobile]],
    )
    services.record_many([entry])
    record = AuditRecord.objects.get()
    before, after = services.batch_objects(record.before), services.batch_objects(record.after)
    assert [(o["id"], o["mobile"]) for o in before] == [(a.pk, "13812345678"), (b.pk, "13987654321")]
    assert [(o["id"], o["mobile"]) for o in after] == [(a.pk, "13700000001"), (b.pk, "13700000002")]
    assert chain.hash_matches(record)


def test_a_batch_is_stored_as_any_record_stores_its_values():
    # A NUL goes, as record() drops it; anything JSON does not know is written as record() writes it.
    entry = services.batch_entry(
        action=Action.CREATE,
        model=AuditRecord,
        fields=["text", "when", "tags"],
        rows=[["a\x00b", dt.datetime(2026, 1, 2, tzinfo=dt.UTC), {"y", "x"}], ["c", None, []]],
    )
    services.record_many([entry])
    record = AuditRecord.objects.get()
    assert services.batch_objects(record.after) == [
        {"text": "ab", "when": "2026-01-02T00:00:00Z", "tags": ["x", "y"]},
        {"text": "c", "when": None, "tags": []},
    ]
    assert chain.hash_matches(record)
    assert run_verify()[0]


def test_a_value_that_is_not_a_batch_is_refused_by_batch_objects():
    with pytest.raises(ValueError):
        services.batch_objects({"name": "王建国"})
