from django.apps import AppConfig


class TimebankConfig(AppConfig):
    name = "vanguard.timebank"
    label = "timebank"
    verbose_name = "社区时间银行"

    def ready(self) -> None:
        from . import policies

        policies.register()
