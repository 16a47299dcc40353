"""REST endpoints of a zone's work: tasks (with complete / cancel / reopen), work plan entries and
activities with their participants. ROUTES is added to the zones app's routes (apis.py).

Reads go through the scoping module, so an object out of scope is a 404 like a missing one; writes go
through work_services, the pages' own write path. A foreign key out of the caller's scope is refused with
the same words as one that does not exist, and nothing changes."""

from __future__ import annotations

import datetime as dt
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db.models import QuerySet
from django.utils.translation import gettext_lazy
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import serializers, status, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX, ScopedPrimaryKeyRelatedField
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema, write_schema
from vanguard.org.apis import organisation_field, person_field
from vanguard.org.models import Member, Organisation
from vanguard.org.validators import today
from vanguard.zones.zone_apis import zone_field

from . import work_selectors as selectors
from . import work_services as services
from .models import Activity, Task, WorkPlanEntry

# --- fields ----------------------------------------------------------------------------------------------


def _member_field(**kwargs) -> ScopedPrimaryKeyRelatedField:
    return ScopedPrimaryKeyRelatedField(
        queryset=Member.objects.select_related("organisation", "person"),
        scoped=scope.visible_to,
        error_messages={"does_not_exist": gettext_lazy("所选党员不存在或不在您的可见范围内。")},
        **kwargs,
    )


def _may_create(user) -> bool:
    return scope.editable_organisations(user, Organisation.objects.all()).exists()


# --- tasks -----------------------------------------------------------------------------------------------


class TaskSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    zone = serializers.IntegerField(read_only=True, allow_null=True, source="zone_id")
    zone_name = serializers.SerializerMethodField()
    member = serializers.IntegerField(read_only=True, allow_null=True, source="member_id")
    member_name = serializers.SerializerMethodField()
    organisation = serializers.SerializerMethodField(help_text=gettext_lazy("任务所属的党组织"))
    organisation_name = serializers.SerializerMethodField()
    category = serializers.ChoiceField(
        read_only=True, choices=Task.Category.choices, label=gettext_lazy("类别")
    )
    title = serializers.CharField(read_only=True, label=gettext_lazy("任务"))
    description = serializers.CharField(read_only=True)
    due_date = serializers.DateField(read_only=True, allow_null=True, label=gettext_lazy("完成期限"))
    status = serializers.ChoiceField(read_only=True, choices=Task.Status.choices, label=gettext_lazy("状态"))
    done_on = serializers.DateField(read_only=True, allow_null=True, label=gettext_lazy("完成日期"))
    overdue = serializers.SerializerMethodField(help_text=gettext_lazy("进行中且已过完成期限"))

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_zone_name(self, task: Task) -> str | None:
        return task.zone.name if task.zone_id else None

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_member_name(self, task: Task) -> str | None:
        return task.member.person.name if task.member_id else None

    def _organisation(self, task: Task) -> Organisation:
        return task.zone.organisation if task.zone_id else task.member.organisation

    @extend_schema_field(OpenApiTypes.INT)
    def get_organisation(self, task: Task) -> int:
        return self._organisation(task).pk

    @extend_schema_field(OpenApiTypes.STR)
    def get_organisation_name(self, task: Task) -> str:
        return self._organisation(task).name

    @extend_schema_field(OpenApiTypes.BOOL)
    def get_overdue(self, task: Task) -> bool:
        return task.status == Task.Status.OPEN and task.due_date is not None and task.due_date < today()


class TaskFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级的任务"))
    zone = zone_field(required=False, help_text=gettext_lazy("该责任区的任务"))
    member = _member_field(required=False, help_text=gettext_lazy("该党员的任务"))
    category = serializers.ChoiceField(choices=Task.Category.choices, required=False, allow_blank=True)
    status = serializers.ChoiceField(choices=Task.Status.choices, required=False, allow_blank=True)
    overdue = serializers.BooleanField(
        required=False, help_text=gettext_lazy("true:只列出进行中且已过完成期限的任务")
    )
    q = serializers.CharField(
        required=False,
        allow_blank=True,
        max_length=50,
        help_text=gettext_lazy("任务名称中的文字,或党员姓名、全拼、首字母的开头"),
    )

    def filters(self) -> selectors.TaskFilters:
        data = self.validated_data
        return selectors.TaskFilters(
            organisation=data.get("organisation"),
            zone=data.get("zone"),
            member=data.get("member"),
            category=data.get("category", ""),
            status=data.get("status", ""),
            overdue=bool(data.get("overdue")),
            q=data.get("q", ""),
        )


