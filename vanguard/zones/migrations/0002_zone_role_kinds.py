"""The six roles of a zone named in seed 000 (华盛一区's 优秀党员责任区): the list starts with them and stays
editable in the admin."""

from django.db import migrations

ROLE_KINDS = [
    ("负责人", True),
    ("业务带头人", False),
    ("社区党总支书记协助", False),
    ("社区联络员", False),
    ("青年志愿者代表", False),
    ("监督员", False),
]


def add_role_kinds(apps, schema_editor):
    ZoneRoleKind = apps.get_model("zones", "ZoneRoleKind")
    for order, (name, is_lead) in enumerate(ROLE_KINDS, start=1):
        ZoneRoleKind.objects.get_or_create(name=name, defaults={"order": order, "is_lead": is_lead})


def remove_role_kinds(apps, schema_editor):
    ZoneRoleKind = apps.get_model("zones", "ZoneRoleKind")
    ZoneRoleKind.objects.filter(name__in=[name for name, _lead in ROLE_KINDS]).delete()


class Migration(migrations.Migration):
    dependencies = [("zones", "0001_initial")]

    operations = [migrations.RunPython(add_role_kinds, remove_role_kinds)]
