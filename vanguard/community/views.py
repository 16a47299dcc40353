"""Community pages (在职党员进社区), part one: the hub, the member's registration (我的报到), the worker's
registrations to confirm or return and the paper registration form, the community's book (知人数、知职业、
知优势) with its names, and the printable three forms and file (三表一档). Posts, service records, teams and
pairings are in views_work.py.

A view checks who may do it (selectors_pages), parses a form, calls one service and redirects or renders;
an object out of the user's sight answers 404 like a missing one."""

from __future__ import annotations

import datetime as dt

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.dataio.views_export import list_export_response
from vanguard.org.validators import today

from . import exports, feedback, services
from . import selectors_pages as selectors
from .forms import (
    BookForm,
    PaperRegistrationForm,
    PeriodForm,
    QuarterForm,
    RegistrationFilterForm,
    RegistrationForm,
    ReturnForm,
)
from .models import PostClaim, Registration, Team

PAGE_SIZE = 50


def apply_errors(exc: ValidationError, form) -> None:
    """A service's ValidationError onto the form: each message under its field, or above the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def refusal(exc: ValidationError) -> str:
    return " ".join(exc.messages)


def page_of(request: HttpRequest, items) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def own_member_or_403(request: HttpRequest):
    member = selectors.own_member(request.user)
    require(member is not None)
    return member


# --- the hub ---------------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_community(user))
    member = selectors.own_member(user)
    worker = selectors.is_worker(user)
    context = {
        "member": member,
        "active": selectors.active_registration(member) if member is not None else None,
        "worker": worker,
        "branch": selectors.reads_branch(user),
        "waiting": selectors.waiting_for_worker(user) if worker else None,
    }
    return render(request, "community/index.html", context)


# --- the member's registration ---------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def my_registration(request: HttpRequest) -> HttpResponse:
    member = own_member_or_403(request)
    active = selectors.active_registration(member)
    form = None
    if active is None or request.method == "POST":
        form = RegistrationForm(request.POST or None, member=member)
    if request.method == "POST" and form.is_valid():
        try:
            registration = services.registration_submit(
                actor=request.user, member=member, **form.submit_fields()
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已向%(community)s提交报到,等待社区确认。") % {"community": registration.community.name},
            )
            return redirect("community:my_registration")
    context = {
        "member": member,
        "active": active,
        "form": form,
        "history": selectors.my_registrations(member)[:20],
    }
    return render(request, "community/my_registration.html", context)


# --- the worker's registrations --------------------------------------------------------------------------


@login_required
@require_GET
def registration_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not (selectors.is_worker(user) or selectors.reads_branch(user)):
        require(selectors.is_member(user))
        return redirect("community:my_registration")
    form = RegistrationFilterForm(request.GET or None)
    status, q = "", ""
    if form.is_bound and form.is_valid():
        status, q = form.cleaned_data["status"], form.cleaned_data["q"]
    registrations = selectors.registration_list(user=user, status=status, q=q)
    context = {"form": form, "page": page_of(request, registrations), "worker": selectors.is_worker(user)}
    template = (
        "community/_registration_rows.html"
        if request.headers.get("HX-Request")
        else "community/registration_list.html"
    )
    return render(request, template, context)


def _registration_page(
    request: HttpRequest, registration: Registration, *, return_form=None, status: int = 200
) -> HttpResponse:
    decides = registration.status == Registration.Status.SUBMITTED and selectors.works_in(
        request.user, registration.community
    )
    context = {
        "registration": registration,
        "decides": decides,
        "return_form": return_form or ReturnForm(),
        "own": selectors.is_own(request.user, registration.member),
    }
    return render(request, "community/registration_detail.html", context, status=status)


@login_required
@require_GET
def registration_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _registration_page(request, selectors.registration_detail(user=request.user, pk=pk))


@login_required
@require_POST
def registration_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_detail(user=request.user, pk=pk)
    try:
        services.registration_confirm(actor=request.user, registration=registration)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("已确认%(name)s在%(community)s报到。")
            % {"name": registration.member.person.name, "community": registration.community.name},
        )
    return redirect("community:registration_detail", pk=registration.pk)


@login_required
@require_POST
def registration_return(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_detail(user=request.user, pk=pk)
    form = ReturnForm(request.POST)
    if form.is_valid():
        try:
            services.registration_return(
                actor=request.user, registration=registration, reason=form.cleaned_data["return_reason"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已退回%(name)s的报到,党员会看到退回原因。") % {"name": registration.member.person.name},
            )
            return redirect("community:registration_detail", pk=registration.pk)
    return _registration_page(request, registration, return_form=form)


@login_required
@require_http_methods(["GET", "POST"])
def registration_paper(request: HttpRequest) -> HttpResponse:
    require(selectors.is_worker(request.user))
    form = PaperRegistrationForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        fields = form.submit_fields()
        try:
            registration = services.registration_submit(actor=request.user, **fields)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已录入%(name)s的纸质登记表,请核对后确认报到。") % {"name": fields["member"].person.name},
            )
            return redirect("community:registration_detail", pk=registration.pk)
    return render(request, "community/registration_paper.html", {"form": form})


# --- the book --------------------------------------------------------------------------------------------


def _book_cell(request: HttpRequest):
    require(selectors.is_worker(request.user))
    form = BookForm(request.GET or None, user=request.user)
    cell = form.choice()
    require(cell is not None)
    return form, cell


@login_required
@require_GET
def book(request: HttpRequest) -> HttpResponse:
    form, cell = _book_cell(request)
    return render(
        request, "community/book.html", {"form": form, "book": selectors.book(user=request.user, cell=cell)}
    )


def _an_id(text: str) -> bool:
    """Digits that fit a database id (a longer number would overflow SQLite's integer)."""
    return text.isascii() and text.isdigit() and len(text) <= 12


def _drill(request: HttpRequest, cell) -> tuple[selectors.Drill, str]:
    """The drill-down asked for in the query string, and its words for the page and the audit trail."""
    params = request.GET
    community = None
    if _an_id(params.get("community", "")):
        community = selectors.book_cells(request.user).filter(pk=int(params["community"])).first()
    organisation = int(params["organisation"]) if _an_id(params.get("organisation", "")) else None
    occupation = params["occupation"].strip() if "occupation" in params else None
    strength = params.get("strength", "").strip() or None
    drill = selectors.Drill(
        community=community, occupation=occupation, strength=strength, organisation_id=organisation
    )
    parts = [cell.name]
    if community is not None:
        parts.append(community.name)
    if occupation is not None:
        parts.append(_("职业:%(v)s") % {"v": occupation or _("未填写")})
    if strength:
        parts.append(_("特长:%(v)s") % {"v": strength})
    if organisation is not None:
        parts.append(_("所在党组织编号:%(v)d") % {"v": organisation})
    return drill, " · ".join(parts)


@login_required
@require_GET
def book_members(request: HttpRequest) -> HttpResponse:
    form, cell = _book_cell(request)
    drill, words = _drill(request, cell)
    registrations = selectors.book_members(user=request.user, cell=cell, drill=drill)
    context = {"form": form, "cell": cell, "words": words, "page": page_of(request, registrations)}
    return render(request, "community/book_members.html", context)


@login_required
@require_GET
def book_export(request: HttpRequest) -> HttpResponse:
    _form, cell = _book_cell(request)
    drill, words = _drill(request, cell)
    registrations = selectors.book_members(user=request.user, cell=cell, drill=drill)
    export = exports.book_export(registrations, title=_("在职党员信息簿"))

    def detail(count: int) -> str:
        return _("%(words)s:在职党员 %(count)d 名") % {"words": words, "count": count}

    return list_export_response(request, export, kind="community_book", detail=detail)


# --- the three forms and the file (三表一档) -------------------------------------------------------------


@login_required
@require_GET
def registration_print(request: HttpRequest, pk: int) -> HttpResponse:
    registration = selectors.registration_detail(user=request.user, pk=pk)
    return render(request, "community/print_registration.html", {"registration": registration})


@login_required
@require_GET
def activity_form(request: HttpRequest, member_id: int) -> HttpResponse:
    member, registration = selectors.member_in_sight(user=request.user, member_id=member_id)
    current = feedback.Quarter.of(today())
    form = PeriodForm(request.GET or None, initial={"start": current.start, "end": current.end})
    start, end = form.period()
    records = list(selectors.service_records(user=request.user, member=member, start=start, end=end))
    verified = [r for r in records if r.status == r.Status.VERIFIED]
    context = {
        "member": member,
        "registration": registration,
        "form": form,
        "start": start,
        "end": end,
        "records": records,
        "verified_hours": sum((r.hours for r in verified), 0),
        "verified_count": len(verified),
    }
    return render(request, "community/print_activity.html", context)


def _member_posts_teams(user, member):
    claims = (
        scope.visible_to(user, PostClaim.objects.all())
        .filter(member=member, status=PostClaim.Status.CONFIRMED)
        .select_related("post__community")
        .order_by("-confirmed_at")
    )
    teams = (
        scope.visible_to(user, Team.objects.all())
        .filter(members=member)
        .select_related("community", "leader__person")
        .order_by("name")
    )
    return list(claims), list(teams)


@login_required
@require_GET
def feedback_form(request: HttpRequest, member_id: int) -> HttpResponse:
    member, registration = selectors.member_in_sight(user=request.user, member_id=member_id)
    form = QuarterForm(request.GET or None, initial={"quarter": str(feedback.Quarter.of(today()))})
    quarter = form.choice()
    record = feedback.member_feedback(member, quarter)
    records = selectors.service_records(
        user=request.user, member=member, start=quarter.start, end=quarter.end, status="verified"
    )
    claims, teams = _member_posts_teams(request.user, member)
    context = {
        "member": member,
        "registration": registration,
        "form": form,
        "quarter": quarter,
        "record": record,
        "records": list(records),
        "claims": claims,
        "teams": teams,
        "pairings": list(selectors.pairing_list(user=request.user, member=member)),
    }
    return render(request, "community/print_feedback.html", context)


@login_required
@require_GET
def member_file(request: HttpRequest, member_id: int) -> HttpResponse:
    member, registration = selectors.member_in_sight(user=request.user, member_id=member_id)
    year = today().year
    if request.GET.get("year", "").isdigit() and 2000 <= int(request.GET["year"]) <= year:
        year = int(request.GET["year"])
    start, end = dt.date(year, 1, 1), dt.date(year, 12, 31)
    quarters = [feedback.Quarter(year, n) for n in range(1, 5)]
    claims, teams = _member_posts_teams(request.user, member)
    registrations = selectors.registration_list(user=request.user).filter(member=member)
    context = {
        "member": member,
        "registration": registration,
        "registrations": list(registrations),
        "year": year,
        "this_year": today().year,
        "records": list(selectors.service_records(user=request.user, member=member, start=start, end=end)),
        "quarters": [(q, feedback.member_feedback(member, q)) for q in quarters],
        "claims": claims,
        "teams": teams,
        "pairings": list(selectors.pairing_list(user=request.user, member=member)),
    }
    return render(request, "community/print_file.html", context)
