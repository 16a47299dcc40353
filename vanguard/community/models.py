"""在职党员进社区 (双报到): the foundation issue 8 builds on.

For now one model: a member's registration (登记报到) at their home community. The member submits it, a
worker of that community confirms it or returns it with a reason:

    submitted ──confirm──▶ confirmed
        └──────return───▶ returned      (the member may then submit again, to the same or another community)

A member has at most one registration that is submitted or confirmed. The democratic appraisal reads it:
when the office turns the rule on, an in-service member without a confirmed registration cannot be
appraised 合格 or better (assessment/services_year.py)."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core.models import BaseModel
from vanguard.org.models import Cell, Member


class Registration(BaseModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("待确认")
        CONFIRMED = "confirmed", _("已报到")
        RETURNED = "returned", _("已退回")

    member = models.ForeignKey(Member, models.CASCADE, related_name="registrations", verbose_name=_("党员"))
    community = models.ForeignKey(
        Cell,
        models.PROTECT,
        related_name="registrations",
        limit_choices_to={"kind": Cell.Kind.COMMUNITY},
        verbose_name=_("报到社区"),
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("报到时间"))
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )
    returned_at = models.DateTimeField(_("退回时间"), null=True, blank=True)
    return_reason = models.TextField(_("退回原因"), blank=True)

    class Meta:
        verbose_name = _("社区报到")
        verbose_name_plural = _("社区报到")
        ordering = ["-submitted_at", "-pk"]
        constraints = [
            models.UniqueConstraint(
                fields=["member"],
                condition=Q(status__in=["submitted", "confirmed"]),
                name="registration_one_active",
            ),
            models.CheckConstraint(
                name="registration_confirmed_has_date",
                condition=~Q(status="confirmed") | Q(confirmed_at__isnull=False),
            ),
        ]
        indexes = [models.Index(fields=["member", "status"], name="registration_member_status")]

    def __str__(self) -> str:
        return f"{self.member} · {self.community}"
