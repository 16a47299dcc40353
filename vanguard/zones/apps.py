from django.apps import AppConfig


class ZonesConfig(AppConfig):
    name = "vanguard.zones"
    label = "zones"
    verbose_name = "责任区"

    def ready(self) -> None:
        from . import policies

        policies.register()
