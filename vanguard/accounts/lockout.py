"""Lockout after repeated failed logins: 5 failures within 30 minutes lock the account, and separately the
address, until the oldest of those 5 failures is 30 minutes old.

Hand-written rather than django-axes: axes keeps one counter per (user, address) whose window restarts at
each failure, while the rule here is a true sliding window per account and per address, and the message
must say until when. The same check guards the page login and the API's token endpoint.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.utils import timezone

MAX_FAILURES = 5
WINDOW = dt.timedelta(minutes=30)


@dataclass
class Lock:
    until: dt.datetime
    by: str  # "account" or "address"


def _lock_from(failures: list[dt.datetime], now: dt.datetime, by: str) -> Lock | None:
    if len(failures) < MAX_FAILURES:
        return None
    # failures are newest first; the lock lifts when the fifth newest leaves the window.
    until = failures[MAX_FAILURES - 1] + WINDOW
    return Lock(until=until, by=by) if until > now else None


def _recent_failures(**lookup) -> list[dt.datetime]:
    from .models import LoginAttempt

    now = timezone.now()
    last_success = (
        LoginAttempt.objects.filter(successful=True, at__gte=now - WINDOW, **lookup)
        .order_by("-at")
        .values_list("at", flat=True)
        .first()
    )
    failures = LoginAttempt.objects.filter(successful=False, at__gte=now - WINDOW, **lookup)
    if last_success is not None:
        failures = failures.filter(at__gt=last_success)
    return list(failures.order_by("-at").values_list("at", flat=True)[:MAX_FAILURES])


def current_lock(*, username: str, address: str | None) -> Lock | None:
    now = timezone.now()
    lock = _lock_from(_recent_failures(username=username.strip().lower()), now, "account")
    if lock is None and address:
        lock = _lock_from(_recent_failures(address=address), now, "address")
    return lock


def record_attempt(*, username: str, address: str | None, successful: bool) -> None:
    from .models import LoginAttempt

    LoginAttempt.objects.create(
        username=username.strip().lower()[:150], address=address, successful=successful
    )


def client_address(request) -> str | None:
    """The client's address. Behind a reverse proxy, REMOTE_ADDR is the proxy's unless the proxy rewrites it
    (gunicorn's --forwarded-allow-ips with a proxy that sets the real address)."""
    return request.META.get("REMOTE_ADDR") or None
