"""The assessment in Django admin: read-only views for support staff. Schemes, rounds and scores are
written on their pages and through the API, where the rules, the scope and the audit trail apply."""

from __future__ import annotations

from django.contrib import admin

from .models import Round, Scheme


class ReadOnlyAdmin(admin.ModelAdmin):
    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False


@admin.register(Scheme)
class SchemeAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "target_kind", "period")


@admin.register(Round)
class RoundAdmin(ReadOnlyAdmin):
    list_display = ("name", "organisation", "status", "period_start", "period_end")
    list_filter = ("status",)
