from __future__ import annotations

from django.contrib import admin

from vanguard.audit.admin_mixins import AuditedAdminMixin

from .models import ContactAssignment, Talk


@admin.register(ContactAssignment)
class ContactAssignmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    # No inline of talks: the audit mixin records the admin's own saves, not an inline formset's.
    list_display = ("member", "person", "year", "kind", "assigned_on")
    list_filter = ("year", "kind")
    search_fields = (
        "member__person__name",
        "member__person__name_pinyin",
        "person__name",
        "person__name_pinyin",
    )
    list_select_related = ("member__person", "person")
    autocomplete_fields = ("member", "person")
    date_hierarchy = "assigned_on"


@admin.register(Talk)
class TalkAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("assignment", "held_on", "kind")
    list_filter = ("kind",)
    search_fields = ("assignment__member__person__name", "assignment__person__name", "content")
    list_select_related = ("assignment__member__person", "assignment__person")
    autocomplete_fields = ("assignment",)
    date_hierarchy = "held_on"
