"""Pages of zones, their roles, the responsibilities of an organisation and copying a year's zones.
(Coverage has its pages in views_coverage.py; tasks and work plans theirs in work_views.py.)"""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.dataio.views_export import describe_filters, list_export_response
from vanguard.org.models import Cell, Organisation

from . import selectors, services
from .exports import zone_list_export
from .forms import (
    CopyYearForm,
    ResponsibilityForm,
    ZoneFilterForm,
    ZoneForm,
    ZoneRoleForm,
    holding_organisations,
)
from .models import Responsibility, Zone, ZoneRole

_FILTER_KEYS = {"q", "organisation", "year", "kind"}


def _require_role(request: HttpRequest) -> None:
    if not scope.has_any_role(request.user):
        raise PermissionDenied


def _apply_errors(exc: ValidationError, form) -> None:
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _error_text(exc: ValidationError) -> str:
    return ";".join(exc.messages)


def zone_filters_from(request: HttpRequest) -> tuple[ZoneFilterForm, selectors.ZoneFilters]:
    # Bound only when a filter was given: a first visit (or a bare ?page=) shows this year's zones.
    data = request.GET if _FILTER_KEYS & set(request.GET) else None
    form = ZoneFilterForm(data, user=request.user)
    return form, form.filters()


@login_required
@require_GET
def zone_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    form, filters = zone_filters_from(request)
    zones = selectors.zone_list(user=request.user, filters=filters)
    page = Paginator(zones, 50).get_page(request.GET.get("page"))
    template = "zones/_zone_rows.html" if request.headers.get("HX-Request") else "zones/zone_list.html"
    return render(
        request,
        template,
        {
            "form": form,
            "page": page,
            "organisation": filters.organisation,
            "year": filters.year or selectors.this_year(),
            "can_create": holding_organisations(request.user).exists(),
        },
    )


@login_required
@require_GET
def zone_export(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    if request.headers.get("HX-Request"):
        # The export link asks through htmx with the filters as they are now; the browser then downloads
        # from the same address (see dataio.views_export).
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    form, filters = zone_filters_from(request)
    export = zone_list_export(user=request.user, filters=filters)
    filters_text = describe_filters(form) if form.is_bound else _("%(year)d年度") % {"year": filters.year}

    def detail(count: int) -> str:
        return _("筛选:%(filters)s;%(count)d 个责任区") % {"filters": filters_text, "count": count}

    return list_export_response(request, export, kind="zones", detail=detail)


@login_required
@require_GET
def zone_detail(request: HttpRequest, pk: int) -> HttpResponse:
    zone = selectors.zone_detail(user=request.user, pk=pk)
    can_edit = scope.can(request.user, scope.CHANGE, zone)
    return render(
        request,
        "zones/zone_detail.html",
        {
            "zone": zone,
            "cells": selectors.zone_cells_named(zone),
            "roles": zone.role_list,
            "can_edit": can_edit,
            "role_form": ZoneRoleForm(user=request.user, zone=zone) if can_edit else None,
            "can_see_coverage": scope.can(request.user, scope.VIEW, zone.organisation),
        },
    )


def _zone_form_page(request: HttpRequest, organisation: Organisation, zone: Zone | None) -> HttpResponse:
    if request.method == "POST":
        form = ZoneForm(request.POST, instance=zone, organisation=organisation)
        if form.is_valid():
            data = form.cleaned_data
            fields = {key: data[key] for key in services.ZONE_FIELDS}
            try:
                if zone is None:
                    saved = services.zone_create(
                        actor=request.user, organisation=organisation, cells=data["cells"], **fields
                    )
                else:
                    saved = services.zone_update(
                        actor=request.user, zone=zone, fields=fields, cells=data["cells"]
                    )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, _("已保存责任区“%(name)s”。") % {"name": saved.name})
                return redirect("zones:zone_detail", pk=saved.pk)
    else:
        form = ZoneForm(instance=zone, organisation=organisation)
    return render(request, "zones/zone_form.html", {"form": form, "zone": zone, "organisation": organisation})


