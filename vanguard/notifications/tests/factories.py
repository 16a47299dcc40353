"""Notifications for the centre's tests and the access sweep (vanguard/tests/test_access_sweep.py)."""

from __future__ import annotations

import datetime as dt

from vanguard.notifications.models import Notification


def notification(user, key: str = "reports_to_review", **fields) -> Notification:
    fields.setdefault("kind", key.split(":")[0])
    fields.setdefault("title", "待审阅的月度汇报:2")
    fields.setdefault("url", "/reports/review/")
    fields.setdefault("sent_on", dt.date(2026, 3, 16))
    return Notification.objects.create(user=user, key=key, **fields)


def sweep_notification(w) -> Notification:
    """A notification of branch A's member, made on first use."""
    from vanguard.conftest import _user

    person = w.member_a.person
    if person.user_id is None:
        person.user = _user("member_a_sweep")
        person.save(update_fields=["user"])
    found = Notification.objects.filter(user_id=person.user_id, key="sweep").first()
    return found or notification(
        person.user, "sweep", title="本月尚未谈心走访的联系对象:1", url="/contacts/mine/"
    )