class TaskInputSerializer(serializers.Serializer):
    # The status is not written here: complete, cancel and reopen are its transitions.

    zone = zone_field(required=False, allow_null=True, help_text=gettext_lazy("责任区;与党员至少填一项"))
    member = _member_field(
        required=False, allow_null=True, help_text=gettext_lazy("党员;须在您管理的党组织内")
    )
    category = serializers.ChoiceField(choices=Task.Category.choices, label=gettext_lazy("类别"))
    title = serializers.CharField(max_length=200, label=gettext_lazy("任务"))
    description = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    due_date = serializers.DateField(required=False, allow_null=True, label=gettext_lazy("完成期限"))


class TaskCompleteSerializer(serializers.Serializer):
    done_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("完成日期,不能晚于今天;不填为今天")
    )


_TASK_WRITE = gettext_lazy(
    "支部书记和党委办公室在其管理的党组织内布置任务:责任区和党员至少填一项,都填时党员须属于该责任区所在的党支部。"
    "只有进行中的任务可以修改;状态用 complete、cancel、reopen 改变。监督员、社区工作人员和党员只能查看。"
)


def _tasks(user) -> QuerySet[Task]:
    return scope.visible_to(user, Task.objects.all()).select_related(
        "zone", "zone__organisation", "member", "member__person", "member__organisation"
    )


