from django.apps import AppConfig


class ReportsConfig(AppConfig):
    name = "vanguard.reports"
    label = "reports"
    verbose_name = "月度汇报"

    def ready(self) -> None:
        from . import policies

        policies.register()
