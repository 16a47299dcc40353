"""REST endpoints of residents' requests (registered by vanguard/api/urls.py from ROUTES).

- requests: the requests in the caller's sight, overdue first (the same order as the pages), with filters and
  the views mine / queue / escalated; one request with its timeline; staff entering a request taken by phone
  (工作人员代录); and the steps of the loop — take (接单), accept (受理), start (开始办理), resolve (办结 or
  答复), dispatch (派单), urgency (调整紧急程度), close (关闭). Rating is the resident's, on the tracking
  page: not here. There is no anonymous intake through the API: residents use the public form;
- stats/requests: the response, resolution and satisfaction rates by member, zone, branch or community, with
  sample sizes (stats.py).

Reads go through the scoping module, so a request out of sight is a 404 like a missing one; writes go through
the services, the pages' own write path, and a refusal carries the service's own sentence. Who may take a
step is asked before the body is read: in sight but not theirs to do is a 403 whatever they send."""

from __future__ import annotations

from collections import OrderedDict
from decimal import Decimal

from django.db.models import BooleanField, Case, Q, QuerySet, Value, When
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import exceptions, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses, refusals, refuse
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX
from vanguard.api.pagination import PageNumberPagination
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.community.feedback import Quarter
from vanguard.org.validators import today

from . import services, stats
from .api_serializers import (
    CloseSerializer,
    DispatchSerializer,
    RatesFilterSerializer,
    RatesRowSerializer,
    RequestCreateSerializer,
    RequestFilterSerializer,
    ResolveSerializer,
    ServiceRequestDetailSerializer,
    ServiceRequestSerializer,
    UrgencySerializer,
    with_caller_in_team,
)
from .models import OPEN_STATUSES, Channel, Escalation, Kind, ServiceRequest, Status

# The services' own sentences, said before the body is read (the same message ids, so they translate once).
_ACCEPT = gettext_lazy("只有承办党员可以受理。")
_START = gettext_lazy("只有承办党员可以办理。")
_RESOLVE = gettext_lazy("只有承办党员可以办结。")
_ANSWER = gettext_lazy("只有所属党支部书记或党委办公室可以答复。")
_DISPATCH = gettext_lazy("只有本社区工作人员或所属党支部书记可以派单。")
_URGENCY = gettext_lazy("只有本社区工作人员或所属党支部书记可以调整紧急程度。")
_CLOSE = gettext_lazy("只有本社区工作人员或所属党支部书记可以关闭诉求。")
_BY = gettext_lazy("分组:member 按党员,zone 按责任区,branch 按党支部,community 按社区")


def _action_schema(summary, description, request):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=request,
        responses={200: ServiceRequestDetailSerializer, **error_responses(400, 401, 403, 404)},
    )


def plain_hours(hours: Decimal | None) -> str | None:
    """The hours as the services read them: "2.5", not the serializer's "2.50"."""
    return None if hours is None else format(hours.normalize(), "f")


def _open_overdue(now) -> Q:
    return Q(status__in=OPEN_STATUSES, deadline__lt=now)


def requests_in_sight(user) -> QuerySet[ServiceRequest]:
    """The requests the user sees, with what the serializer reads and `overdue`, overdue first (open and past
    the deadline), then those needing the secretary's attention, then by deadline."""
    now = timezone.now()
    queryset = (
        scope.visible_to(user, ServiceRequest.objects.all())
        .select_related(
            "cell",
            "zone__organisation",
            "post",
            "about_member__person",
            "community",
            "organisation",
            "member__person",
            "team",
            "entered_by",
        )
        .annotate(
            overdue=Case(
                When(_open_overdue(now), then=Value(True)), default=Value(False), output_field=BooleanField()
            )
        )
    )
    return with_caller_in_team(user, queryset).order_by("-overdue", "-attention", "deadline", "pk")


