"""Pages of a zone's work: tasks (a zone's, a member's own, the overdue ones, all in scope), the work plan
(工作运行表) and activities, with their xlsx exports. Each view checks access through the scoping module,
parses a form, calls one service and redirects or renders."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.dataio.exporters.base import ListColumn, ListExport
from vanguard.dataio.views_export import describe_filters, list_export_response
from vanguard.org.models import Organisation
from vanguard.org.validators import today

from . import work_selectors as selectors
from . import work_services as services
from .models import Activity, Task, WorkPlanEntry, Zone
from .work_forms import (
    ActivityFilterForm,
    ActivityForm,
    PlanEntryForm,
    TaskCompleteForm,
    TaskFilterForm,
    TaskForm,
)

PAGE_SIZE = 50


def _require_role(request: HttpRequest) -> None:
    if not scope.has_any_role(request.user):
        raise PermissionDenied


def _may_create(user) -> bool:
    return scope.editable_organisations(user, Organisation.objects.all()).exists()


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        form.add_error(None, exc)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _back(request: HttpRequest, default: str) -> HttpResponse:
    target = request.POST.get("next") or ""
    if target and url_has_allowed_host_and_scheme(
        target, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return redirect(target)
    return redirect(default)


def _htmx_download(request: HttpRequest) -> HttpResponse | None:
    # The export link asks through htmx with the filters as they are now; the browser is then sent to the
    # same address to download the file (as the member list's export does).
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


# --- task lists ------------------------------------------------------------------------------------------


def task_filters_from(request: HttpRequest, *, overdue: bool = False):
    form = TaskFilterForm(request.GET or None, user=request.user)
    filters = selectors.TaskFilters(overdue=overdue)
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.TaskFilters(
            organisation=data["organisation"],
            category=data["category"],
            status=data["status"],
            overdue=overdue or data["overdue"],
            q=data["q"],
        )
    return form, filters


def _task_list_page(request: HttpRequest, *, overdue: bool) -> HttpResponse:
    _require_role(request)
    form, filters = task_filters_from(request, overdue=overdue)
    page = _page(request, selectors.task_list(user=request.user, filters=filters))
    context = {
        "form": form,
        "page": page,
        "overdue_page": overdue,
        "today": today(),
        "can_create": _may_create(request.user),
    }
    if request.headers.get("HX-Request"):
        return render(request, "zones/work_task_rows.html", context)
    return render(request, "zones/work_task_list.html", context)


@login_required
@require_GET
def task_list(request: HttpRequest) -> HttpResponse:
    return _task_list_page(request, overdue=False)


@login_required
@require_GET
def task_overdue(request: HttpRequest) -> HttpResponse:
    return _task_list_page(request, overdue=True)


@login_required
@require_GET
def my_tasks(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    page = _page(request, selectors.my_tasks(user=request.user))
    return render(
        request,
        "zones/work_my_tasks.html",
        {
            "page": page,
            "today": today(),
            "is_member": scope.scope_of(request.user).person_id is not None,
            "person_id": scope.scope_of(request.user).person_id,
        },
    )


@login_required
@require_GET
def zone_tasks(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = scope.get_visible_or_404(request.user, Zone.objects.select_related("organisation"), pk=zone_id)
    page = _page(request, selectors.zone_tasks(user=request.user, zone=zone))
    return render(
        request,
        "zones/work_zone_tasks.html",
        {
            "zone": zone,
            "page": page,
            "today": today(),
            "tab": "tasks",
            "can_edit": scope.can(request.user, scope.CHANGE, zone),
        },
    )


# --- one task --------------------------------------------------------------------------------------------


@login_required
@require_GET
def task_detail(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, pk=pk)
    return render(
        request,
        "zones/work_task_detail.html",
        {
            "task": task,
            "today": today(),
            "can_edit": scope.can(request.user, scope.CHANGE, task),
            "can_complete": task.status == Task.Status.OPEN and services.may_complete(request.user, task),
            "complete_form": TaskCompleteForm(),
        },
    )


def _task_form_page(
    request: HttpRequest, *, zone: Zone | None = None, task: Task | None = None
) -> HttpResponse:
    if request.method == "POST":
        form = TaskForm(request.POST, user=request.user, zone=zone, task=task)
        if form.is_valid():
            try:
                if task is None:
                    saved = services.task_create(actor=request.user, **form.service_fields())
                else:
                    saved = services.task_update(actor=request.user, task=task, fields=form.service_fields())
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, _("已保存任务“%(title)s”。") % {"title": saved.title})
                return redirect("zones:task_detail", pk=saved.pk)
    else:
        initial = {k: request.GET.get(k) for k in ("organisation", "zone", "member") if request.GET.get(k)}
        if "category" in request.GET:
            initial["category"] = request.GET["category"]
        form = TaskForm(initial=initial or None, user=request.user, zone=zone, task=task)
    return render(request, "zones/work_task_form.html", {"form": form, "zone": zone, "task": task})


@login_required
@require_http_methods(["GET", "POST"])
def task_create(request: HttpRequest) -> HttpResponse:
    if not _may_create(request.user):
        raise PermissionDenied
    return _task_form_page(request)


@login_required
@require_http_methods(["GET", "POST"])
def zone_task_create(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Zone.objects.select_related("organisation"), pk=zone_id
    )
    return _task_form_page(request, zone=zone)


@login_required
@require_http_methods(["GET", "POST"])
def task_edit(request: HttpRequest, pk: int) -> HttpResponse:
    task = scope.get_for_action_or_404(
        request.user,
        scope.CHANGE,
        Task.objects.select_related("zone__organisation", "member__organisation", "member__person"),
        pk=pk,
    )
    if task.status != Task.Status.OPEN:
        messages.warning(
            request,
            _("任务%(status)s,不能修改;如需修改,请先重新打开。") % {"status": task.get_status_display()},
        )
        return redirect("zones:task_detail", pk=task.pk)
    return _task_form_page(request, task=task)


def _transition_page(request: HttpRequest, task: Task, run) -> HttpResponse:
    try:
        run()
    except ValidationError as exc:
        for message in exc.messages:
            messages.error(request, message)
    return _back(request, default=reverse("zones:task_detail", args=[task.pk]))


@login_required
@require_POST
def task_complete(request: HttpRequest, pk: int) -> HttpResponse:
    task = selectors.task_detail(user=request.user, pk=pk)
    if not services.may_complete(request.user, task):
        raise PermissionDenied
    form = TaskCompleteForm(request.POST)
    if not form.is_valid():
        messages.error(request, _("完成日期格式不正确。"))
        return _back(request, default=reverse("zones:task_detail", args=[task.pk]))

    def run() -> None:
        services.task_complete(actor=request.user, task=task, done_on=form.cleaned_data["done_on"])
        messages.success(request, _("任务“%(title)s”已标记完成。") % {"title": task.title})

    return _transition_page(request, task, run)


def _changeable_task(request: HttpRequest, pk: int) -> Task:
    return scope.get_for_action_or_404(
        request.user,
        scope.CHANGE,
        Task.objects.select_related("zone__organisation", "member__organisation", "member__person"),
        pk=pk,
    )


@login_required
@require_POST
def task_cancel(request: HttpRequest, pk: int) -> HttpResponse:
    task = _changeable_task(request, pk)

    def run() -> None:
        services.task_cancel(actor=request.user, task=task)
        messages.success(request, _("任务“%(title)s”已取消。") % {"title": task.title})

    return _transition_page(request, task, run)


@login_required
@require_POST
def task_reopen(request: HttpRequest, pk: int) -> HttpResponse:
    task = _changeable_task(request, pk)

    def run() -> None:
        services.task_reopen(actor=request.user, task=task)
        messages.success(request, _("任务“%(title)s”已重新打开。") % {"title": task.title})

    return _transition_page(request, task, run)


def _describe(form) -> str:
    """The filters in words for the export's audit record; an unticked box is no filter."""
    if form.is_bound and form.is_valid():
        for name, value in list(form.cleaned_data.items()):
            if value is False:
                form.cleaned_data[name] = None
    return describe_filters(form)


