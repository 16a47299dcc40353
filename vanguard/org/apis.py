"""The org app's REST endpoints: organisations, grid cells, people and members.

Reads go through the scoping module (every queryset is `scope.visible_to`), so an object out of scope is a
404 like a missing one; writes go through `services.person_save` / `services.member_save`, the one write path
the pages and the importers use too. Personal numbers (mobile, identity number) come out masked; a client
sends them in full and may send a masked value back unchanged.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import OuterRef, Q, QuerySet, Subquery
from django.db.models.functions import Length, Substr
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import mixins, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.fields import ID_PATH_REGEX, ScopedPrimaryKeyRelatedField
from vanguard.api.permissions import ChangeInScope, HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.core.masking import mask_id_number, mask_phone

from . import selectors, services
from .models import Cell, Member, Organisation, Person, TreeNode
from .validators import validate_id_number, validate_mobile, validate_not_future

# --- fields (the scoped id fields serve the other apps' APIs too) and helpers ------------------------------


def organisation_field(scoped=scope.visible_to, **kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Organisation.objects.all(),
        scoped=scoped,
        error_messages={"does_not_exist": gettext_lazy("所选党组织不存在或不在您的管理范围内。")},
        **kwargs,
    )


def person_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.all(),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选人员不存在或不在您的可见范围内。")},
        **kwargs,
    )


def cell_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Cell.objects.all(),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选网格不存在或不在您的可见范围内。")},
        **kwargs,
    )


def _with_visible_parent(user, queryset: QuerySet) -> QuerySet:
    """Annotate each node with its parent's id, or None when the parent is out of the user's sight (a
    secretary's branch shows no parent rather than the id of a committee they cannot open)."""
    model = queryset.model
    parents = scope.visible_to(
        user,
        model.objects.filter(
            path=Substr(OuterRef("path"), 1, Length(OuterRef("path")) - TreeNode.steplen),
        ),
    )
    return queryset.annotate(visible_parent_id=Subquery(parents.values("pk")[:1]))


def _children_q(parent: TreeNode) -> Q:
    return parent.subtree_q() & Q(depth=parent.depth + 1)


_PERSON_WRITE = gettext_lazy(
    "党员、积极分子的人员信息由其党组织的书记或党委办公室修改;居民由所在社区的工作人员修改,且不能移出本网格。"
    "手机号、身份证号须填完整;原样送回读取时的脱敏值表示不修改。"
)
_MEMBER_WRITE = gettext_lazy(
    "人员与党员的字段合为一个对象。所在党组织须在您的管理范围内,否则整个请求被拒绝、不作任何修改。"
    "手机号、身份证号须填完整;原样送回读取时的脱敏值表示不修改。监督员、社区工作人员和党员只能查看。"
)


# --- organisations and cells ---------------------------------------------------------------------------


class OrganisationSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label=gettext_lazy("名称"))
    kind = serializers.ChoiceField(
        read_only=True, choices=Organisation.Kind.choices, label=gettext_lazy("类型")
    )
    parent = serializers.IntegerField(
        read_only=True,
        allow_null=True,
        source="visible_parent_id",
        help_text=gettext_lazy("上级党组织;不在您可见范围内或为根节点时为 null"),
    )
    depth = serializers.IntegerField(read_only=True, help_text=gettext_lazy("层级,根节点为1"))
    children_count = serializers.IntegerField(read_only=True, source="numchild")


class OrganisationFilterSerializer(serializers.Serializer):
    parent = organisation_field(required=False, help_text=gettext_lazy("只列出该党组织的直接下级"))
    kind = serializers.ChoiceField(choices=Organisation.Kind.choices, required=False, allow_blank=True)


class CellSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label=gettext_lazy("名称"))
    kind = serializers.ChoiceField(read_only=True, choices=Cell.Kind.choices, label=gettext_lazy("类型"))
    community_type = serializers.ChoiceField(
        read_only=True, choices=Cell.CommunityType.choices, allow_blank=True, label=gettext_lazy("社区类型")
    )
    parent = serializers.IntegerField(read_only=True, allow_null=True, source="visible_parent_id")
    depth = serializers.IntegerField(read_only=True)
    children_count = serializers.IntegerField(read_only=True, source="numchild")


class CellFilterSerializer(serializers.Serializer):
    parent = cell_field(required=False, help_text=gettext_lazy("只列出该网格的直接下级"))
    kind = serializers.ChoiceField(choices=Cell.Kind.choices, required=False, allow_blank=True)


class _ReadOnlyTreeViewSet(mixins.ListModelMixin, mixins.RetrieveModelMixin, viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    model: type[TreeNode]
    filter_serializer_class: type[serializers.Serializer]

    def get_queryset(self) -> QuerySet:
        user = self.request.user
        queryset = _with_visible_parent(user, scope.visible_to(user, self.model.objects.all())).order_by(
            "path"
        )
        if self.action == "list":
            filters = self.filter_serializer_class(
                data=self.request.query_params, context={"request": self.request}
            )
            filters.is_valid(raise_exception=True)
            parent = filters.validated_data.get("parent")
            if parent is not None:
                queryset = queryset.filter(_children_q(parent))
            if filters.validated_data.get("kind"):
                queryset = queryset.filter(kind=filters.validated_data["kind"])
        return queryset


@extend_schema_view(
    list=list_schema(
        gettext_lazy("党组织列表"),
        gettext_lazy(
            "您可见范围内的党组织,按树的顺序。用 parent 只看某个党组织的直接下级,用 kind 按类型筛选。"
        ),
        OrganisationFilterSerializer,
        OrganisationSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("党组织详情"), OrganisationSerializer),
)
@extend_schema(tags=["党组织"])
class OrganisationViewSet(_ReadOnlyTreeViewSet):
    """The organisations in the caller's scope, in tree order."""

    model = Organisation
    serializer_class = OrganisationSerializer
    filter_serializer_class = OrganisationFilterSerializer


@extend_schema_view(
    list=list_schema(
        gettext_lazy("网格列表"),
        gettext_lazy("网格(单位、班组、线路;街道、社区、小区……),按树的顺序。网格结构是公共的参考数据。"),
        CellFilterSerializer,
        CellSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("网格详情"), CellSerializer),
)
@extend_schema(tags=["网格"])
class CellViewSet(_ReadOnlyTreeViewSet):
    """The grid, in tree order. Its structure is reference data every role may read."""

    model = Cell
    serializer_class = CellSerializer
    filter_serializer_class = CellFilterSerializer


# --- people --------------------------------------------------------------------------------------------


class PersonSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    name = serializers.CharField(read_only=True, label=gettext_lazy("姓名"))
    gender = serializers.ChoiceField(read_only=True, choices=Person.Gender.choices, allow_blank=True)
    birth_date = serializers.DateField(read_only=True, allow_null=True)
    mobile = serializers.SerializerMethodField(help_text=gettext_lazy("手机号,已脱敏:138****5678"))
    id_number = serializers.SerializerMethodField(help_text=gettext_lazy("身份证号,已脱敏"))
    workplace = serializers.IntegerField(read_only=True, allow_null=True, source="workplace_id")
    residence = serializers.IntegerField(read_only=True, allow_null=True, source="residence_id")
    occupation = serializers.CharField(read_only=True)
    strengths = serializers.SerializerMethodField(help_text=gettext_lazy("特长名称"))
    notes = serializers.CharField(read_only=True)
    member = serializers.SerializerMethodField(help_text=gettext_lazy("党员记录的编号;不是党员时为 null"))

    def get_mobile(self, person: Person) -> str:
        return mask_phone(person.mobile)

    def get_id_number(self, person: Person) -> str:
        return mask_id_number(person.id_number)

    def get_strengths(self, person: Person) -> list[str]:
        return [s.name for s in person.strengths.all()]

    def get_member(self, person: Person) -> int | None:
        member = getattr(person, "member", None)
        return member.pk if member is not None else None


class PersonFilterSerializer(serializers.Serializer):
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text=gettext_lazy("姓名、全拼或首字母的开头,如 wjg、wangjianguo、王建;或完整的11位手机号"),
    )


