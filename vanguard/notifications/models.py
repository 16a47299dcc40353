"""A notification: one thing due, told to one login on one day (`vanguard remind`), kept in their
notification centre until they open it. It belongs to the login, not to the trees: nobody else reads it."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.utils import timezone
from django.utils.translation import gettext_lazy as _


class Severity(models.TextChoices):
    DANGER = "danger", _("紧急")
    WARNING = "warning", _("提醒")
    INFO = "info", _("提示")


class Notification(models.Model):
    user = models.ForeignKey(
        settings.AUTH_USER_MODEL, models.CASCADE, related_name="notifications", verbose_name=_("用户")
    )
    kind = models.CharField(_("类别"), max_length=40)
    title = models.CharField(_("标题"), max_length=200)
    body = models.TextField(_("内容"), blank=True)
    url = models.CharField(_("办理页面"), max_length=500, blank=True)
    # What is due, e.g. "report_missing:2026-10": the same thing due again is told again only after
    # REMIND_EVERY_DAYS, and never twice on one day (the constraint below, which holds for two runs at once).
    key = models.CharField(_("待办标识"), max_length=100)
    severity = models.CharField(_("紧急程度"), max_length=10, choices=Severity.choices, default=Severity.INFO)
    sent_on = models.DateField(_("提醒日期"))
    created_at = models.DateTimeField(_("创建时间"), default=timezone.now)
    read_at = models.DateTimeField(_("阅读时间"), null=True, blank=True)
    emailed_at = models.DateTimeField(_("邮件发送时间"), null=True, blank=True)
    # The `vanguard remind` run that made it: a run emails exactly the notifications it inserted itself.
    run = models.CharField(_("提醒批次"), max_length=32, blank=True, editable=False)

    class Meta:
        verbose_name = _("通知")
        verbose_name_plural = _("通知")
        ordering = ["-created_at", "-pk"]
        constraints = [
            models.UniqueConstraint(fields=["user", "key", "sent_on"], name="notification_once_a_day"),
        ]
        indexes = [
            models.Index(fields=["user", "read_at"], name="notification_user_unread"),
            models.Index(fields=["sent_on", "key"], name="notification_sent_on"),
            models.Index(fields=["run"], name="notification_run"),
        ]

    def __str__(self) -> str:
        return f"{self.user} · {self.title}"

    @property
    def is_read(self) -> bool:
        return self.read_at is not None
