"""The serializers of the residents' requests' REST endpoints (apis.py): what a client reads and may send.

Inputs only parse the request; the rules (a phone needs consent, a description of five characters, who may
accept, dispatch or close, which transitions are allowed) are the services', with their own messages. Foreign
keys are looked up within the caller's sight, so an id out of scope reads like one that does not exist.

The resident's phone number comes out in full only to those who call them back — the member handling it,
the community's workers, the branch's editors (the services' is_handler / is_community_worker /
is_branch_editor) — and masked to anyone else who sees the request."""

from __future__ import annotations

from typing import Any

from django.db.models import BooleanField, Exists, OuterRef, QuerySet, Value
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanguard.accounts import scope
from vanguard.api.fields import ScopedPrimaryKeyRelatedField
from vanguard.core.masking import mask_phone
from vanguard.org.apis import cell_field, organisation_field
from vanguard.org.models import Cell, Member
from vanguard.zones.zone_apis import zone_field

from . import services, stats
from .models import Category, Channel, Escalation, Event, Kind, ServiceRequest, Status, Urgency

VIEWS = [
    ("mine", _("我承办的(本人或本人所在服务队承办、未关闭)")),
    ("queue", _("社区待派单(待接单的社区队列)")),
    ("escalated", _("督办(已超期督办或评价不满意需书记关注,未关闭)")),
    ("all", _("全部")),
]


def _user_name(user) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def may_act(user, req: ServiceRequest) -> bool:
    """Whether `user` calls the resident back: the handler, the community's workers, the branch's editors.
    A list annotates `caller_in_team` so that a request dispatched to a team asks no query per row."""
    if services.is_community_worker(user, req) or services.is_branch_editor(user, req):
        return True
    if req.member_id is None and req.team_id is not None and hasattr(req, "caller_in_team"):
        return bool(req.caller_in_team)
    return services.is_handler(user, req)


def with_caller_in_team(user, queryset: QuerySet[ServiceRequest]) -> QuerySet[ServiceRequest]:
    from vanguard.community.models import Team

    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return queryset.annotate(caller_in_team=Value(False, output_field=BooleanField()))
    through = Team.members.through.objects.filter(team_id=OuterRef("team_id"), member__person_id=person_id)
    return queryset.annotate(caller_in_team=Exists(through))


def community_cell_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    # The grid is reference data every role reads.
    return ScopedPrimaryKeyRelatedField(
        queryset=Cell.objects.all(),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选社区不存在。")},
        **kwargs,
    )


def member_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("person", "organisation"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选党员不存在或不在您的可见范围内。")},
        **kwargs,
    )


def _dispatchable_members(user, queryset: QuerySet[Member]) -> QuerySet[Member]:
    """The members a dispatch may name: those in the caller's sight, and for a community worker also the
    members confirmed as registered at a community they work for (who may live elsewhere)."""
    from vanguard.community.models import Registration

    s = scope.scope_of(user)
    visible = scope.visible_to(user, queryset)
    if not s.cell_paths:
        return visible
    registered = Registration.objects.filter(
        scope.grid_q(s, "community__path"),
        member_id=OuterRef("pk"),
        status=Registration.Status.CONFIRMED,
    )
    return visible | queryset.filter(Exists(registered))


def _team_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    from vanguard.community.models import Team

    return ScopedPrimaryKeyRelatedField(
        queryset=Team.objects.all(),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选志愿服务队不存在或不在您的可见范围内。")},
        **kwargs,
    )


# --- reading ---------------------------------------------------------------------------------------------


class EventSerializer(serializers.Serializer):
    action = serializers.ChoiceField(read_only=True, choices=Event.Action.choices, label=_("环节"))
    action_label = serializers.CharField(read_only=True, source="get_action_display")
    at = serializers.DateTimeField(read_only=True, label=_("时间"))
    actor = serializers.SerializerMethodField(help_text=_("办理人的姓名或用户名;居民或系统为空"))
    note = serializers.CharField(read_only=True, label=_("说明"))

    def get_actor(self, event: Event) -> str:
        return _user_name(event.actor)


def _name(source: str, help_text=None) -> serializers.CharField:
    return serializers.CharField(read_only=True, source=source, allow_null=True, help_text=help_text)


def _id(source: str, help_text=None) -> serializers.IntegerField:
    return serializers.IntegerField(read_only=True, source=source, allow_null=True, help_text=help_text)


class ServiceRequestSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    tracking_code = serializers.CharField(read_only=True, label=_("查询码"))
    kind = serializers.ChoiceField(read_only=True, choices=Kind.choices, label=_("类型"))
    category = serializers.ChoiceField(read_only=True, choices=Category.choices, label=_("类别"))
    urgency = serializers.ChoiceField(read_only=True, choices=Urgency.choices, label=_("紧急程度"))
    description = serializers.CharField(read_only=True, label=_("诉求内容"))
    has_photo = serializers.SerializerMethodField(help_text=_("是否附有照片(在诉求详情页查看)"))
    name = serializers.CharField(read_only=True, label=_("称呼"))
    phone = serializers.SerializerMethodField(
        help_text=_(
            "联系电话;承办党员、本社区工作人员和所属党支部书记、党委办公室看到完整号码,其他人看到脱敏的号码"
        )
    )
    consent_version = serializers.CharField(read_only=True, help_text=_("居民同意使用电话号码的同意书版本"))
    consent_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("同意时间"))
    channel = serializers.ChoiceField(read_only=True, choices=Channel.choices, label=_("来源"))
    cell = _id("cell_id", _("诉求所在位置(网格)"))
    cell_name = _name("cell.name")
    zone = _id("zone_id", _("责任区"))
    zone_name = _name("zone.name")
    post = _id("post_id", _("所涉示范岗"))
    post_name = _name("post.name")
    about_member = _id("about_member_id", _("所涉党员(意见、表扬、投诉)"))
    about_member_name = _name("about_member.person.name")
    community = _id("community_id", _("所属社区"))
    community_name = _name("community.name")
    organisation = _id("organisation_id", _("责任党组织"))
    organisation_name = _name("organisation.name")
    member = _id("member_id", _("承办党员"))
    member_name = _name("member.person.name")
    team = _id("team_id", _("承办的志愿服务队"))
    team_name = _name("team.name")
    boundary = serializers.BooleanField(read_only=True, help_text=_("边界诉求:无责任区或处于两个责任区交界"))
    route_note = serializers.CharField(read_only=True, label=_("分派依据"))
    status = serializers.ChoiceField(
        read_only=True,
        choices=Status.choices,
        help_text=_(
            "queued 待派单,assigned 待接单,accepted 已受理,in_progress 办理中,"
            "resolved 已办结待评价,closed 已关闭"
        ),
    )
    overdue = serializers.BooleanField(read_only=True, help_text=_("未办结且已过办理时限"))
    received_at = serializers.DateTimeField(read_only=True, label=_("提交时间"))
    respond_by = serializers.DateTimeField(read_only=True, label=_("响应时限"))
    deadline = serializers.DateTimeField(read_only=True, label=_("办理时限"))
    accepted_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("受理时间"))
    resolved_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("办结时间"))
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("关闭时间"))
    resolution = serializers.CharField(read_only=True, label=_("办理情况"))
    reopened = serializers.IntegerField(read_only=True, help_text=_("因评价不满意重新办理的次数"))
    attention = serializers.BooleanField(read_only=True, help_text=_("评价不满意,需支部书记关注"))
    escalation = serializers.ChoiceField(
        read_only=True,
        choices=Escalation.choices,
        help_text=_("0 未督办,1 已提请支部书记督办,2 已提请党委办公室督办"),
    )
    escalated_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("督办时间"))
    rating = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("居民评价 1–5;未评价为 null")
    )
    rating_comment = serializers.CharField(read_only=True, label=_("评价"))
    rated_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("评价时间"))
    service_record = _id("service_record_id", _("办结时记录的服务时长(社区服务记录)"))
    entered_by = serializers.SerializerMethodField(help_text=_("工作人员代录时为录入人,否则为空"))

    def _user(self):
        request = self.context.get("request")
        return getattr(request, "user", None)

    def get_has_photo(self, req: ServiceRequest) -> bool:
        return bool(req.photo)

    def get_phone(self, req: ServiceRequest) -> str:
        return req.phone if may_act(self._user(), req) else mask_phone(req.phone)

    def get_entered_by(self, req: ServiceRequest) -> str:
        return _user_name(req.entered_by)


class ServiceRequestDetailSerializer(ServiceRequestSerializer):
    events = serializers.SerializerMethodField(help_text=_("办理记录,按时间先后"))

    @extend_schema_field(EventSerializer(many=True))
    def get_events(self, req: ServiceRequest) -> list[dict[str, Any]]:
        events = req.events.select_related("actor").order_by("at", "pk")
        return EventSerializer(events, many=True).data