class PersonInputSerializer(serializers.Serializer):
    # A person's fields as a client sends them: mobile and identity number in full. (Comments, not
    # docstrings, on serializers: a docstring becomes the schema's description.)

    _PERSON_FIELDS = (
        "name",
        "gender",
        "birth_date",
        "id_number",
        "mobile",
        "workplace",
        "residence",
        "occupation",
        "notes",
    )

    name = serializers.CharField(max_length=50, label=gettext_lazy("姓名"))
    gender = serializers.ChoiceField(choices=Person.Gender.choices, required=False, allow_blank=True)
    birth_date = serializers.DateField(required=False, allow_null=True, validators=[validate_not_future])
    id_number = serializers.CharField(
        required=False, allow_blank=True, max_length=18, validators=[validate_id_number]
    )
    mobile = serializers.CharField(
        required=False, allow_blank=True, max_length=11, validators=[validate_mobile]
    )
    workplace = cell_field(required=False, allow_null=True)
    residence = cell_field(required=False, allow_null=True)
    occupation = serializers.CharField(required=False, allow_blank=True, max_length=50)
    strengths = serializers.ListField(
        child=serializers.CharField(max_length=30),
        required=False,
        max_length=30,
        help_text=gettext_lazy("特长名称列表;给出时整体替换原有特长"),
    )
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)

    def current_person(self) -> Person | None:
        return self.instance

    def to_internal_value(self, data: Any) -> dict[str, Any]:
        # A client that read a record gets the numbers masked; sending that mask back means "unchanged".
        person = self.current_person()
        if person is not None and isinstance(data, dict):
            data = dict(data)
            for field, masked in (
                ("mobile", mask_phone(person.mobile)),
                ("id_number", mask_id_number(person.id_number)),
            ):
                if masked and data.get(field) == masked:
                    del data[field]
        return super().to_internal_value(data)

    def person_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self._PERSON_FIELDS}

    def strength_names(self) -> list[str] | None:
        names = self.validated_data.get("strengths")
        if names is None:
            return None
        return list(dict.fromkeys(n.strip() for n in names if n.strip()))


