"""REST endpoints of 在职党员进社区 (registered by vanguard/api/urls.py from ROUTES).

- registrations: a member registers at their home community (登记报到), or the community's worker enters a
  paper registration form for them; the worker confirms it (POST …/confirm/) or returns it with a reason
  (…/return/). Lists filter by status, community, branch, occupation and strength (the book's drill-down);
- stats/in-service: the community's book (知人数、知职业、知优势) of a street or community — stats.py;
- community-posts: the posts a community sets (创岗、设岗) and members claim (…/claim/: 认岗、领岗);
  community-post-claims: the claims, which the community confirms (…/confirm/);
- service-records: service in the community (活动记实): a member's own record waits for verification and is
  never credited until then; a worker's record, or a verified one, is credited to the time bank;
- feedback: the quarter's community record of a branch's registered members (情况反馈) — feedback.py.

Reads go through the scoping module, so an object out of sight is a 404 like a missing one; writes go
through the services, the pages' own write path, and a refusal carries the service's own sentence."""

from __future__ import annotations

from decimal import Decimal

from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import Count, Exists, F, OuterRef, Q, QuerySet
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.openapi import AutoSchema
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses, refusals, refuse
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX
from vanguard.api.pagination import PAGE_PARAMETERS
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.org.models import Cell, Organisation
from vanguard.org.validators import today
from vanguard.reports.selectors import own_member
from vanguard.timebank.models import Transfer

from . import feedback, services, services_work, stats
from .api_serializers import (
    ClaimFilterSerializer,
    ClaimSerializer,
    CommunityPostSerializer,
    FeedbackFilterSerializer,
    FeedbackSerializer,
    InServiceStatsSerializer,
    PostCreateSerializer,
    PostFilterSerializer,
    RegistrationCreateSerializer,
    RegistrationFilterSerializer,
    RegistrationReturnSerializer,
    RegistrationSerializer,
    ServiceRecordCreateSerializer,
    ServiceRecordFilterSerializer,
    ServiceRecordSerializer,
    ServiceRejectSerializer,
    StatsFilterSerializer,
)
from .models import CommunityPost, PostClaim, Registration, ServiceRecord

# The services' own sentences, said before the body is read: in sight but not theirs to do is a 403
# whatever they send. (The same message ids as the services', so they translate once.)
_CONFIRM = gettext_lazy("只有报到社区的工作人员可以确认或退回报到。")
_POST = gettext_lazy("只有本社区的工作人员可以设置社区岗位。")
_CLAIM = gettext_lazy("只能为自己认领岗位。")
_CLAIM_CONFIRM = gettext_lazy("只有本社区的工作人员可以确认上岗。")
_VERIFY = gettext_lazy("只有本社区的工作人员可以核实服务记录。")
_BOOK = gettext_lazy("社区的在职党员名册由社区工作人员和党组织查看。")
_FEEDBACK = gettext_lazy("情况反馈由党员所在的党组织查看。")
_NO_MEMBER = gettext_lazy("您的账户没有对应的党员记录,请选择党员。")


def _action_schema(summary, description, request, response, *, created: bool = False):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=request,
        responses={201 if created else 200: response, **error_responses(400, 401, 403, 404)},
    )


def plain_hours(hours: Decimal) -> str:
    """The request's hours as the services read them: "2.5", not the serializer's "2.50" (whose second
    decimal place the model's own validation would refuse before the service's half-hour rule is heard)."""
    return format(hours.normalize(), "f")


def _member_or_own(request: Request, member):
    """The member a write is for: the one named, or the caller's own membership."""
    member = member or own_member(user=request.user)
    if member is None:
        raise exceptions.ValidationError({"member": [str(_NO_MEMBER)]})
    return member


# --- registrations ---------------------------------------------------------------------------------------