def _label(choices) -> dict[str, str]:
    return {value: str(label) for value, label in choices}


@login_required
@require_GET
def task_export(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    download = _htmx_download(request)
    if download is not None:
        return download
    overdue = request.GET.get("overdue_page") == "1"
    form, filters = task_filters_from(request, overdue=overdue)
    categories, statuses = _label(Task.Category.choices), _label(Task.Status.choices)
    export = ListExport(
        title=_("任务清单"),
        columns=[
            ListColumn(_("任务"), "title", width=30),
            ListColumn(_("类别"), lambda t: categories.get(t.category, t.category)),
            ListColumn(_("责任区"), lambda t: t.zone.name if t.zone_id else "", width=24),
            ListColumn(_("党员"), lambda t: t.member.person.name if t.member_id else "", width=12),
            ListColumn(
                _("党组织"),
                lambda t: (t.zone.organisation if t.zone_id else t.member.organisation).name,
                width=24,
            ),
            ListColumn(_("完成期限"), "due_date", width=12),
            ListColumn(_("状态"), lambda t: statuses.get(t.status, t.status)),
            ListColumn(_("完成日期"), "done_on", width=12),
            ListColumn(_("说明"), "description", width=40),
        ],
        queryset=selectors.task_list(user=request.user, filters=filters),
    )
    words = _describe(form)
    if overdue:
        words = _("逾期任务;") + words
    return list_export_response(
        request,
        export,
        kind="tasks",
        detail=lambda n: _("筛选:%(filters)s;%(count)d 项任务") % {"filters": words, "count": n},
    )


# --- the work plan ---------------------------------------------------------------------------------------


def _month_from(request: HttpRequest) -> dt.date:
    try:
        return selectors.parse_month(request.GET.get("month", ""))
    except ValueError:
        return today().replace(day=1)


@login_required
@require_GET
def zone_plan(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = scope.get_visible_or_404(request.user, Zone.objects.select_related("organisation"), pk=zone_id)
    plan = selectors.plan_month(user=request.user, zone=zone, month=_month_from(request))
    return render(
        request,
        "zones/work_zone_plan.html",
        {
            "zone": zone,
            "plan": plan,
            "tab": "plan",
            "can_edit": scope.can(request.user, scope.CHANGE, zone),
        },
    )


def _plan_form_page(request: HttpRequest, zone: Zone, entry: WorkPlanEntry | None) -> HttpResponse:
    if request.method == "POST":
        form = PlanEntryForm(request.POST, user=request.user, zone=zone, entry=entry)
        if form.is_valid():
            try:
                if entry is None:
                    services.plan_entry_create(actor=request.user, zone=zone, **form.service_fields())
                else:
                    services.plan_entry_update(actor=request.user, entry=entry, fields=form.service_fields())
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, _("已保存工作运行表。"))
                return redirect("zones:zone_plan", zone_id=zone.pk)
    else:
        form = PlanEntryForm(user=request.user, zone=zone, entry=entry)
    return render(request, "zones/work_plan_form.html", {"form": form, "zone": zone, "entry": entry})


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_create(request: HttpRequest, zone_id: int) -> HttpResponse:
    zone = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Zone.objects.select_related("organisation"), pk=zone_id
    )
    return _plan_form_page(request, zone, None)


