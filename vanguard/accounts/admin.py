from django.contrib import admin
from django.contrib.auth.admin import UserAdmin as DjangoUserAdmin
from django.utils.translation import gettext as _

from vanguard.audit import services as audit
from vanguard.audit.admin_mixins import AuditedAdminMixin
from vanguard.audit.models import Action

from .models import RoleAssignment, User


@admin.register(User)
class UserAdmin(AuditedAdminMixin, DjangoUserAdmin):
    fieldsets = (*DjangoUserAdmin.fieldsets, ("Vanguard", {"fields": ("display_name",)}))
    list_display = ("username", "display_name", "is_active", "is_staff", "last_login")

    def user_change_password(self, request, id, form_url=""):
        response = super().user_change_password(request, id, form_url)
        if request.method == "POST" and response.status_code == 302:
            user = User.objects.get(pk=id)
            audit.record(
                action=Action.UPDATE,
                user=request.user,
                obj=user,
                request=request,
                detail=_("管理后台:重设密码"),
            )
        return response


@admin.register(RoleAssignment)
class RoleAssignmentAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("user", "role", "organisation", "cell")
    list_filter = ("role",)
    list_select_related = ("user", "organisation", "cell")
    autocomplete_fields = ("user", "organisation", "cell")
