"""Nothing in the application changes or removes a record, and the database refuses it too."""

from __future__ import annotations

import pytest
from django.core.management import call_command
from django.db import IntegrityError, connection, transaction

from vanguard.audit import services, triggers
from vanguard.audit.models import Action, AuditRecord, AuditTrailError

from .helpers import days_ago, make_records, make_records_at, raw_sql

pytestmark = pytest.mark.django_db


def test_the_model_refuses_to_save_an_existing_record():
    entry = make_records(1)[0]
    entry.detail = "改动"
    with pytest.raises(AuditTrailError):
        entry.save()
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.get(pk=entry.pk).save(update_fields=["detail"])
    assert AuditRecord.objects.get(pk=entry.pk).detail == "第0条"


def test_the_model_refuses_to_delete_a_record():
    entry = make_records(1)[0]
    with pytest.raises(AuditTrailError):
        entry.delete()
    assert AuditRecord.objects.filter(pk=entry.pk).exists()


def test_the_queryset_refuses_updates_and_deletes():
    make_records(2)
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.update(detail="改动")
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.filter(action=Action.OTHER).delete()
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.all().delete()
    assert AuditRecord.objects.count() == 2


def test_records_are_written_only_through_record():
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.create(at=days_ago(0), action=Action.OTHER)
    with pytest.raises(AuditTrailError):
        AuditRecord.objects.bulk_create([AuditRecord(at=days_ago(0), action=Action.OTHER)])


def test_an_unknown_action_is_refused():
    with pytest.raises(ValueError):
        services.record(action="rename")


def test_the_database_refuses_an_update():
    entry = make_records(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["改动", entry.pk])
    assert AuditRecord.objects.get(pk=entry.pk).detail == "第0条"


def test_the_database_refuses_an_update_of_an_old_record_too():
    entry = make_records_at(days_ago(400))[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("UPDATE audit_auditrecord SET success = %s WHERE id = %s", [False, entry.pk])


def test_the_database_refuses_to_delete_a_young_record():
    entry = make_records_at(days_ago(183))[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [entry.pk])
    assert AuditRecord.objects.filter(pk=entry.pk).exists()


def test_the_database_lets_a_record_older_than_184_days_be_deleted():
    old = make_records_at(days_ago(185))[0]
    young = make_records(1)[0]
    assert raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [old.pk]) == 1
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("DELETE FROM audit_auditrecord")
    assert list(AuditRecord.objects.values_list("pk", flat=True)) == [young.pk]


def test_the_triggers_are_installed_by_the_migrations():
    assert triggers.missing(connection) == []


def test_deleting_a_user_leaves_their_records_as_they_were(member_a):
    entry = services.record(action=Action.OTHER, user=member_a)
    member_a.delete()
    stored = AuditRecord.objects.select_related("user").get(pk=entry.pk)
    assert stored.user is None
    assert stored.user_id == entry.user_id
    assert stored.username == "member_a"


@pytest.mark.django_db(transaction=True)
def test_a_flush_empties_the_trail_and_keeps_the_triggers():
    # The test runner flushes between transactional tests; on SQLite that is a DELETE the trigger sees.
    make_records(2)
    call_command("flush", interactive=False, verbosity=0)
    assert AuditRecord.objects.count() == 0
    assert triggers.missing(connection) == []
    entry = make_records(1)[0]
    with pytest.raises(IntegrityError), transaction.atomic():
        raw_sql("DELETE FROM audit_auditrecord WHERE id = %s", [entry.pk])
