"""Logins, logouts and failed logins, from Django's own auth signals: every way in (the login page, the
admin, the API's authenticate()) goes through them."""

from __future__ import annotations

from django.contrib.auth.signals import user_logged_in, user_logged_out, user_login_failed
from django.dispatch import receiver

from . import services
from .models import Action


@receiver(user_logged_in, dispatch_uid="vanguard.audit.logged_in")
def logged_in(sender, request, user, **kwargs) -> None:
    services.record(action=Action.LOGIN, user=user, request=request)


@receiver(user_logged_out, dispatch_uid="vanguard.audit.logged_out")
def logged_out(sender, request, user, **kwargs) -> None:
    # logout() of a visitor who was not logged in has no one to record.
    if user is not None and user.is_authenticated:
        services.record(action=Action.LOGOUT, user=user, request=request)


@receiver(user_login_failed, dispatch_uid="vanguard.audit.login_failed")
def login_failed(sender, credentials, request=None, **kwargs) -> None:
    # Django has already replaced the password in `credentials` by stars.
    username = str(credentials.get("username") or "")
    services.record(action=Action.LOGIN_FAILED, request=request, username=username, success=False)
