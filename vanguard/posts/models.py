"""Seed 004: post standards with their three cards, and star-rated model posts (星级党员示范岗).

Standards: a member proposes the standard of their post (党员提标准), the masses comment
(群众议标准), the organisation sets the final text (组织定标准) and publishes it — the 定标公示卡;
dated BenchmarkRecords are the 对标记录卡; the 达标评议卡 is the member's result in a round of a scheme
whose purpose is `standard` (the one assessment engine scores it by self, masses and organisation).

Model posts: a branch applies (申请), the office approves (挂牌) or rejects; every month the post is
evaluated through the engine (a round of a `star` scheme whose targets are the approved posts); an
Evaluation records the month's total, the upheld complaints and whether it passed under the office's
PostRules of the time; each change of stars is a StarEvent in the post's timeline. Opinions are the post's
opinion book and complaint line (意见簿, 投诉电话)."""

from __future__ import annotations

from decimal import Decimal

from django.conf import settings
from django.core.validators import MaxValueValidator, MinValueValidator
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core import masking
from vanguard.core.crypto import EncryptedCharField
from vanguard.core.models import BaseModel
from vanguard.org.models import Member, Organisation
from vanguard.zones.models import validate_year

MAX_STARS = 5


class PostRules(models.Model):
    """The office's rules of the star cycle, versioned like schemes: an evaluation keeps the rules it used."""

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="post_rules", verbose_name=_("制定单位")
    )
    number = models.PositiveIntegerField(_("版本号"))
    pass_mark = models.DecimalField(
        _("达标分数线"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("80"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
        help_text=_("月度评定总分达到此分数为达标,加一星。"),
    )
    complaint_penalty = models.DecimalField(
        _("每件属实投诉扣分"),
        max_digits=5,
        decimal_places=2,
        default=Decimal("5"),
        validators=[MinValueValidator(Decimal("0")), MaxValueValidator(Decimal("100"))],
    )
    serious_complaint_removes = models.BooleanField(
        _("严重投诉属实即摘牌"), default=True, help_text=_("经核实属实的严重投诉,当月直接摘牌。")
    )
    note = models.CharField(_("修订说明"), max_length=200, blank=True)
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("修订人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("示范岗评定规则")
        verbose_name_plural = _("示范岗评定规则")
        ordering = ["organisation", "-number"]
        constraints = [
            models.UniqueConstraint(fields=["organisation", "number"], name="postrules_unique_number")
        ]

    def __str__(self) -> str:
        return f"{self.organisation} v{self.number}"


class ModelPost(BaseModel):
    class Kind(models.TextChoices):
        WINDOW = "window", _("窗口")
        DESK = "desk", _("岗位")
        TEAM = "team", _("班组")
        OTHER = "other", _("其他")

    class Status(models.TextChoices):
        APPLIED = "applied", _("待审批")
        APPROVED = "approved", _("已挂牌")
        REJECTED = "rejected", _("未批准")
        REMOVED = "removed", _("已摘牌")

    organisation = models.ForeignKey(
        Organisation, models.PROTECT, related_name="model_posts", verbose_name=_("所属党支部")
    )
    name = models.CharField(_("示范岗名称"), max_length=100)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.DESK)
    location = models.CharField(_("所在位置"), max_length=200, blank=True)
    description = models.TextField(_("岗位职责与服务承诺"), blank=True)
    complaint_phone = models.CharField(_("投诉电话"), max_length=20, blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.APPLIED)
    stars = models.PositiveSmallIntegerField(_("星级"), default=0, validators=[MaxValueValidator(MAX_STARS)])
    named_at = models.DateField(_("授牌命名日期"), null=True, blank=True)
    decided_at = models.DateTimeField(_("审批时间"), null=True, blank=True)
    decided_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("审批人"),
    )
    rejection_reason = models.TextField(_("不予批准的理由"), blank=True)
    removed_at = models.DateField(_("摘牌日期"), null=True, blank=True)
    removal_reason = models.TextField(_("摘牌原因"), blank=True)

    class Meta:
        verbose_name = _("星级党员示范岗")
        verbose_name_plural = _("星级党员示范岗")
        constraints = [
            models.UniqueConstraint(fields=["organisation", "name"], name="modelpost_unique_name"),
            models.CheckConstraint(name="modelpost_stars_range", condition=Q(stars__lte=MAX_STARS)),
        ]
        indexes = [models.Index(fields=["status", "stars"], name="modelpost_status_stars")]

    def __str__(self) -> str:
        return self.name

    @property
    def is_on_the_wall(self) -> bool:
        """Approved and not removed: evaluated every month."""
        return self.status == self.Status.APPROVED


class PostMember(models.Model):
    post = models.ForeignKey(ModelPost, models.CASCADE, related_name="post_members", verbose_name=_("示范岗"))
    member = models.ForeignKey(Member, models.CASCADE, related_name="model_posts", verbose_name=_("党员"))
    job = models.CharField(_("岗位职务"), max_length=100, blank=True)
    motto = models.CharField(_("格言式承诺"), max_length=200)
    photo = models.ImageField(_("照片"), upload_to="posts/photos/", blank=True)
    order = models.PositiveSmallIntegerField(_("排序"), default=0)

    class Meta:
        verbose_name = _("示范岗党员")
        verbose_name_plural = _("示范岗党员")
        ordering = ["post", "order", "pk"]
        constraints = [models.UniqueConstraint(fields=["post", "member"], name="postmember_unique")]

    def __str__(self) -> str:
        return f"{self.post} · {self.member}"


class Evaluation(models.Model):
    """One month's evaluation of a post: the engine's result, the upheld complaints of the month, and the
    outcome under the rules of the time."""

    post = models.ForeignKey(ModelPost, models.CASCADE, related_name="evaluations", verbose_name=_("示范岗"))
    month = models.DateField(_("月份"), help_text=_("该月的第一天"))
    result = models.ForeignKey(
        "assessment.Result",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评定结果"),
    )
    rules = models.ForeignKey(PostRules, models.PROTECT, related_name="+", verbose_name=_("评定规则"))
    total = models.DecimalField(_("评定总分"), max_digits=7, decimal_places=2)
    complaints_upheld = models.PositiveSmallIntegerField(_("属实投诉"), default=0)
    serious_upheld = models.BooleanField(_("有属实的严重投诉"), default=False)
    score = models.DecimalField(_("计入扣分后得分"), max_digits=7, decimal_places=2)
    passed = models.BooleanField(_("达标"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("评定人"),
    )
    created_at = models.DateTimeField(_("评定时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("月度星级评定")
        verbose_name_plural = _("月度星级评定")
        ordering = ["post", "month"]
        constraints = [models.UniqueConstraint(fields=["post", "month"], name="evaluation_one_per_month")]

    def __str__(self) -> str:
        return f"{self.post} {self.month:%Y-%m}"


class StarEvent(models.Model):
    """A line of a post's star timeline: what changed, from how many stars to how many, and why."""

    class Kind(models.TextChoices):
        APPROVED = "approved", _("挂牌")
        STAR_ADDED = "star_added", _("加星")
        STAR_KEPT = "star_kept", _("保持五星")
        STAR_REMOVED = "star_removed", _("减星")
        PLAQUE_REMOVED = "plaque_removed", _("摘牌")
        NAMING_OFFERED = "naming_offered", _("达到五星,可授牌命名")
        NAMED = "named", _("授牌命名")
        REVIEW_PASSED = "review_passed", _("年终复评通过")
        REVIEW_FAILED = "review_failed", _("年终复评未通过")

    post = models.ForeignKey(ModelPost, models.CASCADE, related_name="events", verbose_name=_("示范岗"))
    kind = models.CharField(_("变化"), max_length=20, choices=Kind.choices)
    evaluation = models.ForeignKey(
        Evaluation, models.CASCADE, null=True, blank=True, related_name="events", verbose_name=_("月度评定")
    )
    stars_before = models.PositiveSmallIntegerField(_("变化前星级"))
    stars_after = models.PositiveSmallIntegerField(_("变化后星级"))
    reason = models.TextField(_("原因"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("操作人"),
    )
    created_by_name = models.CharField(_("操作人姓名"), max_length=150, blank=True)
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("星级变化")
        verbose_name_plural = _("星级变化")
        ordering = ["post", "pk"]

    def __str__(self) -> str:
        return f"{self.post} · {self.get_kind_display()}"


class Opinion(BaseModel):
    """An entry of a post's opinion book: an opinion, praise or complaint from the public (on the board, or
    entered from paper or the complaint line), the branch's answer and whether a complaint was upheld."""

    class Kind(models.TextChoices):
        OPINION = "opinion", _("意见建议")
        PRAISE = "praise", _("表扬")
        COMPLAINT = "complaint", _("投诉")

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上留言")
        PAPER = "paper", _("意见簿")
        PHONE = "phone", _("投诉电话")

    post = models.ForeignKey(ModelPost, models.CASCADE, related_name="opinions", verbose_name=_("示范岗"))
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices)
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.ONLINE)
    content = models.TextField(_("内容"))
    name = models.CharField(_("留言人"), max_length=50, blank=True)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, mask=masking.mask_phone)
    serious = models.BooleanField(_("严重投诉"), default=False)
    received_on = models.DateField(_("收到日期"))
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    answer = models.TextField(_("答复"), blank=True)
    upheld = models.BooleanField(_("投诉属实"), null=True, blank=True)
    answered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("答复人"),
    )
    answered_at = models.DateTimeField(_("答复时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("意见簿留言")
        verbose_name_plural = _("意见簿")
        ordering = ["-received_on", "-pk"]
        indexes = [models.Index(fields=["post", "kind", "received_on"], name="opinion_post_kind_date")]

    def __str__(self) -> str:
        return f"{self.post} · {self.get_kind_display()} · {self.received_on}"


class Standard(BaseModel):
    """A member's standard for their post for a year: 党员提标准 → 群众议标准 → 组织定标准 → 公示."""

    class Status(models.TextChoices):
        PROPOSED = "proposed", _("党员已提出")
        SET = "set", _("组织已确定")
        PUBLISHED = "published", _("已公示")

    member = models.ForeignKey(Member, models.CASCADE, related_name="standards", verbose_name=_("党员"))
    year = models.PositiveSmallIntegerField(_("年度"), validators=[validate_year])
    post_title = models.CharField(_("岗位"), max_length=100)
    proposed_text = models.TextField(_("党员提出的标准"))
    final_text = models.TextField(_("组织确定的标准"), blank=True)
    status = models.CharField(_("状态"), max_length=10, choices=Status.choices, default=Status.PROPOSED)
    set_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("确定人"),
    )
    set_at = models.DateTimeField(_("确定时间"), null=True, blank=True)
    published_at = models.DateTimeField(_("公示时间"), null=True, blank=True)

    class Meta:
        verbose_name = _("岗位标准")
        verbose_name_plural = _("岗位标准")
        constraints = [models.UniqueConstraint(fields=["member", "year"], name="standard_one_per_year")]

    def __str__(self) -> str:
        return f"{self.member} {self.year} {self.post_title}"


class StandardComment(models.Model):
    """The masses' comment on a proposed standard (群众议标准): online or entered from paper."""

    class Channel(models.TextChoices):
        ONLINE = "online", _("网上留言")
        PAPER = "paper", _("纸质征求意见")

    standard = models.ForeignKey(
        Standard, models.CASCADE, related_name="comments", verbose_name=_("岗位标准")
    )
    name = models.CharField(_("提意见人"), max_length=50, blank=True)
    content = models.TextField(_("意见"))
    channel = models.CharField(_("渠道"), max_length=10, choices=Channel.choices, default=Channel.PAPER)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )
    created_at = models.DateTimeField(_("时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("群众意见")
        verbose_name_plural = _("群众意见")
        ordering = ["standard", "pk"]

    def __str__(self) -> str:
        return f"{self.standard} · {self.name or '群众'}"


class BenchmarkRecord(models.Model):
    """对标记录卡: a dated entry of what the member did against their standard."""

    standard = models.ForeignKey(Standard, models.CASCADE, related_name="records", verbose_name=_("岗位标准"))
    recorded_on = models.DateField(_("日期"))
    content = models.TextField(_("对标情况"))
    created_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("记录人"),
    )
    created_at = models.DateTimeField(_("创建时间"), auto_now_add=True)

    class Meta:
        verbose_name = _("对标记录")
        verbose_name_plural = _("对标记录")
        ordering = ["standard", "recorded_on", "pk"]

    def __str__(self) -> str:
        return f"{self.standard} · {self.recorded_on}"
