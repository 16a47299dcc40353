"""The serializers of the model posts' REST endpoints (apis.py): what a client reads and what it may send.

Reads mirror the stored rows (a post's stars, its timeline and its evaluations are written by the services,
never recomputed here). Inputs only parse and bound the request; the rules (who may approve, a month
already evaluated, a post not on the wall, a reason required) are the services', with their messages."""

from __future__ import annotations

from typing import Any

from django.urls import reverse
from django.utils.translation import gettext_lazy as _
from drf_spectacular.utils import extend_schema_field, extend_schema_serializer
from rest_framework import serializers

from vanguard.accounts import scope
from vanguard.api.fields import ScopedPrimaryKeyRelatedField
from vanguard.core.masking import mask_name, mask_phone
from vanguard.org.apis import organisation_field
from vanguard.org.models import Member
from vanguard.reports.apis import MonthField

from .models import MAX_STARS, ModelPost, Opinion, PostMember, PostRules, StarEvent

TEXT_LIMIT = 5000
# At most this many members in one application: a window, a desk or a team, not a whole branch.
MAX_POST_MEMBERS = 50


def _user_name(user) -> str:
    if user is None:
        return ""
    return str(getattr(user, "display_name", "") or user.get_username())


def _points(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True, **kwargs)


# --- posts -----------------------------------------------------------------------------------------------


class PostSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label=_("示范岗名称"))
    kind = serializers.ChoiceField(read_only=True, choices=ModelPost.Kind.choices, label=_("类型"))
    organisation = serializers.IntegerField(
        read_only=True, source="organisation_id", help_text=_("所属党支部")
    )
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    location = serializers.CharField(read_only=True, label=_("所在位置"))
    complaint_phone = serializers.CharField(read_only=True, label=_("投诉电话"))
    status = serializers.ChoiceField(
        read_only=True,
        choices=ModelPost.Status.choices,
        help_text=_("applied 待审批,approved 已挂牌,rejected 未批准,removed 已摘牌"),
    )
    stars = serializers.IntegerField(read_only=True, help_text=_("星级,0至5"))
    named_at = serializers.DateField(
        read_only=True, allow_null=True, help_text=_("授牌命名日期;未命名为 null")
    )
    member_count = serializers.IntegerField(read_only=True, help_text=_("示范岗党员人数"))


class PostMemberSerializer(serializers.Serializer):
    member = serializers.IntegerField(read_only=True, source="member_id")
    name = serializers.CharField(read_only=True, source="member.person.name", label=_("姓名"))
    job = serializers.CharField(read_only=True, label=_("岗位职务"))
    motto = serializers.CharField(read_only=True, label=_("格言式承诺"))
    photo = serializers.SerializerMethodField(
        help_text=_("照片的地址(与网页和公示牌同一个地址);没有照片为 null。照片在网页上传")
    )
    order = serializers.IntegerField(read_only=True, label=_("排序"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_photo(self, row: PostMember) -> str | None:
        # The pages' photo view, which checks who may see it; MEDIA_URL itself is not served.
        return reverse("posts_public:photo", args=[row.pk]) if row.photo else None


class StarEventSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(read_only=True, choices=StarEvent.Kind.choices, label=_("变化"))
    kind_label = serializers.CharField(read_only=True, source="get_kind_display")
    stars_before = serializers.IntegerField(read_only=True, label=_("变化前星级"))
    stars_after = serializers.IntegerField(read_only=True, label=_("变化后星级"))
    reason = serializers.CharField(read_only=True, label=_("原因"))
    evaluation = serializers.IntegerField(
        read_only=True, allow_null=True, source="evaluation_id", help_text=_("引起变化的月度评定")
    )
    created_by_name = serializers.CharField(read_only=True, label=_("操作人"))
    created_at = serializers.DateTimeField(read_only=True, label=_("时间"))


class EvaluationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    post = serializers.IntegerField(read_only=True, source="post_id")
    month = MonthField(read_only=True, help_text=_("评定的月份,如 2026-03"))
    total = _points(help_text=_("考核引擎给出的评定总分(百分制)"))
    complaints_upheld = serializers.IntegerField(read_only=True, help_text=_("该月收到并核实属实的投诉件数"))
    serious_upheld = serializers.BooleanField(read_only=True, label=_("有属实的严重投诉"))
    score = _points(help_text=_("扣除属实投诉后的得分"))
    passed = serializers.BooleanField(read_only=True, help_text=_("得分达到当时规则的达标分数线"))
    rules_version = serializers.IntegerField(
        read_only=True, source="rules.number", help_text=_("评定所用规则的版本号")
    )
    pass_mark = _points(source="rules.pass_mark", help_text=_("评定所用规则的达标分数线"))
    result = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        source="result_id",
        help_text=_("考核引擎中的考核结果编号(GET /api/v1/assessment/results/{id}/);人工评定为 null"),
    )
    created_at = serializers.DateTimeField(read_only=True, label=_("评定时间"))


class PostDetailSerializer(PostSerializer):
    description = serializers.CharField(read_only=True, label=_("岗位职责与服务承诺"))
    decided_at = serializers.DateTimeField(read_only=True, allow_null=True, label=_("审批时间"))
    rejection_reason = serializers.CharField(read_only=True, label=_("不予批准的理由"))
    removed_at = serializers.DateField(read_only=True, allow_null=True, label=_("摘牌日期"))
    removal_reason = serializers.CharField(read_only=True, label=_("摘牌原因"))
    members = PostMemberSerializer(
        many=True,
        read_only=True,
        source="post_members.all",
        help_text=_("示范岗党员:姓名、岗位职务、格言式承诺、照片"),
    )
    events = StarEventSerializer(
        many=True, read_only=True, source="events.all", help_text=_("星级变化的时间线,按时间先后,每条带原因")
    )
    evaluations = EvaluationSerializer(
        many=True, read_only=True, source="evaluations.all", help_text=_("月度评定,按月份先后")
    )


class EvaluatedSerializer(EvaluationSerializer):
    # The answer to an evaluation: the month's evaluation, what it changed, and the post afterwards.

    events = StarEventSerializer(
        many=True, read_only=True, source="events.all", help_text=_("这次评定引起的星级变化")
    )
    stars = serializers.IntegerField(read_only=True, source="post.stars", help_text=_("评定后的星级"))
    status = serializers.ChoiceField(
        read_only=True, choices=ModelPost.Status.choices, source="post.status", help_text=_("评定后的状态")
    )


class PostFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=ModelPost.Status.choices, required=False, allow_blank=True)
    stars = serializers.IntegerField(
        required=False, min_value=0, max_value=MAX_STARS, help_text=_("星级,0至5")
    )
    organisation = organisation_field(required=False, help_text=_("该党组织及其下级的示范岗"))


class PostMemberInputSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("person", "organisation"),
        scoped=scope.visible_to,
        help_text=_("党员编号:须为申请党支部(含其党小组)的党员"),
        error_messages={"does_not_exist": _("所选党员不存在或不在您的可见范围内。")},
    )
    job = serializers.CharField(required=False, allow_blank=True, max_length=100, label=_("岗位职务"))
    motto = serializers.CharField(
        required=False, allow_blank=True, max_length=200, label=_("格言式承诺"), help_text=_("必填")
    )


class PostApplySerializer(serializers.Serializer):
    organisation = organisation_field(help_text=_("申请的党支部或党小组:须在您的管理范围内"))
    name = serializers.CharField(max_length=100, label=_("示范岗名称"))
    kind = serializers.ChoiceField(
        choices=ModelPost.Kind.choices,
        required=False,
        help_text=_("window 窗口,desk 岗位,team 班组,other 其他"),
    )
    location = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("所在位置"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("岗位职责与服务承诺")
    )
    complaint_phone = serializers.CharField(
        required=False, allow_blank=True, max_length=20, label=_("投诉电话")
    )
    members = PostMemberInputSerializer(
        many=True,
        max_length=MAX_POST_MEMBERS,
        help_text=_("示范岗党员,至少一名:党员编号、岗位职务和格言式承诺;照片在网页上传"),
    )

    FIELDS = ("name", "kind", "location", "description", "complaint_phone")

    def post_fields(self) -> dict[str, Any]:
        return {name: self.validated_data[name] for name in self.FIELDS if name in self.validated_data}


class ReasonSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("说明"), help_text=_("可不填")
    )


class RejectSerializer(serializers.Serializer):
    reason = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=TEXT_LIMIT,
        label=_("不予批准的理由"),
        help_text=_("必填"),
    )


class PostReviewSerializer(serializers.Serializer):
    passed = serializers.BooleanField(help_text=_("true 复评通过,保留星级;false 未通过,摘牌"))
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("复评意见"), help_text=_("必填")
    )


class EvaluateSerializer(serializers.Serializer):
    month = MonthField(help_text=_("评定的月份,如 2026-03;不能是未来的月份,每月一次"))
    total = serializers.DecimalField(
        max_digits=7, decimal_places=2, help_text=_("评定总分,0至100;扣除该月属实投诉后与达标分数线比较")
    )


# --- the opinion book ------------------------------------------------------------------------------------


class OpinionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    post = serializers.IntegerField(read_only=True, source="post_id")
    post_name = serializers.CharField(read_only=True, source="post.name")
    kind = serializers.ChoiceField(
        read_only=True,
        choices=Opinion.Kind.choices,
        help_text=_("opinion 意见建议,praise 表扬,complaint 投诉"),
    )
    channel = serializers.ChoiceField(
        read_only=True,
        choices=Opinion.Channel.choices,
        help_text=_("online 网上留言,paper 意见簿,phone 投诉电话"),
    )
    content = serializers.CharField(read_only=True, label=_("内容"))
    name = serializers.SerializerMethodField(
        help_text=_("留言人;只有本支部书记和党委办公室看到全名,其他人看到脱敏的姓名")
    )
    phone = serializers.SerializerMethodField(
        help_text=_("联系电话;只有本支部书记和党委办公室看到完整号码,其他人看到脱敏的号码")
    )
    received_on = serializers.DateField(read_only=True, label=_("收到日期"))
    answer = serializers.CharField(read_only=True, label=_("答复"))
    upheld = serializers.BooleanField(
        read_only=True, allow_null=True, help_text=_("投诉是否属实;不是投诉或尚未核实为 null")
    )
    serious = serializers.BooleanField(read_only=True, label=_("严重投诉"))
    answered_by_name = serializers.SerializerMethodField(help_text=_("答复人"))
    answered_at = serializers.DateTimeField(
        read_only=True, allow_null=True, help_text=_("答复时间;尚未答复为 null")
    )

    def _full(self, opinion: Opinion) -> bool:
        # Those who answer the book call the resident back; a member of the post sees who wrote only masked.
        editable = self.context.get("editable")
        return editable is True or (callable(editable) and editable(opinion))

    def get_name(self, opinion: Opinion) -> str:
        return opinion.name if self._full(opinion) else mask_name(opinion.name)

    def get_phone(self, opinion: Opinion) -> str:
        return opinion.phone if self._full(opinion) else mask_phone(opinion.phone)

    def get_answered_by_name(self, opinion: Opinion) -> str:
        return _user_name(opinion.answered_by)


class OpinionFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Opinion.Kind.choices, required=False, allow_blank=True)
    answered = serializers.BooleanField(
        required=False, allow_null=True, help_text=_("true 只列已答复的,false 只列未答复的")
    )


class AnswerSerializer(serializers.Serializer):
    answer = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("答复"), help_text=_("必填")
    )
    upheld = serializers.BooleanField(
        required=False, allow_null=True, help_text=_("投诉是否属实:投诉必填,核实后不能更改;其他留言不填")
    )
    serious = serializers.BooleanField(
        required=False,
        default=False,
        help_text=_("严重投诉:属实且规则规定时,示范岗当即摘牌"),
    )


# --- the rules -------------------------------------------------------------------------------------------


@extend_schema_serializer(many=False)
class PostRulesSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(
        read_only=True, source="organisation_id", help_text=_("制定规则的党组织")
    )
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    number = serializers.IntegerField(read_only=True, label=_("版本号"))
    pass_mark = _points(label=_("达标分数线"))
    complaint_penalty = _points(label=_("每件属实投诉扣分"))
    serious_complaint_removes = serializers.BooleanField(read_only=True, label=_("严重投诉属实即摘牌"))
    note = serializers.CharField(read_only=True, label=_("修订说明"))
    created_by_name = serializers.SerializerMethodField(help_text=_("修订人"))
    created_at = serializers.DateTimeField(read_only=True, label=_("创建时间"))
    inherited = serializers.SerializerMethodField(help_text=_("所查党组织本身没有规则,适用上级党组织的规则"))

    def get_created_by_name(self, rules: PostRules) -> str:
        return _user_name(rules.created_by)

    def get_inherited(self, rules: PostRules) -> bool:
        asked = self.context.get("organisation")
        return asked is not None and asked.pk != rules.organisation_id


class PostRulesFilterSerializer(serializers.Serializer):
    organisation = organisation_field(
        help_text=_("党组织:返回适用于它的当前规则(本组织或最近的上级组织制定的)")
    )


def _mark(label) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5, decimal_places=2, min_value=0, max_value=100, required=False, label=label
    )


class PostRulesUpdateSerializer(serializers.Serializer):
    organisation = organisation_field(help_text=_("制定规则的党组织:您担任党委办公室的党组织"))
    pass_mark = _mark(_("达标分数线"))
    complaint_penalty = _mark(_("每件属实投诉扣分"))
    serious_complaint_removes = serializers.BooleanField(required=False, label=_("严重投诉属实即摘牌"))
    note = serializers.CharField(required=False, allow_blank=True, max_length=200, label=_("修订说明"))

    FIELDS = ("pass_mark", "complaint_penalty", "serious_complaint_removes")

    def rule_fields(self) -> dict[str, Any]:
        return {name: self.validated_data[name] for name in self.FIELDS if name in self.validated_data}
