from django.apps import AppConfig


class CommunityConfig(AppConfig):
    name = "vanguard.community"
    label = "community"
    verbose_name = "在职党员进社区"

    def ready(self) -> None:
        from . import policies

        policies.register()