def _changeable_entry(request: HttpRequest, pk: int) -> WorkPlanEntry:
    return scope.get_for_action_or_404(
        request.user, scope.CHANGE, WorkPlanEntry.objects.select_related("zone__organisation"), pk=pk
    )


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_edit(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _changeable_entry(request, pk)
    return _plan_form_page(request, entry.zone, entry)


@login_required
@require_http_methods(["GET", "POST"])
def plan_entry_delete(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _changeable_entry(request, pk)
    if request.method == "POST":
        services.plan_entry_delete(actor=request.user, entry=entry)
        messages.success(request, _("已从工作运行表删除“%(title)s”。") % {"title": entry.title})
        return redirect("zones:zone_plan", zone_id=entry.zone_id)
    return render(request, "zones/work_plan_delete.html", {"entry": entry, "zone": entry.zone})


# --- activities ------------------------------------------------------------------------------------------


def activity_filters_from(request: HttpRequest):
    form = ActivityFilterForm(request.GET or None, user=request.user)
    filters = selectors.ActivityFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.ActivityFilters(
            organisation=data["organisation"],
            held_from=data["held_from"],
            held_to=data["held_to"],
            q=data["q"],
        )
    return form, filters


@login_required
@require_GET
def activity_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    form, filters = activity_filters_from(request)
    page = _page(request, selectors.activity_list(user=request.user, filters=filters))
    context = {"form": form, "page": page, "can_create": _may_create(request.user)}
    if request.headers.get("HX-Request"):
        return render(request, "zones/work_activity_rows.html", context)
    return render(request, "zones/work_activity_list.html", context)


@login_required
@require_GET
def activity_detail(request: HttpRequest, pk: int) -> HttpResponse:
    activity = selectors.activity_detail(user=request.user, pk=pk)
    return render(
        request,
        "zones/work_activity_detail.html",
        {"activity": activity, "can_edit": scope.can(request.user, scope.CHANGE, activity)},
    )


def _activity_form_page(request: HttpRequest, activity: Activity | None) -> HttpResponse:
    if request.method == "POST":
        form = ActivityForm(request.POST, user=request.user, activity=activity)
        if form.is_valid():
            try:
                if activity is None:
                    saved = services.activity_create(
                        actor=request.user, participants=form.participations(), **form.service_fields()
                    )
                else:
                    saved = services.activity_update(
                        actor=request.user,
                        activity=activity,
                        fields=form.service_fields(),
                        participants=form.participations(),
                    )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, _("已保存活动“%(title)s”。") % {"title": saved.title})
                return redirect("zones:activity_detail", pk=saved.pk)
    else:
        initial = {k: request.GET.get(k) for k in ("organisation", "zone") if request.GET.get(k)}
        form = ActivityForm(initial=initial or None, user=request.user, activity=activity)
    return render(request, "zones/work_activity_form.html", {"form": form, "activity": activity})


@login_required
@require_http_methods(["GET", "POST"])
def activity_create(request: HttpRequest) -> HttpResponse:
    if not _may_create(request.user):
        raise PermissionDenied
    return _activity_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def activity_edit(request: HttpRequest, pk: int) -> HttpResponse:
    activity = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Activity.objects.select_related("organisation", "zone"), pk=pk
    )
    return _activity_form_page(request, activity)


@login_required
@require_GET
def activity_export(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    download = _htmx_download(request)
    if download is not None:
        return download
    form, filters = activity_filters_from(request)
    export = ListExport(
        title=_("活动记录"),
        columns=[
            ListColumn(_("活动日期"), "held_on", width=12),
            ListColumn(_("活动名称"), "title", width=30),
            ListColumn(_("组织单位"), "organisation.name", width=24),
            ListColumn(_("责任区"), lambda a: a.zone.name if a.zone_id else "", width=24),
            ListColumn(_("参加人数"), "participant_count"),
            ListColumn(_("总时长(小时)"), "total_hours"),
            ListColumn(_("活动记录"), "record", width=50),
        ],
        queryset=selectors.activity_list(user=request.user, filters=filters),
    )
    words = _describe(form)
    return list_export_response(
        request,
        export,
        kind="activities",
        detail=lambda n: _("筛选:%(filters)s;%(count)d 项活动") % {"filters": words, "count": n},
    )
