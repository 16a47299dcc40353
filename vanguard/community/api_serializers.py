"""The serializers of the community's REST endpoints (apis.py): what a client reads and what it may send.

Inputs only parse and bound the request; the rules (one active registration, a community cell, a full post,
hours in half hours, who may confirm or verify) are the services', with their own messages. Foreign keys
in a request are looked up within the caller's sight, so an id out of scope reads like one that does not
exist."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import serializers

from vanguard.accounts import scope
from vanguard.api.fields import ScopedPrimaryKeyRelatedField
from vanguard.org.apis import organisation_field
from vanguard.org.models import Cell, Member

from .models import CommunityPost, PostClaim, Registration, ServiceRecord

TEXT_LIMIT = 2000
STRENGTH_SEPARATORS = ("、", ",", "\uff0c")  # 、 and a comma, ASCII or full-width


def _user_name(user) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def strength_list(text: str) -> list[str]:
    """The registration's strengths one by one: separated by 、 (also a comma, Chinese or not)."""
    for separator in STRENGTH_SEPARATORS[1:]:
        text = text.replace(separator, STRENGTH_SEPARATORS[0])
    return [word.strip() for word in text.split(STRENGTH_SEPARATORS[0]) if word.strip()]


def community_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    # The grid is reference data every role reads; the services refuse a cell that is not a community.
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


def _text(label, *, max_length: int = TEXT_LIMIT, required: bool = False, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        label=label, required=required, allow_blank=not required, max_length=max_length, **kwargs
    )


# --- registrations ---------------------------------------------------------------------------------------


class RegistrationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    organisation = serializers.IntegerField(
        read_only=True, source="member.organisation_id", help_text=_("党员所在党组织(单位党组织)")
    )
    organisation_name = serializers.CharField(read_only=True, source="member.organisation.name")
    community = serializers.IntegerField(read_only=True, source="community_id", help_text=_("报到社区"))
    community_name = serializers.CharField(read_only=True, source="community.name")
    status = serializers.ChoiceField(
        read_only=True,
        choices=Registration.Status.choices,
        help_text=_("submitted 待确认,confirmed 已报到,returned 已退回"),
    )
    occupation = serializers.CharField(read_only=True, label=_("职业"))
    strengths = serializers.CharField(read_only=True, label=_("特长"), help_text=_("多项用“、”分隔"))
    strength_list = serializers.SerializerMethodField(help_text=_("特长逐项列出"))
    wishes = serializers.CharField(read_only=True, label=_("服务意愿"))
    channel = serializers.ChoiceField(
        read_only=True,
        choices=[("online", _("网上报到")), ("paper", _("纸质登记表"))],
        help_text=_("online 党员网上报到,paper 社区工作人员录入纸质登记表"),
    )
    submitted_at = serializers.DateTimeField(read_only=True)
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    confirmed_by = serializers.SerializerMethodField(help_text=_("确认人的姓名或用户名"))
    returned_at = serializers.DateTimeField(read_only=True, allow_null=True)
    return_reason = serializers.CharField(read_only=True, label=_("退回原因"))

    def get_strength_list(self, registration: Registration) -> list[str]:
        return strength_list(registration.strengths)

    def get_confirmed_by(self, registration: Registration) -> str:
        return _user_name(registration.confirmed_by)


class RegistrationFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Registration.Status.choices, required=False, allow_blank=True)
    community = community_field(required=False, help_text=_("该网格(街道或社区)及其下级的报到"))
    organisation = organisation_field(required=False, help_text=_("该党组织及其下级党员的报到"))
    occupation = serializers.CharField(required=False, allow_blank=True, max_length=50, label=_("职业"))
    strength = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=_("特长之一,如 书法")
    )
    in_service = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true:只列在职党员")
    )


class RegistrationCreateSerializer(serializers.Serializer):
    community = community_field(help_text=_("报到社区的编号(网格中类型为社区的节点)"))
    member = member_field(
        required=False,
        allow_null=True,
        help_text=_("不填为本人网上报到;社区工作人员录入纸质登记表时填写党员编号"),
    )
    occupation = _text(_("职业"), max_length=50, help_text=_("不填时取本人登记的职业"))
    strengths = _text(_("特长"), max_length=200, help_text=_("多项用“、”分隔,如 书法、维修"))
    wishes = _text(_("服务意愿"))


