"""Reads of the notification centre. A notification belongs to one login: every read is narrowed to the
user's own, so another user's notification answers 404 exactly like a missing one. (The scoping module
answers for the organisation and grid trees; a notification hangs on neither.)"""

from __future__ import annotations

from django.db.models import BooleanField, Case, QuerySet, Value, When
from django.http import Http404

from .models import Notification


def own(user) -> QuerySet[Notification]:
    if not getattr(user, "is_authenticated", False) or getattr(user, "pk", None) is None:
        return Notification.objects.none()
    return Notification.objects.filter(user_id=user.pk)


def notification_list(*, user, unread_only: bool = False) -> QuerySet[Notification]:
    """The user's notifications: unread first, newest first within each."""
    qs = own(user)
    if unread_only:
        qs = qs.filter(read_at__isnull=True)
    unread = Case(
        When(read_at__isnull=True, then=Value(True)), default=Value(False), output_field=BooleanField()
    )
    return qs.annotate(unread=unread).order_by("-unread", "-created_at", "-pk")


def notification_detail(*, user, pk: int) -> Notification:
    try:
        return own(user).get(pk=pk)
    except Notification.DoesNotExist as exc:
        raise Http404 from exc


def unread_count(user) -> int:
    """One COUNT on the (user, read_at) index."""
    return own(user).filter(read_at__isnull=True).count()
