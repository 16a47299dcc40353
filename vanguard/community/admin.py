from __future__ import annotations

from django.contrib import admin

from vanguard.audit.admin_mixins import AuditedAdminMixin

from .models import Registration


@admin.register(Registration)
class RegistrationAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only (deletions audited): a registration is submitted by the member and confirmed by the
    community through the services, where the state machine and who-may-confirm live."""

    list_display = ("member", "community", "status", "submitted_at", "confirmed_at", "confirmed_by")
    list_filter = ("status",)
    search_fields = ("member__person__name", "member__person__name_pinyin", "community__name")
    list_select_related = ("member__person", "community", "confirmed_by")

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
