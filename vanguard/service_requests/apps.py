from django.apps import AppConfig


class ServiceRequestsConfig(AppConfig):
    name = "vanguard.service_requests"
    label = "service_requests"
    verbose_name = "群众诉求"

    def ready(self) -> None:
        from . import policies, signals

        policies.register()
        signals.connect()
