"""Responsibility zones (党员责任区): what a branch divides its teams, lines and areas into, who answers
for each, its tasks, its work plan (工作运行表) and its activities."""

from __future__ import annotations

from django.core.exceptions import ValidationError
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _

from vanguard.core.models import BaseModel
from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import today


def validate_year(value: int) -> None:
    if not 2000 <= value <= today().year + 1:
        raise ValidationError(gettext("年度应在2000年至明年之间。"), code="year_range")


class Responsibility(BaseModel):
    """A grid cell (and everything under it) that an organisation answers for: the teams and lines of its
    company, the buildings and public areas of its community. Coverage is measured against these."""

    organisation = models.ForeignKey(
        Organisation, models.CASCADE, related_name="responsibilities", verbose_name=_("党组织")
    )
    cell = models.ForeignKey(Cell, models.CASCADE, related_name="responsibilities", verbose_name=_("网格"))

    class Meta:
        verbose_name = _("责任网格")
        verbose_name_plural = _("责任网格")
        constraints = [models.UniqueConstraint(fields=["organisation", "cell"], name="responsibility_unique")]

    def __str__(self) -> str:
        return f"{self.organisation} → {self.cell}"

    def clean(self) -> None:
        super().clean()
        # A branch answers for its grid (its groups may take a part of it); a committee answers through its
        # branches, so coverage of a committee is the union of theirs.
        if self.organisation_id and not self.organisation.can_hold_members:
            raise ValidationError({"organisation": gettext("责任网格须属于党支部或党小组。")})


class ZoneRoleKind(models.Model):
    """The configurable list of roles in a zone; seed 000 has six."""

    name = models.CharField(_("名称"), max_length=30, unique=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)
    is_lead = models.BooleanField(
        _("责任人"), default=False, help_text=_("该角色即责任区的负责党员,显示在公示牌上。")
    )

    class Meta:
        verbose_name = _("责任区角色")
        verbose_name_plural = _("责任区角色")
        ordering = ["order", "pk"]

    def __str__(self) -> str:
        return self.name


class Zone(BaseModel):
    class Kind(models.TextChoices):
        WORK = "work", _("工作责任区")
        AREA = "area", _("区域责任区")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="zones", verbose_name=_("所属党支部")
    )
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year], db_index=True)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    name = models.CharField(_("名称"), max_length=100)
    scope = models.TextField(_("责任范围"), blank=True)
    commitment = models.TextField(_("承诺"), blank=True)
    service_phone = models.CharField(_("服务电话"), max_length=20, blank=True)
    cells = models.ManyToManyField(Cell, blank=True, related_name="zones", verbose_name=_("覆盖网格"))
    copied_from = models.ForeignKey(
        "self", models.SET_NULL, null=True, blank=True, related_name="copies", verbose_name=_("沿用自")
    )

    class Meta:
        verbose_name = _("责任区")
        verbose_name_plural = _("责任区")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "year", "name"], name="zone_unique_name")
        ]
        indexes = [models.Index(fields=["organisation", "year"], name="zone_org_year")]

    def __str__(self) -> str:
        return f"{self.name}({self.year})"

    def clean(self) -> None:
        super().clean()
        if self.organisation_id and not self.organisation.can_hold_members:
            raise ValidationError({"organisation": gettext("责任区须属于党支部或党小组。")})


class ZoneRole(BaseModel):
    zone = models.ForeignKey(Zone, models.CASCADE, related_name="roles", verbose_name=_("责任区"))
    kind = models.ForeignKey(ZoneRoleKind, models.PROTECT, related_name="+", verbose_name=_("角色"))
    person = models.ForeignKey(Person, models.PROTECT, related_name="zone_roles", verbose_name=_("人员"))

    class Meta:
        verbose_name = _("责任区角色分工")
        verbose_name_plural = _("责任区角色分工")
        constraints = [models.UniqueConstraint(fields=["zone", "kind", "person"], name="zonerole_unique")]

    def __str__(self) -> str:
        return f"{self.zone} · {self.kind} · {self.person}"


