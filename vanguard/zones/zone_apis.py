"""REST endpoints of zones, their roles, the list of role kinds, responsibilities and coverage. ROUTES is
added to the zones app's routes (apis.py).

Reads go through the scoping module, so an object out of scope is a 404 like a missing one; writes go
through services.py, the pages' own write path. A foreign key out of the caller's scope is refused with the
same words as one that does not exist, and nothing changes."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import Prefetch, QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import (
    extend_schema,
    extend_schema_field,
    extend_schema_serializer,
    extend_schema_view,
)
from rest_framework import serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX, MAX_ID, ScopedPrimaryKeyRelatedField
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.org.apis import cell_field, organisation_field, person_field
from vanguard.org.models import Cell, Organisation

from . import coverage as coverage_selectors
from . import selectors, services
from .models import Responsibility, Zone, ZoneRole, ZoneRoleKind, validate_year

# --- fields ----------------------------------------------------------------------------------------------


def zone_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Zone.objects.select_related("organisation"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选责任区不存在或不在您的可见范围内。")},
        **kwargs,
    )


def _holding(user, queryset: QuerySet) -> QuerySet:
    return scope.editable_organisations(
        user, queryset.filter(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.GROUP])
    )


def _may_create(user) -> bool:
    return _holding(user, Organisation.objects.all()).exists()


_DELETE_RESPONSES = {204: None, **error_responses(400, 401, 403, 404)}


# --- zones -----------------------------------------------------------------------------------------------


class ZoneCellSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    kind = serializers.ChoiceField(read_only=True, choices=Cell.Kind.choices)
    path = serializers.CharField(
        read_only=True, help_text=gettext_lazy("网格的完整路径,如“市公交公司/第一分公司/第一车队/1路”")
    )


class ZoneRoleInZoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.IntegerField(read_only=True, source="kind_id")
    kind_name = serializers.CharField(read_only=True, source="kind.name")
    is_lead = serializers.BooleanField(read_only=True, source="kind.is_lead")
    person = serializers.IntegerField(read_only=True, source="person_id")
    person_name = serializers.CharField(read_only=True, source="person.name")


class ZoneSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    year = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(read_only=True, choices=Zone.Kind.choices)
    name = serializers.CharField(read_only=True)
    scope = serializers.CharField(read_only=True, help_text=gettext_lazy("责任范围"))
    commitment = serializers.CharField(read_only=True, help_text=gettext_lazy("承诺"))
    service_phone = serializers.CharField(read_only=True, help_text=gettext_lazy("公开服务电话"))
    copied_from = serializers.IntegerField(
        read_only=True, allow_null=True, source="copied_from_id", help_text=gettext_lazy("沿用自哪个责任区")
    )
    cells = serializers.SerializerMethodField()
    roles = serializers.SerializerMethodField()

    @extend_schema_field(ZoneCellSerializer(many=True))
    def get_cells(self, zone: Zone) -> list[dict[str, Any]]:
        names = self.context.get("cell_names", {})
        return [
            {"id": c.pk, "name": c.name, "kind": c.kind, "path": names.get(c.path, c.name)}
            for c in zone.cell_list
        ]

    @extend_schema_field(ZoneRoleInZoneSerializer(many=True))
    def get_roles(self, zone: Zone) -> list[dict[str, Any]]:
        return ZoneRoleInZoneSerializer(zone.role_list, many=True).data


class ZoneFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级的责任区"))
    year = serializers.IntegerField(required=False, min_value=2000, max_value=9999)
    kind = serializers.ChoiceField(choices=Zone.Kind.choices, required=False, allow_blank=True)
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=gettext_lazy("名称包含")
    )

    def filters(self) -> selectors.ZoneFilters:
        data = self.validated_data
        return selectors.ZoneFilters(
            organisation=data.get("organisation"),
            year=data.get("year"),
            kind=data.get("kind", ""),
            q=data.get("q", ""),
        )


class ZoneInputSerializer(serializers.Serializer):
    # A zone as a client writes it; its roles have their own endpoint (zone-roles).

    organisation = organisation_field(
        scoped=_holding, help_text=gettext_lazy("所属党支部或党小组,须在您的管理范围内;建立后不能修改")
    )
    year = serializers.IntegerField(validators=[validate_year], label=gettext_lazy("年度"))
    kind = serializers.ChoiceField(choices=Zone.Kind.choices, label=gettext_lazy("类型"))
    name = serializers.CharField(max_length=100, label=gettext_lazy("名称"))
    scope = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    commitment = serializers.CharField(required=False, allow_blank=True, max_length=2000)
    service_phone = serializers.CharField(required=False, allow_blank=True, max_length=20)
    cells = serializers.ListField(
        child=serializers.IntegerField(min_value=1, max_value=MAX_ID),
        required=False,
        max_length=500,
        help_text=gettext_lazy("覆盖网格的编号;给出时整体替换。每个网格须在本支部(党小组)的责任网格之内"),
    )

    def validate_cells(self, value: list[int]) -> list[Cell]:
        ids = list(dict.fromkeys(value))
        found = {c.pk: c for c in Cell.objects.filter(pk__in=ids)}
        missing = [str(i) for i in ids if i not in found]
        if missing:
            raise serializers.ValidationError(
                gettext_lazy("网格不存在:%(ids)s。") % {"ids": "、".join(missing)}
            )
        return [found[i] for i in ids]


_ZONE_WRITE = gettext_lazy(
    "支部书记、党委办公室在本组织范围内建立和修改责任区。覆盖网格须在责任区所属党支部(党小组则含其党支部)"
    "的责任网格之内,否则整个请求被拒绝,并说明是哪个网格。人员分工用 zone-roles 接口。"
    "监督员、社区工作人员和党员只能查看。"
)


def _with_details(zones: QuerySet[Zone]) -> QuerySet[Zone]:
    return zones.select_related("organisation").prefetch_related(
        Prefetch(
            "roles",
            queryset=ZoneRole.objects.select_related("kind", "person").order_by("kind__order", "pk"),
            to_attr="role_list",
        ),
        Prefetch("cells", queryset=Cell.objects.order_by("path"), to_attr="cell_list"),
    )


def _cell_names(zones) -> dict[str, str]:
    cells = {c.path: c.name for zone in zones for c in zone.cell_list}
    return selectors.full_names(cells, cells) if cells else {}


@extend_schema_view(
    list=list_schema(
        gettext_lazy("责任区列表"),
        gettext_lazy("您可见范围内的责任区,新年度在前。organisation 包含其下级;q 按名称包含查找。"),
        ZoneFilterSerializer,
        ZoneSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("责任区详情"), ZoneSerializer),
    create=write_schema(
        gettext_lazy("新建责任区"), _ZONE_WRITE, ZoneInputSerializer, ZoneSerializer, created=True
    ),
    update=write_schema(gettext_lazy("修改责任区"), _ZONE_WRITE, ZoneInputSerializer, ZoneSerializer),
    partial_update=write_schema(
        gettext_lazy("修改责任区的部分字段"), _ZONE_WRITE, ZoneInputSerializer, ZoneSerializer
    ),
    destroy=extend_schema(
        summary=gettext_lazy("删除责任区"),
        description=gettext_lazy("还有任务的责任区不能删除。"),
        parameters=[ID_PATH_PARAMETER],
        responses=_DELETE_RESPONSES,
    ),
)
@extend_schema(tags=["责任区"])
class ZoneViewSet(viewsets.GenericViewSet):
    """Zones in the caller's scope with their cells and roles."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ZoneSerializer

    def get_queryset(self) -> QuerySet[Zone]:
        return _with_details(scope.visible_to(self.request.user, Zone.objects.all())).order_by("pk")

    def list(self, request: Request) -> Response:
        filters = ZoneFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        zones = selectors.zone_list(user=request.user, filters=filters.filters())
        page = self.paginate_queryset(_with_details(zones))
        data = ZoneSerializer(page, many=True, context={"cell_names": _cell_names(page)}).data
        return self.get_paginated_response(data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return self._answer(self.get_object())

    def create(self, request: Request) -> Response:
        if not _may_create(request.user):
            raise PermissionDenied
        serializer = ZoneInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        zone = services.zone_create(actor=request.user, cells=data.pop("cells", []), **data)
        return self._answer(zone, status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.zone_delete(actor=request.user, zone=self._changeable(scope.DELETE))
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, *, partial: bool) -> Response:
        zone = self._changeable(scope.CHANGE)
        serializer = ZoneInputSerializer(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        cells = data.pop("cells", None)
        zone = services.zone_update(actor=request.user, zone=zone, fields=data, cells=cells)
        return self._answer(zone)

    def _changeable(self, action: str) -> Zone:
        # 404 out of sight; 403 in sight but not theirs to change, before the body is read.
        zone = self.get_object()
        if not scope.can(self.request.user, action, zone):
            raise PermissionDenied
        return zone

    def _answer(self, zone: Zone, code: int = status.HTTP_200_OK) -> Response:
        # Read back unscoped: the caller has just written it or has been shown it.
        zone = _with_details(Zone.objects.filter(pk=zone.pk)).get()
        return Response(ZoneSerializer(zone, context={"cell_names": _cell_names([zone])}).data, status=code)


# --- roles -----------------------------------------------------------------------------------------------


class ZoneRoleSerializer(ZoneRoleInZoneSerializer):
    zone = serializers.IntegerField(read_only=True, source="zone_id")
    zone_name = serializers.CharField(read_only=True, source="zone.name")


class ZoneRoleFilterSerializer(serializers.Serializer):
    zone = zone_field(required=False, help_text=gettext_lazy("只列出该责任区的人员分工"))


class ZoneRoleInputSerializer(serializers.Serializer):
    zone = zone_field(help_text=gettext_lazy("责任区,须在您的管理范围内"))
    kind = ScopedPrimaryKeyRelatedField(
        queryset=ZoneRoleKind.objects.all(),
        scoped=lambda user, queryset: queryset,  # the list of roles is shared
        help_text=gettext_lazy("角色编号,见 zone-role-kinds"),
        error_messages={"does_not_exist": gettext_lazy("所选角色不存在。")},
    )
    person = person_field(help_text=gettext_lazy("担任该角色的人员"))


def _roles(user) -> QuerySet[ZoneRole]:
    return (
        scope.visible_to(user, ZoneRole.objects.all())
        .select_related("zone", "kind", "person")
        .order_by("zone_id", "kind__order", "pk")
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("责任区人员分工列表"),
        gettext_lazy("您可见的责任区的人员分工(负责人、业务带头人、监督员……)。"),
        ZoneRoleFilterSerializer,
        ZoneRoleSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("人员分工详情"), ZoneRoleSerializer),
    create=write_schema(
        gettext_lazy("添加人员分工"),
        gettext_lazy("支部书记、党委办公室为本组织的责任区指定某人担任某角色;人员须在您的可见范围内。"),
        ZoneRoleInputSerializer,
        ZoneRoleSerializer,
        created=True,
    ),
    destroy=extend_schema(
        summary=gettext_lazy("移除人员分工"), parameters=[ID_PATH_PARAMETER], responses=_DELETE_RESPONSES
    ),
)
@extend_schema(tags=["责任区"])
class ZoneRoleViewSet(viewsets.GenericViewSet):
    """Who holds which role in a zone."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ZoneRoleSerializer

    def get_queryset(self) -> QuerySet[ZoneRole]:
        return _roles(self.request.user)

    def list(self, request: Request) -> Response:
        filters = ZoneRoleFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        roles = self.get_queryset()
        if filters.validated_data.get("zone") is not None:
            roles = roles.filter(zone=filters.validated_data["zone"])
        page = self.paginate_queryset(roles)
        return self.get_paginated_response(ZoneRoleSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ZoneRoleSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = ZoneRoleInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        role = services.zone_role_add(actor=request.user, **serializer.validated_data)
        fresh = ZoneRole.objects.select_related("zone", "kind", "person").get(pk=role.pk)
        return Response(ZoneRoleSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def destroy(self, request: Request, pk: str) -> Response:
        role = self.get_object()
        if not scope.can(request.user, scope.DELETE, role):
            raise PermissionDenied
        services.zone_role_remove(actor=request.user, role=role)
        return Response(status=status.HTTP_204_NO_CONTENT)


class ZoneRoleKindSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True)
    order = serializers.IntegerField(read_only=True)
    is_lead = serializers.BooleanField(read_only=True, help_text=gettext_lazy("该角色即责任区的负责党员"))


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("责任区角色列表"),
        description=gettext_lazy("责任区中可担任的角色,按排序;由管理员在管理后台维护。"),
        responses={200: ZoneRoleKindSerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=detail_schema(gettext_lazy("责任区角色详情"), ZoneRoleKindSerializer),
)
@extend_schema(tags=["责任区"])
class ZoneRoleKindViewSet(viewsets.ReadOnlyModelViewSet):
    """The configurable list of zone roles (seed 000's six)."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ZoneRoleKindSerializer

    def get_queryset(self) -> QuerySet[ZoneRoleKind]:
        return selectors.role_kinds()


# --- responsibilities -------------------------------------------------------------------------------------


class ResponsibilitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    cell = serializers.IntegerField(read_only=True, source="cell_id")
    cell_path = serializers.SerializerMethodField(help_text=gettext_lazy("网格的完整路径"))

    def get_cell_path(self, responsibility: Responsibility) -> str:
        return self.context.get("cell_names", {}).get(responsibility.cell.path, responsibility.cell.name)


class ResponsibilityFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级的责任网格"))


class ResponsibilityInputSerializer(serializers.Serializer):
    organisation = organisation_field(
        scoped=_holding, help_text=gettext_lazy("负责的党支部或党小组,须在您的管理范围内")
    )
    cell = cell_field(help_text=gettext_lazy("负责的网格(含其全部下级)"))


def _responsibility_names(rows) -> dict[str, str]:
    cells = {r.cell.path: r.cell.name for r in rows}
    return selectors.full_names(cells, cells) if cells else {}


@extend_schema_view(
    list=list_schema(
        gettext_lazy("责任网格列表"),
        gettext_lazy("党组织负责的网格:其下每个班组、线路、楼栋和公共区域都应有党员负责。"),
        ResponsibilityFilterSerializer,
        ResponsibilitySerializer,
    ),
    retrieve=detail_schema(gettext_lazy("责任网格详情"), ResponsibilitySerializer),
    create=write_schema(
        gettext_lazy("添加责任网格"),
        gettext_lazy("支部书记为本支部及其党小组、党委办公室为所属党支部添加责任网格。"),
        ResponsibilityInputSerializer,
        ResponsibilitySerializer,
        created=True,
    ),
    destroy=extend_schema(
        summary=gettext_lazy("删除责任网格"),
        description=gettext_lazy("本年度及以后的责任区仍需要它覆盖网格时不能删除。"),
        parameters=[ID_PATH_PARAMETER],
        responses=_DELETE_RESPONSES,
    ),
)
@extend_schema(tags=["责任区"])
class ResponsibilityViewSet(viewsets.GenericViewSet):
    """The grid each branch answers for."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ResponsibilitySerializer

    def get_queryset(self) -> QuerySet[Responsibility]:
        return (
            scope.visible_to(self.request.user, Responsibility.objects.all())
            .select_related("organisation", "cell")
            .order_by("organisation__path", "cell__path")
        )

    def list(self, request: Request) -> Response:
        filters = ResponsibilityFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        rows = self.get_queryset()
        organisation = filters.validated_data.get("organisation")
        if organisation is not None:
            rows = rows.filter(organisation.subtree_q("organisation__"))
        page = self.paginate_queryset(rows)
        data = ResponsibilitySerializer(page, many=True, context={"cell_names": _responsibility_names(page)})
        return self.get_paginated_response(data.data)

    def retrieve(self, request: Request, pk: str) -> Response:
        row = self.get_object()
        names = _responsibility_names([row])
        return Response(ResponsibilitySerializer(row, context={"cell_names": names}).data)

    def create(self, request: Request) -> Response:
        serializer = ResponsibilityInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        row = services.responsibility_create(actor=request.user, **serializer.validated_data)
        row = Responsibility.objects.select_related("organisation", "cell").get(pk=row.pk)
        names = _responsibility_names([row])
        return Response(
            ResponsibilitySerializer(row, context={"cell_names": names}).data, status=status.HTTP_201_CREATED
        )

    def destroy(self, request: Request, pk: str) -> Response:
        row = self.get_object()
        if not scope.can(request.user, scope.DELETE, row):
            raise PermissionDenied
        services.responsibility_delete(actor=request.user, responsibility=row)
        return Response(status=status.HTTP_204_NO_CONTENT)


# --- coverage --------------------------------------------------------------------------------------------


class CoverageQuerySerializer(serializers.Serializer):
    organisation = serializers.IntegerField(
        min_value=1, max_value=MAX_ID, help_text=gettext_lazy("党组织编号:统计该党组织及其下级的责任网格")
    )
    year = serializers.IntegerField(
        required=False, min_value=2000, max_value=9999, help_text=gettext_lazy("年度,默认为今年")
    )


class UncoveredCellSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    path = serializers.CharField(read_only=True, help_text=gettext_lazy("网格的完整路径"))


# One object, although it answers the router's "list" route.
@extend_schema_serializer(many=False)
class CoverageSerializer(serializers.Serializer):
    organisation = serializers.IntegerField(read_only=True, source="organisation.pk")
    year = serializers.IntegerField(read_only=True)
    cells_total = serializers.IntegerField(
        read_only=True, help_text=gettext_lazy("责任网格下的班组、线路、楼栋和公共区域数")
    )
    cells_covered = serializers.IntegerField(read_only=True, help_text=gettext_lazy("其中有党员负责的数量"))
    uncovered = UncoveredCellSerializer(
        many=True, read_only=True, help_text=gettext_lazy("没有党员负责的网格")
    )


@extend_schema(tags=["责任区"])
class CoverageViewSet(viewsets.ViewSet):
    """党员全覆盖: which cells an organisation answers for have no party member."""

    permission_classes = [IsAuthenticated, HasBusinessRole]

    @extend_schema(
        summary=gettext_lazy("党员覆盖情况"),
        description=gettext_lazy(
            "该党组织及其下级的责任网格中,每个班组、线路(工作网格)和楼栋、公共区域(居住网格)是否在该年度某个"
            "责任区内、且该责任区有党员担任角色。uncovered 列出全部未覆盖的网格(不分页)。"
            "不在您可见范围内的党组织返回 404。"
        ),
        parameters=[CoverageQuerySerializer],
        responses={200: CoverageSerializer, **error_responses(400, 401, 403, 404)},
    )
    def list(self, request: Request) -> Response:
        query = CoverageQuerySerializer(data=request.query_params)
        query.is_valid(raise_exception=True)
        organisation = scope.get_visible_or_404(
            request.user, Organisation.objects.all(), pk=query.validated_data["organisation"]
        )
        year = query.validated_data.get("year") or selectors.this_year()
        result = coverage_selectors.coverage(organisation=organisation, year=year)
        return Response(CoverageSerializer(result).data)


ROUTES = [
    ("zones", ZoneViewSet, "zone"),
    ("zone-roles", ZoneRoleViewSet, "zone-role"),
    ("zone-role-kinds", ZoneRoleKindViewSet, "zone-role-kind"),
    ("responsibilities", ResponsibilityViewSet, "responsibility"),
    ("coverage", CoverageViewSet, "coverage"),
]