def _labelled(organisations) -> list[tuple[Organisation, str]]:
    """Branches by name, groups as “branch/group”: every fleet's group of a bus company has the same name."""
    organisations = list(organisations)
    step = Organisation.steplen
    groups = [o for o in organisations if o.kind == Organisation.Kind.GROUP]
    names = dict(
        Organisation.objects.filter(path__in={g.path[:-step] for g in groups}).values_list("path", "name")
    )
    labels = {g.pk: f"{names.get(g.path[:-step], '?')}/{g.name}" for g in groups}
    return [(o, labels.get(o.pk, o.name)) for o in organisations]


@login_required
@require_http_methods(["GET", "POST"])
def zone_create(request: HttpRequest) -> HttpResponse:
    choices = holding_organisations(request.user)
    if not choices.exists():
        raise PermissionDenied
    organisation = None
    raw = request.GET.get("organisation", "")
    if raw.isdigit() and len(raw) <= 18:
        organisation = choices.filter(pk=int(raw)).first()
    if organisation is None and choices.count() == 1:
        organisation = choices.first()
    if organisation is None:
        # First the branch or group the zone belongs to: its responsibilities decide the cells to offer.
        return render(request, "zones/zone_form.html", {"choices": _labelled(choices), "organisation": None})
    return _zone_form_page(request, organisation, None)


@login_required
@require_http_methods(["GET", "POST"])
def zone_edit(request: HttpRequest, pk: int) -> HttpResponse:
    zone = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Zone.objects.select_related("organisation"), pk=pk
    )
    return _zone_form_page(request, zone.organisation, zone)


@login_required
@require_POST
def zone_delete(request: HttpRequest, pk: int) -> HttpResponse:
    zone = scope.get_for_action_or_404(
        request.user, scope.DELETE, Zone.objects.select_related("organisation"), pk=pk
    )
    try:
        services.zone_delete(actor=request.user, zone=zone)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
        return redirect("zones:zone_detail", pk=zone.pk)
    messages.success(request, _("已删除责任区“%(name)s”。") % {"name": zone.name})
    return redirect(reverse("zones:zone_list") + "?" + urlencode({"organisation": zone.organisation_id}))


@login_required
@require_POST
def zone_role_add(request: HttpRequest, pk: int) -> HttpResponse:
    zone = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Zone.objects.select_related("organisation"), pk=pk
    )
    form = ZoneRoleForm(request.POST, user=request.user, zone=zone)
    if not form.is_valid():
        messages.error(request, ";".join(e for errors in form.errors.values() for e in errors))
        return redirect("zones:zone_detail", pk=zone.pk)
    try:
        role = services.zone_role_add(
            actor=request.user, zone=zone, kind=form.cleaned_data["kind"], person=form.cleaned_data["person"]
        )
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(
            request, _("%(person)s已任%(kind)s。") % {"person": role.person.name, "kind": role.kind.name}
        )
    return redirect("zones:zone_detail", pk=zone.pk)


@login_required
@require_POST
def zone_role_remove(request: HttpRequest, pk: int) -> HttpResponse:
    role = scope.get_for_action_or_404(
        request.user,
        scope.DELETE,
        ZoneRole.objects.select_related("zone__organisation", "person", "kind"),
        pk=pk,
    )
    services.zone_role_remove(actor=request.user, role=role)
    messages.success(
        request, _("%(person)s不再任%(kind)s。") % {"person": role.person.name, "kind": role.kind.name}
    )
    return redirect("zones:zone_detail", pk=role.zone_id)


