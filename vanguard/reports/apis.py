"""The reports app's REST endpoints. ROUTES lists (prefix, viewset, basename) for the API router.

/api/v1/reports/: a member submits and edits their own monthly report; the branch's secretary or the
office reviews it (POST …/<id>/review/); /api/v1/reports/missing/ lists a month's members without a report.
Reads go through the scoping module (out of scope is 404, as missing is); writes go through the services,
the one write path the pages use too, with the same messages.
"""

from __future__ import annotations

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
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
from vanguard.core.masking import mask_phone
from vanguard.org.apis import organisation_field
from vanguard.org.models import Member
from vanguard.zones.zone_apis import zone_field

from . import selectors, services
from .forms import TEXT_LIMIT
from .models import MonthlyReport
from .months import current_month, format_month, parse_month

# --- fields ----------------------------------------------------------------------------------------------


@extend_schema_field({"type": "string", "pattern": r"^\d{4}-\d{2}$", "example": "2026-03"})
class MonthField(serializers.Field):
    """A month as `YYYY-MM`."""

    default_error_messages = {"invalid": gettext_lazy("请按“年-月”填写月份,如 2026-03。")}

    def to_internal_value(self, data):
        if not isinstance(data, str):
            self.fail("invalid")
        try:
            return parse_month(data)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages[0]) from exc

    def to_representation(self, value) -> str:
        return format_month(value)


def _text(label, *, required: bool = False, **kwargs) -> serializers.CharField:
    return serializers.CharField(
        label=label, required=required, allow_blank=not required, max_length=TEXT_LIMIT, **kwargs
    )


# --- serializers -----------------------------------------------------------------------------------------


class ReportSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    organisation = serializers.IntegerField(read_only=True, source="member.organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="member.organisation.name")
    month = MonthField(read_only=True)
    zone = serializers.IntegerField(read_only=True, allow_null=True, source="zone_id")
    zone_name = serializers.SerializerMethodField()
    work_done = serializers.CharField(read_only=True, label=gettext_lazy("责任区工作情况"))
    ideas = serializers.CharField(read_only=True, label=gettext_lazy("设想和建议"))
    masses_opinions = serializers.CharField(read_only=True, label=gettext_lazy("群众意见"))
    status = serializers.ChoiceField(read_only=True, choices=MonthlyReport.Status.choices)
    submitted_at = serializers.DateTimeField(read_only=True, allow_null=True)
    reviewed_by = serializers.SerializerMethodField(help_text=gettext_lazy("审阅人的姓名或用户名"))
    reviewed_at = serializers.DateTimeField(read_only=True, allow_null=True)
    review_comment = serializers.CharField(read_only=True, label=gettext_lazy("审阅意见"))

    def get_zone_name(self, report: MonthlyReport) -> str:
        return report.zone.name if report.zone_id else ""

    def get_reviewed_by(self, report: MonthlyReport) -> str:
        return str(report.reviewed_by) if report.reviewed_by_id else ""


class ReportFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级党员的汇报"))
    member = ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.all(),
        scoped=scope.visible_to,
        required=False,
        error_messages={"does_not_exist": gettext_lazy("所选党员不存在或不在您的可见范围内。")},
    )
    month = MonthField(required=False, help_text=gettext_lazy("月份,如 2026-03"))
    status = serializers.ChoiceField(choices=MonthlyReport.Status.choices, required=False, allow_blank=True)

    def filters(self) -> selectors.ReportFilters:
        data = self.validated_data
        return selectors.ReportFilters(
            organisation=data.get("organisation"),
            member=data.get("member"),
            month=data.get("month"),
            status=data.get("status", ""),
        )


class ReportCreateSerializer(serializers.Serializer):
    month = MonthField(help_text=gettext_lazy("汇报的月份,如 2026-03;不能是未来的月份,每月一份"))
    zone = zone_field(
        required=False,
        allow_null=True,
        help_text=gettext_lazy("本人有分工的该年度责任区;不填时取本人当年唯一的责任区"),
    )
    work_done = _text(gettext_lazy("责任区工作情况"), required=True)
    ideas = _text(gettext_lazy("设想和建议"))
    masses_opinions = _text(gettext_lazy("群众意见"))


class ReportUpdateSerializer(serializers.Serializer):
    # The month is not here: it stays, and a report for another month is a new report.
    zone = zone_field(required=False, allow_null=True)
    work_done = _text(gettext_lazy("责任区工作情况"), required=True)
    ideas = _text(gettext_lazy("设想和建议"))
    masses_opinions = _text(gettext_lazy("群众意见"))


class ReviewSerializer(serializers.Serializer):
    decision = serializers.ChoiceField(
        choices=[MonthlyReport.Status.REVIEWED, MonthlyReport.Status.RETURNED],
        help_text=gettext_lazy("reviewed:审阅通过;returned:退回修改(须填写意见)"),
    )
    comment = _text(gettext_lazy("审阅意见"))


class MissingFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级;不填为全部"))
    month = MonthField(required=False, help_text=gettext_lazy("月份,如 2026-03;不填为本月"))

    def validate_month(self, month):
        if month is not None and month > current_month():
            raise serializers.ValidationError(gettext_lazy("未来的月份还没有汇报可查。"))
        return month


class MissingMemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, source="person.name")
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    category = serializers.ChoiceField(read_only=True, choices=Member.Category.choices)
    mobile = serializers.SerializerMethodField(help_text=gettext_lazy("手机号,已脱敏"))
    last_month = MonthField(read_only=True, allow_null=True, help_text=gettext_lazy("上次汇报的月份"))

    def get_mobile(self, member: Member) -> str:
        return mask_phone(member.person.mobile)


class MonthSummarySerializer(serializers.Serializer):
    month = MonthField(read_only=True)
    members = serializers.IntegerField(read_only=True, help_text=gettext_lazy("应汇报的党员数"))
    submitted = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已提交、待审阅"))
    returned = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已退回"))
    reviewed = serializers.IntegerField(read_only=True, help_text=gettext_lazy("已审阅"))
    missing = serializers.IntegerField(read_only=True, help_text=gettext_lazy("未汇报"))


class MissingPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = MissingMemberSerializer(many=True)
    summary = MonthSummarySerializer()


# --- the viewset -----------------------------------------------------------------------------------------

_WRITE = gettext_lazy(
    "只有党员本人可以提交和修改自己的汇报;已退回的汇报修改后即重新提交;已审阅的汇报不能再修改。"
    "所选责任区须是本人在汇报年度有分工的责任区。"
)
_REVIEW = gettext_lazy(
    "党员所在支部的书记或党委办公室审阅已提交的汇报:reviewed 审阅通过(意见可空),returned 退回修改"
    "(须填写意见)。已审阅或已退回的汇报不能再审阅。监督员只能查看。"
)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("月度汇报列表"),
        gettext_lazy(
            "您可见范围内的汇报(党员只见本人的),按月份倒序。organisation 包含其下级;month 如 2026-03。"
        ),
        ReportFilterSerializer,
        ReportSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("月度汇报详情"), ReportSerializer),
    create=write_schema(
        gettext_lazy("提交月度汇报"),
        gettext_lazy("党员提交本人某月的汇报:不能是未来的月份,同一月份只能提交一份(请修改原汇报)。"),
        ReportCreateSerializer,
        ReportSerializer,
        created=True,
    ),
    update=write_schema(gettext_lazy("修改月度汇报"), _WRITE, ReportUpdateSerializer, ReportSerializer),
    partial_update=write_schema(
        gettext_lazy("修改月度汇报的部分字段"), _WRITE, ReportUpdateSerializer, ReportSerializer
    ),
)
@extend_schema(tags=["月度汇报"])
class MonthlyReportViewSet(viewsets.GenericViewSet):
    """Monthly reports in the caller's scope."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ReportSerializer

    def get_queryset(self) -> QuerySet[MonthlyReport]:
        return selectors.reports_in_scope(user=self.request.user).order_by("-month", "pk")

    def list(self, request: Request) -> Response:
        filters = ReportFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.report_list(user=request.user, filters=filters.filters()))
        return self.get_paginated_response(ReportSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ReportSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        member = selectors.own_member(user=request.user)
        if member is None:
            raise PermissionDenied
        serializer = ReportCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        report = services.report_submit(actor=request.user, member=member, **serializer.validated_data)
        return Response(self._fresh(report), status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        report = self.get_object()
        if not selectors.is_own(user=request.user, report=report):
            # In sight (the branch's secretary) but not theirs to write: before the body is even read.
            raise PermissionDenied
        serializer = ReportUpdateSerializer(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        report = services.report_update(actor=request.user, report=report, fields=serializer.validated_data)
        return Response(self._fresh(report))

    @extend_schema(
        summary=gettext_lazy("审阅月度汇报"),
        description=_REVIEW,
        parameters=[ID_PATH_PARAMETER],
        request=ReviewSerializer,
        responses={200: ReportSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def review(self, request: Request, pk: str) -> Response:
        report = self.get_object()
        if not selectors.may_review(user=request.user, report=report):
            raise PermissionDenied
        serializer = ReviewSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        report = services.report_review(
            actor=request.user,
            report=report,
            decision=serializer.validated_data["decision"],
            comment=serializer.validated_data.get("comment", ""),
        )
        return Response(self._fresh(report))

    @extend_schema(
        summary=gettext_lazy("未提交月度汇报的党员"),
        description=gettext_lazy(
            "某月(默认本月)该党组织及其下级中还没有提交汇报的党员,按党组织和姓名排序;summary 为该月的"
            "应报、已提交、已退回、已审阅和未报人数。该月之后才入党的党员不计。党委办公室、支部书记和监督员可用。"
        ),
        parameters=[MissingFilterSerializer, *PAGE_PARAMETERS],
        responses={200: MissingPageSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=False, methods=["get"])
    def missing(self, request: Request) -> Response:
        if not selectors.reads_organisations(user=request.user):
            raise PermissionDenied
        filters = MissingFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        organisation = filters.validated_data.get("organisation")
        month = filters.validated_data.get("month") or current_month()
        members = selectors.missing_reports(user=request.user, organisation=organisation, month=month)
        page = self.paginate_queryset(members)
        response = self.get_paginated_response(MissingMemberSerializer(page, many=True).data)
        summary = selectors.month_summary(user=request.user, organisation=organisation, month=month)
        response.data["summary"] = MonthSummarySerializer(summary).data
        return response

    def _fresh(self, report: MonthlyReport) -> dict:
        # The service let the caller write this report, so the caller may see it: no second scope check.
        return ReportSerializer(selectors.with_related(MonthlyReport.objects.all()).get(pk=report.pk)).data


ROUTES: list = [("reports", MonthlyReportViewSet, "report")]
