from __future__ import annotations

from django.contrib import admin

from vanguard.audit.admin_mixins import AuditedAdminMixin

from .models import MonthlyReport


@admin.register(MonthlyReport)
class MonthlyReportAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only (and deletable, audited): a report is written and reviewed on the pages and through the
    API, where its state machine and the member-writes-their-own rule live; the admin would bypass both."""

    list_display = ("member", "month", "status", "zone", "submitted_at", "reviewed_by")
    list_filter = ("status", "month")
    search_fields = ("member__person__name", "member__person__name_pinyin", "member__person__name_initials")
    list_select_related = ("member__person", "zone", "reviewed_by")
    date_hierarchy = "month"

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
