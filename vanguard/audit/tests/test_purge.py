from __future__ import annotations

import datetime as dt
from io import StringIO

import pytest
from django.core.exceptions import ValidationError
from django.core.management import call_command
from django.core.management.base import CommandError
from django.utils import timezone

from vanguard.audit import chain, services
from vanguard.audit.models import Action, AuditRecord

from .helpers import days_ago, make_records, make_records_at, run_verify

pytestmark = pytest.mark.django_db


def _date_days_ago(days: int) -> dt.date:
    return timezone.localdate() - dt.timedelta(days=days)


def test_purge_refuses_a_date_within_184_days():
    make_records_at(days_ago(300), 2)
    with pytest.raises(CommandError, match="至少保留184天"):
        call_command("audit", "purge", "--before", _date_days_ago(100).isoformat())
    with pytest.raises(ValidationError):
        services.purge(before=_date_days_ago(183))
    assert AuditRecord.objects.count() == 2


def test_purge_refuses_tomorrow_and_accepts_the_latest_allowed_day():
    make_records_at(days_ago(300), 1)
    with pytest.raises(ValidationError):
        services.purge(before=services.latest_purge_date() + dt.timedelta(days=1))
    assert services.purge(before=services.latest_purge_date()).deleted == 1


def test_purge_removes_records_older_than_the_date_and_keeps_the_rest():
    old = make_records_at(days_ago(400), 3)
    kept_old = make_records_at(days_ago(200), 2)
    recent = make_records(2)
    out = StringIO()
    call_command("audit", "purge", "--before", _date_days_ago(300).isoformat(), stdout=out)
    assert "3 条" in out.getvalue()
    remaining = set(AuditRecord.objects.values_list("pk", flat=True))
    assert not remaining & {r.pk for r in old}
    assert {r.pk for r in kept_old + recent} <= remaining


def test_a_purge_records_itself_with_the_anchor_of_the_remaining_chain():
    make_records_at(days_ago(400), 3)
    kept = make_records_at(days_ago(200), 1)[0]
    result = services.purge(before=_date_days_ago(300))
    entry = AuditRecord.objects.order_by("-pk").first()
    assert entry == result.record
    assert entry.action == Action.PURGE
    assert entry.after["deleted"] == 3
    assert entry.after["anchor"] == kept.prev_hash
    assert entry.object_type == "audit.auditrecord"


def test_verify_still_passes_after_a_purge():
    make_records_at(days_ago(400), 3)
    make_records_at(days_ago(250), 2)
    make_records(2)
    call_command("audit", "purge", "--before", _date_days_ago(300).isoformat(), stdout=StringIO())
    passed, output = run_verify()
    assert passed, output
    assert "共 5 条" in output
    # and after a second purge, which removes the first purge's record's predecessors too
    call_command("audit", "purge", "--before", _date_days_ago(200).isoformat(), stdout=StringIO())
    assert chain.verify().ok


def test_a_purge_of_everything_leaves_its_own_record_as_the_anchored_head():
    last = make_records_at(days_ago(400), 2)[-1]
    result = services.purge(before=_date_days_ago(300))
    assert result.deleted == 2
    assert list(AuditRecord.objects.all()) == [result.record]
    assert result.record.prev_hash == last.hash == result.anchor
    assert chain.verify().ok


def test_purge_removes_the_head_of_the_chain_only():
    # A record whose clock ran late sits after a newer one in the chain: the purge stops at the first
    # record that must be kept, so the chain that remains has no hole.
    make_records_at(days_ago(400), 1)
    make_records_at(days_ago(200), 1)
    late = make_records_at(days_ago(500), 1)[0]
    services.purge(before=_date_days_ago(300))
    assert AuditRecord.objects.filter(pk=late.pk).exists()
    assert chain.verify().ok


def test_purge_rejects_a_malformed_date():
    with pytest.raises(CommandError):
        call_command("audit", "purge", "--before", "2024/01/01")
