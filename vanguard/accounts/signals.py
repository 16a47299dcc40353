from __future__ import annotations

from django.contrib.auth.signals import user_logged_in
from django.dispatch import receiver
from django.utils import timezone

from .middleware import LAST_SEEN, LOGIN_AT


@receiver(user_logged_in, dispatch_uid="vanguard.accounts.session_started")
def session_started(sender, request, user, **kwargs) -> None:
    """Stamp the session with its start: the 12-hour limit counts from the login, not the next request."""
    if request is not None and hasattr(request, "session"):
        now = timezone.now().timestamp()
        request.session[LOGIN_AT] = now
        request.session[LAST_SEEN] = now
