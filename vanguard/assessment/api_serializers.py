"""The serializers of the assessment's REST endpoints (apis.py): what a client reads and what it may send.

Reads mirror the stored numbers (totals, ranks and breakdowns are computed when a round closes and kept,
never recomputed per request). Inputs only parse and bound the request; the rules (who may score which
source, a maximum, a locked round, a stale version) are the services'."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import Any

from django.utils import timezone
from django.utils.translation import gettext
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema_field
from rest_framework import serializers

from vanguard.accounts import scope
from vanguard.api.fields import MAX_ID, ScopedPrimaryKeyRelatedField
from vanguard.org.apis import organisation_field

from .models import (
    POINTS,
    Formula,
    Indicator,
    Metric,
    Period,
    Result,
    Round,
    Scheme,
    Source,
    TargetKind,
)

TEXT_LIMIT = 5000
# The largest number a PositiveIntegerField holds everywhere (PostgreSQL's integer).
MAX_INT = 2**31 - 1


def _points(**kwargs) -> serializers.DecimalField:
    return serializers.DecimalField(**POINTS, read_only=True, **kwargs)


def _weight(label) -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=5,
        decimal_places=2,
        min_value=0,
        max_value=100,
        required=False,
        label=label,
        help_text=_("0至100;各来源按权重加权平均,权重为0的来源不采用"),
    )


# --- scoped id fields ------------------------------------------------------------------------------------


def scheme_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Scheme.objects.select_related("organisation"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选考核方案不存在或不在您的可见范围内。")},
        **kwargs,
    )


def round_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Round.objects.all(),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选考核轮次不存在或不在您的可见范围内。")},
        **kwargs,
    )


def result_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Result.objects.select_related("round__version", "member", "unit", "organisation"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": _("所选考核结果不存在或不在您的可见范围内。")},
        **kwargs,
    )


class IndicatorIdField(serializers.IntegerField):
    """An indicator's id, resolved by the serializer against the round's own scheme version: the
    indicators a result is scored on are visible to whoever sees the result."""

    def __init__(self, **kwargs) -> None:
        super().__init__(min_value=1, max_value=MAX_ID, **kwargs)


def resolve_indicators(version_id: int, ids: list[int]) -> dict[int, Indicator]:
    return {i.pk: i for i in Indicator.objects.filter(version_id=version_id, pk__in=ids)}


NOT_IN_VERSION = _("所选指标不属于本轮考核所用的方案版本。")


# --- schemes ---------------------------------------------------------------------------------------------


class SchemeSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    name = serializers.CharField(read_only=True, label=_("名称"))
    target_kind = serializers.ChoiceField(read_only=True, choices=TargetKind.choices, label=_("考核对象"))
    period = serializers.ChoiceField(read_only=True, choices=Period.choices, label=_("考核周期"))
    description = serializers.CharField(read_only=True, label=_("说明"))
    version = serializers.IntegerField(
        read_only=True, source="latest_number", help_text=_("当前(最新)版本号")
    )


class _IndicatorFields(serializers.Serializer):
    # An indicator's own fields, read from `indicator` of a selectors.IndicatorRow or LeafRow. (No
    # docstrings on serializers: they would become English descriptions in a schema written in Chinese.)

    id = serializers.IntegerField(read_only=True, source="indicator.pk")
    key = serializers.IntegerField(
        read_only=True, source="indicator.key", help_text=_("指标编号:同一方案各版本中同一指标的编号不变")
    )
    name = serializers.CharField(read_only=True, source="indicator.name", label=_("指标名称"))
    description = serializers.CharField(read_only=True, source="indicator.description", label=_("评分标准"))
    path = serializers.ListField(
        child=serializers.CharField(), read_only=True, help_text=_("各级上级指标的名称,一级指标为空")
    )
    order = serializers.IntegerField(read_only=True, source="indicator.order", label=_("排序"))
    weight = serializers.DecimalField(
        read_only=True, max_digits=6, decimal_places=2, source="indicator.weight", label=_("权重")
    )
    share = serializers.DecimalField(
        read_only=True,
        max_digits=9,
        decimal_places=4,
        source="indicator.share",
        help_text=_("占百分制总分的分值(同级按权重分配上级的分值)"),
    )
    max_points = _points(source="indicator.max_points", label=_("满分"))
    kind = serializers.ChoiceField(
        read_only=True, choices=Indicator.Kind.choices, source="indicator.kind", label=_("评分方式")
    )
    metric = serializers.ChoiceField(
        read_only=True,
        choices=Metric.choices,
        allow_blank=True,
        source="indicator.metric",
        help_text=_("系统计算指标的计算依据"),
    )
    formula = serializers.ChoiceField(
        read_only=True,
        choices=Formula.choices,
        allow_blank=True,
        source="indicator.formula",
        help_text=_("系统计算指标的计算公式"),
    )
    parameter = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        source="indicator.parameter",
        help_text=_("公式参数:计数公式的满分次数N,或比例公式的应完成数"),
    )
    formula_text = serializers.CharField(read_only=True, help_text=_("系统计算指标的计算规则;人工评分为空"))


class IndicatorSerializer(_IndicatorFields):
    parent_key = serializers.SerializerMethodField(help_text=_("上级指标的编号;一级指标为 null"))
    depth = serializers.SerializerMethodField(help_text=_("层级,一级指标为1"))
    leaf = serializers.BooleanField(
        read_only=True, source="is_leaf", help_text=_("没有子指标:直接评分或由系统计算")
    )

    @extend_schema_field(serializers.IntegerField(allow_null=True))
    def get_parent_key(self, row) -> int | None:
        return self.context.get("keys", {}).get(row.indicator.parent_id)

    @extend_schema_field(OpenApiTypes.INT)
    def get_depth(self, row) -> int:
        return row.depth + 1


class VersionSerializer(serializers.Serializer):
    number = serializers.IntegerField(read_only=True, label=_("版本号"))
    note = serializers.CharField(read_only=True, label=_("修订说明"))
    created_at = serializers.DateTimeField(read_only=True)
    weight_self = serializers.DecimalField(
        read_only=True, max_digits=5, decimal_places=2, label=_("自评权重")
    )
    weight_masses = serializers.DecimalField(
        read_only=True, max_digits=5, decimal_places=2, label=_("群众评议权重")
    )
    weight_organisation = serializers.DecimalField(
        read_only=True, max_digits=5, decimal_places=2, label=_("组织评定权重")
    )
    weight_supervisor = serializers.DecimalField(
        read_only=True, max_digits=5, decimal_places=2, label=_("监督员评分权重")
    )
    in_use = serializers.BooleanField(
        read_only=True, help_text=_("已有考核以此版本开始评分:再修改方案将生成新版本,已开始的考核仍用此版本")
    )
    indicators = IndicatorSerializer(
        many=True, read_only=True, source="tree", help_text=_("指标树,按层级深度优先排列")
    )


class SchemeDetailSerializer(SchemeSerializer):
    current = VersionSerializer(read_only=True, help_text=_("当前版本:各来源权重和指标树"))


class SchemeCreateSerializer(serializers.Serializer):
    organisation = organisation_field(help_text=_("制定单位:您担任党委办公室的党组织"))
    name = serializers.CharField(max_length=100, label=_("名称"))
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, label=_("考核对象"))
    period = serializers.ChoiceField(choices=Period.choices, label=_("考核周期"))
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    weight_self = _weight(_("自评权重"))
    weight_masses = _weight(_("群众评议权重"))
    weight_organisation = _weight(_("组织评定权重"))
    weight_supervisor = _weight(_("监督员评分权重"))

    WEIGHTS = ("weight_self", "weight_masses", "weight_organisation", "weight_supervisor")

    def scheme_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k not in self.WEIGHTS}

    def weights(self) -> dict[str, Any] | None:
        given = {k: v for k, v in self.validated_data.items() if k in self.WEIGHTS}
        return given or None


class SchemeUpdateSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=100, required=False, label=_("名称"))
    target_kind = serializers.ChoiceField(
        choices=TargetKind.choices, required=False, help_text=_("方案用于考核后不能再改")
    )
    period = serializers.ChoiceField(
        choices=Period.choices, required=False, help_text=_("方案用于考核后不能再改")
    )
    description = serializers.CharField(required=False, allow_blank=True, max_length=TEXT_LIMIT)
    weight_self = _weight(_("自评权重"))
    weight_masses = _weight(_("群众评议权重"))
    weight_organisation = _weight(_("组织评定权重"))
    weight_supervisor = _weight(_("监督员评分权重"))
    note = serializers.CharField(
        required=False, allow_blank=True, max_length=200, help_text=_("修订说明,随权重的修改记入版本")
    )


class IndicatorInputSerializer(serializers.Serializer):
    parent = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=MAX_INT,
        help_text=_("上级指标的编号(key);不填为一级指标"),
    )
    name = serializers.CharField(max_length=100, label=_("指标名称"))
    description = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("评分标准")
    )
    order = serializers.IntegerField(required=False, min_value=0, max_value=32767, label=_("排序"))
    weight = serializers.DecimalField(
        max_digits=6, decimal_places=2, min_value=Decimal("0.01"), help_text=_("在同级指标中的权重,大于0")
    )
    max_points = serializers.DecimalField(
        max_digits=7, decimal_places=2, min_value=Decimal("0.01"), required=False, help_text=_("满分,默认10")
    )
    kind = serializers.ChoiceField(
        choices=Indicator.Kind.choices, required=False, help_text=_("manual 人工评分(默认),derived 系统计算")
    )
    metric = serializers.ChoiceField(
        choices=Metric.choices, required=False, allow_blank=True, help_text=_("系统计算指标的计算依据")
    )
    formula = serializers.ChoiceField(
        choices=Formula.choices, required=False, allow_blank=True, help_text=_("系统计算指标的计算公式")
    )
    parameter = serializers.IntegerField(
        required=False,
        allow_null=True,
        min_value=1,
        max_value=1_000_000,
        help_text=_("计数公式的满分次数N;比例公式可留空(按应完成数)"),
    )

    def fields_for_service(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k != "parent"}


class IndicatorAddedSerializer(serializers.Serializer):
    # `indicator` is a selectors.IndicatorRow of the new indicator.

    scheme = serializers.IntegerField(read_only=True)
    version = serializers.IntegerField(
        read_only=True, help_text=_("指标所在的版本号:当前版本已用于考核时为新生成的版本")
    )
    indicator = IndicatorSerializer(read_only=True)


# --- rounds ----------------------------------------------------------------------------------------------


class AssessmentRoundSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label=_("名称"))
    scheme = serializers.IntegerField(read_only=True, source="version.scheme_id")
    scheme_name = serializers.CharField(read_only=True, source="version.scheme.name")
    version = serializers.IntegerField(
        read_only=True, source="version.number", help_text=_("所用方案版本号;开始评分时确定,此后不变")
    )
    target_kind = serializers.ChoiceField(
        read_only=True, choices=TargetKind.choices, source="version.scheme.target_kind"
    )
    period = serializers.ChoiceField(read_only=True, choices=Period.choices, source="version.scheme.period")
    organisation = serializers.IntegerField(read_only=True, source="organisation_id", help_text=_("考核范围"))
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    period_start = serializers.DateField(read_only=True, label=_("考核期开始"))
    period_end = serializers.DateField(read_only=True, label=_("考核期结束"))
    status = serializers.ChoiceField(read_only=True, choices=Round.Status.choices, label=_("状态"))
    opened_at = serializers.DateTimeField(read_only=True, allow_null=True)
    closed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    published_at = serializers.DateTimeField(read_only=True, allow_null=True)
    archived_at = serializers.DateTimeField(read_only=True, allow_null=True)
    mean_total = _points(allow_null=True, help_text=_("结束时计算的平均分"))


class RoundFilterSerializer(serializers.Serializer):
    status = serializers.ChoiceField(choices=Round.Status.choices, required=False, allow_blank=True)
    scheme = scheme_field(required=False, help_text=_("该考核方案的轮次"))
    organisation = organisation_field(required=False, help_text=_("考核范围为该党组织的轮次"))


class RoundCreateSerializer(serializers.Serializer):
    scheme = scheme_field(help_text=_("考核方案;以其当前版本建立,开始评分时取最新版本"))
    organisation = organisation_field(help_text=_("考核范围:该党组织及其下级,须在您担任党委办公室的范围内"))
    name = serializers.CharField(max_length=100, label=_("名称"))
    period_start = serializers.DateField(label=_("考核期开始"))
    period_end = serializers.DateField(label=_("考核期结束"))


# --- results ---------------------------------------------------------------------------------------------


class AssessmentResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    round = serializers.IntegerField(read_only=True, source="round_id")
    round_name = serializers.CharField(read_only=True, source="round.name")
    rank = serializers.IntegerField(
        read_only=True, allow_null=True, help_text=_("按排名分排序;结束前为 null")
    )
    name = serializers.CharField(read_only=True, label=_("考核对象"))
    member = serializers.IntegerField(read_only=True, allow_null=True, source="member_id")
    organisation = serializers.IntegerField(
        read_only=True, allow_null=True, source="organisation_id", help_text=_("考核对象为党组织时")
    )
    zone = serializers.IntegerField(read_only=True, allow_null=True, source="zone_id")
    unit = serializers.IntegerField(read_only=True, source="unit_id", help_text=_("所在党组织"))
    unit_name = serializers.CharField(read_only=True, source="unit.name")
    branch = serializers.IntegerField(read_only=True, source="branch_id", help_text=_("所在党支部"))
    total = _points(allow_null=True, help_text=_("得分(百分制);考核结束时计算"))
    adjusted = _points(
        allow_null=True,
        help_text=_("排名分 =(数据数×得分 + 强度×平均分)÷(数据数 + 强度):数据少的得分拉向平均分"),
    )
    data_points = serializers.IntegerField(read_only=True, help_text=_("得分背后的评分数据数"))
    revision = serializers.IntegerField(read_only=True, help_text=_("修订次数"))


class ResultFilterSerializer(serializers.Serializer):
    round = round_field(help_text=_("考核轮次;结果按名次排列"))
    branch = organisation_field(required=False, help_text=_("只列出该党支部的考核对象"))
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=_("考核对象名称中的文字,或党员姓名的拼音")
    )


class RecordSerializer(serializers.Serializer):
    date = serializers.SerializerMethodField()
    text = serializers.CharField(read_only=True)
    note = serializers.CharField(read_only=True)
    counted = serializers.BooleanField(
        read_only=True, help_text=_("是否计入;false 为只计入应完成数的记录(如逾期未完成的任务)")
    )

    @extend_schema_field(serializers.DateField(allow_null=True))
    def get_date(self, record) -> str | None:
        value = record.date
        if value is None:
            return None
        if isinstance(value, dt.datetime):
            value = timezone.localtime(value).date()
        return value.isoformat()


class ScoreSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    result = serializers.IntegerField(read_only=True, source="result_id")
    indicator = serializers.IntegerField(read_only=True, source="indicator_id")
    source = serializers.ChoiceField(read_only=True, choices=Source.choices, label=_("评分来源"))
    points = _points(label=_("得分"))
    evidence = serializers.CharField(read_only=True, label=_("评分依据"))
    entered_by_name = serializers.CharField(read_only=True, label=_("评分人"))
    entered_at = serializers.DateTimeField(read_only=True, label=_("评分时间"))
    version = serializers.IntegerField(
        read_only=True, help_text=_("该评分的版本:再次修改时原样送回,他人已修改则返回 409")
    )


class RevisionChangeSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(read_only=True, help_text=_("指标编号(key)"))
    name = serializers.CharField(read_only=True)
    source = serializers.ChoiceField(read_only=True, choices=Source.choices)
    before = serializers.CharField(read_only=True, allow_null=True, help_text=_("原得分;原先未评分为 null"))
    after = serializers.CharField(read_only=True, help_text=_("修订后得分"))


class BreakdownRowSerializer(serializers.Serializer):
    indicator = serializers.IntegerField(read_only=True, help_text=_("指标编号(key)"))
    name = serializers.CharField(read_only=True)
    score = serializers.CharField(read_only=True)
    points = serializers.CharField(read_only=True)


class RankChangeSerializer(serializers.Serializer):
    result = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    before = serializers.IntegerField(read_only=True, allow_null=True)
    after = serializers.IntegerField(read_only=True, allow_null=True)


class RevisionSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    result = serializers.IntegerField(read_only=True, source="result_id")
    number = serializers.IntegerField(read_only=True, label=_("修订序号"))
    reason = serializers.CharField(read_only=True, label=_("修订原因"))
    changes = RevisionChangeSerializer(many=True, read_only=True)
    total_before = _points(allow_null=True)
    total_after = _points(allow_null=True)
    rank_before = serializers.IntegerField(read_only=True, allow_null=True)
    rank_after = serializers.IntegerField(read_only=True, allow_null=True)
    breakdown_before = BreakdownRowSerializer(many=True, read_only=True, help_text=_("修订前的分项得分"))
    ranks_changed = RankChangeSerializer(
        many=True, read_only=True, help_text=_("因此次修订名次变动的其他对象")
    )
    created_by_name = serializers.CharField(read_only=True, label=_("修订人"))
    created_at = serializers.DateTimeField(read_only=True, label=_("修订时间"))


class LeafSerializer(_IndicatorFields):
    # One leaf indicator of a result's breakdown (a selectors.LeafRow).

    score = _points(
        allow_null=True, source="outcome.score", help_text=_("指标得分(按指标满分计);未计算为 null")
    )
    points = _points(allow_null=True, source="outcome.points", help_text=_("计入总分的分值;各项之和即总分"))
    sources = serializers.IntegerField(
        read_only=True, allow_null=True, source="outcome.sources", help_text=_("计入的评分来源数")
    )
    counted = serializers.IntegerField(
        read_only=True, allow_null=True, source="outcome.counted", help_text=_("系统计算:计入的记录数")
    )
    expected = serializers.IntegerField(
        read_only=True, allow_null=True, source="outcome.expected", help_text=_("系统计算:应完成数")
    )
    scores = ScoreSerializer(many=True, read_only=True, help_text=_("各来源录入的分数,含评分人和时间"))
    records = RecordSerializer(
        many=True, read_only=True, help_text=_("系统计算:依据的记录(按时间倒序,最多50条)")
    )
    records_count = serializers.IntegerField(read_only=True, help_text=_("系统计算:依据的记录总数"))


class ResultDetailSerializer(AssessmentResultSerializer):
    round_status = serializers.ChoiceField(
        read_only=True, choices=Round.Status.choices, source="round.status"
    )
    mean_total = _points(allow_null=True, source="round.mean_total", help_text=_("本轮平均分"))
    breakdown = LeafSerializer(
        many=True,
        read_only=True,
        source="breakdown.leaves",
        help_text=_("各末级指标:得分、计入总分的分值、各来源的评分和系统计算依据的记录;考核结束时计算"),
    )
    revisions = RevisionSerializer(
        many=True, read_only=True, source="revision_list", help_text=_("修订记录(新的在前),原分数保留可查")
    )


# --- scores and revisions --------------------------------------------------------------------------------


class ScoreInputSerializer(serializers.Serializer):
    result = result_field(help_text=_("考核结果(考核对象)的编号"))
    indicator = IndicatorIdField(help_text=_("指标的编号(id),须为本轮所用方案版本中人工评分的末级指标"))
    source = serializers.ChoiceField(choices=Source.choices, label=_("评分来源"))
    points = serializers.DecimalField(max_digits=7, decimal_places=2, help_text=_("得分,0至该指标满分"))
    evidence = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("评分依据")
    )
    version = serializers.IntegerField(
        min_value=0,
        max_value=MAX_INT,
        help_text=_("读取时该评分的版本,新评分为0;他人已修改时返回 409,不覆盖他人的修改"),
    )

    def validate(self, data: dict[str, Any]) -> dict[str, Any]:
        found = resolve_indicators(data["result"].round.version_id, [data["indicator"]])
        if not found:
            raise serializers.ValidationError({"indicator": [NOT_IN_VERSION]})
        data["indicator"] = found[data["indicator"]]
        return data


class ChangeInputSerializer(serializers.Serializer):
    indicator = IndicatorIdField(help_text=_("指标的编号(id),本轮所用方案版本中人工评分的末级指标"))
    source = serializers.ChoiceField(choices=Source.choices, label=_("评分来源"))
    points = serializers.DecimalField(max_digits=7, decimal_places=2, help_text=_("修订后的得分"))


class ReviseSerializer(serializers.Serializer):
    changes = ChangeInputSerializer(many=True, max_length=200, help_text=_("要修改的评分,至少一项"))
    reason = serializers.CharField(
        required=False, allow_blank=True, max_length=TEXT_LIMIT, label=_("修订原因"), help_text=_("必填")
    )

    def resolved(self, version_id: int) -> list[tuple[Indicator, str, Any]]:
        rows = self.validated_data["changes"]
        found = resolve_indicators(version_id, [row["indicator"] for row in rows])
        missing = [i for i, row in enumerate(rows) if row["indicator"] not in found]
        if missing:
            message = gettext(str(NOT_IN_VERSION))
            raise serializers.ValidationError(
                {"changes": [{"indicator": [message]} if i in missing else {} for i in range(len(rows))]}
            )
        return [(found[row["indicator"]], row["source"], row["points"]) for row in rows]
