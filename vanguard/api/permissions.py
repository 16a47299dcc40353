"""Permission classes: thin wrappers over the scoping module (vanguard.accounts.scope), which alone decides
who sees and changes what."""

from __future__ import annotations

from django.utils.translation import gettext_lazy as _
from rest_framework import permissions

from vanguard.accounts import scope


class HasBusinessRole(permissions.BasePermission):
    """The caller holds a role that reads business data: not an auditor alone, not a login with no role."""

    message = _("您的账户没有可以查看业务数据的角色。")

    def has_permission(self, request, view) -> bool:
        return scope.has_any_role(request.user)


class ChangeInScope(permissions.BasePermission):
    """Reads need only sight of the object (the queryset is already scoped, so anything else is a 404);
    writes need `scope.can(user, "change", obj)`. A supervisor reads a member and gets 403 on a PATCH."""

    message = _("您可以查看该对象,但无权修改。")

    def has_object_permission(self, request, view, obj) -> bool:
        if request.method in permissions.SAFE_METHODS:
            return True
        return scope.can(request.user, scope.CHANGE, obj)
