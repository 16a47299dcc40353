from __future__ import annotations

from django.contrib import admin

from vanguard.audit.admin_mixins import AuditedAdminMixin

from .models import ServiceRequest


@admin.register(ServiceRequest)
class ServiceRequestAdmin(AuditedAdminMixin, admin.ModelAdmin):
    """Read-only (deletions audited): a request moves through the services, where routing, deadlines and
    who-may-act live."""

    list_display = ("tracking_code", "kind", "category", "status", "community", "member", "deadline")
    list_filter = ("status", "kind", "category", "urgency", "escalation")
    search_fields = ("tracking_code", "description")
    list_select_related = ("community", "member__person")
    exclude = ("client",)

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False
