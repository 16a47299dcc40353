"""`vanguard remind`: what is due becomes a notification (and one email per user when email is set up),
never twice on one day, again after REMIND_EVERY_DAYS while still due."""

from __future__ import annotations

import datetime as dt
import smtplib
from io import StringIO

import pytest
from django.core import mail
from django.core.mail.backends import locmem
from django.core.management import call_command
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.models import Role
from vanguard.conftest import _user
from vanguard.notifications import services
from vanguard.notifications.models import Notification
from vanguard.org.tests import factories as org
from vanguard.reports.models import MonthlyReport
from vanguard.reports.tests import factories as reports

from .conftest import FEB, MARCH, TODAY

pytestmark = pytest.mark.django_db


@pytest.fixture
def email_on(settings):
    settings.EMAIL_HOST = "smtp.example.com"
    settings.SITE_URL = "https://vanguard.example.cn"
    settings.EMAIL_BACKEND = "django.core.mail.backends.locmem.EmailBackend"
    return settings


@pytest.fixture
def due_world(world, secretary_a, member_a):
    """member_a owes March's report; secretary_a has two reports to review."""
    member_a.email = "wang@example.cn"
    member_a.save(update_fields=["email"])
    secretary_a.email = "shuji@example.cn"
    secretary_a.save(update_fields=["email"])
    reports.report(world.member_a, FEB, status=MonthlyReport.Status.SUBMITTED)
    reports.report(org.member(world.branch_a, "赵六"), FEB)
    return world


def remind(*args: str) -> str:
    out = StringIO()
    call_command("remind", *args, stdout=out)
    return out.getvalue()


def keys(user) -> list[str]:
    return sorted(Notification.objects.filter(user=user).values_list("key", flat=True))


def test_running_twice_in_a_day_notifies_and_emails_once(due_world, member_a, secretary_a, email_on):
    first = remind()
    assert "report_missing:2026-03" in keys(member_a)
    assert "reports_to_review" in keys(secretary_a)
    made = Notification.objects.count()
    assert made >= 2
    assert len(mail.outbox) == 2  # one per user, listing all of theirs
    assert f"新通知 {made} 条" in first and "发送邮件 2 封" in first

    second = remind()
    assert Notification.objects.count() == made
    assert len(mail.outbox) == 2
    assert "新通知 0 条" in second and f"{made} 条近 3 天内已提醒过" in second


def test_the_email_lists_the_users_items_with_absolute_links(due_world, member_a, email_on):
    remind()
    (message,) = [m for m in mail.outbox if m.to == ["wang@example.cn"]]
    mine = Notification.objects.filter(user=member_a)
    assert f"您有{mine.count()}项待办事项" in message.subject
    assert "https://vanguard.example.cn/reports/new/?month=2026-03" in message.body
    assert "https://vanguard.example.cn/notifications/" in message.body
    assert all(n.emailed_at is not None for n in mine)


def test_a_still_due_item_is_told_again_after_remind_every_days(due_world, member_a, time_machine, email_on):
    remind()
    time_machine.move_to(TODAY + dt.timedelta(days=2), tick=False)
    remind()
    assert keys(member_a).count("report_missing:2026-03") == 1
    time_machine.move_to(TODAY + dt.timedelta(days=3), tick=False)
    remind()
    sent = Notification.objects.filter(user=member_a, key="report_missing:2026-03").order_by("sent_on")
    assert [n.sent_on for n in sent] == [dt.date(2026, 3, 16), dt.date(2026, 3, 19)]
    assert len([m for m in mail.outbox if m.to == ["wang@example.cn"]]) == 2


def test_remind_every_days_is_a_setting(due_world, member_a, time_machine, settings):
    settings.REMIND_EVERY_DAYS = 1
    remind()
    remind()
    time_machine.move_to(TODAY + dt.timedelta(days=1), tick=False)
    remind()
    assert keys(member_a).count("report_missing:2026-03") == 2


def test_what_is_no_longer_due_is_not_told_again(due_world, member_a, time_machine):
    remind()
    reports.report(due_world.member_a, MARCH)
    time_machine.move_to(TODAY + dt.timedelta(days=3), tick=False)
    remind()
    assert keys(member_a).count("report_missing:2026-03") == 1


