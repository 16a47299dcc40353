"""REST endpoints of the assessment (registered by vanguard/api/urls.py from ROUTES).

- assessment/schemes: the office's scoring schemes; a scheme's current version with its source weights
  and indicator tree; PATCH renames it or changes the weights, POST …/indicators/ adds an indicator (an edit
  goes into a new version when a round already uses the current one);
- assessment/rounds: rounds and their states (POST …/open/, close/, reopen/, publish/, archive/);
- assessment/results: a round's results, ranked; one result with why: each indicator, each source's score
  with who entered it when, the records a derived indicator counted, and the revisions with the old numbers;
  POST …/revise/ corrects a closed or published result (the office, with a reason);
- assessment/scores: a source enters or changes one score. The version the client saw comes back with the
  write, and a stale one is a 409 naming who changed it: two people scoring at once never lose an update.

Reads go through the scoping module, so an object out of scope is a 404 like a missing one; writes go
through the services, the pages' own write path, with the same messages."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import transaction
from django.db.models import QuerySet
from django.http import Http404
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema

from . import selectors, services
from .api_serializers import (
    AssessmentResultSerializer,
    AssessmentRoundSerializer,
    IndicatorAddedSerializer,
    IndicatorInputSerializer,
    ResultDetailSerializer,
    ResultFilterSerializer,
    ReviseSerializer,
    RevisionSerializer,
    RoundCreateSerializer,
    RoundFilterSerializer,
    SchemeCreateSerializer,
    SchemeDetailSerializer,
    SchemeSerializer,
    SchemeUpdateSerializer,
    ScoreInputSerializer,
    ScoreSerializer,
)
from .models import (
    Period,
    Result,
    Round,
    Scheme,
    SchemeVersion,
    Score,
    TargetKind,
)


def _office_over(user, organisation) -> None:
    # Checked before the body is read: in sight but not theirs to change is a 403 whatever they send.
    if not selectors.office_over(user, organisation):
        raise PermissionDenied


def _tree(version: SchemeVersion) -> tuple[list[selectors.IndicatorRow], dict[str, Any]]:
    """The version's indicators depth first, and the serializer context that gives each its parent's key."""
    rows = selectors.indicator_tree(version)
    return rows, {"keys": {row.indicator.pk: row.indicator.key for row in rows}}


# --- schemes ---------------------------------------------------------------------------------------------


class SchemeFilterSerializer(serializers.Serializer):
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, required=False, allow_blank=True)
    period = serializers.ChoiceField(choices=Period.choices, required=False, allow_blank=True)


_SCHEME_WRITE = gettext_lazy(
    "党委办公室在其党组织内制定和修改考核方案。权重修改、指标增加记入方案的当前版本;当前版本已用于考核时"
    "生成新版本,已开始的考核仍按原版本计分。方案用于考核后不能再改考核对象和周期。"
)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("考核方案列表"),
        gettext_lazy("您可见范围内的考核方案(本组织及上级组织制定的),version 为当前版本号。"),
        SchemeFilterSerializer,
        SchemeSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("考核方案详情:当前版本的权重和指标树"), SchemeDetailSerializer),
    create=write_schema(
        gettext_lazy("新建考核方案"),
        gettext_lazy(
            "党委办公室为其党组织新建考核方案(版本1)。各来源权重不填为0;都不填时组织评定占100。"
            "指标用 POST /api/v1/assessment/schemes/{id}/indicators/ 逐项添加。"
        ),
        SchemeCreateSerializer,
        SchemeDetailSerializer,
        created=True,
    ),
    partial_update=write_schema(
        gettext_lazy("修改考核方案或其来源权重"),
        _SCHEME_WRITE,
        SchemeUpdateSerializer,
        SchemeDetailSerializer,
    ),
)
@extend_schema(tags=["考核方案"])
class SchemeViewSet(viewsets.GenericViewSet):
    """Scoring schemes in the caller's sight, each with its current version."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = SchemeSerializer

    def get_queryset(self) -> QuerySet[Scheme]:
        return selectors.scheme_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = SchemeFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = self.get_queryset()
        for name in ("target_kind", "period"):
            if filters.validated_data.get(name):
                queryset = queryset.filter(**{name: filters.validated_data[name]})
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(SchemeSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self.get_object()))

    def create(self, request: Request) -> Response:
        if not selectors.is_office(request.user):
            raise PermissionDenied
        serializer = SchemeCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        scheme = services.scheme_create(
            actor=request.user, weights=serializer.weights(), **serializer.scheme_fields()
        )
        return Response(self._detail(self._fresh(scheme)), status=status.HTTP_201_CREATED)

    def partial_update(self, request: Request, pk: str) -> Response:
        scheme = self.get_object()
        _office_over(request.user, scheme.organisation)
        serializer = SchemeUpdateSerializer(data=request.data, partial=True)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        fields = {name: data[name] for name in services.SCHEME_FIELDS if name in data}
        with transaction.atomic():
            if fields:
                scheme = services.scheme_update(actor=request.user, scheme=scheme, fields=fields)
            if any(name in data for name in services.WEIGHT_FIELDS):
                current = services.latest_version(scheme)
                weights = {name: data.get(name, getattr(current, name)) for name in services.WEIGHT_FIELDS}
                services.version_update(
                    actor=request.user, scheme=scheme, weights=weights, note=data.get("note", "")
                )
        return Response(self._detail(self._fresh(scheme)))

    @extend_schema(
        summary=gettext_lazy("为考核方案添加指标"),
        description=gettext_lazy(
            "党委办公室添加一项指标:parent 为上级指标的编号(key),不填为一级指标。"
            "系统计算的指标须选择计算依据和公式(计数公式须填满分次数N),其下不能再设子指标。"
            "同级指标按权重分配上级的分值。"
            "返回指标所在的版本号:当前版本已用于考核时生成新版本。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=IndicatorInputSerializer,
        responses={201: IndicatorAddedSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def indicators(self, request: Request, pk: str) -> Response:
        scheme = self.get_object()
        _office_over(request.user, scheme.organisation)
        serializer = IndicatorInputSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        indicator = services.indicator_add(
            actor=request.user,
            scheme=scheme,
            parent_key=serializer.validated_data.get("parent"),
            fields=serializer.fields_for_service(),
        )
        indicator.refresh_from_db()  # its share was set with the whole tree's after it was saved
        row = next(r for r in selectors.indicator_tree(indicator.version) if r.indicator.pk == indicator.pk)
        context = {"keys": {row.indicator.parent_id: indicator.parent.key} if indicator.parent_id else {}}
        body = {"scheme": scheme.pk, "version": indicator.version.number, "indicator": row}
        return Response(IndicatorAddedSerializer(body, context=context).data, status=status.HTTP_201_CREATED)

    def _fresh(self, scheme: Scheme) -> Scheme:
        # Written by the caller (the office over it), so in their sight: no second scope check.
        return Scheme.objects.select_related("organisation").get(pk=scheme.pk)

    def _detail(self, scheme: Scheme) -> dict:
        version = services.latest_version(scheme)
        version.in_use = services.version_in_use(version)
        version.tree, context = _tree(version)
        scheme.latest_number = version.number
        scheme.current = version
        return SchemeDetailSerializer(scheme, context=context).data


# --- rounds ----------------------------------------------------------------------------------------------


def _transition_schema(summary, description) -> Any:
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=None,
        responses={200: AssessmentRoundSerializer, **error_responses(400, 401, 403, 404)},
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("考核轮次列表"),
        gettext_lazy(
            "您可见范围内的考核轮次,新的在前:党委办公室和书记、监督员见其范围内及上级组织的轮次,党员见考核本人的"
            "轮次。status:draft 草稿、open 评分中、closed 已结束、published 已公布、archived 已归档。"
        ),
        RoundFilterSerializer,
        AssessmentRoundSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("考核轮次详情"), AssessmentRoundSerializer),
    create=write_schema(
        gettext_lazy("新建考核轮次"),
        gettext_lazy(
            "党委办公室以一个考核方案、一个考核期和一个党组织范围新建轮次(草稿)。开始评分时按方案的最新版本"
            "为范围内每个考核对象建立考核结果,此后该轮次一直使用这个版本。"
        ),
        RoundCreateSerializer,
        AssessmentRoundSerializer,
        created=True,
    ),
)
@extend_schema(tags=["考核轮次"])
class RoundViewSet(viewsets.GenericViewSet):
    """Rounds in the caller's sight and their transitions (the office's)."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = AssessmentRoundSerializer

    def get_queryset(self) -> QuerySet[Round]:
        return selectors.round_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = RoundFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.round_list(user=request.user, status=data.get("status", ""))
        if data.get("scheme") is not None:
            queryset = queryset.filter(version__scheme=data["scheme"])
        if data.get("organisation") is not None:
            queryset = queryset.filter(organisation=data["organisation"])
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AssessmentRoundSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AssessmentRoundSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not selectors.is_office(request.user):
            raise PermissionDenied
        serializer = RoundCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        round_ = services.round_create(actor=request.user, **serializer.validated_data)
        return Response(self._fresh(round_), status=status.HTTP_201_CREATED)

    def _transition(self, request: Request, name: str) -> Response:
        round_ = self.get_object()
        _office_over(request.user, round_.organisation)
        round_ = services.round_transition(actor=request.user, round_=round_, action=name)
        return Response(self._fresh(round_))

    def _fresh(self, round_: Round) -> dict:
        # Written by the office over it, so in their sight: read back without a second scope check.
        fresh = Round.objects.select_related("organisation", "version__scheme").get(pk=round_.pk)
        return AssessmentRoundSerializer(fresh).data

    @_transition_schema(
        gettext_lazy("开始评分"),
        gettext_lazy(
            "草稿 → 评分中:取方案的最新版本并为范围内每个考核对象建立考核结果;方案还没有指标时不能开始。"
        ),
    )
    @action(detail=True, methods=["post"])
    def open(self, request: Request, pk: str) -> Response:
        return self._transition(request, "open")

    @_transition_schema(
        gettext_lazy("结束评分"),
        gettext_lazy("评分中 → 已结束:计算并保存每个考核对象的各项得分、总分、评分数据数、排名分和名次。"),
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        return self._transition(request, "close")

    @_transition_schema(
        gettext_lazy("重新开放评分"),
        gettext_lazy("已结束 → 评分中,仅限尚未公布的轮次;已公布的结果只能修订。"),
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        return self._transition(request, "reopen")

    @_transition_schema(
        gettext_lazy("公布结果"),
        gettext_lazy("已结束 → 已公布:结果锁定,更正须提交修订并说明原因,原分数保留可查。"),
    )
    @action(detail=True, methods=["post"])
    def publish(self, request: Request, pk: str) -> Response:
        return self._transition(request, "publish")

    @_transition_schema(
        gettext_lazy("归档"),
        gettext_lazy("已公布 → 已归档:不能再修订。"),
    )
    @action(detail=True, methods=["post"])
    def archive(self, request: Request, pk: str) -> Response:
        return self._transition(request, "archive")


# --- results ---------------------------------------------------------------------------------------------


@extend_schema_view(
    list=list_schema(
        gettext_lazy("考核结果列表"),
        gettext_lazy(
            "一轮考核中您可见范围内的结果(党员只见本人的),按名次排列;名次按排名分:评分数据少的得分拉向"
            "本轮平均分,data_points 为每个得分背后的评分数据数。结束前得分和名次为 null。"
        ),
        ResultFilterSerializer,
        AssessmentResultSerializer,
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("考核结果详情:为什么是这个分数"),
        description=gettext_lazy(
            "各末级指标的得分和计入总分的分值、系统计算指标计入的记录和公式、各来源录入的分数(评分人和时间),"
            "以及修订记录(修订前后的得分和名次)。能看到结果的人都能看到这些。"
            "不存在的对象与不在您可见范围内的对象同样返回 404。"
        ),
        parameters=[ID_PATH_PARAMETER],
        responses={200: ResultDetailSerializer, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["考核结果"])
class ResultViewSet(viewsets.GenericViewSet):
    """Results in the caller's sight: ranked lists, one result's breakdown, and revisions."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = AssessmentResultSerializer

    def get_queryset(self) -> QuerySet[Result]:
        return scope.visible_to(self.request.user, Result.objects.all())

    def list(self, request: Request) -> Response:
        filters = ResultFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.ranked_results(
            user=request.user,
            round_=data["round"],
            filters=selectors.ResultFilters(branch=data.get("branch"), q=data.get("q", "")),
        ).select_related("round")
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AssessmentResultSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        result = selectors.result_detail(user=request.user, pk=pk)
        result.breakdown = selectors.breakdown(result)
        result.revision_list = [row.revision for row in result.breakdown.revisions]
        return Response(ResultDetailSerializer(result).data)

    @extend_schema(
        summary=gettext_lazy("修订考核结果"),
        description=gettext_lazy(
            "党委办公室更正已结束或已公布(未归档)的结果:修改一项或多项人工评分,须说明原因。总分和本轮名次随之"
            "重新计算;修订记录保留修订前后的得分、名次和分项,原分数仍可查看。评分中的轮次直接修改评分即可。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=ReviseSerializer,
        responses={201: RevisionSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def revise(self, request: Request, pk: str) -> Response:
        result = selectors.result_detail(user=request.user, pk=pk)
        _office_over(request.user, result.round.organisation)
        serializer = ReviseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        changes = [
            services.Change(indicator=indicator, source=source, points=points)
            for indicator, source, points in serializer.resolved(result.round.version_id)
        ]
        revision = services.revise(
            actor=request.user,
            result=result,
            changes=changes,
            reason=serializer.validated_data.get("reason", ""),
        )
        return Response(RevisionSerializer(revision).data, status=status.HTTP_201_CREATED)


# --- scores ----------------------------------------------------------------------------------------------


def _not_found(errors: Any) -> bool:
    return any(getattr(error, "code", None) == "does_not_exist" for error in errors or [])


@extend_schema(tags=["评分"])
class ScoreViewSet(viewsets.GenericViewSet):
    """One source's points for one target on one indicator, written without losing anyone's update."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    serializer_class = ScoreSerializer

    def get_queryset(self) -> QuerySet[Score]:
        return scope.visible_to(self.request.user, Score.objects.all())

    @extend_schema(
        summary=gettext_lazy("录入或修改评分"),
        description=gettext_lazy(
            "评分中的轮次:组织评定和群众评议(纸质表)由支部书记或党委办公室录入,对党支部、党小组的评定由上级"
            "组织录入;监督员评分由负责该单位的监督员录入;自评由党员本人(党组织为本组织书记)填写。得分在0至"
            "该指标满分之间。version 为读取时该评分的版本(新评分为0):新评分返回201,修改返回200,并带新的"
            "version;他人已先修改时返回409和说明,不覆盖他人的修改。考核结果不在您可见范围内时返回404。"
        ),
        request=ScoreInputSerializer,
        responses={
            200: ScoreSerializer,
            201: ScoreSerializer,
            **error_responses(400, 401, 403, 404, 409),
        },
    )
    def create(self, request: Request) -> Response:
        serializer = ScoreInputSerializer(data=request.data, context={"request": request})
        if not serializer.is_valid():
            if _not_found(serializer.errors.get("result")):
                # The target is named in the body, but it is the object acted on: out of sight is not found.
                raise Http404
            raise serializers.ValidationError(serializer.errors)
        data = serializer.validated_data
        try:
            score = services.score_enter(
                actor=request.user,
                result=data["result"],
                indicator=data["indicator"],
                source=data["source"],
                points=data["points"],
                evidence=data.get("evidence", ""),
                version=data["version"],
            )
        except services.Conflict as exc:
            return Response({"detail": exc.messages[0]}, status=status.HTTP_409_CONFLICT)
        except PermissionDenied as exc:
            # The service says who enters this source (自评只能由党员本人填写): worth more than "no".
            raise exceptions.PermissionDenied(str(exc) or None) from exc
        created = data["version"] == 0
        return Response(
            ScoreSerializer(score).data, status=status.HTTP_201_CREATED if created else status.HTTP_200_OK
        )


ROUTES: list = [
    ("assessment/schemes", SchemeViewSet, "assessment-scheme"),
    ("assessment/rounds", RoundViewSet, "assessment-round"),
    ("assessment/results", ResultViewSet, "assessment-result"),
    ("assessment/scores", ScoreViewSet, "assessment-score"),
]
