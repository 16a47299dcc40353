from django.apps import AppConfig


class OrgConfig(AppConfig):
    name = "vanguard.org"
    label = "org"
    verbose_name = "组织与人员"
