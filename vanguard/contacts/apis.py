"""The contacts app's REST endpoints. ROUTES lists (prefix, viewset, basename) for the API router.

- contacts/assignments: each member's contacts for a year (list, read, create, update, delete);
- contacts/talks: the log of talks and visits (list, read, create, update);
- contacts/below-two and contacts/not-visited: the branch's two lists, read-only.

Reads go through the scoping module, so an object out of scope is a 404 like a missing one; a foreign key
out of scope is refused with the same words as one that does not exist, and nothing changes. Writes go
through the services, the same path as the pages: office and secretaries assign contacts; the member
themself (or the branch) logs the talks; a supervisor reads.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema, extend_schema_view
from rest_framework import permissions, serializers, status, viewsets
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX, ScopedPrimaryKeyRelatedField
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.core.masking import mask_phone
from vanguard.org.apis import organisation_field
from vanguard.org.models import Cell, Member, Person
from vanguard.org.validators import today, validate_mobile
from vanguard.zones.models import validate_year

from . import selectors, services
from .forms import MonthField
from .models import ContactAssignment, Talk

# --- fields ----------------------------------------------------------------------------------------------


def _members_in_sight(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(pk__in=selectors.managed_members(user).values("pk"))


def _candidates(user, queryset: QuerySet) -> QuerySet:
    return queryset.filter(pk__in=selectors.contact_candidates(user=user).values("pk"))


def _member_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("person", "organisation"),
        scoped=_members_in_sight,
        error_messages={"does_not_exist": gettext_lazy("所选党员不存在或不在您的管理范围内。")},
        **kwargs,
    )


def _assignment_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=ContactAssignment.objects.select_related("member__person", "member__organisation", "person"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选联系对象不存在或不在您的管理范围内。")},
        **kwargs,
    )


def _year_field(**kwargs) -> serializers.IntegerField:
    return serializers.IntegerField(validators=[validate_year], label=gettext_lazy("年度"), **kwargs)


class _MonthField(serializers.CharField):
    # YYYY-MM, not later than this month; parsed by the page's own field, so the messages are the same.

    def to_internal_value(self, data):
        text = super().to_internal_value(data)
        try:
            return MonthField(required=False).clean(text)
        except DjangoValidationError as exc:
            raise serializers.ValidationError(exc.messages) from exc


_NOT_MEMBER_WRITE = gettext_lazy(
    "由党委办公室或党员所在支部的书记确定:党员须在其管理范围内,否则整个请求被拒绝、不作任何修改。"
    "联系对象可以是已有人员(person:您可见的群众、入党积极分子,或本支部党员已有的联系对象),"
    "也可以在 new_person 中登记新人员(姓名、手机号、居住社区;姓名和手机号与已有人员相同时视为同一人)。"
    "联系对象不能是党员;培养对象须是入党申请人、入党积极分子或发展对象;同一党员同一年度不能重复。"
    "确定日期不能晚于今天,且应在该年度或上一年内。"
)
_ASSIGNMENT_UPDATE = gettext_lazy(
    "可修改类型、确定日期和备注;党员、联系对象和年度不能修改(需要时删除后重新确定)。"
    "确定日期不能晚于已有的最早谈话日期。党委办公室和支部书记可修改,党员和监督员只能查看。"
)
_TALK_WRITE = gettext_lazy(
    "党员本人或其支部书记、党委办公室记录。日期不能晚于今天,不能早于确定联系对象的日期,"
    "也不能晚于该联系对象的年度;谈话内容必填。"
)


# --- assignments -----------------------------------------------------------------------------------------


class AssignmentSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    organisation = serializers.IntegerField(read_only=True, source="member.organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="member.organisation.name")
    person = serializers.IntegerField(read_only=True, source="person_id")
    person_name = serializers.CharField(read_only=True, source="person.name")
    person_mobile = serializers.SerializerMethodField(help_text=gettext_lazy("手机号,已脱敏:138****5678"))
    person_residence = serializers.IntegerField(read_only=True, allow_null=True, source="person.residence_id")
    kind = serializers.ChoiceField(read_only=True, choices=ContactAssignment.Kind.choices)
    year = serializers.IntegerField(read_only=True)
    assigned_on = serializers.DateField(read_only=True)
    notes = serializers.CharField(read_only=True)
    last_talk = serializers.DateField(
        read_only=True, allow_null=True, help_text=gettext_lazy("最近一次谈心走访的日期")
    )
    talk_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("谈心走访次数"))
    visited_this_month = serializers.BooleanField(
        read_only=True, help_text=gettext_lazy("本月是否已谈心走访")
    )

    def get_person_mobile(self, assignment: ContactAssignment) -> str:
        return mask_phone(assignment.person.mobile)


class AssignmentFilterSerializer(serializers.Serializer):
    member = _member_field(required=False, help_text=gettext_lazy("该党员的联系对象"))
    organisation = organisation_field(
        required=False, help_text=gettext_lazy("该党组织及其下级党员的联系对象")
    )
    year = _year_field(required=False)
    kind = serializers.ChoiceField(choices=ContactAssignment.Kind.choices, required=False, allow_blank=True)


class NewPersonSerializer(serializers.Serializer):
    name = serializers.CharField(max_length=50, label=gettext_lazy("姓名"))
    mobile = serializers.CharField(
        required=False, allow_blank=True, max_length=11, validators=[validate_mobile]
    )
    residence = ScopedPrimaryKeyRelatedField(
        queryset=Cell.objects.all(),
        scoped=scope.visible_to,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": gettext_lazy("所选网格不存在或不在您的可见范围内。")},
    )


class AssignmentCreateSerializer(serializers.Serializer):
    member = _member_field(help_text=gettext_lazy("党员编号,须在您的管理范围内"))
    person = ScopedPrimaryKeyRelatedField(
        queryset=Person.objects.select_related("member", "activist"),
        scoped=_candidates,
        required=False,
        allow_null=True,
        error_messages={"does_not_exist": gettext_lazy("所选人员不存在或不在您的管理范围内。")},
        help_text=gettext_lazy("已有人员的编号;与 new_person 二选一"),
    )
    new_person = NewPersonSerializer(
        required=False, allow_null=True, help_text=gettext_lazy("登记新的联系对象;与 person 二选一")
    )
    kind = serializers.ChoiceField(choices=ContactAssignment.Kind.choices, default=ContactAssignment.Kind.KEY)
    year = _year_field()
    assigned_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000, default="")

    def validate(self, attrs: dict[str, Any]) -> dict[str, Any]:
        if (attrs.get("person") is None) == (attrs.get("new_person") is None):
            raise serializers.ValidationError(
                {"person": [gettext_lazy("请选择一名已有人员,或填写新联系对象的姓名(二者选一)。")]}
            )
        return attrs


class AssignmentUpdateSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=ContactAssignment.Kind.choices)
    assigned_on = serializers.DateField()
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


class _ContactsViewSet(viewsets.GenericViewSet):
    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX


@extend_schema_view(
    list=list_schema(
        gettext_lazy("联系对象列表"),
        gettext_lazy(
            "您可见范围内党员的联系对象(党员本人只见自己的),按年度倒序、党组织和姓名排序;"
            "每条带最近一次谈心走访日期、次数和本月是否已谈心走访。"
        ),
        AssignmentFilterSerializer,
        AssignmentSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("联系对象详情"), AssignmentSerializer),
    create=write_schema(
        gettext_lazy("确定联系对象"),
        _NOT_MEMBER_WRITE,
        AssignmentCreateSerializer,
        AssignmentSerializer,
        created=True,
    ),
    update=write_schema(
        gettext_lazy("修改联系安排"), _ASSIGNMENT_UPDATE, AssignmentUpdateSerializer, AssignmentSerializer
    ),
    partial_update=write_schema(
        gettext_lazy("修改联系安排的部分字段"),
        _ASSIGNMENT_UPDATE,
        AssignmentUpdateSerializer,
        AssignmentSerializer,
    ),
    destroy=extend_schema(
        summary=gettext_lazy("取消联系安排"),
        description=gettext_lazy(
            "连同其谈心走访记录一并删除(审计日志保留原记录);往年的联系对象已归入活动档案,不能删除。"
        ),
        parameters=[ID_PATH_PARAMETER],
        responses={204: None, **error_responses(400, 401, 403, 404)},
    ),
)
@extend_schema(tags=["联系群众"])
class AssignmentViewSet(_ContactsViewSet):
    """Each member's contacts for a year."""

    serializer_class = AssignmentSerializer

    def get_queryset(self) -> QuerySet[ContactAssignment]:
        return selectors.assignments(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = AssignmentFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = selectors.assignments(
            user=request.user,
            member=data.get("member"),
            organisation=data.get("organisation"),
            year=data.get("year"),
            kind=data.get("kind", ""),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(AssignmentSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AssignmentSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = AssignmentCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = serializer.validated_data
        new = data.get("new_person")
        assignment = services.assignment_create(
            actor=request.user,
            member=data["member"],
            person=data.get("person"),
            new_person=services.NewPerson(
                name=new["name"], mobile=new.get("mobile", ""), residence=new.get("residence")
            )
            if new
            else None,
            kind=data["kind"],
            year=data["year"],
            assigned_on=data["assigned_on"],
            notes=data["notes"],
        )
        # The service let the caller assign it, so the caller sees it: read back with its summary.
        fresh = selectors.assignments(user=request.user).get(pk=assignment.pk)
        return Response(AssignmentSerializer(fresh).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        assignment = self._manageable()
        serializer = AssignmentUpdateSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = {"kind": assignment.kind, "assigned_on": assignment.assigned_on, "notes": assignment.notes}
        values.update(serializer.validated_data)
        services.assignment_update(actor=request.user, assignment=assignment, **values)
        return Response(AssignmentSerializer(self.get_queryset().get(pk=assignment.pk)).data)

    def destroy(self, request: Request, pk: str) -> Response:
        services.assignment_delete(actor=request.user, assignment=self._manageable())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _manageable(self) -> ContactAssignment:
        # 404 out of sight; 403 in sight but not the caller's to change (the member, a supervisor), before
        # the body is read.
        assignment = self.get_object()
        if not selectors.may_manage(self.request.user, assignment.member):
            raise PermissionDenied
        return assignment


# --- talks -----------------------------------------------------------------------------------------------


class TalkSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    assignment = serializers.IntegerField(read_only=True, source="assignment_id")
    member = serializers.IntegerField(read_only=True, source="assignment.member_id")
    member_name = serializers.CharField(read_only=True, source="assignment.member.person.name")
    person_name = serializers.CharField(read_only=True, source="assignment.person.name")
    held_on = serializers.DateField(read_only=True)
    kind = serializers.ChoiceField(read_only=True, choices=Talk.Kind.choices)
    content = serializers.CharField(read_only=True)
    problems = serializers.CharField(read_only=True)
    follow_up = serializers.CharField(read_only=True)


class TalkFilterSerializer(serializers.Serializer):
    assignment = _assignment_field(required=False, help_text=gettext_lazy("该联系对象的谈心走访记录"))
    member = _member_field(required=False, help_text=gettext_lazy("该党员的全部谈心走访记录"))


class TalkInputSerializer(serializers.Serializer):
    held_on = serializers.DateField(label=gettext_lazy("日期"))
    kind = serializers.ChoiceField(choices=Talk.Kind.choices, default=Talk.Kind.TALK)
    content = serializers.CharField(max_length=5000, label=gettext_lazy("谈话内容"))
    problems = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")
    follow_up = serializers.CharField(required=False, allow_blank=True, max_length=5000, default="")


class TalkCreateSerializer(TalkInputSerializer):
    assignment = _assignment_field(help_text=gettext_lazy("联系对象(联系安排)的编号"))


class _TalkPermission(permissions.BasePermission):
    # Reads need sight (the queryset is scoped); writes need scope.can: the member or the branch's editors.
    message = gettext_lazy("您可以查看该记录,但无权修改。")

    def has_object_permission(self, request, view, obj) -> bool:
        return request.method in permissions.SAFE_METHODS or scope.can(request.user, scope.CHANGE, obj)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("谈心走访记录列表"),
        gettext_lazy("您可见范围内的谈心走访记录,按日期倒序;用 assignment 或 member 筛选。"),
        TalkFilterSerializer,
        TalkSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("谈心走访记录详情"), TalkSerializer),
    create=write_schema(
        gettext_lazy("记录谈心走访"), _TALK_WRITE, TalkCreateSerializer, TalkSerializer, created=True
    ),
    update=write_schema(gettext_lazy("修改谈心走访记录"), _TALK_WRITE, TalkInputSerializer, TalkSerializer),
    partial_update=write_schema(
        gettext_lazy("修改谈心走访记录的部分字段"), _TALK_WRITE, TalkInputSerializer, TalkSerializer
    ),
)
@extend_schema(tags=["联系群众"])
class TalkViewSet(_ContactsViewSet):
    """The log of talks and visits with the contacts."""

    serializer_class = TalkSerializer
    permission_classes = [IsAuthenticated, HasBusinessRole, _TalkPermission]

    def get_queryset(self) -> QuerySet[Talk]:
        return selectors.talk_list(user=self.request.user)

    def list(self, request: Request) -> Response:
        filters = TalkFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = selectors.talk_list(
            user=request.user,
            assignment=filters.validated_data.get("assignment"),
            member=filters.validated_data.get("member"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(TalkSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TalkSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        serializer = TalkCreateSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        data = dict(serializer.validated_data)
        talk = services.talk_create(actor=request.user, assignment=data.pop("assignment"), **data)
        return Response(
            TalkSerializer(self.get_queryset().get(pk=talk.pk)).data, status=status.HTTP_201_CREATED
        )

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        talk = self.get_object()
        serializer = TalkInputSerializer(data=request.data, partial=partial)
        serializer.is_valid(raise_exception=True)
        values = {f: getattr(talk, f) for f in ("held_on", "kind", "content", "problems", "follow_up")}
        # A partial update leaves out what it does not send (the serializer's defaults apply to full ones).
        values.update(serializer.validated_data)
        services.talk_update(actor=request.user, talk=talk, **values)
        return Response(TalkSerializer(self.get_queryset().get(pk=talk.pk)).data)


# --- the branch's two lists ------------------------------------------------------------------------------


class _OverseesContacts(permissions.BasePermission):
    message = gettext_lazy("只有党委办公室、支部书记和监督员可以查看本组织党员的联系情况。")

    def has_permission(self, request, view) -> bool:
        return selectors.oversees_contacts(request.user)


class BelowTwoFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级的党员"))
    year = _year_field(required=False, help_text=gettext_lazy("年度,默认今年"))


class BelowTwoSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=gettext_lazy("党员编号"))
    name = serializers.CharField(read_only=True, source="person.name")
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    contact_count = serializers.IntegerField(read_only=True, help_text=gettext_lazy("该年度的联系对象人数"))


class NotVisitedFilterSerializer(serializers.Serializer):
    organisation = organisation_field(
        required=False, help_text=gettext_lazy("该党组织及其下级党员的联系对象")
    )
    month = _MonthField(required=False, help_text=gettext_lazy("月份,如 2026-05;默认本月,不能晚于本月"))


class NotVisitedSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=gettext_lazy("联系安排的编号"))
    member = serializers.IntegerField(read_only=True, source="member_id")
    member_name = serializers.CharField(read_only=True, source="member.person.name")
    organisation = serializers.IntegerField(read_only=True, source="member.organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="member.organisation.name")
    person = serializers.IntegerField(read_only=True, source="person_id")
    person_name = serializers.CharField(read_only=True, source="person.name")
    kind = serializers.ChoiceField(read_only=True, choices=ContactAssignment.Kind.choices)
    year = serializers.IntegerField(read_only=True)
    assigned_on = serializers.DateField(read_only=True)
    last_talk = serializers.DateField(
        read_only=True, allow_null=True, help_text=gettext_lazy("最近一次谈心走访的日期;从未谈过为 null")
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("联系对象不足两人的党员"),
        gettext_lazy("该年度联系对象(含联系人、联系户、培养对象)少于两人的党员,按党组织和姓名排序。"),
        BelowTwoFilterSerializer,
        BelowTwoSerializer,
    ),
)
@extend_schema(tags=["联系群众"])
class BelowTwoViewSet(_ContactsViewSet):
    """Members with fewer than two contacts in a year."""

    permission_classes = [IsAuthenticated, HasBusinessRole, _OverseesContacts]
    serializer_class = BelowTwoSerializer

    def list(self, request: Request) -> Response:
        filters = BelowTwoFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = selectors.members_below_two(
            user=request.user,
            year=filters.validated_data.get("year") or today().year,
            organisation=filters.validated_data.get("organisation"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(BelowTwoSerializer(page, many=True).data)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("本月未谈心走访的联系对象"),
        gettext_lazy("所选月份所在年度、月底前已确定的联系对象中,该月没有任何谈心、走访或电话记录的。"),
        NotVisitedFilterSerializer,
        NotVisitedSerializer,
    ),
)
@extend_schema(tags=["联系群众"])
class NotVisitedViewSet(_ContactsViewSet):
    """Contacts with no talk or visit in a month."""

    permission_classes = [IsAuthenticated, HasBusinessRole, _OverseesContacts]
    serializer_class = NotVisitedSerializer

    def list(self, request: Request) -> Response:
        filters = NotVisitedFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = selectors.contacts_not_visited(
            user=request.user,
            month=filters.validated_data.get("month") or selectors.current_month(),
            organisation=filters.validated_data.get("organisation"),
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(NotVisitedSerializer(page, many=True).data)


ROUTES: list = [
    ("contacts/assignments", AssignmentViewSet, "contact-assignment"),
    ("contacts/talks", TalkViewSet, "contact-talk"),
    ("contacts/below-two", BelowTwoViewSet, "contact-below-two"),
    ("contacts/not-visited", NotVisitedViewSet, "contact-not-visited"),
]
