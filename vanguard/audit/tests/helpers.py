"""Shared by the audit tests: making records at a given time, and editing the table behind the
application's back the way someone with database access would."""

from __future__ import annotations

import contextlib
import datetime as dt
from collections.abc import Iterator

import time_machine
from django.core.management import call_command
from django.db import connection
from django.utils import timezone

from vanguard.audit import services, triggers
from vanguard.audit.models import Action, AuditRecord


def make_records(count: int, **fields) -> list[AuditRecord]:
    fields.setdefault("action", Action.OTHER)
    return [services.record(detail=f"第{i}条", **fields) for i in range(count)]


def make_records_at(when: dt.datetime, count: int = 1, **fields) -> list[AuditRecord]:
    with time_machine.travel(when, tick=False):
        return make_records(count, **fields)


def days_ago(days: int) -> dt.datetime:
    return timezone.now() - dt.timedelta(days=days)


@contextlib.contextmanager
def guard_lifted() -> Iterator[None]:
    """Drop the append-only triggers for the block, as someone with the database in hand could. The test's
    transaction rolls the DDL back too, on both databases."""
    triggers.uninstall(connection)
    try:
        yield
    finally:
        triggers.install(connection)


def raw_sql(sql: str, params: list | None = None) -> int:
    with connection.cursor() as cursor:
        cursor.execute(sql, params or [])
        return cursor.rowcount


def run_verify() -> tuple[bool, str]:
    """(passed, output) of `vanguard audit verify`."""
    from io import StringIO

    from django.core.management.base import CommandError

    out = StringIO()
    try:
        call_command("audit", "verify", stdout=out)
    except CommandError as exc:
        return False, out.getvalue() + str(exc)
    return True, out.getvalue()
