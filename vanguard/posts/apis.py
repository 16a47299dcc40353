"""REST endpoints of the star-rated model posts (registered by vanguard/api/urls.py from ROUTES).

- posts: the posts in the caller's sight (filters status, stars, organisation) and one post with its
  members (job, motto, photo), stars, naming, star timeline and monthly evaluations; POST applies for a
  post (a branch's secretary or the office; photos are uploaded on the pages); the office's steps are
  POST …/approve/ (挂牌), reject/ (with a reason), name/ (授牌命名), review/ (年终复评) and evaluate/ (a
  month by hand — the monthly star round of the assessment engine evaluates every post at once on the pages);
- posts/{id}/opinions/: the post's opinion book; opinions/{id}/answer/: the branch answers an entry and
  says whether a complaint is upheld;
- post-rules: the rules that apply to an organisation now, and a new version of them (the office).

Reads go through the scoping module, so a post out of sight is a 404 like a missing one; writes go through
the services, the pages' own write path, and a refusal carries the service's own sentence."""

from __future__ import annotations

from django.db.models import Count, Prefetch, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.api.errors import error_responses, refusals, refuse
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX
from vanguard.api.pagination import PAGE_PARAMETERS
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema

from . import services
from .api_serializers import (
    AnswerSerializer,
    EvaluatedSerializer,
    EvaluateSerializer,
    OpinionFilterSerializer,
    OpinionSerializer,
    PostApplySerializer,
    PostDetailSerializer,
    PostFilterSerializer,
    PostReviewSerializer,
    PostRulesFilterSerializer,
    PostRulesSerializer,
    PostRulesUpdateSerializer,
    PostSerializer,
    ReasonSerializer,
    RejectSerializer,
)
from .models import Evaluation, ModelPost, Opinion, PostMember, PostRules, StarEvent

# The services' own sentences, said before the body is read: in sight but not theirs to do is a 403
# whatever they send. (The same message ids as the services', so they translate once.)
_DECIDE = gettext_lazy("只有党委办公室可以审批示范岗(挂牌)。")
_NAME = gettext_lazy("只有党委办公室可以授牌命名。")
_REVIEW = gettext_lazy("只有党委办公室可以进行年终复评。")
_EVALUATE = gettext_lazy("只有党委办公室可以进行示范岗月度评定。")
_RULES = gettext_lazy("只有党委办公室可以修改示范岗评定规则。")
_ANSWER = gettext_lazy("只有本支部书记或党委办公室可以答复意见簿。")
_APPLY = gettext_lazy("只有党支部书记或党委办公室可以申请示范岗。")


def _office_over(user, organisation, message) -> None:
    if not scope.acts_as(user, {Role.OFFICE}, organisation):
        refuse(message)


def _posts() -> QuerySet[ModelPost]:
    return ModelPost.objects.select_related("organisation").annotate(member_count=Count("post_members"))


def _detailed(queryset: QuerySet[ModelPost]) -> QuerySet[ModelPost]:
    return queryset.prefetch_related(
        Prefetch("post_members", PostMember.objects.select_related("member__person").order_by("order", "pk")),
        Prefetch("events", StarEvent.objects.order_by("pk")),
        Prefetch("evaluations", Evaluation.objects.select_related("rules").order_by("month")),
    )


# --- posts -----------------------------------------------------------------------------------------------


