from django.apps import AppConfig


class ContactsConfig(AppConfig):
    name = "vanguard.contacts"
    label = "contacts"
    verbose_name = "联系群众"

    def ready(self) -> None:
        from . import exports, policies

        policies.register()
        # `vanguard export contacts-below-two` and `contacts-not-visited` on the console.
        exports.register_kinds()
