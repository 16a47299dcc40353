"""REST endpoints of the assessment's year (registered by vanguard/api/urls.py from ROUTES).

- assessment/rollups: the year's roll-ups, and each one's ranked results (…/{id}/results/);
- assessment/branch-reviews: the year-end branch reviews (听、看、谈、访), ranked by total among those the
  caller sees;
- assessment/rectifications: list (overdue first), create, one with its follow-ups, POST …/{id}/done/;
- assessment/appraisals: the democratic appraisals and their members (…/{id}/entries/);
  assessment/appraisal-entries/{id}/vote/ (a member's secret vote) and …/conclusion/ (the organisation's).

Reads go through the scoping module, so an object out of scope is a 404 like a missing one; writes go through
the services, the pages' own write path, with the same messages."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet, TextChoices
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX, ScopedPrimaryKeyRelatedField
from vanguard.api.pagination import PAGE_PARAMETERS
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.org.apis import organisation_field
from vanguard.org.models import Member

from . import selectors_year as selectors
from . import services_appraisal, services_year
from .forms_year import this_year
from .models import (
    Appraisal,
    AppraisalEntry,
    BranchReview,
    Grade,
    Rectification,
    Result,
    Rollup,
    TargetKind,
)

TEXT_LIMIT = services_year.TEXT_LIMIT


def _year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(min_value=2000, max_value=2100, **kwargs)


# --- roll-ups -------------------------------------------------------------------------------------------


class RollupFilterSerializer(serializers.Serializer):
    year = _year_field(required=False, help_text=gettext_lazy("年度,如 2026"))
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, required=False, allow_blank=True)


class RollupPartSerializer(serializers.Serializer):
    round = serializers.IntegerField(source="round_id", read_only=True)
    round_name = serializers.CharField(source="round.name", read_only=True)
    weight = serializers.DecimalField(max_digits=6, decimal_places=2, read_only=True)


class RollupSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    year = serializers.IntegerField(read_only=True)
    target_kind = serializers.ChoiceField(choices=TargetKind.choices, read_only=True)
    recommendation = serializers.SerializerMethodField(help_text=gettext_lazy("推荐名单的称号"))
    recommend_count = serializers.IntegerField(read_only=True)
    computed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    parts = RollupPartSerializer(many=True, read_only=True, help_text=gettext_lazy("计入的轮次及权重"))

    def get_recommendation(self, rollup: Rollup) -> str:
        return selectors.recommendation_title(rollup)


class RollupResultFilterSerializer(serializers.Serializer):
    recommended = serializers.BooleanField(
        required=False, default=False, help_text=gettext_lazy("true:只列推荐名单")
    )


class RollupResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    rank = serializers.IntegerField(read_only=True, allow_null=True)
    name = serializers.CharField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True, allow_null=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True, allow_null=True)
    zone = serializers.IntegerField(source="zone_id", read_only=True, allow_null=True)
    unit = serializers.IntegerField(source="unit_id", read_only=True)
    unit_name = serializers.CharField(source="unit.name", read_only=True)
    total = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    rounds = serializers.IntegerField(read_only=True, help_text=gettext_lazy("计入的轮次数"))
    data_points = serializers.IntegerField(read_only=True, help_text=gettext_lazy("各轮评分数据数之和"))
    recommended = serializers.BooleanField(read_only=True)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("年度汇总列表"),
        gettext_lazy("您可见范围内的年度汇总(本组织及上级组织的),按年度倒序。"),
        RollupFilterSerializer,
        RollupSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("年度汇总详情"), RollupSerializer),
)
@extend_schema(tags=["年度考评"])
class RollupViewSet(viewsets.GenericViewSet):
    """The year's roll-ups in the caller's sight."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = RollupSerializer

    def get_queryset(self) -> QuerySet[Rollup]:
        return selectors.rollups(user=self.request.user).prefetch_related("parts__round")

    def list(self, request: Request) -> Response:
        filters = RollupFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.rollups(user=request.user, year=filters.validated_data.get("year"))
        if filters.validated_data.get("target_kind"):
            queryset = queryset.filter(target_kind=filters.validated_data["target_kind"])
        page = self.paginate_queryset(queryset.prefetch_related("parts__round"))
        return self.get_paginated_response(RollupSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RollupSerializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("年度汇总的排名"),
        description=gettext_lazy(
            "按排名列出汇总结果(您可见范围内的对象):年度得分 = Σ(权重×该轮得分)÷Σ权重,只计该对象参加的"
            "轮次;recommended 为列入推荐名单(名额末位并列的都列入)。尚未计算时为空。"
        ),
        parameters=[ID_PATH_PARAMETER, RollupResultFilterSerializer, *PAGE_PARAMETERS],
        responses={200: RollupResultSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def results(self, request: Request, pk: str) -> Response:
        rollup = self.get_object()
        filters = RollupResultFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        rows = selectors.rollup_results(
            user=request.user, rollup=rollup, recommended=filters.validated_data["recommended"]
        )
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(RollupResultSerializer(page, many=True).data)


# --- branch reviews -------------------------------------------------------------------------------------


class ReviewFilterSerializer(serializers.Serializer):
    year = _year_field(required=False, help_text=gettext_lazy("年度,不填为今年"))
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织以下的支部"))


class BranchReviewSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    year = serializers.IntegerField(read_only=True)
    secretary = serializers.IntegerField(source="secretary_id", read_only=True, allow_null=True)
    secretary_name = serializers.SerializerMethodField()
    listen_points = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    listen_notes = serializers.CharField(read_only=True)
    look_points = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    look_notes = serializers.CharField(read_only=True)
    talk_points = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    talk_notes = serializers.CharField(read_only=True)
    visit_points = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    visit_notes = serializers.CharField(read_only=True)
    total = serializers.DecimalField(max_digits=7, decimal_places=2, read_only=True)
    rank = serializers.IntegerField(
        read_only=True, required=False, help_text=gettext_lazy("在您可见范围内该年度的排名(列表中给出)")
    )

    def get_secretary_name(self, review: BranchReview) -> str:
        return review.secretary.name if review.secretary_id else ""


class BranchReviewDetailSerializer(BranchReviewSerializer):
    # A rank belongs to a list: one review alone has none, and its schema must not promise one.
    rank = None


@extend_schema_view(
    list=list_schema(
        gettext_lazy("年终支部考评列表"),
        gettext_lazy("某年度(默认今年)您可见范围内的支部考评,按总分排名,并列同名次。"),
        ReviewFilterSerializer,
        BranchReviewSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("年终支部考评详情"), BranchReviewDetailSerializer),
)
@extend_schema(tags=["年度考评"])
class BranchReviewViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = BranchReviewSerializer

    def get_queryset(self) -> QuerySet[BranchReview]:
        return scope.visible_to(
            self.request.user, BranchReview.objects.select_related("organisation", "secretary")
        )

    def list(self, request: Request) -> Response:
        filters = ReviewFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.reviews(
            user=request.user, year=data.get("year") or this_year(), organisation=data.get("organisation")
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(BranchReviewSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(BranchReviewDetailSerializer(self.get_object()).data)


# --- rectifications -------------------------------------------------------------------------------------


class RectificationFilterStatus(TextChoices):
    OVERDUE = "overdue", gettext_lazy("已逾期")
    OPEN = "open", gettext_lazy("整改中")
    DONE = "done", gettext_lazy("已整改")


class RectificationFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级党员的整改"))
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(),
        scoped=scope.visible_to,
        required=False,
        error_messages={"does_not_exist": gettext_lazy("所选党员不存在或不在您的可见范围内。")},
    )
    status = serializers.ChoiceField(
        choices=RectificationFilterStatus.choices,
        required=False,
        allow_blank=True,
        help_text=gettext_lazy("overdue:整改中且已过期限;open:整改中;done:已整改"),
    )


class RectificationNoteSerializer(serializers.Serializer):
    written_on = serializers.DateField(read_only=True)
    note = serializers.CharField(read_only=True)
    written_by = serializers.SerializerMethodField()

    def get_written_by(self, note) -> str:
        return str(note.written_by) if note.written_by_id else ""


class RectificationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    organisation = serializers.IntegerField(source="member.organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="member.organisation.name", read_only=True)
    result = serializers.IntegerField(source="result_id", read_only=True, allow_null=True)
    problem = serializers.CharField(read_only=True)
    requirement = serializers.CharField(read_only=True)
    deadline = serializers.DateField(read_only=True)
    status = serializers.ChoiceField(choices=Rectification.Status.choices, read_only=True)
    overdue = serializers.BooleanField(read_only=True, help_text=gettext_lazy("整改中且已过期限"))
    done_on = serializers.DateField(read_only=True, allow_null=True)


class RectificationDetailSerializer(RectificationSerializer):
    notes = RectificationNoteSerializer(many=True, read_only=True, help_text=gettext_lazy("跟进情况"))


class RectificationCreateSerializer(serializers.Serializer):
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("organisation", "person"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选党员不存在或不在您的可见范围内。")},
    )
    result = ScopedPrimaryKeyRelatedField(
        queryset=Result.objects.all(),
        scoped=scope.visible_to,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": gettext_lazy("所选考核结果不存在或不在您的可见范围内。")},
    )
    problem = serializers.CharField(max_length=TEXT_LIMIT, help_text=gettext_lazy("存在问题"))
    requirement = serializers.CharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, help_text=gettext_lazy("整改要求")
    )
    deadline = serializers.DateField(help_text=gettext_lazy("整改期限,不早于今天"))


class RectificationDoneSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("完成日期,不填为今天;不能是将来")
    )
    note = serializers.CharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, help_text=gettext_lazy("整改情况")
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("限期整改列表"),
        gettext_lazy("您可见范围内的整改(党员只见本人的):逾期未改的在前,然后按期限。"),
        RectificationFilterSerializer,
        RectificationSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("限期整改详情"), RectificationDetailSerializer),
    create=write_schema(
        gettext_lazy("提出限期整改"),
        gettext_lazy(
            "党员所在支部的书记或党委办公室提出:存在问题必填,期限不早于今天;可关联该党员的考核结果。"
        ),
        RectificationCreateSerializer,
        RectificationDetailSerializer,
        created=True,
    ),
)
@extend_schema(tags=["年度考评"])
class RectificationViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = RectificationSerializer

    def get_queryset(self) -> QuerySet[Rectification]:
        return selectors.rectifications(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = RectificationFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.rectifications(
            user=request.user,
            filters=selectors.RectificationFilters(
                organisation=data.get("organisation"),
                member=data.get("member"),
                status=data.get("status", ""),
            ),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(RectificationSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self.get_object().pk))

    def create(self, request: Request) -> Response:
        if not selectors.edits_branches(request.user):
            raise PermissionDenied
        serializer = RectificationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        saved = services_year.rectification_create(actor=request.user, **serializer.validated_data)
        return Response(self._detail(saved.pk), status=status.HTTP_201_CREATED)

    @extend_schema(
        summary=gettext_lazy("标记整改完成"),
        description=gettext_lazy(
            "党员所在支部的书记或党委办公室把整改中的一项标记为已整改;完成日期不填为今天,晚于期限的显示为逾期完成。"
            "已整改的不能再标记。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=RectificationDoneSerializer,
        responses={200: RectificationDetailSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def done(self, request: Request, pk: str) -> Response:
        rectification = self.get_object()
        if not selectors.may_rectify(user=request.user, member=rectification.member):
            raise PermissionDenied
        serializer = RectificationDoneSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services_year.rectification_done(
            actor=request.user,
            rectification=rectification,
            done_on=serializer.validated_data.get("done_on"),
            note=serializer.validated_data.get("note", ""),
        )
        return Response(self._detail(rectification.pk))

    def _detail(self, pk: int) -> dict:
        rectification = selectors.rectifications(user=self.request.user).get(pk=pk)
        data = RectificationSerializer(rectification).data
        data["notes"] = RectificationNoteSerializer(
            selectors.rectification_notes(rectification), many=True
        ).data
        return data


# --- appraisals -----------------------------------------------------------------------------------------


class AppraisalFilterSerializer(serializers.Serializer):
    year = _year_field(required=False, help_text=gettext_lazy("年度,如 2026"))


class AppraisalSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(source="organisation_id", read_only=True)
    organisation_name = serializers.CharField(source="organisation.name", read_only=True)
    year = serializers.IntegerField(read_only=True)
    status = serializers.ChoiceField(choices=Appraisal.Status.choices, read_only=True)
    entry_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("评议对象人数"))
    concluded_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已组织评定人数"))


class TalliesSerializer(serializers.Serializer):
    excellent = serializers.IntegerField()
    qualified = serializers.IntegerField()
    basic = serializers.IntegerField()
    unqualified = serializers.IntegerField()


class AppraisalEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    appraisal = serializers.IntegerField(source="appraisal_id", read_only=True)
    member = serializers.IntegerField(source="member_id", read_only=True)
    member_name = serializers.CharField(source="member.person.name", read_only=True)
    organisation_name = serializers.CharField(source="member.organisation.name", read_only=True)
    self_appraisal = serializers.CharField(read_only=True)
    votes = serializers.SerializerMethodField(
        help_text=gettext_lazy("网上投票各等次票数:只有组织评定者(支部书记、党委办公室)可见,否则为 null")
    )
    paper = serializers.SerializerMethodField(
        help_text=gettext_lazy("纸质票各等次票数:只有组织评定者可见,否则为 null")
    )
    my_vote = serializers.SerializerMethodField(help_text=gettext_lazy("您本人对该党员的投票,未投为空"))
    conclusion = serializers.SerializerMethodField(
        help_text=gettext_lazy("组织评定;评议结束前只有组织评定者可见")
    )
    conclusion_note = serializers.SerializerMethodField()

    def _editor(self) -> bool:
        return self.context.get("editor", False)

    @extend_schema_field(TalliesSerializer(allow_null=True))
    def get_votes(self, entry: AppraisalEntry) -> dict | None:
        if not self._editor():
            return None
        return {grade: getattr(entry, f"votes_{grade}", 0) for grade in Grade.values}

    @extend_schema_field(TalliesSerializer(allow_null=True))
    def get_paper(self, entry: AppraisalEntry) -> dict | None:
        if not self._editor():
            return None
        return {
            "excellent": entry.paper_excellent,
            "qualified": entry.paper_qualified,
            "basic": entry.paper_basic,
            "unqualified": entry.paper_unqualified,
        }

    def get_my_vote(self, entry: AppraisalEntry) -> str:
        return self.context.get("my_votes", {}).get(entry.pk, "")

    def _shows_conclusion(self, entry: AppraisalEntry) -> bool:
        return self._editor() or entry.appraisal.status == Appraisal.Status.CLOSED

    def get_conclusion(self, entry: AppraisalEntry) -> str:
        return entry.conclusion if self._shows_conclusion(entry) else ""

    def get_conclusion_note(self, entry: AppraisalEntry) -> str:
        return entry.conclusion_note if self._shows_conclusion(entry) else ""


class VoteSerializer(serializers.Serializer):
    grade = serializers.ChoiceField(
        choices=Grade.choices,
        help_text=gettext_lazy("excellent 优秀、qualified 合格、basic 基本合格、unqualified 不合格"),
    )


class VoteResultSerializer(serializers.Serializer):
    entry = serializers.IntegerField(help_text=gettext_lazy("被评议的党员在本次评议中的编号"))
    grade = serializers.ChoiceField(choices=Grade.choices, help_text=gettext_lazy("您的投票"))


class ConclusionSerializer(serializers.Serializer):
    conclusion = serializers.ChoiceField(choices=Grade.choices, help_text=gettext_lazy("组织评定"))
    note = serializers.CharField(
        max_length=TEXT_LIMIT, required=False, allow_blank=True, help_text=gettext_lazy("评定意见")
    )


def _entries_context(user, appraisal: Appraisal) -> dict:
    return {
        "editor": selectors.sees_tallies(user=user, appraisal=appraisal),
        "my_votes": selectors.my_votes(user=user, appraisal=appraisal),
    }


@extend_schema_view(
    list=list_schema(
        gettext_lazy("民主评议列表"),
        gettext_lazy("您可见范围内的民主评议(党员可见本支部的),按年度倒序。"),
        AppraisalFilterSerializer,
        AppraisalSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("民主评议详情"), AppraisalSerializer),
)
@extend_schema(tags=["年度考评"])
class AppraisalViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = AppraisalSerializer

    def get_queryset(self) -> QuerySet[Appraisal]:
        return selectors.appraisals(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = AppraisalFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(
            selectors.appraisals(user=request.user, year=filters.validated_data.get("year"))
        )
        return self.get_paginated_response(AppraisalSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AppraisalSerializer(self.get_object()).data)

    @extend_schema(
        summary=gettext_lazy("民主评议的评议对象"),
        description=gettext_lazy(
            "本次评议的党员,按党组织和姓名排序。投票无记名:votes(网上票数)和 paper(纸质票数)只有组织评定者"
            "可见;my_vote 是您本人的投票;组织评定在评议结束前只有组织评定者可见。"
        ),
        parameters=[ID_PATH_PARAMETER, *PAGE_PARAMETERS],
        responses={200: AppraisalEntrySerializer(many=True), **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def entries(self, request: Request, pk: str) -> Response:
        appraisal = self.get_object()
        context = _entries_context(request.user, appraisal)
        rows = selectors.entries(user=request.user, appraisal=appraisal, with_tallies=context["editor"])
        page = self.paginate_queryset(rows.select_related("appraisal"))
        return self.get_paginated_response(AppraisalEntrySerializer(page, many=True, context=context).data)


@extend_schema(tags=["年度考评"])
class AppraisalEntryViewSet(viewsets.GenericViewSet):
    """One member of an appraisal: the vote of another member, the organisation's conclusion."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = AppraisalEntrySerializer

    def get_queryset(self) -> QuerySet[AppraisalEntry]:
        return scope.visible_to(
            self.request.user,
            AppraisalEntry.objects.select_related(
                "appraisal__organisation", "member__person", "member__organisation"
            ),
        )

    @extend_schema(
        summary=gettext_lazy("投票"),
        description=gettext_lazy(
            "参加本次评议的党员对另一名党员投票;评议结束前可以改投,不能给自己投票。投票无记名:"
            "只返回您本人的投票,审计记录也不记票面。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=VoteSerializer,
        responses={200: VoteResultSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def vote(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        serializer = VoteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        vote = services_appraisal.appraisal_vote(
            actor=request.user, entry=entry, grade=serializer.validated_data["grade"]
        )
        return Response({"entry": entry.pk, "grade": vote.grade})

    @extend_schema(
        summary=gettext_lazy("组织评定"),
        description=gettext_lazy(
            "本支部书记或党委办公室在评议结束前评定一名党员(不能评定本人)。党委开启“未到社区报到者不得评为"
            "合格”时,未经社区确认报到的在职党员不能评为优秀或合格。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=ConclusionSerializer,
        responses={200: AppraisalEntrySerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def conclusion(self, request: Request, pk: str) -> Response:
        entry = self.get_object()
        if not selectors.sees_tallies(user=request.user, appraisal=entry.appraisal):
            raise PermissionDenied
        serializer = ConclusionSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        services_appraisal.appraisal_conclude(
            actor=request.user,
            entry=entry,
            conclusion=serializer.validated_data["conclusion"],
            note=serializer.validated_data.get("note", ""),
        )
        context = _entries_context(request.user, entry.appraisal)
        fresh = selectors.entries(
            user=request.user, appraisal=entry.appraisal, with_tallies=True
        ).select_related("appraisal")
        return Response(AppraisalEntrySerializer(fresh.get(pk=entry.pk), context=context).data)


ROUTES: list = [
    ("assessment/rollups", RollupViewSet, "assessment-rollup"),
    ("assessment/branch-reviews", BranchReviewViewSet, "assessment-branch-review"),
    ("assessment/rectifications", RectificationViewSet, "assessment-rectification"),
    ("assessment/appraisals", AppraisalViewSet, "assessment-appraisal"),
    ("assessment/appraisal-entries", AppraisalEntryViewSet, "assessment-appraisal-entry"),
]