def _action_schema(summary, description, request, *, response=PostDetailSerializer, created=False):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=request,
        responses={201 if created else 200: response, **error_responses(400, 401, 403, 404)},
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("星级党员示范岗列表"),
        gettext_lazy(
            "您可见范围内的示范岗:党委办公室、书记和监督员见其范围内的,党员见本人所在的。"
            "按星级从高到低排列。status:applied 待审批、approved 已挂牌、rejected 未批准、removed 已摘牌;"
            "organisation 包含其下级。"
        ),
        PostFilterSerializer,
        PostSerializer,
    ),
    retrieve=detail_schema(
        gettext_lazy("示范岗详情:党员、星级、星级变化时间线和月度评定"), PostDetailSerializer
    ),
    create=write_schema(
        gettext_lazy("申请星级党员示范岗"),
        gettext_lazy(
            "党支部书记(或党委办公室)为本支部申请示范岗(窗口、岗位、班组),列出示范岗党员及其岗位职务和"
            "格言式承诺;党员须为本支部(含其党小组)的党员。申请后待党委办公室审批挂牌。照片在网页上传。"
        ),
        PostApplySerializer,
        PostDetailSerializer,
        created=True,
    ),
)
@extend_schema(tags=["星级党员示范岗"])
class ModelPostViewSet(viewsets.GenericViewSet):
    """Model posts in the caller's sight and the office's steps of their star cycle."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = PostSerializer

    def get_queryset(self) -> QuerySet[ModelPost]:
        return scope.visible_to(self.request.user, _posts())

    def list(self, request: Request) -> Response:
        filters = PostFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("stars") is not None:
            queryset = queryset.filter(stars=data["stars"])
        if data.get("organisation") is not None:
            queryset = queryset.filter(data["organisation"].subtree_q("organisation__"))
        page = self.paginate_queryset(queryset.order_by("-stars", "organisation__path", "name", "pk"))
        return self.get_paginated_response(PostSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        post = scope.get_visible_or_404(request.user, _detailed(_posts()), pk=pk)
        return Response(PostDetailSerializer(post).data)

    def create(self, request: Request) -> Response:
        if not scope.edits_organisations(request.user):
            refuse(_APPLY)
        serializer = PostApplySerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with refusals():
            post = services.post_apply(
                actor=request.user,
                organisation=serializer.validated_data["organisation"],
                fields=serializer.post_fields(),
                members=serializer.validated_data["members"],
            )
        return Response(self._detail(post), status=status.HTTP_201_CREATED)

    @_action_schema(
        gettext_lazy("批准挂牌"),
        gettext_lazy("党委办公室批准待审批的示范岗挂牌(0星起评);reason 可不填。已审批的不能再审批。"),
        ReasonSerializer,
    )
    @action(detail=True, methods=["post"])
    def approve(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=True, body=ReasonSerializer)

    @_action_schema(
        gettext_lazy("不予批准"),
        gettext_lazy("党委办公室不批准待审批的示范岗,须说明理由(reason)。"),
        RejectSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        return self._decide(request, approve=False, body=RejectSerializer)

    def _decide(self, request: Request, *, approve: bool, body) -> Response:
        post = self.get_object()
        _office_over(request.user, post.organisation, _DECIDE)
        serializer = body(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            services.post_decide(
                actor=request.user,
                post=post,
                approve=approve,
                reason=serializer.validated_data.get("reason", ""),
            )
        return Response(self._detail(post))

    @_action_schema(
        gettext_lazy("授牌命名"),
        gettext_lazy("党委办公室为挂满五星的示范岗授牌命名;reason 可不填。已命名的不能再命名。"),
        ReasonSerializer,
    )
    # Not a method called `name`: DRF's viewsets use that attribute for the view's own name.
    @action(detail=True, methods=["post"], url_path="name", url_name="name")
    def naming(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        _office_over(request.user, post.organisation, _NAME)
        serializer = ReasonSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            services.post_name(
                actor=request.user, post=post, reason=serializer.validated_data.get("reason", "")
            )
        return Response(self._detail(post))

    @_action_schema(
        gettext_lazy("年终复评"),
        gettext_lazy(
            "年底党委办公室复评未满五星的已挂牌示范岗:passed 为 true 保留星级,为 false 摘牌;须填写复评意见"
            "(reason)。"
        ),
        PostReviewSerializer,
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        _office_over(request.user, post.organisation, _REVIEW)
        serializer = PostReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            services.year_end_review(
                actor=request.user,
                post=post,
                passed=serializer.validated_data["passed"],
                reason=serializer.validated_data.get("reason", ""),
            )
        return Response(self._detail(post))

    @_action_schema(
        gettext_lazy("月度星级评定"),
        gettext_lazy(
            "党委办公室评定已挂牌示范岗某月的星级:评定总分减去该月属实投诉的扣分,达到当时规则的达标分数线"
            "为达标,加一星(最多五星);未达标减一星,已无星则摘牌。每月只评定一次,不能评定未来的月份。"
            "通常由考核引擎的月度星级评定轮次结束后统一评定;此处为单个示范岗按总分评定。"
        ),
        EvaluateSerializer,
        response=EvaluatedSerializer,
        created=True,
    )
    @action(detail=True, methods=["post"])
    def evaluate(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        _office_over(request.user, post.organisation, _EVALUATE)
        serializer = EvaluateSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            evaluation = services.evaluate(
                actor=request.user,
                post=post,
                month=serializer.validated_data["month"],
                total=serializer.validated_data["total"],
            )
        fresh = (
            Evaluation.objects.select_related("rules", "post")
            .prefetch_related(Prefetch("events", StarEvent.objects.order_by("pk")))
            .get(pk=evaluation.pk)
        )
        return Response(EvaluatedSerializer(fresh).data, status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("示范岗的意见簿"),
        description=gettext_lazy(
            "群众对该示范岗的意见建议、表扬和投诉(网上留言、意见簿、投诉电话),新的在前,含答复和投诉是否属实。"
            "留言人的姓名和电话只有本支部书记和党委办公室看到完整的,示范岗党员看到的已脱敏。"
        ),
        parameters=[ID_PATH_PARAMETER, OpinionFilterSerializer, *PAGE_PARAMETERS],
        responses={200: OpinionSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def opinions(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        filters = OpinionFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = scope.visible_to(request.user, Opinion.objects.filter(post=post))
        if filters.validated_data.get("kind"):
            queryset = queryset.filter(kind=filters.validated_data["kind"])
        answered = filters.validated_data.get("answered")
        if answered is not None:
            queryset = queryset.filter(answered_at__isnull=not answered)
        queryset = queryset.select_related("post", "answered_by").order_by("-received_on", "-pk")
        page = self.paginate_queryset(queryset)
        context = {"editable": scope.can_edit_under(request.user, post.organisation)}
        return self.get_paginated_response(OpinionSerializer(page, many=True, context=context).data)

    def _detail(self, post: ModelPost) -> dict:
        # Written by the caller, who therefore sees it: read back without a second scope check.
        return PostDetailSerializer(_detailed(_posts()).get(pk=post.pk)).data


# --- the opinion book ------------------------------------------------------------------------------------


@extend_schema(tags=["示范岗意见簿"])
class OpinionViewSet(viewsets.GenericViewSet):
    """The entries of the posts' opinion books in the caller's sight; the branch answers them."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = OpinionSerializer

    def get_queryset(self) -> QuerySet[Opinion]:
        return scope.visible_to(self.request.user, Opinion.objects.select_related("post__organisation"))

    @extend_schema(
        summary=gettext_lazy("答复意见簿留言"),
        description=gettext_lazy(
            "本支部书记或党委办公室答复一条留言(answer 必填)。投诉须核实是否属实(upheld),核实结论作出后不能"
            "更改;属实的投诉计入当月的星级评定,serious 为严重投诉,属实且规则规定时示范岗当即摘牌。"
            "表扬和意见建议不填 upheld。已答复的可以修改答复。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=AnswerSerializer,
        responses={200: OpinionSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def answer(self, request: Request, pk: str) -> Response:
        opinion = self.get_object()
        if not scope.can_edit_under(request.user, opinion.post.organisation):
            refuse(_ANSWER)
        serializer = AnswerSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with refusals():
            services.opinion_answer(
                actor=request.user,
                opinion=opinion,
                answer=data.get("answer", ""),
                upheld=data.get("upheld"),
                serious=data.get("serious", False),
            )
        fresh = Opinion.objects.select_related("post", "answered_by").get(pk=opinion.pk)
        return Response(OpinionSerializer(fresh, context={"editable": True}).data)


# --- the rules -------------------------------------------------------------------------------------------


@extend_schema(tags=["示范岗评定规则"])
class PostRulesViewSet(viewsets.GenericViewSet):
    """The office's rules of the star cycle: the version in force for an organisation, and a new version."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    serializer_class = PostRulesSerializer
    # One object, the rules in force: not a list.
    pagination_class = None

    def get_queryset(self) -> QuerySet[PostRules]:
        return scope.visible_to(self.request.user, PostRules.objects.select_related("organisation"))

    @extend_schema(
        summary=gettext_lazy("适用的示范岗评定规则"),
        description=gettext_lazy(
            "适用于该党组织的当前规则:本组织或最近的上级组织制定的最新版本"
            "(inherited 为 true 表示适用上级的)。已作出的评定保留当时所用的版本。"
        ),
        parameters=[PostRulesFilterSerializer],
        responses={200: PostRulesSerializer, **error_responses(400, 401, 403)},
    )
    def list(self, request: Request) -> Response:
        filters = PostRulesFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        organisation = filters.validated_data["organisation"]
        rules = services.rules_for(organisation)
        return Response(self._fresh(rules, organisation))

    @extend_schema(
        summary=gettext_lazy("修订示范岗评定规则"),
        description=gettext_lazy(
            "党委办公室为其党组织生成规则的新版本:未填的项沿用当前规则。此后的月度评定按新版本,"
            "已作出的评定保留原版本。"
        ),
        request=PostRulesUpdateSerializer,
        responses={201: PostRulesSerializer, **error_responses(400, 401, 403)},
    )
    def create(self, request: Request) -> Response:
        s = scope.scope_of(request.user)
        if not (s.superuser or s.paths_for({Role.OFFICE})):
            refuse(_RULES)
        serializer = PostRulesUpdateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        organisation = serializer.validated_data["organisation"]
        with refusals():
            rules = services.rules_update(
                actor=request.user,
                organisation=organisation,
                fields=serializer.rule_fields(),
                note=serializer.validated_data.get("note", ""),
            )
        return Response(self._fresh(rules, organisation), status=status.HTTP_201_CREATED)

    def _fresh(self, rules: PostRules, organisation) -> dict:
        fresh = PostRules.objects.select_related("organisation", "created_by").get(pk=rules.pk)
        return PostRulesSerializer(fresh, context={"organisation": organisation}).data


ROUTES: list = [
    ("posts", ModelPostViewSet, "post"),
    ("post-opinions", OpinionViewSet, "post-opinion"),
    ("post-rules", PostRulesViewSet, "post-rules"),
]
