from django.contrib import admin

from .models import AuditRecord


@admin.register(AuditRecord)
class AuditRecordAdmin(admin.ModelAdmin):
    """Read-only: the trail is appended by the application and never edited, here or anywhere."""

    list_display = ("id", "at", "username", "address", "action", "object_type", "object_repr", "success")
    list_filter = ("action", "success")
    search_fields = ("username", "object_id", "object_repr")
    ordering = ("-id",)
    # Counting millions of rows twice per page is what the admin does by default.
    show_full_result_count = False

    def has_add_permission(self, request) -> bool:
        return False

    def has_change_permission(self, request, obj=None) -> bool:
        return False

    def has_delete_permission(self, request, obj=None) -> bool:
        return False
