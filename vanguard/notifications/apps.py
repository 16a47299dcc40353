from django.apps import AppConfig


class NotificationsConfig(AppConfig):
    name = "vanguard.notifications"
    label = "notifications"
    verbose_name = "通知"
