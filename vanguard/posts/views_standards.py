"""Pages of post standards (岗位标准) and their three cards.

A member proposes and edits their standard and keeps benchmark records on a phone ("我的岗位标准"); the
branch lists its members' standards, enters the masses' paper comments, sets the final text and publishes it;
the three cards print on one A4 page each. The public page, where the masses comment on a proposed standard
and read a published one, is `public_detail` (under /p/standards/)."""

from __future__ import annotations

import segno
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.core.masking import mask_name
from vanguard.org.validators import today

from . import selectors_standards as selectors
from . import services_standards as services
from .forms_standards import (
    BenchmarkForm,
    PaperCommentForm,
    PublicCommentForm,
    SetForm,
    StandardFilterForm,
    StandardForm,
    year_choices,
)
from .models import Standard

PAGE_SIZE = 50
Status = Standard.Status


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _public_url(request: HttpRequest, standard: Standard) -> str:
    return request.build_absolute_uri(reverse("standards_public:detail", args=[standard.pk]))


def _qr(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=4, border=2)


def _year(standard: Standard) -> str:
    return _("%(year)d年度") % {"year": standard.year}


# --- the lists -------------------------------------------------------------------------------------------


@login_required
@require_GET
def standard_list(request: HttpRequest) -> HttpResponse:
    """The branch's list of its members' standards; a member alone is sent to their own."""
    user = request.user
    if not selectors.reads_organisations(user=user):
        if selectors.own_member(user=user) is not None:
            return redirect("standards:mine")
        raise PermissionDenied
    form = StandardFilterForm(request.GET or None, user=user)
    page = Paginator(selectors.standard_list(user=user, filters=form.filters()), PAGE_SIZE).get_page(
        request.GET.get("page")
    )
    context = {"form": form, "page": page, "manages": selectors.manages_any(user=user)}
    if request.headers.get("HX-Request"):
        return render(request, "posts/standards/_rows.html", context)
    return render(request, "posts/standards/list.html", context)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(user=request.user)
    _require(member is not None)
    standards = list(selectors.my_standards(user=request.user, member=member))
    years = {s.year for s in standards}
    return render(
        request,
        "posts/standards/mine.html",
        {
            "member": member,
            "standards": standards,
            "this_year": today().year,
            "can_propose": any(year not in years for year, _label in year_choices()),
            "has_this_year": today().year in years,
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def propose(request: HttpRequest) -> HttpResponse:
    member = selectors.own_member(user=request.user)
    _require(member is not None)
    form = StandardForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            standard = services.standard_propose(
                actor=request.user,
                member=member,
                year=data["year"],
                post_title=data["post_title"],
                text=data["proposed_text"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已提出%(year)s的岗位标准。请群众提意见后,由支部确定并公示。") % {"year": _year(standard)},
            )
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "posts/standards/form.html", {"form": form, "standard": None})


# --- one standard ----------------------------------------------------------------------------------------


@login_required
@require_GET
def detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    standard = selectors.standard_detail(user=user, pk=pk)
    own = selectors.is_own(user=user, standard=standard)
    manages = selectors.manages(user=user, standard=standard)
    public = standard.status in selectors.PUBLIC_STATUSES
    public_url = _public_url(request, standard) if public else ""
    context = {
        "standard": standard,
        "comments": selectors.comments(standard),
        "records": selectors.records(standard),
        "own": own,
        "manages": manages,
        "may_set": standard.status != Status.PUBLISHED and selectors.may_set(user=user, standard=standard),
        "may_edit": own and standard.status == Status.PROPOSED,
        "may_comment": manages and standard.status == Status.PROPOSED,
        "may_record": (own or manages) and standard.status != Status.PROPOSED,
        "record_form": BenchmarkForm(standard=standard),
        "public_url": public_url,
        "qr": _qr(public_url) if public_url else "",
    }
    return render(request, "posts/standards/detail.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def edit(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standard_detail(user=request.user, pk=pk)
    _require(selectors.is_own(user=request.user, standard=standard))
    if standard.status != Status.PROPOSED:
        messages.error(request, _("组织已确定%(year)s的岗位标准,不能再修改。") % {"year": _year(standard)})
        return redirect("standards:detail", pk=standard.pk)
    form = StandardForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services.standard_update(
                actor=request.user,
                standard=standard,
                post_title=data["post_title"],
                text=data["proposed_text"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已修改岗位标准。"))
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "posts/standards/form.html", {"form": form, "standard": standard})


@login_required
@require_http_methods(["GET", "POST"])
def set_standard(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standard_detail(user=request.user, pk=pk)
    _require(selectors.may_set(user=request.user, standard=standard))
    if standard.status == Status.PUBLISHED:
        messages.error(request, _("岗位标准已经公示,不能再修改。"))
        return redirect("standards:detail", pk=standard.pk)
    form = SetForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_set(
                actor=request.user, standard=standard, final_text=form.cleaned_data["final_text"]
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已确定%(name)s的岗位标准,确认无误后请公示。") % {"name": standard.member.person.name},
            )
            return redirect("standards:detail", pk=standard.pk)
    return render(
        request,
        "posts/standards/set.html",
        {"form": form, "standard": standard, "comments": selectors.comments(standard)},
    )


@login_required
@require_POST
def publish(request: HttpRequest, pk: int) -> HttpResponse:
    standard = selectors.standard_detail(user=request.user, pk=pk)
    _require(selectors.manages(user=request.user, standard=standard))
    try:
        services.standard_publish(actor=request.user, standard=standard)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(request, _("已公示%(name)s的岗位标准。") % {"name": standard.member.person.name})
    return redirect("standards:detail", pk=standard.pk)


@login_required
@require_http_methods(["GET", "POST"])
def comment_add(request: HttpRequest, pk: int) -> HttpResponse:
    """The branch enters a comment of the masses collected on paper."""
    standard = selectors.standard_detail(user=request.user, pk=pk)
    _require(selectors.manages(user=request.user, standard=standard))
    if standard.status != Status.PROPOSED:
        messages.error(request, _("该岗位标准已由组织确定,不再征求意见。"))
        return redirect("standards:detail", pk=standard.pk)
    form = PaperCommentForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.standard_comment(actor=request.user, standard=standard, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已录入群众意见。"))
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "posts/standards/comment_form.html", {"form": form, "standard": standard})


@login_required
@require_http_methods(["GET", "POST"])
def record_add(request: HttpRequest, pk: int) -> HttpResponse:
    """A benchmark record (对标记录), by the member or the branch."""
    user = request.user
    standard = selectors.standard_detail(user=user, pk=pk)
    _require(
        selectors.is_own(user=user, standard=standard) or selectors.manages(user=user, standard=standard)
    )
    if standard.status == Status.PROPOSED:
        messages.error(request, _("组织确定岗位标准后才能记录对标情况。"))
        return redirect("standards:detail", pk=standard.pk)
    form = BenchmarkForm(request.POST or None, standard=standard)
    if request.method == "POST" and form.is_valid():
        try:
            services.benchmark_add(actor=user, standard=standard, **form.cleaned_data)
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已添加对标记录。"))
            return redirect("standards:detail", pk=standard.pk)
    return render(request, "posts/standards/record_form.html", {"form": form, "standard": standard})


# --- the three cards -------------------------------------------------------------------------------------


@login_required
@require_GET
def card_set(request: HttpRequest, pk: int) -> HttpResponse:
    """定标公示卡: the member, the post, the set standard, its dates and the branch."""
    standard = selectors.standard_detail(user=request.user, pk=pk)
    public_url = _public_url(request, standard) if standard.status == Status.PUBLISHED else ""
    return render(
        request,
        "posts/standards/card_set.html",
        {"standard": standard, "qr": _qr(public_url) if public_url else "", "active": "set"},
    )


@login_required
@require_GET
def card_records(request: HttpRequest, pk: int) -> HttpResponse:
    """对标记录卡: the dated benchmark records."""
    standard = selectors.standard_detail(user=request.user, pk=pk)
    return render(
        request,
        "posts/standards/card_records.html",
        {"standard": standard, "records": selectors.records(standard), "active": "records"},
    )


@login_required
@require_GET
def card_evaluation(request: HttpRequest, pk: int) -> HttpResponse:
    """达标评议卡: the year's evaluation by self, masses and organisation."""
    standard = selectors.standard_detail(user=request.user, pk=pk)
    card = selectors.evaluation_card(user=request.user, standard=standard)
    return render(
        request,
        "posts/standards/card_evaluation.html",
        {"standard": standard, "card": card, "active": "evaluation"},
    )


# --- the public page -------------------------------------------------------------------------------------


@csrf_protect
@require_http_methods(["GET", "POST"])
def public_detail(request: HttpRequest, pk: int) -> HttpResponse:
    """The masses read a member's proposed standard and comment on it (群众议标准), or read the published
    one. The member's name is masked; nothing else about them is shown."""
    standard = selectors.public_standard(pk=pk)
    proposed = standard.status == Status.PROPOSED
    form = PublicCommentForm(request.POST or None) if proposed else None
    if request.method == "POST":
        if form is None:
            messages.error(request, _("该岗位标准已由组织确定,不再征求意见。"))
            return redirect("standards_public:detail", pk=standard.pk)
        if form.is_valid():
            if form.is_robot():
                # A robot filled in the hidden field: thank it and keep nothing.
                messages.success(request, _("感谢您的意见!"))
                return redirect("standards_public:detail", pk=standard.pk)
            try:
                services.standard_comment(
                    actor=None,
                    standard=standard,
                    content=form.cleaned_data["content"],
                    name=form.cleaned_data["name"],
                )
            except ValidationError as exc:
                _apply_errors(exc, form)
            else:
                messages.success(request, _("感谢您的意见!支部确定标准时会参考。"))
                return redirect("standards_public:detail", pk=standard.pk)
    return render(
        request,
        "posts/standards/public.html",
        {
            "standard": standard,
            "form": form,
            "member_name": mask_name(standard.member.person.name),
        },
    )
