"""The zones app in Django admin: the list of zone roles (seed 000's six, editable here) and the
responsibilities of each organisation. Zones themselves are edited on their pages, where the
responsibility rule and the scope apply."""

from __future__ import annotations

from django import forms
from django.contrib import admin, messages
from django.core.exceptions import ValidationError

from vanguard.audit.admin_mixins import AuditedAdminMixin

from . import services
from .models import Responsibility, ZoneRoleKind


@admin.register(ZoneRoleKind)
class ZoneRoleKindAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "order", "is_lead")
    list_editable = ("order", "is_lead")
    ordering = ("order", "pk")


class ResponsibilityAdminForm(forms.ModelForm):
    class Meta:
        model = Responsibility
        fields = ["organisation", "cell"]

    def clean(self):
        cleaned = super().clean()
        organisation, cell = cleaned.get("organisation"), cleaned.get("cell")
        if organisation is not None and cell is not None and not self.instance.pk:
            conflict = services.responsibility_conflict(organisation, cell)
            if conflict:
                raise ValidationError({"cell": conflict})
        return cleaned


@admin.register(Responsibility)
class ResponsibilityAdmin(admin.ModelAdmin):
    """Added and removed through the services, which check the kind of organisation, refuse a removal that
    would leave a zone outside its branch's grid, and record both in the audit trail."""

    form = ResponsibilityAdminForm
    list_display = ("organisation", "cell")
    list_select_related = ("organisation", "cell")
    search_fields = ("organisation__name", "cell__name")
    autocomplete_fields = ("organisation", "cell")

    def get_readonly_fields(self, request, obj=None):
        # A responsibility is added or removed, never moved: change means remove and add.
        return ("organisation", "cell") if obj is not None else ()

    def save_model(self, request, obj, form, change) -> None:
        if not change:
            saved = services.responsibility_create(
                actor=request.user, organisation=obj.organisation, cell=obj.cell
            )
            obj.pk = saved.pk

    def delete_model(self, request, obj) -> None:
        try:
            services.responsibility_delete(actor=request.user, responsibility=obj)
        except ValidationError as exc:
            messages.error(request, ";".join(exc.messages))

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            self.delete_model(request, obj)


# --- a zone's work: tasks, the work plan and activities (vanguard/zones/work_services.py) ---------------
# Read-only here: the pages and the API write them through the services, which hold the task state
# machine, the scope and the hours rules and record every change; the admin only looks.
from .models import Activity, ActivityParticipant, Task, WorkPlanEntry  # noqa: E402


class _ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request, obj=None) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Task)
class TaskAdmin(_ReadOnlyAdmin):
    list_display = ("title", "category", "zone", "member", "due_date", "status", "done_on")
    list_filter = ("category", "status")
    list_select_related = ("zone", "member__person")
    search_fields = ("title", "zone__name", "member__person__name")


@admin.register(WorkPlanEntry)
class WorkPlanEntryAdmin(_ReadOnlyAdmin):
    list_display = ("title", "zone", "recurrence", "starts_on", "ends_on", "person")
    list_filter = ("recurrence",)
    list_select_related = ("zone", "person")
    search_fields = ("title", "zone__name")


class ActivityParticipantInline(admin.TabularInline):
    model = ActivityParticipant
    fields = ("person", "hours")
    readonly_fields = ("person", "hours")
    extra = 0
    can_delete = False

    def has_add_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Activity)
class ActivityAdmin(_ReadOnlyAdmin):
    list_display = ("title", "held_on", "organisation", "zone")
    list_select_related = ("organisation", "zone")
    search_fields = ("title",)
    date_hierarchy = "held_on"
    inlines = [ActivityParticipantInline]
