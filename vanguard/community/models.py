"""在职党员进社区 (双报到): the foundation issue 8 builds on.

A member's registration (登记报到) at their home community, with what the community needs to know of
them (知人数、知职业、知优势: occupation, strengths, service wishes); the posts the community creates and
members claim (创岗、设岗、认岗、领岗); volunteer teams; one-to-one pairings (结对帮扶) with their visits;
and the service records the community verifies, which credit the member's time-bank account (timebank).

The member submits a registration, a worker of that community confirms it or returns it with a reason:

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
    occupation = models.CharField(_("职业"), max_length=50, blank=True)
    strengths = models.CharField(_("特长"), max_length=200, blank=True, help_text=_("多项用“、”分隔"))
    wishes = models.TextField(_("服务意愿"), blank=True)
    channel = models.CharField(
        _("报到方式"),
        max_length=10,
        choices=[("online", _("网上报到")), ("paper", _("纸质登记表"))],
        default="online",
    )
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

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


class CommunityPost(BaseModel):
    """A post the community creates for in-service members to claim (楼栋长, 治安巡逻, 环境监督 …)."""

    class Category(models.TextChoices):
        BUILDING = "building", _("楼栋长")
        PATROL = "patrol", _("治安巡逻")
        ENVIRONMENT = "environment", _("环境监督")
        POLICY = "policy", _("政策宣传")
        PARENT = "parent", _("代理家长")
        CULTURE = "culture", _("文体活动")
        OTHER = "other", _("其他")

    community = models.ForeignKey(
        Cell, models.PROTECT, related_name="community_posts", verbose_name=_("社区")
    )
    name = models.CharField(_("岗位名称"), max_length=100)
    category = models.CharField(_("类别"), max_length=20, choices=Category.choices, default=Category.OTHER)
    description = models.TextField(_("岗位职责"), blank=True)
    places = models.PositiveSmallIntegerField(_("名额"), default=1)
    active = models.BooleanField(_("招募中"), default=True)

    class Meta:
        verbose_name = _("社区岗位")
        verbose_name_plural = _("社区岗位")
        constraints = [
            models.UniqueConstraint(fields=["community", "name"], name="communitypost_unique_name"),
            models.CheckConstraint(name="communitypost_places_positive", condition=Q(places__gte=1)),
        ]

    def __str__(self) -> str:
        return self.name


class PostClaim(BaseModel):
    """A member's claim of a community post (认岗、领岗); the community confirms it."""

    class Status(models.TextChoices):
        CLAIMED = "claimed", _("待确认")
        CONFIRMED = "confirmed", _("已上岗")
        RELEASED = "released", _("已离岗")

    post = models.ForeignKey(CommunityPost, models.CASCADE, related_name="claims", verbose_name=_("社区岗位"))
    member = models.ForeignKey(
        Member, models.CASCADE, related_name="community_claims", verbose_name=_("党员")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.CLAIMED)
    confirmed_at = models.DateTimeField(_("确认时间"), null=True, blank=True)
    confirmed_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确认人"),
    )

    class Meta:
        verbose_name = _("认领岗位")
        verbose_name_plural = _("认领岗位")
        constraints = [
            models.UniqueConstraint(
                fields=["post", "member"],
                condition=Q(status__in=["claimed", "confirmed"]),
                name="postclaim_one_active",
            )
        ]

    def __str__(self) -> str:
        return f"{self.post} · {self.member}"


class Team(BaseModel):
    """A volunteer team of the community (代理家长队, 治安队, 政策宣传队 …) with its members and leader."""

    community = models.ForeignKey(
        Cell, models.PROTECT, related_name="volunteer_teams", verbose_name=_("社区")
    )
    name = models.CharField(_("队名"), max_length=100)
    purpose = models.TextField(_("服务内容"), blank=True)
    leader = models.ForeignKey(
        Member, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("队长")
    )
    members = models.ManyToManyField(
        Member, blank=True, related_name="volunteer_teams", verbose_name=_("队员")
    )

    class Meta:
        verbose_name = _("志愿服务队")
        verbose_name_plural = _("志愿服务队")
        constraints = [models.UniqueConstraint(fields=["community", "name"], name="team_unique_name")]

    def __str__(self) -> str:
        return self.name


