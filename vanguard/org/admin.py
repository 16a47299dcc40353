from __future__ import annotations

from django.contrib import admin, messages
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.http import HttpResponse, HttpResponseBadRequest
from treebeard.admin import TreeAdmin
from treebeard.forms import MoveNodeForm, movenodeform_factory

from vanguard.audit.admin_mixins import AuditedAdminMixin

from . import services
from .models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode


def _parent_of(node: TreeNode) -> TreeNode | None:
    if node.depth <= 1:
        return None
    return type(node).objects.get(path=node.path[: -node.steplen])


class NodeAdminForm(MoveNodeForm):
    """treebeard's form, validated against the parent the node will have after saving (the kind rules
    and unique sibling names of TreeNode.clean), not the one it has now."""

    def clean(self):
        cleaned = super().clean()
        reference = cleaned.get("treebeard_ref_node")
        position = cleaned.get("treebeard_position")
        if reference is None:
            parent = None
        elif position in ("first-child", "last-child", "sorted-child"):
            parent = reference
        else:
            parent = _parent_of(reference)
        self.instance._new_parent = parent
        return cleaned


class NodeAdmin(AuditedAdminMixin, TreeAdmin):
    """Drag-and-drop moves in the change list go through the org services, which check the kind rules and
    the user's scope and record the move in the audit trail."""

    move_service = None

    def move_node(self, request):
        try:
            node = self.model.objects.get(pk=request.POST.get("node"))
            target = self.model.objects.get(pk=request.POST.get("target"))
        except (self.model.DoesNotExist, ValueError, TypeError):
            return HttpResponseBadRequest("Invalid form data provided")
        new_parent = target if request.POST.get("relation") == "child" else _parent_of(target)
        try:
            with transaction.atomic():
                type(self).move_service(actor=request.user, node=node, new_parent=new_parent)
        except PermissionDenied:
            raise
        except ValidationError as exc:
            messages.error(request, "; ".join(exc.messages))
            return HttpResponseBadRequest("Invalid move")
        return HttpResponse("OK")


@admin.register(Organisation)
class OrganisationAdmin(NodeAdmin):
    form = movenodeform_factory(Organisation, form=NodeAdminForm)
    list_display = ("name", "kind")
    search_fields = ("name",)
    move_service = services.organisation_move


@admin.register(Cell)
class CellAdmin(NodeAdmin):
    form = movenodeform_factory(Cell, form=NodeAdminForm)
    list_display = ("name", "kind", "community_type")
    search_fields = ("name",)
    move_service = services.cell_move


@admin.register(Person)
class PersonAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("name", "gender", "occupation", "workplace", "residence")
    search_fields = ("name", "name_pinyin", "name_initials", "=mobile")
    list_select_related = ("workplace", "residence")
    autocomplete_fields = ("workplace", "residence", "user")
    filter_horizontal = ("strengths",)


@admin.register(Member)
class MemberAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("person", "organisation", "status", "category", "join_date")
    list_filter = ("status", "category")
    search_fields = ("person__name", "person__name_pinyin", "person__name_initials")
    list_select_related = ("person", "organisation")
    autocomplete_fields = ("person", "organisation")


@admin.register(Activist)
class ActivistAdmin(AuditedAdminMixin, admin.ModelAdmin):
    list_display = ("person", "organisation", "stage", "applied_on")
    list_filter = ("stage",)
    search_fields = ("person__name",)
    list_select_related = ("person", "organisation")
    autocomplete_fields = ("person", "organisation")


@admin.register(Strength)
class StrengthAdmin(AuditedAdminMixin, admin.ModelAdmin):
    search_fields = ("name",)