class Task(BaseModel):
    """A task of a zone or of one member, in seed 001's six categories."""

    class Category(models.TextChoices):
        PUBLICITY = "publicity", _("宣传教育")
        OPERATIONS = "operations", _("营运生产")
        CIVILITY = "civility", _("文明建设")
        INTEGRITY = "integrity", _("廉政建设")
        CULTIVATION = "cultivation", _("培养联系")
        ASSIGNED = "assigned", _("其他交办")

    class Status(models.TextChoices):
        OPEN = "open", _("进行中")
        DONE = "done", _("已完成")
        CANCELLED = "cancelled", _("已取消")

    zone = models.ForeignKey(
        Zone, models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("责任区")
    )
    member = models.ForeignKey(
        Member, models.CASCADE, null=True, blank=True, related_name="tasks", verbose_name=_("党员")
    )
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices)
    title = models.CharField(_("任务"), max_length=200)
    description = models.TextField(_("说明"), blank=True)
    due_date = models.DateField(_("完成期限"), null=True, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.OPEN)
    done_on = models.DateField(_("完成日期"), null=True, blank=True)

    class Meta:
        verbose_name = _("任务")
        verbose_name_plural = _("任务")
        constraints = [
            models.CheckConstraint(
                name="task_has_zone_or_member", condition=Q(zone__isnull=False) | Q(member__isnull=False)
            )
        ]

    def __str__(self) -> str:
        return self.title


class WorkPlanEntry(BaseModel):
    """One line of a zone's 工作运行表: a one-off date or a recurring duty."""

    class Recurrence(models.TextChoices):
        ONCE = "once", _("一次性")
        WEEKLY = "weekly", _("每周")
        MONTHLY = "monthly", _("每月")
        QUARTERLY = "quarterly", _("每季度")
        YEARLY = "yearly", _("每年")

    zone = models.ForeignKey(Zone, models.CASCADE, related_name="plan_entries", verbose_name=_("责任区"))
    title = models.CharField(_("工作内容"), max_length=200)
    recurrence = models.CharField(
        _("频次"), max_length=10, choices=Recurrence.choices, default=Recurrence.ONCE
    )
    starts_on = models.DateField(_("日期"))
    ends_on = models.DateField(_("截止日期"), null=True, blank=True)
    person = models.ForeignKey(
        Person, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("负责人")
    )
    notes = models.TextField(_("备注"), blank=True)

    class Meta:
        verbose_name = _("工作运行表条目")
        verbose_name_plural = _("工作运行表")
        ordering = ["starts_on", "pk"]

    def __str__(self) -> str:
        return self.title


class Activity(BaseModel):
    """An activity such as 党员奉献日 or a clean-up, with its participants and the time they gave."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="activities", verbose_name=_("组织单位")
    )
    zone = models.ForeignKey(
        Zone, models.SET_NULL, null=True, blank=True, related_name="activities", verbose_name=_("责任区")
    )
    title = models.CharField(_("活动名称"), max_length=200)
    held_on = models.DateField(_("活动日期"))
    record = models.TextField(_("活动记录"), blank=True)
    participants = models.ManyToManyField(
        Person, through="ActivityParticipant", related_name="activities", verbose_name=_("参加人员")
    )

    class Meta:
        verbose_name = _("活动")
        verbose_name_plural = _("活动")
        ordering = ["-held_on", "-pk"]

    def __str__(self) -> str:
        return self.title


class ActivityParticipant(models.Model):
    activity = models.ForeignKey(Activity, models.CASCADE, related_name="attendance")
    person = models.ForeignKey(Person, models.PROTECT, related_name="attendance")
    hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1, default=0)

    class Meta:
        verbose_name = _("参加人员")
        verbose_name_plural = _("参加人员")
        constraints = [
            models.UniqueConstraint(fields=["activity", "person"], name="participant_unique"),
            models.CheckConstraint(name="participant_hours_range", condition=Q(hours__gte=0, hours__lte=24)),
        ]

    def __str__(self) -> str:
        return f"{self.activity} · {self.person}"