class RequestFilterSerializer(serializers.Serializer):
    view = serializers.ChoiceField(
        choices=VIEWS,
        required=False,
        allow_blank=True,
        help_text=_("mine 我承办的,queue 社区待派单,escalated 督办,all 或不填为全部"),
    )
    status = serializers.ChoiceField(choices=Status.choices, required=False, allow_blank=True)
    kind = serializers.ChoiceField(choices=Kind.choices, required=False, allow_blank=True)
    category = serializers.ChoiceField(choices=Category.choices, required=False, allow_blank=True)
    urgency = serializers.ChoiceField(choices=Urgency.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(
        required=False,
        allow_null=True,
        default=None,
        help_text=_("true 只列已超期未办结的,false 只列未超期的"),
    )
    community = community_cell_field(required=False, help_text=_("该网格(街道或社区)及其下级的诉求"))
    organisation = organisation_field(required=False, help_text=_("责任党组织为该党组织或其下级的诉求"))
    zone = zone_field(required=False, help_text=_("该责任区的诉求"))
    member = member_field(required=False, help_text=_("该党员承办的诉求"))


# --- writing ---------------------------------------------------------------------------------------------


class RequestCreateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Kind.choices, default=Kind.REQUEST, label=_("类型"))
    category = serializers.ChoiceField(choices=Category.choices, default=Category.OTHER, label=_("类别"))
    urgent = serializers.BooleanField(default=False, help_text=_("居民说明情况紧急(2小时内办理)"))
    description = serializers.CharField(allow_blank=True, label=_("诉求内容"), help_text=_("至少5个字"))
    name = serializers.CharField(allow_blank=True, label=_("称呼"), help_text=_("如“王阿姨”“李先生”"))
    phone = serializers.CharField(
        required=False, allow_blank=True, default="", label=_("联系电话"), help_text=_("求助必填")
    )
    consent = serializers.BooleanField(
        default=False, help_text=_("居民已同意使用其电话号码联系本人(留电话时必须为 true)")
    )
    zone = zone_field(required=False, allow_null=True, help_text=_("诉求所在的责任区"))
    cell = cell_field(required=False, allow_null=True, help_text=_("诉求所在的位置(小区、楼栋等网格)"))
    community = community_cell_field(
        required=False, allow_null=True, help_text=_("诉求所在的社区(不知道具体位置时)")
    )

    def validate_community(self, community: Cell | None) -> Cell | None:
        if community is not None and community.kind != Cell.Kind.COMMUNITY:
            raise serializers.ValidationError(
                _("“%(name)s”是%(kind)s,请选择社区。")
                % {"name": community.name, "kind": community.get_kind_display()}
            )
        return community


class ResolveSerializer(serializers.Serializer):
    resolution = serializers.CharField(allow_blank=True, label=_("办理情况"), help_text=_("必填:做了什么"))
    hours = serializers.DecimalField(
        max_digits=6,
        decimal_places=2,
        required=False,
        allow_null=True,
        label=_("服务时长(小时)"),
        help_text=_("可不填;填写时记为一条待社区核实的服务记录,以0.5小时为单位"),
    )


class DispatchSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("person", "organisation"),
        scoped=_dispatchable_members,
        required=False,
        allow_null=True,
        help_text=_("派给的党员(与 team 二选一)"),
        error_messages={"does_not_exist": _("所选党员不存在或不在您的可见范围内。")},
    )
    team = _team_field(
        required=False, allow_null=True, help_text=_("派给的本社区志愿服务队(与 member 二选一)")
    )
    note = serializers.CharField(
        required=False, allow_blank=True, default="", max_length=200, label=_("说明")
    )


class UrgencySerializer(serializers.Serializer):
    urgency = serializers.ChoiceField(
        choices=Urgency.choices,
        label=_("紧急程度"),
        help_text=_("urgent 紧急2小时,utilities 水电气暖24小时,general 一般7天,complex 复杂15天"),
    )
    reason = serializers.CharField(allow_blank=True, label=_("调整原因"), help_text=_("必填"))


class CloseSerializer(serializers.Serializer):
    reason = serializers.CharField(
        allow_blank=True, label=_("关闭原因"), help_text=_("必填,如“重复诉求”“不属于求助”“已办结,居民未评价”")
    )


# --- the rates -------------------------------------------------------------------------------------------


class RatesFilterSerializer(serializers.Serializer):
    by = serializers.ChoiceField(
        choices=stats.BY_CHOICES,
        required=False,
        default=stats.MEMBER,
        help_text=_("member 按党员,zone 按责任区,branch 按党支部(党小组计入所属支部),community 按社区"),
    )
    start = serializers.DateField(required=False, help_text=_("提交日期自(含);不填为本季度第一天"))
    end = serializers.DateField(required=False, help_text=_("提交日期至(含);不填为本季度最后一天"))
    organisation = organisation_field(required=False, help_text=_("只计责任党组织为该党组织或其下级的诉求"))
    community = community_cell_field(required=False, help_text=_("只计该网格(街道或社区)及其下级的诉求"))

    def validate(self, data: dict) -> dict:
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise serializers.ValidationError({"end": [_("截止日期不能早于起始日期。")]})
        return data


class RateSerializer(serializers.Serializer):
    counted = serializers.IntegerField(read_only=True, help_text=_("达标的件数"))
    expected = serializers.IntegerField(read_only=True, help_text=_("样本量:应计的件数"))
    rate = serializers.DecimalField(
        max_digits=4,
        decimal_places=1,
        read_only=True,
        allow_null=True,
        help_text=_("百分比,保留一位小数;样本量为0时为 null"),
    )


class RatesRowSerializer(serializers.Serializer):
    id = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("党员、责任区、党组织或社区的编号;合计行为 null")
    )
    name = serializers.CharField(read_only=True, help_text=_("党员姓名、责任区、党组织或社区的名称"))
    detail = serializers.CharField(
        read_only=True, help_text=_("补充说明:党员所在党组织,责任区的年度和党组织")
    )
    received = serializers.IntegerField(read_only=True, help_text=_("期间收到的求助件数(不含未办结即关闭的)"))
    response = RateSerializer(read_only=True, help_text=_("响应率:在响应时限内受理"))
    resolution = RateSerializer(read_only=True, help_text=_("解决率:在办理时限内办结"))
    satisfaction = RateSerializer(read_only=True, help_text=_("满意率:评价4星及以上"))
