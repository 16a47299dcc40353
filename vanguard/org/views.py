from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts import scope
from vanguard.audit import services as audit

from . import selectors, services
from .forms import MemberFilterForm, MemberForm, PersonForm
from .models import Cell, Member, Organisation, Person


def _require_role(request: HttpRequest) -> None:
    if not scope.has_any_role(request.user):
        raise PermissionDenied


def member_filters_from(request: HttpRequest) -> tuple[MemberFilterForm, selectors.MemberFilters]:
    form = MemberFilterForm(
        request.GET or None, user=request.user, occupations=selectors.occupations(user=request.user)
    )
    filters = selectors.MemberFilters()
    if form.is_valid():
        data = form.cleaned_data
        filters = selectors.MemberFilters(
            organisation=data["organisation"],
            category=data["category"],
            status=data["status"],
            occupation=data["occupation"],
            residence=data["residence"],
            q=data["q"],
        )
    return form, filters


@login_required
@require_GET
def member_list(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    form, filters = member_filters_from(request)
    members = selectors.member_list(user=request.user, filters=filters)
    page = Paginator(members, 50).get_page(request.GET.get("page"))
    template = "org/_member_rows.html" if request.headers.get("HX-Request") else "org/member_list.html"
    can_create = scope.edits_organisations(request.user)
    return render(request, template, {"form": form, "page": page, "can_create": can_create})


@login_required
@require_GET
def member_detail(request: HttpRequest, pk: int) -> HttpResponse:
    member = selectors.member_detail(user=request.user, pk=pk)
    return render(
        request,
        "org/member_detail.html",
        {
            "member": member,
            "person": member.person,
            "can_edit": scope.can(request.user, scope.CHANGE, member),
        },
    )


def _apply_errors(exc: ValidationError, forms) -> None:
    for field, errors in exc.message_dict.items():
        target = next((f for f in forms if field in f.fields), forms[0])
        for error in errors:
            target.add_error(field if field in target.fields else None, error)


def _member_form_page(request: HttpRequest, member: Member | None) -> HttpResponse:
    person = member.person if member else Person()
    member = member or Member()
    if request.method == "POST":
        person_form = PersonForm(request.POST, instance=person, prefix="person")
        member_form = MemberForm(request.POST, instance=member, user=request.user, prefix="member")
        if person_form.is_valid() and member_form.is_valid():
            try:
                saved = services.member_save(
                    actor=request.user,
                    person=person_form.instance,
                    member=member_form.instance,
                    strengths=person_form.strengths,
                )
            except ValidationError as exc:
                _apply_errors(exc, [person_form, member_form])
            else:
                messages.success(request, _("已保存党员%(name)s的信息。") % {"name": saved.person.name})
                return redirect("org:member_detail", pk=saved.pk)
    else:
        person_form = PersonForm(instance=person, prefix="person")
        member_form = MemberForm(instance=member, user=request.user, prefix="member")
        if person.pk and (person.id_number or person.mobile):
            # The edit form shows the full identity and mobile numbers: a display the trail records.
            audit.record_reveal(user=request.user, obj=person, field="id_number,mobile", request=request)
    return render(
        request,
        "org/member_form.html",
        {"person_form": person_form, "member_form": member_form, "member": member if member.pk else None},
    )


@login_required
@require_http_methods(["GET", "POST"])
def member_edit(request: HttpRequest, pk: int) -> HttpResponse:
    member = scope.get_for_action_or_404(
        request.user, scope.CHANGE, Member.objects.select_related("person", "organisation"), pk=pk
    )
    return _member_form_page(request, member)


@login_required
@require_http_methods(["GET", "POST"])
def member_create(request: HttpRequest) -> HttpResponse:
    if not scope.editable_organisations(request.user, Organisation.objects.all()).exists():
        raise PermissionDenied
    return _member_form_page(request, None)


@login_required
@require_GET
def organisation_tree(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    roots = list(selectors.organisation_roots(user=request.user))
    rows = selectors.organisation_level(user=request.user, nodes=roots)
    return render(request, "org/organisation_tree.html", {"rows": rows})


@login_required
@require_GET
def organisation_children(request: HttpRequest, pk: int) -> HttpResponse:
    parent = scope.get_visible_or_404(request.user, Organisation.objects.all(), pk=pk)
    rows = selectors.organisation_children(user=request.user, parent=parent)
    return render(request, "org/_organisation_nodes.html", {"rows": rows})


@login_required
@require_GET
def cell_tree(request: HttpRequest) -> HttpResponse:
    _require_role(request)
    roots = list(selectors.cell_roots(user=request.user))
    rows = selectors.cell_level(user=request.user, nodes=roots)
    return render(request, "org/cell_tree.html", {"rows": rows})


@login_required
@require_GET
def cell_children(request: HttpRequest, pk: int) -> HttpResponse:
    parent = scope.get_visible_or_404(request.user, Cell.objects.all(), pk=pk)
    rows = selectors.cell_children(user=request.user, parent=parent)
    return render(request, "org/_cell_nodes.html", {"rows": rows})
