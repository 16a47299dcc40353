"""The contacts pages: a member's own contacts (on a phone), the branch's two lists (below two contacts;
not talked with this month) with their Excel exports, a member's contacts for the secretary, and each
contact's log of talks and visits."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts import scope
from vanguard.dataio.views_export import describe_filters, list_export_response
from vanguard.org.validators import today

from . import exports, selectors, services
from .forms import (
    AssignmentEditForm,
    AssignmentForm,
    BelowTwoFilterForm,
    NotVisitedFilterForm,
    TalkForm,
    YearForm,
)
from .models import ContactAssignment, Talk

PAGE_SIZE = 50


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _apply_errors(exc: ValidationError, form) -> None:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}
    for field, messages_ in errors.items():
        for message in messages_:
            form.add_error(field if field in form.fields else None, message)


def _require_overseer(request: HttpRequest) -> None:
    if not selectors.oversees_contacts(request.user):
        raise PermissionDenied


def _member_or_404(request: HttpRequest, pk: int):
    return get_object_or_404(
        selectors.managed_members(request.user).select_related("person", "organisation"), pk=pk
    )


def _htmx_download(request: HttpRequest) -> HttpResponse | None:
    # The export link asks through htmx with the filter form's current values; htmx is told to go to the
    # same address, and the browser downloads the file (see dataio.views_export).
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


# --- the entry and the member's own page ----------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    """The menu's 联系群众: the branch's lists for those who oversee, the own contacts for a member."""
    if selectors.oversees_contacts(request.user):
        return redirect("contacts:below_two")
    if selectors.own_member(request.user) is not None:
        return redirect("contacts:mine")
    raise PermissionDenied


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(request.user)
    year_form = YearForm(request.GET or None)
    year = year_form.selected()
    page, may_log = None, False
    if member is not None:
        page = _page(request, selectors.member_contacts(user=request.user, member=member, year=year))
        # The same member on every row: one answer for all.
        may_log = selectors.may_log_talk(request.user, ContactAssignment(member=member))
    return render(
        request,
        "contacts/mine.html",
        {
            "member": member,
            "page": page,
            "may_log": may_log,
            "year": year,
            "today": today(),
            "talk_kinds": Talk.Kind.choices,
            "low": selectors.LOW,
        },
    )


# --- the branch's two lists -----------------------------------------------------------------------------


def _below_two(request: HttpRequest):
    form = BelowTwoFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    return form, filters, selectors.members_below_two(user=request.user, **filters)


@login_required
@require_GET
def below_two(request: HttpRequest) -> HttpResponse:
    _require_overseer(request)
    form, filters, members = _below_two(request)
    page = _page(request, members)
    for member in page:
        member.may_manage = selectors.may_manage(request.user, member)
    htmx = request.headers.get("HX-Request")
    template = "contacts/_below_two_rows.html" if htmx else "contacts/below_two.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "year": filters["year"], "own": selectors.own_member(request.user)},
    )


@login_required
@require_GET
def below_two_export(request: HttpRequest) -> HttpResponse:
    _require_overseer(request)
    download = _htmx_download(request)
    if download is not None:
        return download
    form, filters, members = _below_two(request)
    export = exports.below_two_export(members, year=filters["year"])
    text = describe_filters(form)
    return list_export_response(
        request,
        export,
        kind="contacts-below-two",
        detail=lambda n: (
            _("筛选:%(filters)s;%(year)d年联系对象不足两人的党员 %(n)d 名")
            % {"filters": text, "year": filters["year"], "n": n}
        ),
    )


def _not_visited(request: HttpRequest):
    form = NotVisitedFilterForm(request.GET or None, user=request.user)
    filters = form.filters()
    return form, filters, selectors.contacts_not_visited(user=request.user, **filters)


@login_required
@require_GET
def not_visited(request: HttpRequest) -> HttpResponse:
    _require_overseer(request)
    form, filters, assignments = _not_visited(request)
    page = _page(request, assignments)
    for assignment in page:
        assignment.may_log = selectors.may_log_talk(request.user, assignment)
    htmx = request.headers.get("HX-Request")
    template = "contacts/_not_visited_rows.html" if htmx else "contacts/not_visited.html"
    return render(
        request,
        template,
        {"form": form, "page": page, "month": filters["month"], "own": selectors.own_member(request.user)},
    )


@login_required
@require_GET
def not_visited_export(request: HttpRequest) -> HttpResponse:
    _require_overseer(request)
    download = _htmx_download(request)
    if download is not None:
        return download
    form, filters, assignments = _not_visited(request)
    export = exports.not_visited_export(assignments, month=filters["month"])
    text = describe_filters(form)
    return list_export_response(
        request,
        export,
        kind="contacts-not-visited",
        detail=lambda n: (
            _("筛选:%(filters)s;%(month)s未谈心走访的联系对象 %(n)d 名")
            % {"filters": text, "month": filters["month"].strftime("%Y-%m"), "n": n}
        ),
    )


# --- one member's contacts ------------------------------------------------------------------------------


@login_required
@require_GET
def member_contacts(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    year = YearForm(request.GET or None).selected()
    page = _page(request, selectors.member_contacts(user=request.user, member=member, year=year))
    return render(
        request,
        "contacts/member_contacts.html",
        {
            "member": member,
            "page": page,
            "year": year,
            "may_manage": selectors.may_manage(request.user, member),
            "may_log": selectors.may_log_talk(request.user, ContactAssignment(member=member)),
            "low": selectors.LOW,
            "high": selectors.HIGH,
            "editable_year": year >= today().year,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def assignment_create(request: HttpRequest, pk: int) -> HttpResponse:
    member = _member_or_404(request, pk)
    if not selectors.may_manage(request.user, member):
        raise PermissionDenied
    form = AssignmentForm(request.POST or None, user=request.user, member=member)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        new_person = None
        if data["person"] is None:
            new_person = services.NewPerson(
                name=data["name"], mobile=data["mobile"], residence=data["residence"]
            )
        try:
            assignment = services.assignment_create(
                actor=request.user,
                member=member,
                person=data["person"],
                new_person=new_person,
                kind=data["kind"],
                year=data["year"],
                assigned_on=data["assigned_on"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已确定%(person)s为%(member)s%(year)d年的联系对象。")
                % {"person": assignment.person.name, "member": member.person.name, "year": assignment.year},
            )
            count = selectors.contact_count(member=member, year=assignment.year)
            if count > selectors.HIGH:
                messages.warning(request, _over_high(member, assignment.year, count))
            return redirect(f"{_member_url(member)}?year={assignment.year}")
    # The year chosen, once it is a valid one; else this year.
    year = (getattr(form, "cleaned_data", None) or {}).get("year") or today().year
    count = selectors.contact_count(member=member, year=year)
    return render(
        request,
        "contacts/assignment_form.html",
        {
            "form": form,
            "member": member,
            "count": count,
            "warn": _over_high(member, year, count + 1) if count >= selectors.HIGH else "",
        },
    )


def _over_high(member, year: int, count: int) -> str:
    return _(
        "%(member)s%(year)d年已有%(count)d名联系对象。制度要求每名党员每年联系二至三人,"
        "联系对象过多难以做到每月谈心,请确认确有必要。"
    ) % {"member": member.person.name, "year": year, "count": count}


def _member_url(member) -> str:
    return reverse("contacts:member_contacts", args=[member.pk])


def _managed_assignment(request: HttpRequest, pk: int) -> ContactAssignment:
    assignment = selectors.assignment_detail(user=request.user, pk=pk)
    if not selectors.may_manage(request.user, assignment.member):
        raise PermissionDenied
    return assignment


@login_required
@require_http_methods(["GET", "POST"])
def assignment_edit(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    initial = {"kind": assignment.kind, "assigned_on": assignment.assigned_on, "notes": assignment.notes}
    form = AssignmentEditForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.assignment_update(actor=request.user, assignment=assignment, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("contacts:assignment_detail", pk=assignment.pk)
    return render(request, "contacts/assignment_edit.html", {"form": form, "assignment": assignment})


@login_required
@require_http_methods(["GET", "POST"])
def assignment_delete(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = _managed_assignment(request, pk)
    talk_count = assignment.talks.count()
    if request.method == "POST":
        try:
            services.assignment_delete(actor=request.user, assignment=assignment)
        except ValidationError as exc:
            messages.error(request, " ".join(exc.messages))
            return redirect("contacts:assignment_detail", pk=assignment.pk)
        messages.success(
            request,
            _("已取消%(person)s作为%(member)s联系对象的安排。")
            % {"person": assignment.person.name, "member": assignment.member.person.name},
        )
        return redirect(f"{_member_url(assignment.member)}?year={assignment.year}")
    return render(
        request, "contacts/assignment_delete.html", {"assignment": assignment, "talk_count": talk_count}
    )


# --- a contact's talks ----------------------------------------------------------------------------------


@login_required
@require_GET
def assignment_detail(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_detail(user=request.user, pk=pk)
    page = _page(request, selectors.talk_list(user=request.user, assignment=assignment))
    may_log = selectors.may_log_talk(request.user, assignment)
    return render(
        request,
        "contacts/assignment_detail.html",
        {
            "assignment": assignment,
            "page": page,
            "may_log": may_log,
            "may_manage": selectors.may_manage(request.user, assignment.member),
            "form": TalkForm() if may_log else None,
        },
    )


def _talk_fields(form: TalkForm) -> dict:
    return {k: form.cleaned_data[k] for k in ("held_on", "kind", "content", "problems", "follow_up")}


@login_required
@require_http_methods(["GET", "POST"])
def talk_create(request: HttpRequest, pk: int) -> HttpResponse:
    assignment = selectors.assignment_detail(user=request.user, pk=pk)
    if not selectors.may_log_talk(request.user, assignment):
        raise PermissionDenied
    form = TalkForm(request.POST or None)
    back_to_mine = request.POST.get("next") == "mine" or request.GET.get("next") == "mine"
    if request.method == "POST" and form.is_valid():
        try:
            talk = services.talk_create(actor=request.user, assignment=assignment, **_talk_fields(form))
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已记录%(date)s与%(person)s的谈心走访。")
                % {"date": talk.held_on.isoformat(), "person": assignment.person.name},
            )
            if back_to_mine:
                return redirect("contacts:mine")
            return redirect("contacts:assignment_detail", pk=assignment.pk)
    return render(
        request,
        "contacts/talk_form.html",
        {"form": form, "assignment": assignment, "talk": None, "next": "mine" if back_to_mine else ""},
    )


@login_required
@require_http_methods(["GET", "POST"])
def talk_edit(request: HttpRequest, pk: int) -> HttpResponse:
    talk = scope.get_for_action_or_404(
        request.user,
        scope.CHANGE,
        Talk.objects.select_related(
            "assignment__member__person", "assignment__member__organisation", "assignment__person"
        ),
        pk=pk,
    )
    initial = {k: getattr(talk, k) for k in ("held_on", "kind", "content", "problems", "follow_up")}
    form = TalkForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        try:
            services.talk_update(actor=request.user, talk=talk, **_talk_fields(form))
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已保存。"))
            return redirect("contacts:assignment_detail", pk=talk.assignment_id)
    return render(
        request,
        "contacts/talk_form.html",
        {"form": form, "assignment": talk.assignment, "talk": talk, "next": ""},
    )
