from django.apps import AppConfig


class PostsConfig(AppConfig):
    name = "vanguard.posts"
    label = "posts"
    verbose_name = "示范岗与岗位标准"

    def ready(self) -> None:
        from . import policies

        policies.register()