class RegistrationReturnSerializer(serializers.Serializer):
    reason = _text(_("退回原因"), required=True)


# --- the book: in-service members by community, occupation and strength ---------------------------------


class StatsFilterSerializer(serializers.Serializer):
    cell = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("街道或社区在网格中的编号"), label=_("街道或社区")
    )


class CommunityCountSerializer(serializers.Serializer):
    cell = serializers.IntegerField(help_text=_("社区编号"))
    name = serializers.CharField(help_text=_("社区名称"))
    count = serializers.IntegerField()


class OccupationCountSerializer(serializers.Serializer):
    occupation = serializers.CharField(help_text=_("报到时登记的职业;未填写为空字符串"))
    count = serializers.IntegerField()


class StrengthCountSerializer(serializers.Serializer):
    strength = serializers.CharField()
    count = serializers.IntegerField()


class InServiceStatsSerializer(serializers.Serializer):
    total = serializers.IntegerField(help_text=_("已报到的在职党员人数"))
    by_community = CommunityCountSerializer(many=True)
    by_occupation = OccupationCountSerializer(many=True)
    by_strength = StrengthCountSerializer(many=True)


# --- posts and claims ------------------------------------------------------------------------------------


class CommunityPostSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    community = serializers.IntegerField(read_only=True, source="community_id")
    community_name = serializers.CharField(read_only=True, source="community.name")
    name = serializers.CharField(read_only=True, label=_("岗位名称"))
    category = serializers.ChoiceField(read_only=True, choices=CommunityPost.Category.choices)
    description = serializers.CharField(read_only=True, label=_("岗位职责"))
    places = serializers.IntegerField(read_only=True, label=_("名额"))
    taken = serializers.IntegerField(read_only=True, help_text=_("已认领(待确认和已上岗)的名额"))
    active = serializers.BooleanField(read_only=True, help_text=_("是否招募中"))


class PostFilterSerializer(serializers.Serializer):
    community = community_field(required=False, help_text=_("该网格(街道或社区)及其下级的岗位"))
    category = serializers.ChoiceField(
        choices=CommunityPost.Category.choices, required=False, allow_blank=True
    )
    open = serializers.BooleanField(
        required=False, allow_null=True, default=None, help_text=_("true:只列招募中且有空余名额的岗位")
    )


class PostCreateSerializer(serializers.Serializer):
    community = community_field(help_text=_("设岗的社区"))
    name = _text(_("岗位名称"), max_length=100, required=True)
    category = serializers.ChoiceField(choices=CommunityPost.Category.choices, label=_("类别"))
    places = serializers.IntegerField(min_value=1, max_value=999, label=_("名额"))
    description = _text(_("岗位职责"))


class ClaimSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    post = serializers.IntegerField(read_only=True, source="post_id")
    post_name = serializers.CharField(read_only=True, source="post.name")
    community = serializers.IntegerField(read_only=True, source="post.community_id")
    community_name = serializers.CharField(read_only=True, source="post.community.name")
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    status = serializers.ChoiceField(
        read_only=True,
        choices=PostClaim.Status.choices,
        help_text=_("claimed 待确认,confirmed 已上岗,released 已离岗"),
    )
    created_at = serializers.DateTimeField(read_only=True, help_text=_("认领时间"))
    confirmed_at = serializers.DateTimeField(read_only=True, allow_null=True)


class ClaimFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=PostClaim.Status.choices, required=False, allow_blank=True)
    community = community_field(required=False, help_text=_("该网格及其下级社区的岗位认领"))
    member = member_field(required=False)


# --- service records -------------------------------------------------------------------------------------


class ServiceRecordSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    community = serializers.IntegerField(read_only=True, source="community_id")
    community_name = serializers.CharField(read_only=True, source="community.name")
    activity = serializers.CharField(read_only=True, label=_("服务内容"))
    served_on = serializers.DateField(read_only=True)
    hours = serializers.DecimalField(max_digits=5, decimal_places=1, read_only=True)
    post = serializers.IntegerField(read_only=True, allow_null=True, source="post_id")
    status = serializers.ChoiceField(
        read_only=True,
        choices=ServiceRecord.Status.choices,
        help_text=_("reported 待核实(本人记录,不计入时间银行),verified 已核实(已计入),rejected 未核实"),
    )
    credited = serializers.BooleanField(read_only=True, help_text=_("是否已计入时间银行"))
    verified_at = serializers.DateTimeField(read_only=True, allow_null=True)
    verified_by = serializers.SerializerMethodField(help_text=_("核实人的姓名或用户名"))
    rejection_reason = serializers.CharField(read_only=True, label=_("未予核实的原因"))

    def get_verified_by(self, record: ServiceRecord) -> str:
        return _user_name(record.verified_by)


class ServiceRecordFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ServiceRecord.Status.choices, required=False, allow_blank=True)
    community = community_field(required=False, help_text=_("该网格及其下级社区的服务记录"))
    member = member_field(required=False)
    organisation = organisation_field(required=False, help_text=_("该党组织及其下级党员的服务记录"))
    served_from = serializers.DateField(required=False, help_text=_("服务日期自(含)"))
    served_to = serializers.DateField(required=False, help_text=_("服务日期至(含)"))


class ServiceRecordCreateSerializer(serializers.Serializer):
    member = member_field(
        required=False,
        allow_null=True,
        help_text=_("不填为本人记录(待社区核实);社区工作人员直接录入时填写党员编号(即为已核实并入账)"),
    )
    community = community_field(help_text=_("服务的社区"))
    activity = _text(_("服务内容"), max_length=200, required=True)
    served_on = serializers.DateField(label=_("服务日期"), help_text=_("不能晚于今天"))
    hours = serializers.DecimalField(
        max_digits=6, decimal_places=2, label=_("时长(小时)"), help_text=_("大于0、不超过24,以0.5小时为单位")
    )
    post = ScopedPrimaryKeyRelatedField(
        queryset=CommunityPost.objects.all(),
        scoped=scope.visible_to,
        required=False,
        allow_null=True,
        help_text=_("所服务的社区岗位(可不填)"),
        error_messages={"does_not_exist": _("所选社区岗位不存在或不在您的可见范围内。")},
    )


class ServiceRejectSerializer(serializers.Serializer):
    reason = _text(_("不予核实的原因"), required=True)


# --- feedback to the member's branch --------------------------------------------------------------------


class FeedbackFilterSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("党员所在的党组织(支部)编号,含其下级")
    )
    quarter = serializers.CharField(required=False, max_length=10, help_text=_("季度,如 2026Q3;不填为本季度"))


class FeedbackSerializer(serializers.Serializer):
    member = serializers.IntegerField(read_only=True, source="pk")
    name = serializers.CharField(read_only=True, source="person.name")
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    category = serializers.ChoiceField(read_only=True, choices=Member.Category.choices)
    registration = serializers.IntegerField(read_only=True, source="registration_id", allow_null=True)
    community = serializers.IntegerField(read_only=True, source="community_id", allow_null=True)
    community_name = serializers.CharField(read_only=True, help_text=_("报到社区"))
    records = serializers.IntegerField(
        read_only=True, source="records_count", help_text=_("本季度经社区核实的服务次数")
    )
    hours = serializers.DecimalField(
        max_digits=10,
        decimal_places=1,
        read_only=True,
        source="service_hours",
        help_text=_("本季度经社区核实的服务时长(小时)"),
    )
    waiting = serializers.IntegerField(
        read_only=True,
        source="waiting_count",
        help_text=_("本季度本人记录、尚待社区核实的服务次数(不计时长)"),
    )
    posts = serializers.IntegerField(
        read_only=True, source="posts_count", help_text=_("季度末在岗的社区岗位数")
    )
    pairings = serializers.IntegerField(
        read_only=True, source="pairings_count", help_text=_("本季度内结对帮扶的对象数")
    )
    visits = serializers.IntegerField(
        read_only=True, source="visits_count", help_text=_("本季度帮扶走访次数")
    )
