"""Residents' requests (群众诉求): a resident asks for help — or leaves an opinion, praise or complaint
about a zone, a member or a model post — without an account, and follows it by a tracking code.

A request for help is routed by where it is (the cell → the zone covering it → its responsible member; a
linked household → its member; no zone or two zones → the community's queue, a boundary case). The community
dispatches (派单) to a member or a volunteer team; a member takes (接单) an open one in their community. Its
urgency sets the deadline; overdue ones are escalated to the branch's secretary, then the office. It is
accepted → in progress → resolved (with what was done) → rated by the resident (1–5) → closed; a low rating
reopens it for the secretary's attention.

An opinion, praise or complaint goes to the branch of its subject, whose secretary answers it; one about a
model post is also an entry of the post's opinion book (posts.Opinion), answered there."""

from __future__ import annotations

from django.conf import settings
from django.db import models
from django.db.models import Q
from django.utils.translation import gettext_lazy as _

from vanguard.core import masking
from vanguard.core.crypto import EncryptedCharField
from vanguard.core.models import BaseModel
from vanguard.org.models import Cell, Member, Organisation


class Kind(models.TextChoices):
    REQUEST = "request", _("求助")
    OPINION = "opinion", _("意见建议")
    PRAISE = "praise", _("表扬")
    COMPLAINT = "complaint", _("投诉")


class Category(models.TextChoices):
    MOVING = "moving", _("搬家")
    DRAIN = "drain", _("疏通下水道")
    REPAIR = "repair", _("房屋修理")
    CAR = "car", _("修车")
    DOCTOR = "doctor", _("就医")
    HOUSEWORK = "housework", _("家政")
    ENVIRONMENT = "environment", _("环境")
    SECURITY = "security", _("治安")
    POLICY = "policy", _("政策咨询")
    OTHER = "other", _("其他")


class Urgency(models.TextChoices):
    URGENT = "urgent", _("紧急")
    UTILITIES = "utilities", _("水电气暖")
    GENERAL = "general", _("一般")
    COMPLEX = "complex", _("复杂")


# The urgency a category starts with; the resident may say it is urgent, the community may change it.
CATEGORY_URGENCY = {
    Category.DOCTOR: Urgency.URGENT,
    Category.SECURITY: Urgency.URGENT,
    Category.DRAIN: Urgency.UTILITIES,
    Category.REPAIR: Urgency.UTILITIES,
}


class Status(models.TextChoices):
    QUEUED = "queued", _("待派单")
    ASSIGNED = "assigned", _("待接单")
    ACCEPTED = "accepted", _("已受理")
    IN_PROGRESS = "in_progress", _("办理中")
    RESOLVED = "resolved", _("已办结待评价")
    CLOSED = "closed", _("已关闭")


# Still waiting for someone to act: these can be overdue.
OPEN_STATUSES = (Status.QUEUED, Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS)


class Channel(models.TextChoices):
    ZONE_BOARD = "zone_board", _("责任区公示牌扫码")
    COMMUNITY_PAGE = "community_page", _("社区页面")
    POST_BOARD = "post_board", _("示范岗公示榜")
    STAFF = "staff", _("工作人员代录")


class Escalation(models.IntegerChoices):
    NONE = 0, _("未督办")
    SECRETARY = 1, _("已提请支部书记督办")
    OFFICE = 2, _("已提请党委办公室督办")


