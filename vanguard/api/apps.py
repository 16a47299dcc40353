from django.apps import AppConfig


class ApiConfig(AppConfig):
    name = "vanguard.api"
    label = "api"
    verbose_name = "接口"