@login_required
@require_http_methods(["GET", "POST"])
def zone_copy_year(request: HttpRequest) -> HttpResponse:
    if not scope.editable_organisations(request.user, Organisation.objects.all()).exists():
        raise PermissionDenied
    if request.method == "POST":
        form = CopyYearForm(request.POST, user=request.user)
        if form.is_valid():
            data = form.cleaned_data
            try:
                result = services.zones_copy_year(
                    actor=request.user,
                    organisation=data["organisation"],
                    from_year=data["from_year"],
                    to_year=data["to_year"],
                )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                text = _("已沿用%(n)d个责任区") % {"n": len(result.copied)}
                if result.skipped:
                    text += _(";%(n)d个在新年度已有同名责任区,未沿用") % {"n": len(result.skipped)}
                if result.dropped_cells:
                    text += _(";%(n)d个网格已不在责任范围内,未沿用") % {"n": result.dropped_cells}
                messages.success(request, text + _("。请按新年度的分工调整。"))
                query = urlencode({"organisation": data["organisation"].pk, "year": data["to_year"]})
                return redirect(reverse("zones:zone_list") + "?" + query)
    else:
        initial = {}
        raw = request.GET.get("organisation", "")
        if raw.isdigit() and len(raw) <= 18:
            initial["organisation"] = int(raw)
        form = CopyYearForm(initial=initial, user=request.user)
    return render(request, "zones/zone_copy_year.html", {"form": form})


# --- responsibilities -------------------------------------------------------------------------------------


_DATALIST_KINDS = [
    Cell.Kind.UNIT,
    Cell.Kind.COMPANY,
    Cell.Kind.SUBSIDIARY,
    Cell.Kind.DEPARTMENT,
    Cell.Kind.STREET,
    Cell.Kind.COMMUNITY,
]


def _cell_path_suggestions() -> list[str]:
    """The paths a person most often types: companies and their branches, streets and communities."""
    cells = list(Cell.objects.filter(kind__in=_DATALIST_KINDS).order_by("path")[:1000])
    names = selectors.full_names([c.path for c in cells], {c.path: c.name for c in cells})
    return [names[c.path] for c in cells]


@login_required
@require_http_methods(["GET", "POST"])
def responsibility_list(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = scope.get_visible_or_404(request.user, Organisation.objects.all(), pk=pk)
    may_edit = holding_organisations(request.user).filter(organisation.subtree_q()).exists()
    form = None
    if may_edit:
        if request.method == "POST":
            form = ResponsibilityForm(request.POST, user=request.user, organisation=organisation)
            if form.is_valid():
                try:
                    services.responsibility_create(
                        actor=request.user,
                        organisation=form.cleaned_data["organisation"],
                        cell=form.cleaned_data["cell"],
                    )
                except ValidationError as exc:
                    _apply_errors(exc, form)
                else:
                    messages.success(request, _("已添加责任网格。"))
                    return redirect("zones:responsibility_list", pk=organisation.pk)
        else:
            form = ResponsibilityForm(user=request.user, organisation=organisation)
    elif request.method == "POST":
        raise PermissionDenied
    rows = selectors.responsibility_list(user=request.user, organisation=organisation)
    page = Paginator(rows, 50).get_page(request.GET.get("page"))
    names = selectors.full_names([r.cell.path for r in page], {r.cell.path: r.cell.name for r in page})
    return render(
        request,
        "zones/responsibility_list.html",
        {
            "organisation": organisation,
            "page": page,
            "rows": [(r, names[r.cell.path], scope.can(request.user, scope.DELETE, r)) for r in page],
            "form": form,
            "suggestions": _cell_path_suggestions() if form is not None else [],
        },
    )


@login_required
@require_POST
def responsibility_delete(request: HttpRequest, pk: int) -> HttpResponse:
    responsibility = scope.get_for_action_or_404(
        request.user,
        scope.DELETE,
        Responsibility.objects.select_related("organisation", "cell"),
        pk=pk,
    )
    back = request.POST.get("back", "")
    target = int(back) if back.isdigit() and len(back) <= 18 else responsibility.organisation_id
    try:
        services.responsibility_delete(actor=request.user, responsibility=responsibility)
    except ValidationError as exc:
        messages.error(request, _error_text(exc))
    else:
        messages.success(request, _("已删除责任网格“%(cell)s”。") % {"cell": responsibility.cell.name})
    return redirect("zones:responsibility_list", pk=target)
