"""Pages of the assessment's year: the office's settings, roll-ups and their recommendation lists, the
year-end branch review and the secretaries' performance, rectification. (The democratic appraisal's pages
are in views_appraisal.py.) Each view checks access through the scoping module, parses a form, calls one
service and redirects or renders."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.dataio.views_export import list_export_response

from . import exports_year, services_year
from . import selectors_year as selectors
from .forms_year import (
    BranchReviewForm,
    DoneForm,
    NoteForm,
    OrganisationPickForm,
    RectificationFilterForm,
    RectificationForm,
    RollupForm,
    SettingsForm,
    YearFilterForm,
    this_year,
)
from .models import BranchReview, Rectification, Rollup

PAGE_SIZE = 50


def apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def page_of(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def htmx_download(request: HttpRequest) -> HttpResponse | None:
    # An export link asked through htmx: send the browser to the same address to download the file.
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


def _require(allowed: bool) -> None:
    if not allowed:
        raise PermissionDenied


# --- the year's home ------------------------------------------------------------------------------------


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    user = request.user
    reads = selectors.reads_organisations(user)
    member = selectors.own_member(user)
    _require(reads or member is not None)
    context = {
        "year": this_year(),
        "office": selectors.is_office(user),
        "reads": reads,
        "edits": selectors.edits_branches(user),
        "member": member,
    }
    return render(request, "assessment/year/index.html", context)


# --- settings -------------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def settings_page(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_office(request.user))
    organisations = selectors.settings_organisations(request.user)
    pick = OrganisationPickForm(request.GET or None, queryset=organisations)
    organisation = pick.cleaned_data["organisation"] if pick.is_bound and pick.is_valid() else None
    organisation = organisation or organisations.first()
    if organisation is None:
        raise PermissionDenied
    pick.initial["organisation"] = organisation.pk
    current = selectors.effective_settings(organisation)
    form = SettingsForm(
        request.POST or None,
        initial={"prior_weight": current.prior_weight, "bar_unregistered": current.bar_unregistered},
    )
    if request.method == "POST" and form.is_valid():
        try:
            services_year.settings_update(
                actor=request.user,
                organisation=organisation,
                prior_weight=form.cleaned_data["prior_weight"],
                bar_unregistered=form.cleaned_data["bar_unregistered"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已保存%(org)s的考核设置。") % {"org": organisation.name})
            return redirect(f"{request.path}?organisation={organisation.pk}")
    return render(
        request,
        "assessment/year/settings.html",
        {"pick": pick, "form": form, "organisation": organisation, "current": current},
    )


# --- roll-ups -------------------------------------------------------------------------------------------


@login_required
@require_GET
def rollup_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.reads_organisations(request.user))
    form = YearFilterForm(request.GET or None, user=request.user, with_organisation=False)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    page = page_of(request, selectors.rollups(user=request.user, year=year))
    return render(
        request,
        "assessment/year/rollup_list.html",
        {"form": form, "page": page, "office": selectors.is_office(request.user)},
    )


def _rollup_form_page(request: HttpRequest, rollup: Rollup | None) -> HttpResponse:
    if request.method == "POST":
        form = RollupForm(request.POST, user=request.user, rollup=rollup)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if rollup is None:
                    saved = services_year.rollup_create(
                        actor=request.user,
                        organisation=data["organisation"],
                        year=data["year"],
                        target_kind=data["target_kind"],
                        name=data["name"],
                        recommend_count=data["recommend_count"],
                        parts=form.parts(),
                    )
                else:
                    saved = services_year.rollup_update(
                        actor=request.user,
                        rollup=rollup,
                        fields={"name": data["name"], "recommend_count": data["recommend_count"]},
                        parts=form.parts(),
                    )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(request, _("已保存年度汇总“%(name)s”,请计算排名。") % {"name": saved.name})
                return redirect("assessment_year:rollup_detail", pk=saved.pk)
    else:
        initial = {k: request.GET[k] for k in ("organisation", "year", "target_kind") if request.GET.get(k)}
        form = RollupForm(initial=initial or None, user=request.user, rollup=rollup)
    return render(request, "assessment/year/rollup_form.html", {"form": form, "rollup": rollup})


@login_required
@require_http_methods(["GET", "POST"])
def rollup_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_office(request.user))
    return _rollup_form_page(request, None)


def _office_rollup(request: HttpRequest, pk: int) -> Rollup:
    rollup = selectors.rollup_detail(user=request.user, pk=pk)
    _require(scope.acts_as(request.user, {Role.OFFICE}, rollup.organisation))
    return rollup


@login_required
@require_http_methods(["GET", "POST"])
def rollup_edit(request: HttpRequest, pk: int) -> HttpResponse:
    return _rollup_form_page(request, _office_rollup(request, pk))


@login_required
@require_GET
def rollup_detail(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = selectors.rollup_detail(user=request.user, pk=pk)
    page = page_of(request, selectors.rollup_results(user=request.user, rollup=rollup))
    context = {
        "rollup": rollup,
        "page": page,
        "parts": selectors.rollup_parts(rollup),
        "title": selectors.recommendation_title(rollup),
        "manages": scope.acts_as(request.user, {Role.OFFICE}, rollup.organisation),
    }
    return render(request, "assessment/year/rollup_detail.html", context)


@login_required
@require_GET
def rollup_recommended(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = selectors.rollup_detail(user=request.user, pk=pk)
    rows = selectors.rollup_results(user=request.user, rollup=rollup, recommended=True)
    return render(
        request,
        "assessment/year/rollup_recommended.html",
        {"rollup": rollup, "rows": rows, "title": selectors.recommendation_title(rollup)},
    )


@login_required
@require_POST
def rollup_compute(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = _office_rollup(request, pk)
    try:
        services_year.rollup_compute(actor=request.user, rollup=rollup)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("已计算“%(name)s”的年度排名。") % {"name": rollup.name})
    return redirect("assessment_year:rollup_detail", pk=rollup.pk)


@login_required
@require_POST
def rollup_delete(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = _office_rollup(request, pk)
    services_year.rollup_delete(actor=request.user, rollup=rollup)
    messages.success(request, _("已删除年度汇总“%(name)s”。") % {"name": rollup.name})
    return redirect("assessment_year:rollup_list")


@login_required
@require_GET
def rollup_export(request: HttpRequest, pk: int) -> HttpResponse:
    rollup = selectors.rollup_detail(user=request.user, pk=pk)
    redirect_ = htmx_download(request)
    if redirect_ is not None:
        return redirect_
    export = exports_year.rollup_export(
        rollup,
        selectors.rollup_results(user=request.user, rollup=rollup),
        selectors.recommendation_title(rollup),
    )

    def detail(count: int) -> str:
        return _("年度汇总“%(name)s”(编号 %(pk)d)排名 %(count)d 行") % {
            "name": rollup.name,
            "pk": rollup.pk,
            "count": count,
        }

    return list_export_response(request, export, kind="rollup", detail=detail)


# --- the branch review ----------------------------------------------------------------------------------


@login_required
@require_GET
def review_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_office(request.user))
    form = YearFilterForm(request.GET or None, user=request.user)
    year, organisation = form.choice()
    page = page_of(request, selectors.reviews(user=request.user, year=year, organisation=organisation))
    return render(request, "assessment/year/review_list.html", {"form": form, "page": page, "year": year})


@login_required
@require_GET
def secretary_list(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_office(request.user))
    form = YearFilterForm(request.GET or None, user=request.user)
    year, organisation = form.choice()
    page = page_of(request, selectors.reviews(user=request.user, year=year, organisation=organisation))
    rollup = selectors.member_rollup(user=request.user, year=year)
    selectors.attach_member_means(page.object_list, rollup)
    return render(
        request,
        "assessment/year/secretary_list.html",
        {"form": form, "page": page, "year": year, "rollup": rollup},
    )


def _review_form_page(request: HttpRequest, review: BranchReview | None) -> HttpResponse:
    if request.method == "POST":
        form = BranchReviewForm(request.POST, user=request.user, review=review)
        if form.is_valid():
            data = form.cleaned_data
            try:
                if review is None:
                    saved = services_year.branch_review_create(
                        actor=request.user,
                        organisation=data["organisation"],
                        year=data["year"],
                        secretary=data["secretary"],
                        values=form.values(),
                    )
                else:
                    saved = services_year.branch_review_update(
                        actor=request.user, review=review, secretary=data["secretary"], values=form.values()
                    )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("已保存%(org)s%(year)d年度考评,总分%(total)s。")
                    % {"org": saved.organisation.name, "year": saved.year, "total": saved.total},
                )
                return redirect("assessment_year:review_detail", pk=saved.pk)
    else:
        initial = {k: request.GET[k] for k in ("organisation", "year") if request.GET.get(k)}
        form = BranchReviewForm(initial=initial or None, user=request.user, review=review)
    return render(request, "assessment/year/review_form.html", {"form": form, "review": review})


@login_required
@require_http_methods(["GET", "POST"])
def review_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_office(request.user))
    return _review_form_page(request, None)


@login_required
@require_http_methods(["GET", "POST"])
def review_edit(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_detail(user=request.user, pk=pk)
    _require(scope.acts_as(request.user, {Role.OFFICE}, review.organisation))
    return _review_form_page(request, review)


@login_required
@require_GET
def review_detail(request: HttpRequest, pk: int) -> HttpResponse:
    review = selectors.review_detail(user=request.user, pk=pk)
    return render(
        request,
        "assessment/year/review_detail.html",
        {"review": review, "manages": scope.acts_as(request.user, {Role.OFFICE}, review.organisation)},
    )


# --- rectification --------------------------------------------------------------------------------------


@login_required
@require_GET
def rectification_list(request: HttpRequest) -> HttpResponse:
    reads = selectors.reads_organisations(request.user)
    _require(reads or selectors.own_member(request.user) is not None)
    form = RectificationFilterForm(request.GET or None, user=request.user)
    page = page_of(request, selectors.rectifications(user=request.user, filters=form.filters()))
    template = (
        "assessment/year/_rectification_rows.html"
        if request.headers.get("HX-Request")
        else "assessment/year/rectification_list.html"
    )
    context = {"form": form, "page": page, "reads": reads, "edits": selectors.edits_branches(request.user)}
    return render(request, template, context)


@login_required
@require_http_methods(["GET", "POST"])
def rectification_create(request: HttpRequest) -> HttpResponse:
    _require(selectors.edits_branches(request.user))
    if request.method == "POST":
        form = RectificationForm(request.POST, user=request.user)
        if form.is_valid():
            try:
                saved = services_year.rectification_create(actor=request.user, **form.service_fields())
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("已向%(name)s提出整改,期限%(deadline)s。")
                    % {"name": saved.member.person.name, "deadline": saved.deadline.isoformat()},
                )
                return redirect("assessment_year:rectification_detail", pk=saved.pk)
    else:
        initial = {k: request.GET[k] for k in ("organisation", "member", "result") if request.GET.get(k)}
        form = RectificationForm(initial=initial, user=request.user)
    return render(request, "assessment/year/rectification_form.html", {"form": form})


def _detail_page(request: HttpRequest, rectification: Rectification, **forms) -> HttpResponse:
    may = selectors.may_rectify(user=request.user, member=rectification.member)
    open_ = rectification.status == Rectification.Status.OPEN
    context = {
        "rectification": rectification,
        "notes": selectors.rectification_notes(rectification),
        "may": may and open_,
        "note_form": forms.get("note_form") or NoteForm(),
        "done_form": forms.get("done_form") or DoneForm(),
    }
    return render(request, "assessment/year/rectification_detail.html", context)


@login_required
@require_GET
def rectification_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.rectification_detail(user=request.user, pk=pk))


def _editable_rectification(request: HttpRequest, pk: int) -> Rectification:
    rectification = selectors.rectification_detail(user=request.user, pk=pk)
    _require(selectors.may_rectify(user=request.user, member=rectification.member))
    return rectification


@login_required
@require_POST
def rectification_note(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _editable_rectification(request, pk)
    form = NoteForm(request.POST)
    if form.is_valid():
        try:
            services_year.rectification_note_add(
                actor=request.user,
                rectification=rectification,
                note=form.cleaned_data["note"],
                written_on=form.cleaned_data["written_on"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已记录跟进情况。"))
            return redirect("assessment_year:rectification_detail", pk=rectification.pk)
    return _detail_page(request, rectification, note_form=form)


@login_required
@require_POST
def rectification_done(request: HttpRequest, pk: int) -> HttpResponse:
    rectification = _editable_rectification(request, pk)
    form = DoneForm(request.POST)
    if form.is_valid():
        try:
            saved = services_year.rectification_done(
                actor=request.user,
                rectification=rectification,
                done_on=form.cleaned_data["done_on"],
                note=form.cleaned_data["note"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已标记%(name)s整改完成(%(date)s)。")
                % {"name": saved.member.person.name, "date": saved.done_on.isoformat()},
            )
            return redirect("assessment_year:rectification_detail", pk=rectification.pk)
    return _detail_page(request, rectification, done_form=form)
