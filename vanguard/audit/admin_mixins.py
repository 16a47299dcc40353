"""Django admin writes straight to the models, past the services that record every change: this mixin
records them the same way, so a change made in the admin is as visible in the trail as one made on a page."""

from __future__ import annotations

from django.utils.translation import gettext as _

from . import services as audit


def _detail() -> str:
    return _("管理后台")


class AuditedAdminMixin:
    def save_form(self, request, form, change):
        # Before the form writes anything (treebeard's node form moves the node inside save_form).
        if change and form.instance.pk:
            stored = type(form.instance)._default_manager.filter(pk=form.instance.pk).first()
            request._audit_before = audit.snapshot(stored) if stored is not None else None
        return super().save_form(request, form, change)

    def save_model(self, request, obj, form, change) -> None:
        before = getattr(request, "_audit_before", None) if change else None
        super().save_model(request, obj, form, change)
        audit.record_save(user=request.user, obj=obj, before=before, request=request, detail=_detail())

    def delete_model(self, request, obj) -> None:
        audit.record_delete(user=request.user, obj=obj, request=request, detail=_detail())
        super().delete_model(request, obj)

    def delete_queryset(self, request, queryset) -> None:
        for obj in queryset:
            audit.record_delete(user=request.user, obj=obj, request=request, detail=_detail())
        super().delete_queryset(request, queryset)