@extend_schema_view(
    list=list_schema(
        gettext_lazy("任务列表"),
        gettext_lazy(
            "您可见范围内的任务(宣传教育、营运生产、文明建设、廉政建设、培养联系、其他交办),按完成期限排序。"
        ),
        TaskFilterSerializer,
        TaskSerializer,
    ),
    retrieve=detail_schema(gettext_lazy("任务详情"), TaskSerializer),
    create=write_schema(
        gettext_lazy("布置任务"), _TASK_WRITE, TaskInputSerializer, TaskSerializer, created=True
    ),
    update=write_schema(gettext_lazy("修改任务"), _TASK_WRITE, TaskInputSerializer, TaskSerializer),
    partial_update=write_schema(
        gettext_lazy("修改任务的部分字段"), _TASK_WRITE, TaskInputSerializer, TaskSerializer
    ),
)
@extend_schema(tags=["任务"])
class TaskViewSet(viewsets.GenericViewSet):
    """Tasks of zones and members in the caller's scope; a member completes their own."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = TaskSerializer

    def get_queryset(self) -> QuerySet[Task]:
        return _tasks(self.request.user)

    def list(self, request: Request) -> Response:
        filters = TaskFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        page = self.paginate_queryset(selectors.task_list(user=request.user, filters=filters.filters()))
        return self.get_paginated_response(TaskSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(TaskSerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not _may_create(request.user):
            raise PermissionDenied
        serializer = TaskInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        task = services.task_create(actor=request.user, **serializer.validated_data)
        return Response(TaskSerializer(self._fresh(task)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        task = self._changeable()
        serializer = TaskInputSerializer(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        task = services.task_update(actor=request.user, task=task, fields=serializer.validated_data)
        return Response(TaskSerializer(self._fresh(task)).data)

    def _changeable(self) -> Task:
        # 404 out of sight; 403 in sight but not theirs to change, before the body is read.
        task = self.get_object()
        if not scope.can(self.request.user, scope.CHANGE, task):
            raise PermissionDenied
        return task

    def _fresh(self, task: Task) -> Task:
        # The service let the caller write this task, so the caller may see it: no second scope check.
        return Task.objects.select_related(
            "zone", "zone__organisation", "member", "member__person", "member__organisation"
        ).get(pk=task.pk)

    @extend_schema(
        summary=gettext_lazy("标记任务完成"),
        description=gettext_lazy(
            "进行中 → 已完成。支部书记、党委办公室,以及任务所指派的党员本人可以标记完成。"
            "已完成或已取消的任务须由支部书记重新打开。"
        ),
        parameters=[ID_PATH_PARAMETER],
        request=TaskCompleteSerializer,
        responses={200: TaskSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def complete(self, request: Request, pk: str) -> Response:
        task = self.get_object()
        if not services.may_complete(request.user, task):
            raise PermissionDenied
        serializer = TaskCompleteSerializer(data=request.data)
        serializer.is_valid(raise_exception=True)
        task = services.task_complete(
            actor=request.user, task=task, done_on=serializer.validated_data.get("done_on")
        )
        return Response(TaskSerializer(self._fresh(task)).data)

    @extend_schema(
        summary=gettext_lazy("取消任务"),
        description=gettext_lazy("进行中 → 已取消,由支部书记或党委办公室操作。"),
        parameters=[ID_PATH_PARAMETER],
        request=None,
        responses={200: TaskSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def cancel(self, request: Request, pk: str) -> Response:
        task = services.task_cancel(actor=request.user, task=self._changeable())
        return Response(TaskSerializer(self._fresh(task)).data)

    @extend_schema(
        summary=gettext_lazy("重新打开任务"),
        description=gettext_lazy("已完成或已取消 → 进行中,由支部书记或党委办公室操作;完成日期随之清除。"),
        parameters=[ID_PATH_PARAMETER],
        request=None,
        responses={200: TaskSerializer, **error_responses(400, 401, 403, 404)},
    )
    @action(detail=True, methods=["post"])
    def reopen(self, request: Request, pk: str) -> Response:
        task = services.task_reopen(actor=request.user, task=self._changeable())
        return Response(TaskSerializer(self._fresh(task)).data)


# --- the work plan ---------------------------------------------------------------------------------------


class _MonthField(serializers.CharField):
    default_error_messages = {"month": gettext_lazy("月份应写作“年-月”,如 2026-03,年份在2000至2100之间。")}

    def to_internal_value(self, data: Any) -> dt.date:
        text = super().to_internal_value(data)
        try:
            return selectors.parse_month(text)
        except ValueError:
            self.fail("month")


class PlanEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    zone = serializers.IntegerField(read_only=True, source="zone_id")
    zone_name = serializers.CharField(read_only=True, source="zone.name")
    title = serializers.CharField(read_only=True, label=gettext_lazy("工作内容"))
    recurrence = serializers.ChoiceField(
        read_only=True, choices=WorkPlanEntry.Recurrence.choices, label=gettext_lazy("频次")
    )
    starts_on = serializers.DateField(read_only=True, label=gettext_lazy("日期"))
    ends_on = serializers.DateField(read_only=True, allow_null=True, label=gettext_lazy("截止日期"))
    person = serializers.IntegerField(read_only=True, allow_null=True, source="person_id")
    person_name = serializers.SerializerMethodField()
    notes = serializers.CharField(read_only=True)
    occurrences = serializers.SerializerMethodField(
        help_text=gettext_lazy("该条目在所查月份(month 参数,默认本月)中的日期")
    )

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_person_name(self, entry: WorkPlanEntry) -> str | None:
        return entry.person.name if entry.person_id else None

    @extend_schema_field(serializers.ListField(child=serializers.DateField()))
    def get_occurrences(self, entry: WorkPlanEntry) -> list[str]:
        start, end = selectors.month_bounds(self.context.get("month") or today())
        return [day.isoformat() for day in selectors.occurrences(entry, start, end)]


class PlanEntryFilterSerializer(serializers.Serializer):
    zone = zone_field(required=False, help_text=gettext_lazy("该责任区的工作运行表"))
    month = _MonthField(required=False, help_text=gettext_lazy("展开各条目日期的月份,如 2026-03;默认本月"))


class MonthSerializer(serializers.Serializer):
    month = _MonthField(required=False, help_text=gettext_lazy("展开日期的月份,如 2026-03;默认本月"))


class PlanEntryInputSerializer(serializers.Serializer):
    zone = zone_field(help_text=gettext_lazy("责任区,须在您管理的党组织内"))
    title = serializers.CharField(max_length=200, label=gettext_lazy("工作内容"))
    recurrence = serializers.ChoiceField(
        choices=WorkPlanEntry.Recurrence.choices, required=False, help_text=gettext_lazy("默认一次性")
    )
    starts_on = serializers.DateField(label=gettext_lazy("日期"))
    ends_on = serializers.DateField(
        required=False, allow_null=True, help_text=gettext_lazy("按期重复的工作到这一天为止;一次性工作不填")
    )
    person = person_field(required=False, allow_null=True, help_text=gettext_lazy("负责人"))
    notes = serializers.CharField(required=False, allow_blank=True, max_length=2000)


_PLAN_WRITE = gettext_lazy(
    "工作运行表的条目:一次性工作只有一个日期;每周、每月、每季度、每年重复的工作从开始日期起重复到截止日期"
    "(不填则一直重复)。由责任区所在党支部的书记或党委办公室维护。"
)


@extend_schema_view(
    list=extend_schema(
        summary=gettext_lazy("工作运行表条目列表"),
        description=gettext_lazy(
            "您可见范围内的工作运行表条目,按日期排序;occurrences 为各条目在 month 月份中的日期。"
        ),
        parameters=[PlanEntryFilterSerializer],
        responses={200: PlanEntrySerializer(many=True), **error_responses(400, 401, 403, 404)},
    ),
    retrieve=extend_schema(
        summary=gettext_lazy("工作运行表条目详情"),
        description=gettext_lazy("不存在的对象与不在您可见范围内的对象同样返回 404。"),
        parameters=[ID_PATH_PARAMETER, MonthSerializer],
        responses={200: PlanEntrySerializer, **error_responses(400, 401, 403, 404)},
    ),
    create=write_schema(
        gettext_lazy("新增工作运行表条目"),
        _PLAN_WRITE,
        PlanEntryInputSerializer,
        PlanEntrySerializer,
        created=True,
    ),
    update=write_schema(
        gettext_lazy("修改工作运行表条目"), _PLAN_WRITE, PlanEntryInputSerializer, PlanEntrySerializer
    ),
    partial_update=write_schema(
        gettext_lazy("修改工作运行表条目的部分字段"),
        _PLAN_WRITE,
        PlanEntryInputSerializer,
        PlanEntrySerializer,
    ),
    destroy=extend_schema(
        summary=gettext_lazy("删除工作运行表条目"),
        description=gettext_lazy("由责任区所在党支部的书记或党委办公室删除;删除记入审计日志。"),
        parameters=[ID_PATH_PARAMETER],
        responses={204: None, **error_responses(401, 403, 404)},
    ),
)
@extend_schema(tags=["工作运行表"])
class PlanEntryViewSet(viewsets.GenericViewSet):
    """The lines of the zones' work plans (工作运行表) in the caller's scope."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = PlanEntrySerializer

    def get_queryset(self) -> QuerySet[WorkPlanEntry]:
        return selectors.plan_entries(user=self.request.user)

    def _month(self, request: Request) -> dt.date | None:
        params = MonthSerializer(data=request.query_params)
        params.is_valid(raise_exception=True)
        return params.validated_data.get("month")

    def list(self, request: Request) -> Response:
        filters = PlanEntryFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        zone = filters.validated_data.get("zone")
        page = self.paginate_queryset(selectors.plan_entries(user=request.user, zone=zone))
        context = {"month": filters.validated_data.get("month")}
        return self.get_paginated_response(PlanEntrySerializer(page, many=True, context=context).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        month = self._month(request)
        return Response(PlanEntrySerializer(self.get_object(), context={"month": month}).data)

    def create(self, request: Request) -> Response:
        if not _may_create(request.user):
            raise PermissionDenied
        serializer = PlanEntryInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        entry = services.plan_entry_create(actor=request.user, **serializer.validated_data)
        return Response(PlanEntrySerializer(self._fresh(entry)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def destroy(self, request: Request, pk: str) -> Response:
        services.plan_entry_delete(actor=request.user, entry=self._changeable())
        return Response(status=status.HTTP_204_NO_CONTENT)

    def _update(self, request: Request, *, partial: bool) -> Response:
        entry = self._changeable()
        serializer = PlanEntryInputSerializer(
            data=request.data, partial=partial, context={"request": request}
        )
        serializer.is_valid(raise_exception=True)
        entry = services.plan_entry_update(actor=request.user, entry=entry, fields=serializer.validated_data)
        return Response(PlanEntrySerializer(self._fresh(entry)).data)

    def _changeable(self) -> WorkPlanEntry:
        entry = self.get_object()
        if not scope.can(self.request.user, scope.CHANGE, entry):
            raise PermissionDenied
        return entry

    def _fresh(self, entry: WorkPlanEntry) -> WorkPlanEntry:
        return WorkPlanEntry.objects.select_related("zone", "person").get(pk=entry.pk)


# --- activities ------------------------------------------------------------------------------------------


class ParticipantSerializer(serializers.Serializer):
    person = serializers.IntegerField(read_only=True, source="person_id")
    name = serializers.CharField(read_only=True, source="person.name")
    hours = serializers.DecimalField(
        read_only=True, max_digits=5, decimal_places=1, label=gettext_lazy("时长(小时)")
    )


class ActivitySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    organisation = serializers.IntegerField(read_only=True, source="organisation_id")
    organisation_name = serializers.CharField(read_only=True, source="organisation.name")
    zone = serializers.IntegerField(read_only=True, allow_null=True, source="zone_id")
    zone_name = serializers.SerializerMethodField()
    title = serializers.CharField(read_only=True, label=gettext_lazy("活动名称"))
    held_on = serializers.DateField(read_only=True, label=gettext_lazy("活动日期"))
    record = serializers.CharField(read_only=True, label=gettext_lazy("活动记录"))
    participant_count = serializers.IntegerField(read_only=True, label=gettext_lazy("参加人数"))
    total_hours = serializers.DecimalField(
        read_only=True, max_digits=9, decimal_places=1, label=gettext_lazy("总时长(小时)")
    )
    participants = ParticipantSerializer(many=True, read_only=True, source="attendance")

    @extend_schema_field(serializers.CharField(allow_null=True))
    def get_zone_name(self, activity: Activity) -> str | None:
        return activity.zone.name if activity.zone_id else None


class ActivityFilterSerializer(serializers.Serializer):
    organisation = organisation_field(required=False, help_text=gettext_lazy("该党组织及其下级组织的活动"))
    zone = zone_field(required=False, help_text=gettext_lazy("该责任区的活动"))
    person = person_field(required=False, help_text=gettext_lazy("该人员参加的活动"))
    held_from = serializers.DateField(required=False, help_text=gettext_lazy("活动日期不早于"))
    held_to = serializers.DateField(required=False, help_text=gettext_lazy("活动日期不晚于"))
    q = serializers.CharField(
        required=False, allow_blank=True, max_length=50, help_text=gettext_lazy("活动名称中的文字")
    )

    def filters(self) -> selectors.ActivityFilters:
        data = self.validated_data
        person = data.get("person")
        return selectors.ActivityFilters(
            organisation=data.get("organisation"),
            zone=data.get("zone"),
            held_from=data.get("held_from"),
            held_to=data.get("held_to"),
            person_id=person.pk if person is not None else None,
            q=data.get("q", ""),
        )


class ParticipantInputSerializer(serializers.Serializer):
    person = person_field(help_text=gettext_lazy("参加人员(党员或其他人员),须在您的可见范围内"))
    hours = serializers.DecimalField(
        max_digits=3,
        decimal_places=1,
        min_value=0,
        max_value=24,
        required=False,
        default=0,
        help_text=gettext_lazy("时长(小时),0至24,最多一位小数"),
    )


class ActivityInputSerializer(serializers.Serializer):
    organisation = organisation_field(
        scoped=scope.editable_organisations, help_text=gettext_lazy("组织单位,须在您的管理范围内")
    )
    zone = zone_field(
        required=False, allow_null=True, help_text=gettext_lazy("责任区,须属于该组织单位或其下级党组织")
    )
    title = serializers.CharField(max_length=200, label=gettext_lazy("活动名称"))
    held_on = serializers.DateField(help_text=gettext_lazy("活动日期,不能晚于今天"))
    record = serializers.CharField(required=False, allow_blank=True, max_length=5000)
    participants = ParticipantInputSerializer(
        many=True,
        required=False,
        max_length=1000,
        help_text=gettext_lazy("参加人员及时长;给出时整体替换原有名单,不给出时不变"),
    )

    def participations(self) -> list[services.Participation] | None:
        rows = self.validated_data.get("participants")
        if rows is None:
            return None
        return [services.Participation(row["person"], row.get("hours", 0)) for row in rows]

    def activity_fields(self) -> dict[str, Any]:
        return {k: v for k, v in self.validated_data.items() if k != "participants"}


_ACTIVITY_WRITE = gettext_lazy(
    "组织单位须在您的管理范围内,责任区须属于该组织单位;活动日期不能晚于今天;每人时长0至24小时。"
    "监督员、社区工作人员和党员只能查看。"
)


@extend_schema_view(
    list=list_schema(
        gettext_lazy("活动列表"),
        gettext_lazy("您可见范围内的活动(党员奉献日、义务劳动……),新的在前,带参加人数、总时长和参加人员。"),
        ActivityFilterSerializer,
        ActivitySerializer,
    ),
    retrieve=detail_schema(gettext_lazy("活动详情"), ActivitySerializer),
    create=write_schema(
        gettext_lazy("记录活动"), _ACTIVITY_WRITE, ActivityInputSerializer, ActivitySerializer, created=True
    ),
    update=write_schema(
        gettext_lazy("修改活动"), _ACTIVITY_WRITE, ActivityInputSerializer, ActivitySerializer
    ),
    partial_update=write_schema(
        gettext_lazy("修改活动的部分字段"), _ACTIVITY_WRITE, ActivityInputSerializer, ActivitySerializer
    ),
)
@extend_schema(tags=["活动"])
class ActivityViewSet(viewsets.GenericViewSet):
    """Activities in the caller's scope, with their participants and hours."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = ActivitySerializer

    def get_queryset(self) -> QuerySet[Activity]:
        return selectors.with_participants(selectors.activity_list(user=self.request.user))

    def list(self, request: Request) -> Response:
        filters = ActivityFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        queryset = selectors.with_participants(
            selectors.activity_list(user=request.user, filters=filters.filters())
        )
        page = self.paginate_queryset(queryset)
        return self.get_paginated_response(ActivitySerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(ActivitySerializer(self.get_object()).data)

    def create(self, request: Request) -> Response:
        if not _may_create(request.user):
            raise PermissionDenied
        serializer = ActivityInputSerializer(data=request.data, context={"request": request})
        serializer.is_valid(raise_exception=True)
        activity = services.activity_create(
            actor=request.user, participants=serializer.participations() or [], **serializer.activity_fields()
        )
        return Response(ActivitySerializer(self._fresh(activity)).data, status=status.HTTP_201_CREATED)

    def update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=False)

    def partial_update(self, request: Request, pk: str) -> Response:
        return self._update(request, partial=True)

    def _update(self, request: Request, *, partial: bool) -> Response:
        activity = self.get_object()
        if not scope.can(request.user, scope.CHANGE, activity):
            raise PermissionDenied
        serializer = ActivityInputSerializer(data=request.data, partial=partial, context={"request": request})
        serializer.is_valid(raise_exception=True)
        activity = services.activity_update(
            actor=request.user,
            activity=activity,
            fields=serializer.activity_fields(),
            participants=serializer.participations(),
        )
        return Response(ActivitySerializer(self._fresh(activity)).data)

    def _fresh(self, activity: Activity) -> Activity:
        # Written by the caller, so visible to them: read back with the totals, no second scope check.
        return (
            selectors.with_participants(selectors.with_totals(Activity.objects.all()))
            .select_related("organisation", "zone")
            .get(pk=activity.pk)
        )


ROUTES = [
    ("tasks", TaskViewSet, "task"),
    ("plan-entries", PlanEntryViewSet, "plan-entry"),
    ("activities", ActivityViewSet, "activity"),
]
