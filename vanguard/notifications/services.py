"""Writes of the notification centre: opening a notification, marking all read, and `remind` — telling each
user what is due (`due.items_for`) in their centre and by email.

A reminder of one thing (its key, e.g. "report_missing:2026-10") is told to a user again only after
REMIND_EVERY_DAYS, and never twice on one day: the unique (user, key, day) constraint holds even when two
runs overlap — each inserts with ON CONFLICT DO NOTHING and emails only the rows it inserted itself (its
`run` mark), so the second run finds the day's rows taken and sends nothing."""

from __future__ import annotations

import datetime as dt
import logging
import uuid
from collections.abc import Iterator
from dataclasses import dataclass, field
from itertools import groupby

from django.conf import settings
from django.contrib.auth import get_user_model
from django.core.mail import EmailMessage, get_connection
from django.db import transaction
from django.db.models import QuerySet
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _

from . import due
from .models import Notification

logger = logging.getLogger(__name__)

# Users are read and their notifications inserted this many at a time.
BATCH = 500


def notification_open(*, user, notification: Notification) -> str:
    """Mark the user's notification read; answer where it leads (its page, or the centre)."""
    if notification.user_id != getattr(user, "pk", None):
        raise PermissionError("a notification is opened by its own user only")
    if notification.read_at is None:
        notification.read_at = timezone.now()
        Notification.objects.filter(pk=notification.pk, read_at__isnull=True).update(
            read_at=notification.read_at
        )
    return notification.url


def notifications_read_all(*, user) -> int:
    """Mark every unread notification of the user read; how many were."""
    return Notification.objects.filter(user_id=user.pk, read_at__isnull=True).update(read_at=timezone.now())


# --- vanguard remind ---------------------------------------------------------------------------------------


def remind_every_days() -> int:
    return max(1, int(getattr(settings, "REMIND_EVERY_DAYS", 3)))


def site_url() -> str:
    return getattr(settings, "SITE_URL", "http://127.0.0.1:8000").rstrip("/")


def email_enabled() -> bool:
    return bool(getattr(settings, "EMAIL_HOST", ""))


@dataclass
class Planned:
    """A notification a run makes (or, dry, would make) for one user."""

    user_id: int
    username: str
    item: due.DueItem


@dataclass
class RemindResult:
    users: int = 0
    created: int = 0
    skipped: int = 0
    attempted: int = 0
    emailed: int = 0
    email_failed: int = 0
    no_email: int = 0
    planned: list[Planned] = field(default_factory=list)


def _users():
    """Every active login holding a role, with the person behind it (the scope reads it)."""
    User = get_user_model()
    return (
        User.objects.filter(is_active=True, roles__isnull=False)
        .distinct()
        .select_related("person")
        .order_by("pk")
    )


def _batches(users) -> Iterator[list]:
    batch: list = []
    for user in users.iterator(chunk_size=BATCH):
        batch.append(user)
        if len(batch) == BATCH:
            yield batch
            batch = []
    if batch:
        yield batch


def _recent_keys(user_ids: list[int], today: dt.date) -> set[tuple[int, str]]:
    """(user id, key) told within the last REMIND_EVERY_DAYS days, today included: one query a batch."""
    since = today - dt.timedelta(days=remind_every_days() - 1)
    recent = Notification.objects.filter(user_id__in=user_ids, sent_on__gte=since)
    return set(recent.values_list("user_id", "key"))


def _title(item: due.DueItem) -> str:
    return _("%(label)s:%(count)d") % {"label": item.label, "count": item.count}


def _body(item: due.DueItem) -> str:
    if item.severity == due.DANGER:
        return _("已超期或即将超期,请尽快处理。")
    if item.severity == due.WARNING:
        return _("请及时处理。")
    return _("请留意。")


def remind(*, today: dt.date | None = None, dry_run: bool = False) -> RemindResult:
    """Tell every active user with a role what is due that they were not told within REMIND_EVERY_DAYS: a
    notification for each such item and, when email is configured and the user has an address, one email
    listing them. `dry_run` computes the same and writes and sends nothing (`planned` lists it).

    Per user: `due.items_for`'s fixed number of queries; per batch of users: one read of the keys told
    recently and one insert; then one read of the new rows and, per batch emailed, one update."""
    today = today or timezone.localdate()
    result = RemindResult()
    run = uuid.uuid4().hex
    now = timezone.now()
    for users in _batches(_users()):
        recent = _recent_keys([u.pk for u in users], today)
        pending: list[Notification] = []
        for user in users:
            result.users += 1
            for item in due.items_for(user):
                if (user.pk, item.key) in recent:
                    result.skipped += 1
                elif dry_run:
                    result.planned.append(Planned(user.pk, user.get_username(), item))
                else:
                    pending.append(_notification(user, item, today=today, now=now, run=run))
        if pending:
            # Leaves out any (user, key, day) another run inserted meanwhile: those are not this run's.
            with transaction.atomic():
                Notification.objects.bulk_create(pending, ignore_conflicts=True)
            result.attempted += len(pending)
    if dry_run:
        result.created = len(result.planned)
        return result
    made = Notification.objects.filter(run=run)
    result.created = made.count()
    result.skipped += result.attempted - result.created
    if result.created and email_enabled():
        _email(made.select_related("user").order_by("user_id", "pk"), result)
    return result


def _notification(user, item: due.DueItem, *, today: dt.date, now: dt.datetime, run: str) -> Notification:
    return Notification(
        user=user,
        kind=item.kind,
        title=_title(item)[:200],
        body=_body(item),
        url=item.url[:500],
        key=item.key[:100],
        severity=item.severity,
        sent_on=today,
        created_at=now,
        run=run,
    )


def _email(made: QuerySet[Notification], result: RemindResult) -> None:
    """One email per user listing their new notifications, over one connection; the rows of the messages
    that went out are marked emailed afterwards (not while the rows are still being read)."""
    base = site_url()
    sent: list[int] = []
    with get_connection() as connection:
        for _user_id, group in groupby(made.iterator(chunk_size=BATCH), key=lambda n: n.user_id):
            notifications = list(group)
            user = notifications[0].user
            if not user.email:
                result.no_email += 1
                continue
            try:
                connection.send_messages([_message(user, notifications, base)])
            except Exception:  # a refused address or a dropped connection must not stop the others
                logger.exception("reminder email to user %s failed", user.pk)
                result.email_failed += 1
                continue
            sent += [n.pk for n in notifications]
            result.emailed += 1
    now = timezone.now()
    for start in range(0, len(sent), BATCH):
        Notification.objects.filter(pk__in=sent[start : start + BATCH]).update(emailed_at=now)


def _message(user, notifications: list[Notification], base: str) -> EmailMessage:
    name = str(user)
    lines = [_("%(name)s,您好:") % {"name": name}, "", _("以下事项需要您处理:"), ""]
    for n in notifications:
        lines.append(f"· {n.title}")
        if n.url:
            lines.append(f"  {base}{n.url}")
    lines += [
        "",
        _("全部通知:%(url)s") % {"url": base + reverse("notifications:list")},
        "",
        _("—— 先锋 · 党员责任区管理(本邮件由系统自动发送,请勿回复)"),
    ]
    subject = _("【先锋】您有%(count)d项待办事项") % {"count": len(notifications)}
    return EmailMessage(subject=subject, body="\n".join(lines), to=[user.email])
