from django.apps import AppConfig


class AuditConfig(AppConfig):
    name = "vanguard.audit"
    label = "audit"
    verbose_name = "审计"

    def ready(self) -> None:
        from django.db.backends.signals import connection_created

        from . import signals  # noqa: F401
        from .triggers import let_flush_through

        connection_created.connect(let_flush_through, dispatch_uid="vanguard.audit.let_flush_through")