class ServiceRequest(BaseModel):
    tracking_code = models.CharField(_("查询码"), max_length=12, unique=True, editable=False)
    kind = models.CharField(_("类型"), max_length=10, choices=Kind.choices, default=Kind.REQUEST)
    category = models.CharField(_("类别"), max_length=12, choices=Category.choices, default=Category.OTHER)
    urgency = models.CharField(_("紧急程度"), max_length=10, choices=Urgency.choices, default=Urgency.GENERAL)
    description = models.TextField(_("诉求内容"))
    photo = models.ImageField(_("照片"), upload_to="requests/photos/", blank=True)
    name = models.CharField(_("称呼"), max_length=50)
    phone = EncryptedCharField(_("联系电话"), max_length=20, blank=True, mask=masking.mask_phone)
    # PIPL: the resident's separate consent to the use of their phone number, with the text they agreed to.
    consent_version = models.CharField(_("同意书版本"), max_length=20, blank=True)
    consent_at = models.DateTimeField(_("同意时间"), null=True, blank=True)
    channel = models.CharField(_("来源"), max_length=16, choices=Channel.choices, default=Channel.ZONE_BOARD)
    # Where, and about whom.
    cell = models.ForeignKey(
        Cell, models.PROTECT, null=True, blank=True, related_name="service_requests", verbose_name=_("位置")
    )
    zone = models.ForeignKey(
        "zones.Zone",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("责任区"),
    )
    post = models.ForeignKey(
        "posts.ModelPost",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("示范岗"),
    )
    about_member = models.ForeignKey(
        Member, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("涉及党员")
    )
    opinion = models.OneToOneField(
        "posts.Opinion",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_request",
        verbose_name=_("意见簿条目"),
    )
    # Who answers for it: the community whose queue it is in, the branch, the member or team handling it.
    community = models.ForeignKey(
        Cell, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("社区")
    )
    organisation = models.ForeignKey(
        Organisation, models.PROTECT, null=True, blank=True, related_name="+", verbose_name=_("责任党组织")
    )
    member = models.ForeignKey(
        Member,
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("承办党员"),
    )
    team = models.ForeignKey(
        "community.Team",
        models.PROTECT,
        null=True,
        blank=True,
        related_name="service_requests",
        verbose_name=_("承办服务队"),
    )
    boundary = models.BooleanField(_("边界诉求"), default=False)
    route_note = models.CharField(_("分派依据"), max_length=200, blank=True)
    # The loop.
    status = models.CharField(_("状态"), max_length=12, choices=Status.choices, default=Status.QUEUED)
    received_at = models.DateTimeField(_("提交时间"))
    deadline = models.DateTimeField(_("办理时限"))
    respond_by = models.DateTimeField(_("响应时限"))
    accepted_at = models.DateTimeField(_("受理时间"), null=True, blank=True)
    resolved_at = models.DateTimeField(_("办结时间"), null=True, blank=True)
    closed_at = models.DateTimeField(_("关闭时间"), null=True, blank=True)
    resolution = models.TextField(_("办理情况"), blank=True)
    reopened = models.PositiveSmallIntegerField(_("重办次数"), default=0)
    attention = models.BooleanField(_("需书记关注"), default=False)
    escalation = models.PositiveSmallIntegerField(
        _("督办"), choices=Escalation.choices, default=Escalation.NONE
    )
    escalated_at = models.DateTimeField(_("督办时间"), null=True, blank=True)
    rating = models.PositiveSmallIntegerField(_("满意度"), null=True, blank=True)
    rating_comment = models.TextField(_("评价"), blank=True)
    rated_at = models.DateTimeField(_("评价时间"), null=True, blank=True)
    service_record = models.OneToOneField(
        "community.ServiceRecord",
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="service_request",
        verbose_name=_("服务记录"),
    )
    # A keyed hash of the submitting address, for the rate limit (the address itself is not kept here).
    client = models.CharField(_("来源标识"), max_length=64, blank=True, editable=False)
    entered_by = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("录入人"),
    )

    class Meta:
        verbose_name = _("群众诉求")
        verbose_name_plural = _("群众诉求")
        ordering = ["deadline", "pk"]
        constraints = [
            models.CheckConstraint(
                name="request_rating_range",
                condition=Q(rating__isnull=True) | Q(rating__gte=1, rating__lte=5),
            ),
        ]
        indexes = [
            models.Index(fields=["status", "deadline"], name="request_status_deadline"),
            models.Index(fields=["member", "status"], name="request_member_status"),
            models.Index(fields=["community", "status"], name="request_community_status"),
            models.Index(fields=["organisation", "status"], name="request_org_status"),
            models.Index(fields=["client", "received_at"], name="request_client_received"),
            models.Index(fields=["received_at"], name="request_received"),
        ]

    def __str__(self) -> str:
        return f"{self.tracking_code} {self.get_category_display()}"

    @property
    def is_open(self) -> bool:
        return self.status in OPEN_STATUSES


class Event(models.Model):
    """The request's timeline, as the resident's tracking page and the staff's detail page show it."""

    class Action(models.TextChoices):
        SUBMITTED = "submitted", _("提交诉求")
        ROUTED = "routed", _("分派给承办党员")
        QUEUED = "queued", _("进入社区待派单")
        DISPATCHED = "dispatched", _("社区派单")
        TAKEN = "taken", _("党员接单")
        ACCEPTED = "accepted", _("受理")
        STARTED = "started", _("开始办理")
        RESOLVED = "resolved", _("办结")
        RATED = "rated", _("群众评价")
        REOPENED = "reopened", _("评价不满意,重新办理")
        ESCALATED = "escalated", _("超期督办")
        URGENCY = "urgency", _("调整紧急程度")
        CLOSED = "closed", _("关闭")

    request = models.ForeignKey(ServiceRequest, models.CASCADE, related_name="events", verbose_name=_("诉求"))
    action = models.CharField(_("环节"), max_length=12, choices=Action.choices)
    at = models.DateTimeField(_("时间"))
    actor = models.ForeignKey(
        settings.AUTH_USER_MODEL,
        models.SET_NULL,
        null=True,
        blank=True,
        related_name="+",
        verbose_name=_("办理人"),
    )
    # Shown to staff only; the public timeline shows the action and time.
    note = models.TextField(_("说明"), blank=True)

    class Meta:
        verbose_name = _("诉求办理记录")
        verbose_name_plural = _("诉求办理记录")
        ordering = ["at", "pk"]
        indexes = [models.Index(fields=["request", "at"], name="request_event_at")]

    def __str__(self) -> str:
        return f"{self.request_id} {self.get_action_display()}"
