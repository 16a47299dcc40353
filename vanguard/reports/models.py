"""Monthly reports (seed 001): every member reports to the branch each month on the work in their zone,
ideas and suggestions, and the masses' opinions; the secretary reviews them."""

from __future__ import annotations

from django.conf import settings
from django.core.exceptions import ValidationError
from django.db import models
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.core.models import BaseModel
from vanguard.org.models import Member
from vanguard.org.validators import today
from vanguard.zones.models import Zone


class MonthlyReport(BaseModel):
    class Status(models.TextChoices):
        SUBMITTED = "submitted", _("已提交")
        RETURNED = "returned", _("已退回")
        REVIEWED = "reviewed", _("已审阅")

    member = models.ForeignKey(Member, models.CASCADE, related_name="reports", verbose_name=_("党员"))
    month = models.DateField(_("月份"), help_text=_("该月的第一天"))
    zone = models.ForeignKey(
        Zone, models.SET_NULL, null=True, blank=True, related_name="reports", verbose_name=_("责任区")
    )
    work_done = models.TextField(_("责任区工作情况"))
    ideas = models.TextField(_("意见和建议"), blank=True)
    masses_opinions = models.TextField(_("群众意见"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.SUBMITTED)
    submitted_at = models.DateTimeField(_("提交时间"), null=True, blank=True)
    reviewed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审阅人"),
    )
    reviewed_at = models.DateTimeField(_("审阅时间"), null=True, blank=True)
    review_comment = models.TextField(_("审阅意见"), blank=True)

    class Meta:
        verbose_name = _("月度汇报")
        verbose_name_plural = _("月度汇报")
        constraints = [models.UniqueConstraint(fields=["member", "month"], name="report_one_per_month")]
        indexes = [models.Index(fields=["month", "status"], name="report_month_status")]

    def __str__(self) -> str:
        return f"{self.member} {self.month:%Y-%m}"

    def clean(self) -> None:
        super().clean()
        if self.month:
            if self.month.day != 1:
                raise ValidationError({"month": gettext("月份须为该月的第一天。")})
            if self.month > today().replace(day=1):
                raise ValidationError(
                    {
                        "month": gettext("不能提交未来月份(%(month)s)的汇报。")
                        % {"month": f"{self.month:%Y-%m}"}
                    }
                )
        if self.member_id and self.month:
            duplicate = MonthlyReport.objects.filter(member_id=self.member_id, month=self.month).exclude(
                pk=self.pk
            )
            if duplicate.exists():
                raise ValidationError(
                    {
                        "month": gettext("%(month)s的汇报已经提交过,请修改原汇报。")
                        % {"month": f"{self.month:%Y年%m月}"}
                    }
                )