def _view_q(user, view: str) -> Q:
    s = scope.scope_of(user)
    if view == "mine":
        if s.person_id is None:
            return Q(pk__in=[])
        return ~Q(status=Status.CLOSED) & (Q(member__person_id=s.person_id) | Q(caller_in_team=True))
    if view == "queue":
        return Q(status=Status.QUEUED)
    if view == "escalated":
        return Q(status__in=OPEN_STATUSES) & (Q(escalation__gt=Escalation.NONE) | Q(attention=True))
    return Q()


@extend_schema_view(
    list=list_schema(
        gettext_lazy("群众诉求列表"),
        gettext_lazy(
            "您可见范围内的群众诉求:党员见本人(或本人所在服务队)承办的和本人报到、居住社区待接单的,社区工作人员见"
            "本社区的,支部书记和党委办公室见本组织的(含本组织责任区内的)。已超期未办结的排在最前,其次为需书记关注的,"
            "再按办理时限先后。view:mine 我承办的,queue 社区待派单,escalated 督办。"
            "居民的电话号码只有承办党员、本社区工作人员和所属党支部书记、党委办公室看到完整号码。"
        ),
        RequestFilterSerializer,
        ServiceRequestSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("群众诉求详情(含办理记录)"), ServiceRequestDetailSerializer),
    create=write_schema(
        gettext_lazy("代录群众诉求"),
        gettext_lazy(
            "工作人员录入居民电话或当面反映的诉求(来源为工作人员代录),按位置分派:联系户→其联系党员;"
            "责任区 zone 或位置 cell 所在的责任区→其负责党员;无责任区或处于两个责任区交界→社区待派单。"
            "求助须留电话,留电话须 consent=true(居民已同意使用其号码)。意见、表扬和投诉须指明责任区 zone。"
        ),
        RequestCreateSerializer,
        ServiceRequestDetailSerializer,
        created=True,
    ),
)
@extend_schema(tags=["群众诉求"])
class ServiceRequestViewSet(viewsets.GenericViewSet):
    """Residents' requests in the caller's sight, and the steps of their loop."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ServiceRequestSerializer

    def get_queryset(self) -> QuerySet[ServiceRequest]:
        return requests_in_sight(self.request.user)

    def list(self, request: Request) -> Response:
        filters = RequestFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset().filter(_view_q(request.user, data.get("view") or "all"))
        for name in ("status", "kind", "category", "urgency"):
            if data.get(name):
                queryset = queryset.filter(**{name: data[name]})
        if data.get("overdue") is not None:
            queryset = queryset.filter(overdue=data["overdue"])
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("community__"))
        if data.get("organisation") is not None:
            queryset = queryset.filter(data["organisation"].subtree_q("organisation__"))
        if data.get("zone") is not None:
            queryset = queryset.filter(zone=data["zone"])
        if data.get("member") is not None:
            queryset = queryset.filter(member=data["member"])
        page = self.paginate_queryset(queryset)
        context = {"request": request}
        return self.get_paginated_response(ServiceRequestSerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(self._detail(self.get_object()))

    def create(self, request: Request) -> Response:
        serializer = RequestCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        subject = services.Subject(
            zone=data.get("zone"), cell=data.get("cell"), community=data.get("community")
        )
        with refusals():
            req = services.submit(
                actor=request.user,
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                name=data["name"],
                phone=data["phone"],
                consent=data["consent"],
                urgent=data["urgent"],
                subject=subject,
                channel=Channel.STAFF,
            )
        return Response(self._fresh(req), status=status.HTTP_201_CREATED)

    # --- the loop ---

    @_action_schema(
        gettext_lazy("接单"),
        gettext_lazy(
            "本社区(报到并经确认,或居住在本社区)的党员接下社区待派单的诉求,或服务队队员接下派给本队的诉求:"
            "即由本人承办并受理。"
        ),
        None,
    )
    @action(detail=True, methods=["post"])
    def take(self, request: Request, pk: str) -> Response:
        req = self.get_object()
        with refusals():
            req = services.take(actor=request.user, request=req)
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("受理"),
        gettext_lazy("承办党员受理派给本人的诉求(待接单→已受理);在响应时限内受理计入响应率。"),
        None,
    )
    @action(detail=True, methods=["post"])
    def accept(self, request: Request, pk: str) -> Response:
        req = self._for(services.is_handler, _ACCEPT)
        with refusals():
            req = services.accept(actor=request.user, request=req)
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("开始办理"),
        gettext_lazy("承办党员开始办理(→办理中)。"),
        None,
    )
    @action(detail=True, methods=["post"])
    def start(self, request: Request, pk: str) -> Response:
        req = self._for(services.is_handler, _START)
        with refusals():
            req = services.start(actor=request.user, request=req)
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("办结或答复"),
        gettext_lazy(
            "求助由承办党员办结,填写办理情况 resolution,可填服务时长 hours(记为待社区核实的服务记录);"
            "意见、投诉由所属党支部书记或党委办公室答复(表扬答复后即关闭)。对示范岗的留言在示范岗的意见簿中答复。"
            "办结后等待居民凭查询码评价。"
        ),
        ResolveSerializer,
    )
    @action(detail=True, methods=["post"])
    def resolve(self, request: Request, pk: str) -> Response:
        req = self.get_object()
        if req.kind == Kind.REQUEST:
            self._check(services.is_handler, req, _RESOLVE)
        else:
            self._check(services.is_branch_editor, req, _ANSWER)
        serializer = ResolveSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with refusals():
            req = services.resolve(
                actor=request.user,
                request=req,
                resolution=data["resolution"],
                hours=plain_hours(data.get("hours")),
            )
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("派单"),
        gettext_lazy(
            "本社区工作人员或所属党支部书记把求助派给一名党员(member)或一支本社区的志愿服务队(team),二选一。"
            "社区工作人员可派给在本社区报到或居住的党员,支部书记可派给本支部的党员。"
        ),
        DispatchSerializer,
    )
    # Not a method called `dispatch`: the view's own entry point.
    @action(detail=True, methods=["post"], url_path="dispatch", url_name="dispatch")
    def dispatch_(self, request: Request, pk: str) -> Response:
        req = self._for(_worker_or_editor, _DISPATCH)
        serializer = DispatchSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with refusals():
            req = services.dispatch(
                actor=request.user,
                request=req,
                member=data.get("member"),
                team=data.get("team"),
                note=data.get("note", ""),
            )
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("调整紧急程度"),
        gettext_lazy(
            "本社区工作人员或所属党支部书记调整未办结诉求的紧急程度,须说明原因;办理时限从收到时重新计算。"
        ),
        UrgencySerializer,
    )
    @action(detail=True, methods=["post"])
    def urgency(self, request: Request, pk: str) -> Response:
        req = self._for(_worker_or_editor, _URGENCY)
        serializer = UrgencySerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        with refusals():
            req = services.change_urgency(
                actor=request.user, request=req, urgency=data["urgency"], reason=data["reason"]
            )
        return Response(self._fresh(req))

    @_action_schema(
        gettext_lazy("关闭诉求"),
        gettext_lazy(
            "本社区工作人员或所属党支部书记关闭诉求,须说明原因:重复或不属于求助(未办结即关闭的不计入各项比率),"
            "或已办结而居民未评价。"
        ),
        CloseSerializer,
    )
    @action(detail=True, methods=["post"])
    def close(self, request: Request, pk: str) -> Response:
        req = self._for(_worker_or_editor, _CLOSE)
        serializer = CloseSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        with refusals():
            req = services.close(actor=request.user, request=req, reason=serializer.validated_data["reason"])
        return Response(self._fresh(req))

    # --- helpers ---

    def _check(self, allowed, req: ServiceRequest, message) -> None:
        if not allowed(self.request.user, req):
            refuse(message)

    def _for(self, allowed, message) -> ServiceRequest:
        req = self.get_object()
        self._check(allowed, req, message)
        return req

    def _detail(self, req: ServiceRequest) -> dict:
        return ServiceRequestDetailSerializer(req, context={"request": self.request}).data

    def _fresh(self, req: ServiceRequest) -> dict:
        # The service let the caller write it, and no step takes a request out of its writer's sight (a
        # member who took it handles it; a dispatch stays in the dispatcher's community or branch).
        return self._detail(requests_in_sight(self.request.user).get(pk=req.pk))


def _worker_or_editor(user, req: ServiceRequest) -> bool:
    return services.is_community_worker(user, req) or services.is_branch_editor(user, req)


# --- the rates -------------------------------------------------------------------------------------------


class RatesPagination(PageNumberPagination):
    """Pages of rows, with the period, the grouping and the totals of the whole scope beside them."""

    def get_rates_response(self, data, *, result: stats.Rates, totals: dict) -> Response:
        return Response(
            OrderedDict(
                [
                    ("count", self.page.paginator.count),
                    ("next", self.get_next_link()),
                    ("previous", self.get_previous_link()),
                    ("by", result.by),
                    ("start", result.start.isoformat()),
                    ("end", result.end.isoformat()),
                    ("totals", totals),
                    ("results", data),
                ]
            )
        )

    def get_paginated_response_schema(self, schema: dict) -> dict:
        page = super().get_paginated_response_schema(schema)
        page["properties"] = {
            **page["properties"],
            "by": {"type": "string", "description": str(_BY)},
            "start": {"type": "string", "format": "date"},
            "end": {"type": "string", "format": "date"},
            # The totals row has the rows' own shape (its id null, its name 合计).
            "totals": schema["items"],
        }
        page["required"] = [*page.get("required", []), "by", "start", "end", "totals"]
        return page


@extend_schema(tags=["群众诉求"])
class RequestRatesViewSet(viewsets.GenericViewSet):
    """The rates of residents' requests in the caller's sight."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    serializer_class = RatesRowSerializer
    pagination_class = RatesPagination

    @extend_schema(
        summary=gettext_lazy("群众诉求响应率、解决率、满意率"),
        description=gettext_lazy(
            "期间(start 至 end,按提交日期,含两端;不填为本季度)内收到的求助"
            "(不含意见、表扬、投诉,不含未办结即关闭的),按党员(member)、责任区(zone)、党支部(branch,党小组的计入所属支部)或社区(community)分组,只计您可见范围内的诉求。"
            "响应率:在响应时限内受理的件数 / 已受理或已过响应时限的件数;解决率:在办理时限内办结的件数 / "
            "已办结或已过办理时限的件数;满意率:评价4星及以上的件数 / 已评价的件数。每项给出达标件数 counted、"
            "样本量 expected 和百分比 rate(样本量为0时 rate 为 null,不是100%)。totals 为整个范围的合计。"
        ),
        parameters=[RatesFilterSerializer],
        responses={200: RatesRowSerializer(many=True), **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        filters = RatesFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        quarter = Quarter.of(today())
        start, end = data.get("start") or quarter.start, data.get("end") or quarter.end
        if start > end:
            raise exceptions.ValidationError({"end": [_("截止日期不能早于起始日期。")]})
        result = stats.rates(
            user=request.user,
            by=data["by"],
            start=start,
            end=end,
            organisation=data.get("organisation"),
            community=data.get("community"),
        )
        page = self.paginate_queryset(result.rows)
        return self.paginator.get_rates_response(
            RatesRowSerializer(page, many=True).data,
            result=result,
            totals=RatesRowSerializer(result.totals).data,
        )


ROUTES: list = [
    ("requests", ServiceRequestViewSet, "service-request"),
    ("stats/requests", RequestRatesViewSet, "request-rates"),
]