def _registrations() -> QuerySet[Registration]:
    return Registration.objects.select_related(
        "member__person", "member__organisation", "community", "confirmed_by"
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("社区报到列表"),
        gettext_lazy(
            "您可见范围内的报到:党员见本人的,社区工作人员见报到到本社区的,党组织见本组织党员的"
            "(双重管理)。community、organisation 含其下级;strength 为特长之一;in_service=true "
            "只列在职党员。按报到时间倒序。"
        ),
        RegistrationFilterSerializer,
        RegistrationSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("社区报到详情(登记表)"), RegistrationSerializer),
    create=write_schema(
        gettext_lazy("到居住社区报到"),
        gettext_lazy(
            "党员本人网上报到(member 不填),或社区工作人员录入纸质登记表(member 填党员编号):community 为社区,"
            "写明职业、特长(多项用“、”分隔)和服务意愿。同一时间只能有一份待确认或已报到的报到;退回后可重新报到。"
        ),
        RegistrationCreateSerializer,
        RegistrationSerializer,
        created=True,
    ),
)
@extend_schema(tags=["在职党员进社区"])
class RegistrationViewSet(viewsets.GenericViewSet):
    """Registrations at home communities in the caller's sight."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = RegistrationSerializer

    def get_queryset(self) -> QuerySet[Registration]:
        return scope.visible_to(self.request.user, _registrations())

    def list(self, request: Request) -> Response:
        filters = RegistrationFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("community__"))
        if data.get("organisation") is not None:
            queryset = queryset.filter(data["organisation"].subtree_q("member__organisation__"))
        if data.get("occupation"):
            queryset = queryset.filter(occupation=data["occupation"])
        if data.get("strength"):
            queryset = queryset.filter(strengths__contains=data["strength"].strip())
        if data.get("in_service") is not None:
            in_service = Q(member__category="in_service")
            queryset = queryset.filter(in_service if data["in_service"] else ~in_service)
        page = self.paginate_queryset(queryset.order_by("-submitted_at", "-pk"))
        return self.get_paginated_response(RegistrationSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(RegistrationSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = RegistrationCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = _member_or_own(request, data.get("member"))
        with refusals():
            registration = services.registration_submit(
                actor=request.user,
                member=member,
                community=data["community"],
                occupation=data.get("occupation", ""),
                strengths=data.get("strengths", ""),
                wishes=data.get("wishes", ""),
            )
        return Response(self._fresh(registration), status=status.HTTP_201_CREATED)

    @_action_schema(
        gettext_lazy("确认报到"),
        gettext_lazy("报到社区的工作人员确认待确认的报到(已报到)。已确认或已退回的报到不能再确认。"),
        None,
        RegistrationSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        registration = self._for_worker()
        with refusals():
            registration = services.registration_confirm(actor=request.user, registration=registration)
        return Response(self._fresh(registration))

    @_action_schema(
        gettext_lazy("退回报到"),
        gettext_lazy("报到社区的工作人员退回待确认的报到,须填写原因(reason);党员可修改后重新报到。"),
        RegistrationReturnSerializer,
        RegistrationSerializer,
    )
    # Not a method called `return`: a keyword.
    @action(detail=True, methods=["post"], url_path="return", url_name="return")
    def return_(self, request: Request, pk: str) -> Response:
        registration = self._for_worker()
        serializer = RegistrationReturnSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            registration = services.registration_return(
                actor=request.user, registration=registration, reason=serializer.validated_data["reason"]
            )
        return Response(self._fresh(registration))

    def _for_worker(self) -> Registration:
        registration = self.get_object()
        if not services.works_in(self.request.user, registration.community):
            refuse(_CONFIRM)
        return registration

    def _fresh(self, registration: Registration) -> dict:
        # The service let the caller write it, so the caller may see it: no second scope check.
        return RegistrationSerializer(_registrations().get(pk=registration.pk)).data


# --- the book --------------------------------------------------------------------------------------------


class _OneObjectSchema(AutoSchema):
    """The book answers one object at the list address (the contract of issue 8), not a list of them."""

    def _is_list_view(self, serializer=None) -> bool:
        return False


@extend_schema(tags=["在职党员进社区"])
class InServiceStatsViewSet(viewsets.GenericViewSet):
    """The book of in-service members of a street or community."""

    schema = _OneObjectSchema()
    permission_classes = [IsAuthenticated, HasBusinessRole]
    serializer_class = InServiceStatsSerializer
    pagination_class = None

    @extend_schema(
        summary=gettext_lazy("在职党员报到统计(知人数、知职业、知优势)"),
        description=gettext_lazy(
            "cell 为街道或社区的编号:其下各社区已报到(已确认)的在职党员人数 total,"
            "按社区 by_community(含人数为0的社区)、按职业 by_occupation、按特长 by_strength。"
            "特长取报到时填写的特长,多项以“、”分隔(逗号亦可),"
            "每人每项计一次,故 by_strength 的合计可大于 total。社区工作人员只能查看本社区(或其负责的街道);"
            "党委办公室、支部书记和监督员只计本组织党员的报到(双重管理)。不能查看的网格返回 404。"
        ),
        parameters=[StatsFilterSerializer],
        responses={200: InServiceStatsSerializer, **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        filters = StatsFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        s = scope.scope_of(request.user)
        if not (s.superuser or s.any_org_paths or s.cell_paths):
            refuse(_BOOK)
        cell = Cell.objects.filter(pk=filters.validated_data["cell"]).first()
        if cell is None:
            raise Http404
        if cell.kind not in stats.BOOK_KINDS:
            message = _("请选择街道或社区:“%(name)s”是%(kind)s。")
            raise exceptions.ValidationError(
                {"cell": [message % {"name": cell.name, "kind": cell.get_kind_display()}]}
            )
        if not stats.may_read_book(request.user, cell):
            raise Http404
        result = stats.in_service_stats(user=request.user, cell=cell)
        return Response(InServiceStatsSerializer(result).data)


# --- posts and claims ------------------------------------------------------------------------------------


def _taken() -> Count:
    return Count(
        "claims", filter=Q(claims__status__in=[PostClaim.Status.CLAIMED, PostClaim.Status.CONFIRMED])
    )


def _posts() -> QuerySet[CommunityPost]:
    return CommunityPost.objects.select_related("community").annotate(taken=_taken())


@extend_schema_view(
    list=list_schema(
        gettext_lazy("社区岗位列表"),
        gettext_lazy(
            "社区工作人员见本社区的岗位;党员见已报到(含待确认)社区的岗位和自己认领过的岗位;党组织见本组织党员"
            "认领的岗位。taken 为已认领(待确认和已上岗)的名额;open=true 只列招募中且有空余名额的岗位。"
        ),
        PostFilterSerializer,
        CommunityPostSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("社区岗位详情"), CommunityPostSerializer),
    create=write_schema(
        gettext_lazy("设置社区岗位(创岗、设岗)"),
        gettext_lazy("本社区的工作人员设置岗位:名称(本社区内不重复)、类别、名额和岗位职责。"),
        PostCreateSerializer,
        CommunityPostSerializer,
        created=True,
    ),
)
@extend_schema(tags=["在职党员进社区"])
class CommunityPostViewSet(viewsets.GenericViewSet):
    """Community posts in the caller's sight; members claim them."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = CommunityPostSerializer

    def get_queryset(self) -> QuerySet[CommunityPost]:
        return scope.visible_to(self.request.user, _posts())

    def list(self, request: Request) -> Response:
        filters = PostFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("community__"))
        if data.get("category"):
            queryset = queryset.filter(category=data["category"])
        if data.get("open"):
            queryset = queryset.filter(active=True, taken__lt=F("places"))
        page = self.paginate_queryset(queryset.order_by("community__path", "name", "pk"))
        return self.get_paginated_response(CommunityPostSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(CommunityPostSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not scope.scope_of(request.user).cell_paths and not scope.scope_of(request.user).superuser:
            refuse(_POST)
        serializer = PostCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        with refusals():
            post = services_work.post_create(actor=request.user, **serializer.validated_data)
        return Response(
            CommunityPostSerializer(_posts().get(pk=post.pk)).data, status=status.HTTP_201_CREATED
        )

    @_action_schema(
        gettext_lazy("认领社区岗位(认岗、领岗)"),
        gettext_lazy(
            "党员为自己认领岗位,待社区确认上岗。岗位停止招募、名额已满(待确认和已上岗合计达到名额)或已认领过的,"
            "不能认领。"
        ),
        None,
        ClaimSerializer,
        created=True,
    )
    @action(detail=True, methods=["post"])
    def claim(self, request: Request, pk: str) -> Response:
        post = self.get_object()
        member = own_member(user=request.user)
        if member is None:
            refuse(_CLAIM)
        with refusals():
            claim = services_work.post_claim(actor=request.user, post=post, member=member)
        return Response(ClaimSerializer(_claims().get(pk=claim.pk)).data, status=status.HTTP_201_CREATED)


def _claims() -> QuerySet[PostClaim]:
    return PostClaim.objects.select_related("post__community", "member__person")


@extend_schema_view(
    list=list_schema(
        gettext_lazy("岗位认领列表"),
        gettext_lazy("您可见范围内的认领:党员见本人的,社区工作人员见本社区岗位的,党组织见本组织党员的。"),
        ClaimFilterSerializer,
        ClaimSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("岗位认领详情"), ClaimSerializer),
)
@extend_schema(tags=["在职党员进社区"])
class PostClaimViewSet(viewsets.GenericViewSet):
    """Claims of community posts; the community confirms them."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ClaimSerializer

    def get_queryset(self) -> QuerySet[PostClaim]:
        return scope.visible_to(self.request.user, _claims())

    def list(self, request: Request) -> Response:
        filters = ClaimFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("post__community__"))
        if data.get("member") is not None:
            queryset = queryset.filter(member=data["member"])
        page = self.paginate_queryset(queryset.order_by("-created_at", "-pk"))
        return self.get_paginated_response(ClaimSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ClaimSerializer(self.get_object()).data)

    @_action_schema(
        gettext_lazy("确认上岗"),
        gettext_lazy("本社区的工作人员确认待确认的认领(已上岗)。"),
        None,
        ClaimSerializer,
    )
    @action(detail=True, methods=["post"])
    def confirm(self, request: Request, pk: str) -> Response:
        claim = self.get_object()
        if not services.works_in(request.user, claim.post.community):
            refuse(_CLAIM_CONFIRM)
        with refusals():
            claim = services_work.claim_confirm(actor=request.user, claim=claim)
        return Response(ClaimSerializer(_claims().get(pk=claim.pk)).data)


# --- service records -------------------------------------------------------------------------------------


def _records() -> QuerySet[ServiceRecord]:
    return ServiceRecord.objects.select_related("member__person", "community", "verified_by").annotate(
        credited=Exists(Transfer.objects.filter(service_record_id=OuterRef("pk")))
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("服务记录列表(活动记实)"),
        gettext_lazy(
            "您可见范围内的服务记录,按服务日期倒序:党员见本人的,社区工作人员见本社区的,党组织见本组织党员的。"
            "reported 为本人记录、待社区核实,不计入时间银行;verified 已核实并计入。"
        ),
        ServiceRecordFilterSerializer,
        ServiceRecordSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("服务记录详情"), ServiceRecordSerializer),
    create=write_schema(
        gettext_lazy("记录社区服务"),
        gettext_lazy(
            "党员记录本人的服务(member 不填):待社区核实,核实前不计入时间银行。"
            "社区工作人员为党员录入(member 填党员编号):即为已核实,时长计入该党员的时间银行账户。"
            "时长大于0、不超过24小时,以0.5小时为单位;服务日期不能晚于今天。"
        ),
        ServiceRecordCreateSerializer,
        ServiceRecordSerializer,
        created=True,
    ),
)
@extend_schema(tags=["在职党员进社区"])
class ServiceRecordViewSet(viewsets.GenericViewSet):
    """Service records in the caller's sight; the community verifies or rejects them."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ServiceRecordSerializer

    def get_queryset(self) -> QuerySet[ServiceRecord]:
        return scope.visible_to(self.request.user, _records())

    def list(self, request: Request) -> Response:
        filters = ServiceRecordFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("status"):
            queryset = queryset.filter(status=data["status"])
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("community__"))
        if data.get("organisation") is not None:
            queryset = queryset.filter(data["organisation"].subtree_q("member__organisation__"))
        if data.get("member") is not None:
            queryset = queryset.filter(member=data["member"])
        if data.get("served_from"):
            queryset = queryset.filter(served_on__gte=data["served_from"])
        if data.get("served_to"):
            queryset = queryset.filter(served_on__lte=data["served_to"])
        page = self.paginate_queryset(queryset.order_by("-served_on", "-pk"))
        return self.get_paginated_response(ServiceRecordSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ServiceRecordSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = ServiceRecordCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        member = _member_or_own(request, data.get("member"))
        links = {"post": data["post"]} if data.get("post") is not None else {}
        with refusals():
            record = services_work.service_report(
                actor=request.user,
                member=member,
                community=data["community"],
                activity=data["activity"],
                served_on=data["served_on"],
                hours=plain_hours(data["hours"]),
                **links,
            )
        return Response(self._fresh(record), status=status.HTTP_201_CREATED)

    @_action_schema(
        gettext_lazy("核实服务记录"),
        gettext_lazy("本社区的工作人员核实待核实的服务记录:时长计入党员的时间银行账户(只计一次)。"),
        None,
        ServiceRecordSerializer,
    )
    @action(detail=True, methods=["post"])
    def verify(self, request: Request, pk: str) -> Response:
        record = self._for_worker()
        with refusals():
            record = services_work.service_verify(actor=request.user, record=record)
        return Response(self._fresh(record))

    @_action_schema(
        gettext_lazy("不予核实"),
        gettext_lazy("本社区的工作人员不予核实待核实的服务记录,须说明原因(reason);不计入时间银行。"),
        ServiceRejectSerializer,
        ServiceRecordSerializer,
    )
    @action(detail=True, methods=["post"])
    def reject(self, request: Request, pk: str) -> Response:
        record = self._for_worker()
        serializer = ServiceRejectSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            record = services_work.service_reject(
                actor=request.user, record=record, reason=serializer.validated_data["reason"]
            )
        return Response(self._fresh(record))

    def _for_worker(self) -> ServiceRecord:
        record = self.get_object()
        if not services.works_in(self.request.user, record.community):
            refuse(_VERIFY)
        return record

    def _fresh(self, record: ServiceRecord) -> dict:
        return ServiceRecordSerializer(_records().get(pk=record.pk)).data


# --- feedback --------------------------------------------------------------------------------------------


@extend_schema(tags=["在职党员进社区"])
class FeedbackViewSet(viewsets.GenericViewSet):
    """情况反馈: the quarter's community record of a branch's registered members."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    serializer_class = FeedbackSerializer

    @extend_schema(
        summary=gettext_lazy("社区情况反馈(季度)"),
        description=gettext_lazy(
            "党员所在党组织(organisation,含其下级)已在社区报到(已确认)的党员,本季度(quarter,如 2026Q3;"
            "不填为本季度)在社区的表现:报到社区、经核实的服务次数和时长、待核实的服务次数(不计时长)、在岗的社区"
            "岗位数、结对帮扶对象数和走访次数。供支部了解党员八小时以外的表现,并作为量化考核“社区服务时长”的依据。"
            "党委办公室、支部书记和监督员可用;不在您范围内的党组织返回 404。"
        ),
        parameters=[FeedbackFilterSerializer, *PAGE_PARAMETERS],
        responses={200: FeedbackSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        s = scope.scope_of(request.user)
        if not (s.superuser or s.any_org_paths):
            refuse(_FEEDBACK)
        filters = FeedbackFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        try:
            quarter = (
                feedback.Quarter.parse(filters.validated_data["quarter"])
                if filters.validated_data.get("quarter")
                else feedback.Quarter.of(today())
            )
        except DjangoValidationError as exc:
            raise exceptions.ValidationError({"quarter": exc.messages}) from exc
        organisation = scope.get_visible_or_404(
            request.user, Organisation.objects.all(), pk=filters.validated_data["organisation"]
        )
        rows = feedback.branch_feedback(user=request.user, organisation=organisation, quarter=quarter)
        page = self.paginate_queryset(rows)
        return self.get_paginated_response(FeedbackSerializer(page, many=True).data)


ROUTES: list = [
    ("registrations", RegistrationViewSet, "registration"),
    ("stats/in-service", InServiceStatsViewSet, "in-service-stats"),
    ("community-posts", CommunityPostViewSet, "community-post"),
    ("community-post-claims", PostClaimViewSet, "community-post-claim"),
    ("service-records", ServiceRecordViewSet, "service-record"),
    ("feedback", FeedbackViewSet, "feedback"),
]
