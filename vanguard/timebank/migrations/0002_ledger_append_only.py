"""The ledger is append-only: both databases refuse an UPDATE of an entry or a transfer. (Deletes stay
possible for `vanguard demo --reset` and the test runner's flush; no code path deletes ledger rows.)"""

from django.db import migrations

TABLES = ("timebank_entry", "timebank_transfer")

PG_FUNCTION = """
CREATE OR REPLACE FUNCTION timebank_no_update() RETURNS trigger LANGUAGE plpgsql AS $$
BEGIN
    RAISE EXCEPTION 'the time-bank ledger is append-only: UPDATE of % refused', TG_TABLE_NAME
        USING ERRCODE = 'integrity_constraint_violation';
END;
$$
"""


def install(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(PG_FUNCTION)
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    "FOR EACH ROW EXECUTE FUNCTION timebank_no_update()"
                )
        elif connection.vendor == "sqlite":
            for table in TABLES:
                cursor.execute(
                    f"CREATE TRIGGER {table}_no_update BEFORE UPDATE ON {table} "
                    "BEGIN SELECT RAISE(ABORT, 'the time-bank ledger is append-only: UPDATE refused'); END"
                )


def uninstall(apps, schema_editor):
    connection = schema_editor.connection
    with connection.cursor() as cursor:
        for table in TABLES:
            if connection.vendor == "postgresql":
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update ON {table}")
            else:
                cursor.execute(f"DROP TRIGGER IF EXISTS {table}_no_update")
        if connection.vendor == "postgresql":
            cursor.execute("DROP FUNCTION IF EXISTS timebank_no_update()")


class Migration(migrations.Migration):
    dependencies = [("timebank", "0001_initial")]

    operations = [migrations.RunPython(install, uninstall)]