def _may_register_people(user) -> bool:
    """Office, secretaries and community workers register people; `scope.can`, applied by the service to
    the values sent, decides where (a community worker: inside their grid)."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.cell_paths) or scope.can(user, scope.CREATE, Person())


def _people(user) -> QuerySet[Person]:
    return (
        scope.visible_to(user, Person.objects.all())
        .select_related("member", "activist", "residence", "workplace")
        .prefetch_related("strengths")
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("人员列表"),
        gettext_lazy("您可见范围内的人员(党员、积极分子,社区工作人员还可见本网格的居民),按姓名拼音排序。"),
        PersonFilterSerializer,
        PersonSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("人员详情"), PersonSerializer),
    create=write_schema(
        gettext_lazy("新建人员"),
        gettext_lazy(
            "社区工作人员登记本网格的居民:居住社区或工作单位须在其负责的网格内。党员请用党员接口新建。"
        ),
        PersonInputSerializer,
        PersonSerializer,
        created=True,
    ),
    update=write_schema(gettext_lazy("修改人员"), _PERSON_WRITE, PersonInputSerializer, PersonSerializer),
    partial_update=write_schema(
        gettext_lazy("修改人员的部分字段"), _PERSON_WRITE, PersonInputSerializer, PersonSerializer
    ),
)
@extend_schema(tags=["人员"])
class PersonViewSet(viewsets.GenericViewSet):
    """Anyone the system knows, as far as the caller's scope reaches."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = PersonSerializer

    def get_queryset(self) -> QuerySet[Person]:
        return _people(self.request.user).order_by("name_pinyin", "pk")

    def list(self, request: Request) -> Response:
        filters = PersonFilterSerializer(data=request.query_params)
        filters.is_valid(raise_exception=True)
        queryset = selectors.person_list(user=request.user, q=filters.validated_data.get("q", ""))
        page = self.paginate_queryset(queryset.prefetch_related("strengths"))
        return self.get_paginated_response(PersonSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(PersonSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not _may_register_people(request.user):
            raise PermissionDenied
        return self._save(request, Person(), status.HTTP_201_CREATED, partial=False)

    def update(self, request: Request, pk: str) -> Response:
        return self._save(request, self._changeable(), status.HTTP_200_OK, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._save(request, self._changeable(), status.HTTP_200_OK, partial=True)

    def _changeable(self) -> Person:
        # 404 out of sight; 403 in sight but not theirs to change (a member's record for a community
        # worker), before the body is even read.
        person = self.get_object()
        if not scope.can(self.request.user, scope.CHANGE, person):
            raise PermissionDenied
        return person

    def _save(self, request: Request, person: Person, code: int, *, partial: bool) -> Response:
        serializer = PersonInputSerializer(
            instance=person if person.pk else None,
            data=request.data,
            partial=partial,
            context={"request": request},
        )
        serializer.is_valid(raise_exception=True)
        saved = services.person_save(
            actor=request.user,
            person=person,
            fields=serializer.person_fields(),
            strengths=serializer.strength_names(),
        )
        # person_save let the caller write this person, so the caller may see it: no second scope check.
        fresh = Person.objects.select_related("member", "residence", "workplace").prefetch_related(
            "strengths"
        )
        return Response(PersonSerializer(fresh.get(pk=saved.pk)).data, status=code)


# --- members -------------------------------------------------------------------------------------------


class MemberSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    person = serializers.IntegerField(read_only=True, source="person_id")
    name = serializers.CharField(read_only=True, source="person.name")
    gender = serializers.ChoiceField(
        read_only=True, source="person.gender", choices=Person.Gender.choices, allow_blank=True
    )
    birth_date = serializers.DateField(read_only=True, source="person.birth_date", allow_null=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    status = serializers.ChoiceField(read_only=True, choices=Member.Status.choices)
    category = serializers.ChoiceField(read_only=True, choices=Member.Category.choices)
    join_date = serializers.DateField(read_only=True, allow_null=True)
    badge_no = serializers.CharField(read_only=True)
    occupation = serializers.CharField(read_only=True, source="person.occupation")
    strengths = serializers.SerializerMethodField(help_text=gettext_lazy("特长名称"))
    workplace = serializers.IntegerField(read_only=True, allow_null=True, source="person.workplace_id")
    residence = serializers.IntegerField(read_only=True, allow_null=True, source="person.residence_id")
    mobile = serializers.SerializerMethodField(help_text=gettext_lazy("手机号,已脱敏:138****5678"))
    id_number = serializers.SerializerMethodField(help_text=gettext_lazy("身份证号,已脱敏"))

    def get_strengths(self, member: Member) -> list[str]:
        return [s.name for s in member.person.strengths.all()]

    def get_mobile(self, member: Member) -> str:
        return mask_phone(member.person.mobile)

    def get_id_number(self, member: Member) -> str:
        return mask_id_number(member.person.id_number)


class MemberFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级的党员"))
    category = serializers.ChoiceField(choices=Member.Category.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Member.Status.choices, required=False, allow_blank=True)
    occupation = serializers.CharField(required=False, allow_blank=True, max_length=50)
    residence = cell_field(required=False, help_text=gettext_lazy("居住在该网格及其下级的党员"))
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text=gettext_lazy("姓名、全拼或首字母的开头,如 wjg、wangjianguo、王建;或完整的11位手机号"),
    )

    def filters(self) -> selectors.MemberFilters:
        data = self.validated_data
        return selectors.MemberFilters(
            organisation=data.get("organisation"),
            category=data.get("category", ""),
            status=data.get("status", ""),
            occupation=data.get("occupation", ""),
            residence=data.get("residence"),
            q=data.get("q", ""),
        )


class MemberInputSerializer(PersonInputSerializer):
    # A member and their person in one flat object.

    organisation = organisation_field(
        scoped=scope.editable_organisations, help_text=gettext_lazy("所在党支部或党小组,须在您的管理范围内")
    )
    status = serializers.ChoiceField(choices=Member.Status.choices, required=False)
    category = serializers.ChoiceField(choices=Member.Category.choices, required=False)
    join_date = serializers.DateField(required=False, allow_null=True, validators=[validate_not_future])
    badge_no = serializers.CharField(required=False, allow_blank=True, max_length=30)

    _MEMBER_FIELDS = ("organisation", "status", "category", "join_date", "badge_no")

    def current_person(self) -> Person | None:
        return self.instance.person if self.instance is not None else None

    def member_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k in self._MEMBER_FIELDS}


def _members(user) -> QuerySet[Member]:
    return (
        scope.visible_to(user, Member.objects.all())
        .select_related("person", "organisation", "person__workplace", "person__residence")
        .prefetch_related("person__strengths")
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("党员列表"),
        gettext_lazy(
            "您可见范围内的党员,按姓名拼音排序。organisation、residence 包含其下级;"
            "q 按姓名、全拼或首字母的开头查找。"
        ),
        MemberFilterSerializer,
        MemberSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("党员详情"), MemberSerializer),
    create=write_schema(
        gettext_lazy("新建党员"), _MEMBER_WRITE, MemberInputSerializer, MemberSerializer, created=True
    ),
    update=write_schema(gettext_lazy("修改党员"), _MEMBER_WRITE, MemberInputSerializer, MemberSerializer),
    partial_update=write_schema(
        gettext_lazy("修改党员的部分字段"), _MEMBER_WRITE, MemberInputSerializer, MemberSerializer
    ),
)
@extend_schema(tags=["党员"])
class MemberViewSet(viewsets.GenericViewSet):
    """Party members in the caller's scope. Office and secretaries write within their organisations;
    supervisors and community workers read; a member reads their own record."""

    permission_classes = [IsAuthenticated, HasBusinessRole, ChangeInScope]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = MemberSerializer

    def get_queryset(self) -> QuerySet[Member]:
        return _members(self.request.user)

    def list(self, request: Request) -> Response:
        filters = MemberFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = selectors.member_list(user=request.user, filters=filters.filters()).prefetch_related(
            "person__strengths"
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(MemberSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(MemberSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not scope.editable_organisations(request.user, Organisation.objects.all()).exists():
            raise PermissionDenied
        return self._save(request, Member(), Person(), status.HTTP_201_CREATED, partial=False)

    def update(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        return self._save(request, member, member.person, status.HTTP_200_OK, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        member = self.get_object()
        return self._save(request, member, member.person, status.HTTP_200_OK, partial=True)

    def _save(
        self, request: Request, member: Member, person: Person, code: int, *, partial: bool
    ) -> Response:
        serializer = MemberInputSerializer(
            instance=member if member.pk else None,
            data=request.data,
            partial=partial,
            context={"request": request},
        )
        serializer.is_valid(raise_exception=True)
        for field, value in serializer.person_fields().items():
            setattr(person, field, value)
        for field, value in serializer.member_fields().items():
            setattr(member, field, value)
        saved = services.member_save(
            actor=request.user, person=person, member=member, strengths=serializer.strength_names()
        )
        return Response(MemberSerializer(_members(request.user).get(pk=saved.pk)).data, status=code)
