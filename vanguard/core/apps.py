from django.apps import AppConfig


class CoreConfig(AppConfig):
    name = "vanguard.core"
    label = "core"
    verbose_name = "核心"