class Pairing(BaseModel):
    """结对帮扶: a member paired with a person or household in need, with visits logged."""

    class Kind(models.TextChoices):
        CHILD = "child", _("留守儿童")
        ELDERLY = "elderly", _("空巢独居老人")
        HARDSHIP = "hardship", _("困难家庭")
        DISABLED = "disabled", _("残疾人")
        OTHER = "other", _("其他")

    community = models.ForeignKey(Cell, models.PROTECT, related_name="pairings", verbose_name=_("社区"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="pairings", verbose_name=_("党员"))
    person = models.ForeignKey(
        "org.Person", models.PROTECT, related_name="paired_with", verbose_name=_("帮扶对象")
    )
    kind = models.CharField(_("帮扶类型"), max_length=10, choices=Kind.choices)
    started_on = models.DateField(_("结对日期"))
    ended_on = models.DateField(_("结束日期"), null=True, blank=True)
    notes = models.TextField(_("帮扶内容"), blank=True)

    class Meta:
        verbose_name = _("结对帮扶")
        verbose_name_plural = _("结对帮扶")
        constraints = [
            models.UniqueConstraint(
                fields=["member", "person"], condition=Q(ended_on__isnull=True), name="pairing_one_active"
            )
        ]

    def __str__(self) -> str:
        return f"{self.member} → {self.person}"


class PairingVisit(models.Model):
    pairing = models.ForeignKey(Pairing, models.CASCADE, related_name="visits", verbose_name=_("结对帮扶"))
    visited_on = models.DateField(_("走访日期"))
    content = models.TextField(_("帮扶情况"))
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("帮扶走访")
        verbose_name_plural = _("帮扶走访")
        ordering = ["-visited_on", "-pk"]

    def __str__(self) -> str:
        return f"{self.pairing} {self.visited_on}"


class ServiceRecord(BaseModel):
    """活动记实: a member's service in the community. A record the community verifies is credited to the
    member's time-bank account; a self-reported one stays unverified and is never credited."""

    class Status(models.TextChoices):
        REPORTED = "reported", _("待核实")
        VERIFIED = "verified", _("已核实")
        REJECTED = "rejected", _("未核实")

    member = models.ForeignKey(Member, models.CASCADE, related_name="service_records", verbose_name=_("党员"))
    community = models.ForeignKey(
        Cell, models.PROTECT, related_name="service_records", verbose_name=_("社区")
    )
    activity = models.CharField(_("服务内容"), max_length=200)
    served_on = models.DateField(_("服务日期"))
    hours = models.DecimalField(_("时长(小时)"), max_digits=5, decimal_places=1)
    post = models.ForeignKey(
        CommunityPost, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("社区岗位")
    )
    team = models.ForeignKey(
        Team, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("志愿服务队")
    )
    pairing = models.ForeignKey(
        Pairing, models.SET_NULL, null=True, blank=True, related_name="+", verbose_name=_("结对帮扶")
    )
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.REPORTED)
    verified_at = models.DateTimeField(_("核实时间"), null=True, blank=True)
    verified_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("核实人"),
    )
    rejection_reason = models.TextField(_("未予核实的原因"), blank=True)

    class Meta:
        verbose_name = _("服务记录")
        verbose_name_plural = _("服务记录")
        ordering = ["-served_on", "-pk"]
        constraints = [
            models.CheckConstraint(name="servicerecord_hours_range", condition=Q(hours__gt=0, hours__lte=24)),
        ]
        indexes = [models.Index(fields=["member", "status", "served_on"], name="service_member_status")]

    def __str__(self) -> str:
        return f"{self.member} {self.served_on} {self.activity}"