def test_without_email_host_reminders_only_reach_the_centre(due_world, member_a, settings):
    settings.EMAIL_HOST = ""
    out = remind()
    assert Notification.objects.filter(user=member_a).exists()
    assert mail.outbox == []
    assert not Notification.objects.filter(emailed_at__isnull=False).exists()
    assert "未配置邮件" in out


def test_a_user_without_an_address_gets_no_email(due_world, member_a, email_on):
    member_a.email = ""
    member_a.save(update_fields=["email"])
    out = remind()
    assert [m.to for m in mail.outbox] == [["shuji@example.cn"]]
    assert Notification.objects.filter(user=member_a, emailed_at__isnull=True).exists()
    assert "1 名用户未填邮箱" in out


def test_a_dry_run_prints_what_it_would_send_and_changes_nothing(due_world, email_on):
    out = remind("--dry-run")
    assert "member_a\t待提交的2026年3月月度汇报:1\t/reports/new/?month=2026-03" in out
    assert "secretary_a\t待审阅的月度汇报:2\t/reports/review/" in out
    assert "演练" in out and "未保存、未发送" in out
    assert Notification.objects.count() == 0
    assert mail.outbox == []


def test_a_run_overlapping_another_sends_nothing_the_other_sent(due_world, member_a, email_on, monkeypatch):
    """Two runs at once both read "not told yet"; the unique (user, key, day) lets only one insert it, and
    only the run that inserted a row emails it."""
    Notification.objects.create(
        user=member_a, key="report_missing:2026-03", kind="report_missing", title="t", sent_on=TODAY.date()
    )
    monkeypatch.setattr(services, "_recent_keys", lambda user_ids, today: set())
    result = services.remind()
    assert Notification.objects.filter(user=member_a, key="report_missing:2026-03").count() == 1
    assert Notification.objects.get(user=member_a).run == ""  # still the other run's
    assert [m.to for m in mail.outbox] == [["shuji@example.cn"]]  # member_a had nothing else new
    assert (result.created, result.skipped) == (Notification.objects.count() - 1, 1)


def test_only_active_users_with_a_role_are_reminded(due_world, member_a, secretary_a):
    secretary_a.is_active = False
    secretary_a.save(update_fields=["is_active"])
    _user("no_role")
    _user("auditor", Role.AUDITOR)
    result = services.remind()
    assert result.users == 2  # member_a and the auditor
    assert set(Notification.objects.values_list("user__username", flat=True)) == {"member_a"}


def test_a_notification_links_to_the_page_where_it_is_done(due_world, member_a, secretary_a):
    from vanguard.conftest import client_for

    remind()
    for user in (member_a, secretary_a):
        for notification in Notification.objects.filter(user=user):
            response = client_for(user).post(f"/notifications/{notification.pk}/open/")
            assert response.status_code == 302
            assert response["Location"] == notification.url
            assert client_for(user).get(notification.url).status_code == 200, notification.url


class RefusingBackend(locmem.EmailBackend):
    """The locmem backend, refusing one address as a mail server would."""

    def send_messages(self, messages):
        if any("wang@example.cn" in m.to for m in messages):
            raise smtplib.SMTPRecipientsRefused({"wang@example.cn": (550, b"no such user")})
        return super().send_messages(messages)


def test_a_refused_address_does_not_stop_the_others(due_world, member_a, secretary_a, email_on):
    email_on.EMAIL_BACKEND = "vanguard.notifications.tests.test_remind.RefusingBackend"
    out = remind()
    assert [m.to for m in mail.outbox] == [["shuji@example.cn"]]
    assert "发送邮件 1 封(失败 1 封)" in out
    assert not Notification.objects.filter(user=member_a, emailed_at__isnull=False).exists()
    assert not Notification.objects.filter(user=secretary_a, emailed_at__isnull=True).exists()


def test_the_run_costs_a_bounded_number_of_queries_per_user(due_world, email_on):
    for n in range(10):
        member = org.member(due_world.branch_a, f"党员{n}")
        user = _user(f"dy{n}", Role.MEMBER)
        user.email = f"dy{n}@example.cn"
        user.save(update_fields=["email"])
        member.person.user = user
        member.person.save(update_fields=["user"])
    with CaptureQueriesContext(connection) as queries:
        result = services.remind()
    assert result.users == 12 and result.emailed == 12
    # items_for's fixed count per user (at most 15), plus a few per batch: nothing per item or per email.
    assert len(queries) <= 12 * 15 + 10
