from django.apps import AppConfig


class PublicConfig(AppConfig):
    name = "vanguard.public"
    label = "public"
    verbose_name = "公开展示"

    def ready(self) -> None:
        from . import receivers

        receivers.connect()
