"""The navbar's unread badge: counted only when a page shows it (a lazy value), at most once per page, and
never for an anonymous visitor."""

from __future__ import annotations

from django.utils.functional import SimpleLazyObject

from . import selectors


def unread(request) -> dict:
    user = getattr(request, "user", None)
    if user is None or not user.is_authenticated:
        return {}
    return {"notifications_unread": SimpleLazyObject(lambda: selectors.unread_count(user))}
