"""Database triggers that keep the audit table append-only even for code that bypasses the model.

Both databases refuse every UPDATE of a row and the DELETE of a row younger than RETENTION_DAYS, so only
`vanguard audit purge` of old rows gets through. Migration 0002 installs them. On SQLite, a migration that
alters the audit table rebuilds it and loses its triggers: such a migration must call `install()` again
(`vanguard audit verify` reports missing triggers).

The test runner empties every table between transactional tests. PostgreSQL flushes with TRUNCATE, which
row triggers do not see; SQLite flushes with DELETE, which the trigger refuses, so the test suite (and only
the test suite: see vanguard/conftest.py) connects `let_flush_through`, which drops the delete trigger
around the flush and restores it in the same transaction. Outside the tests `vanguard flush` on SQLite is
refused while the trail holds young records.
"""

from __future__ import annotations

from .models import RETENTION_DAYS

TABLE = "audit_auditrecord"

_PG_FUNCTION = f"""
CREATE OR REPLACE FUNCTION audit_auditrecord_guard() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    IF TG_OP = 'UPDATE' THEN
        RAISE EXCEPTION 'audit records are append-only: UPDATE of record % refused', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    IF OLD.at > now() - interval '{RETENTION_DAYS} days' THEN
        RAISE EXCEPTION 'audit record % is younger than {RETENTION_DAYS} days: DELETE refused', OLD.id
            USING ERRCODE = 'integrity_constraint_violation';
    END IF;
    RETURN OLD;
END;
$$
"""
_PG_TRIGGER = f"""
CREATE TRIGGER audit_auditrecord_append_only BEFORE UPDATE OR DELETE ON {TABLE}
    FOR EACH ROW EXECUTE FUNCTION audit_auditrecord_guard()
"""
PG_TRIGGERS = ("audit_auditrecord_append_only",)

SQLITE_NO_UPDATE = f"""
CREATE TRIGGER audit_auditrecord_no_update BEFORE UPDATE ON {TABLE}
BEGIN
    SELECT RAISE(ABORT, 'audit records are append-only: UPDATE refused');
END
"""
# Django keeps datetimes on SQLite as UTC text 'YYYY-MM-DD HH:MM:SS[.ffffff]', the same shape as SQLite's
# datetime('now', ...), which is UTC too: the text comparison is a time comparison.
SQLITE_NO_DELETE = f"""
CREATE TRIGGER audit_auditrecord_no_delete BEFORE DELETE ON {TABLE}
WHEN old.at > datetime('now', '-{RETENTION_DAYS} days')
BEGIN
    SELECT RAISE(ABORT, 'audit records younger than {RETENTION_DAYS} days cannot be deleted');
END
"""
SQLITE_DROP_NO_DELETE = "DROP TRIGGER IF EXISTS audit_auditrecord_no_delete"
SQLITE_TRIGGERS = ("audit_auditrecord_no_update", "audit_auditrecord_no_delete")


def install(connection) -> None:
    # No query parameters: the SQLite wrapper would otherwise read '%' as a placeholder.
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(_PG_FUNCTION)
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON {TABLE}")
            cursor.execute(_PG_TRIGGER)
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")
            cursor.execute(SQLITE_NO_UPDATE)
            cursor.execute(SQLITE_NO_DELETE)


def uninstall(connection) -> None:
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(f"DROP TRIGGER IF EXISTS audit_auditrecord_append_only ON {TABLE}")
            cursor.execute("DROP FUNCTION IF EXISTS audit_auditrecord_guard()")
        elif connection.vendor == "sqlite":
            for name in SQLITE_TRIGGERS:
                cursor.execute(f"DROP TRIGGER IF EXISTS {name}")


def missing(connection) -> list[str]:
    """The guard triggers this database should have and has not."""
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT tgname FROM pg_trigger WHERE tgrelid = %s::regclass AND tgenabled <> 'D'", [TABLE]
            )
            expected = PG_TRIGGERS
        elif connection.vendor == "sqlite":
            cursor.execute("SELECT name FROM sqlite_master WHERE type = 'trigger' AND tbl_name = %s", [TABLE])
            expected = SQLITE_TRIGGERS
        else:
            return []
        present = {row[0] for row in cursor.fetchall()}
    return [name for name in expected if name not in present]


def let_flush_through(sender, connection, **kwargs) -> None:
    """connection_created receiver: on SQLite, wrap the flush statements around the delete trigger."""
    if connection.vendor != "sqlite" or getattr(connection.ops, "_audit_flush_wrapped", False):
        return
    ops = connection.ops
    original = ops.sql_flush

    def sql_flush(style, tables, **options):
        statements = original(style, tables, **options)
        if TABLE not in tables or "audit_auditrecord_no_delete" in missing(connection):
            return statements
        return [SQLITE_DROP_NO_DELETE, *statements, SQLITE_NO_DELETE]

    ops.sql_flush = sql_flush
    ops._audit_flush_wrapped = True
