"""The triggers that keep the audit table append-only (see vanguard/audit/triggers.py): PostgreSQL and
SQLite each get their own; other databases get none."""

from django.db import migrations


def install(apps, schema_editor):
    from vanguard.audit import triggers

    triggers.install(schema_editor.connection)


def uninstall(apps, schema_editor):
    from vanguard.audit import triggers

    triggers.uninstall(schema_editor.connection)


class Migration(migrations.Migration):
    dependencies = [
        ("audit", "0001_initial"),
    ]

    operations = [
        migrations.RunPython(install, uninstall, elidable=False),
    ]
