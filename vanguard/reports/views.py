"""Monthly report pages: a member submits and edits on a phone; the secretary reviews; the branch's missing
list for a month; the member's archive book (活动档案簿册) for a year, printable and as a workbook."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.audit import services as audit
from vanguard.dataio.views_export import dated, describe_filters, list_export_response, xlsx_response
from vanguard.posts import selectors_standards as standards

from . import exports, selectors, services
from .forms import MissingFilterForm, ReportFilterForm, ReportForm, ReviewForm
from .models import MonthlyReport
from .months import current_month, format_month

PAGE_SIZE = 50


def _own_member(request: HttpRequest):
    member = selectors.own_member(user=request.user)
    if member is None:
        raise PermissionDenied
    return member


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for field, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(field if field in form.fields else None, error)


def _page(request: HttpRequest, queryset):
    return Paginator(queryset, PAGE_SIZE).get_page(request.GET.get("page"))


def _month_label(month) -> str:
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


# --- a member's own reports --------------------------------------------------------------------------------


def _month_asked(request: HttpRequest):
    """The month a link asks for (?month=2026-10), or None when absent or not a month."""
    import datetime as dt
    import re

    match = re.fullmatch(r"(\d{4})-(\d{1,2})", request.GET.get("month", ""))
    if match is None or not 1 <= int(match.group(2)) <= 12:
        return None
    return dt.date(int(match.group(1)), int(match.group(2)), 1)


@login_required
@require_http_methods(["GET", "POST"])
def report_submit(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    form = ReportForm(request.POST or None, member=member, month=_month_asked(request))
    existing = None
    if request.method == "POST" and form.is_valid():
        fields = form.submit_fields()
        try:
            report = services.report_submit(actor=request.user, member=member, **fields)
        except ValidationError as exc:
            _apply_errors(exc, form)
            existing = MonthlyReport.objects.filter(member=member, month=fields["month"]).first()
        else:
            messages.success(
                request, _("已提交%(month)s的月度汇报,等待支部审阅。") % {"month": _month_label(report.month)}
            )
            return redirect("reports:mine")
    return render(request, "reports/report_form.html", {"form": form, "existing": existing, "report": None})


@login_required
@require_http_methods(["GET", "POST"])
def report_edit(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_detail(user=request.user, pk=pk)
    if not selectors.is_own(user=request.user, report=report):
        raise PermissionDenied
    if report.status == MonthlyReport.Status.REVIEWED:
        messages.error(request, _("该汇报已经审阅,不能再修改。"))
        return redirect("reports:detail", pk=report.pk)
    form = ReportForm(request.POST or None, member=report.member, report=report)
    if request.method == "POST" and form.is_valid():
        resubmitting = report.status == MonthlyReport.Status.RETURNED
        try:
            services.report_update(actor=request.user, report=report, fields=form.update_fields())
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            text = _("已重新提交%(month)s的月度汇报。") if resubmitting else _("已修改%(month)s的月度汇报。")
            messages.success(request, text % {"month": _month_label(report.month)})
            return redirect("reports:mine")
    return render(request, "reports/report_form.html", {"form": form, "report": report})


@login_required
@require_GET
def my_reports(request: HttpRequest) -> HttpResponse:
    member = _own_member(request)
    page = _page(request, selectors.my_reports(user=request.user, member=member))
    month = current_month()
    this_month = MonthlyReport.objects.filter(member=member, month=month).first()
    return render(
        request,
        "reports/my_reports.html",
        {"member": member, "page": page, "month": month, "this_month": this_month},
    )


# --- a branch's reports and their review -----------------------------------------------------------------


def _require_organisation_reader(request: HttpRequest) -> None:
    if not selectors.reads_organisations(user=request.user):
        raise PermissionDenied


@login_required
@require_GET
def report_list(request: HttpRequest) -> HttpResponse:
    if not selectors.reads_organisations(user=request.user):
        if selectors.own_member(user=request.user) is not None:
            return redirect("reports:mine")
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, user=request.user)
    page = _page(request, selectors.report_list(user=request.user, filters=form.filters()))
    template = (
        "reports/_report_rows.html" if request.headers.get("HX-Request") else "reports/report_list.html"
    )
    context = {
        "form": form,
        "page": page,
        "queue": False,
        "reviews": selectors.reviews_anything(user=request.user),
    }
    return render(request, template, context)


@login_required
@require_GET
def review_queue(request: HttpRequest) -> HttpResponse:
    if not selectors.reviews_anything(user=request.user):
        raise PermissionDenied
    form = ReportFilterForm(request.GET or None, user=request.user, with_status=False)
    page = _page(request, selectors.review_queue(user=request.user, filters=form.filters()))
    template = (
        "reports/_report_rows.html" if request.headers.get("HX-Request") else "reports/review_queue.html"
    )
    return render(request, template, {"form": form, "page": page, "queue": True, "reviews": True})


@login_required
@require_GET
def report_detail(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_detail(user=request.user, pk=pk)
    own = selectors.is_own(user=request.user, report=report)
    return render(
        request,
        "reports/report_detail.html",
        {
            "report": report,
            "can_edit": own and report.status != MonthlyReport.Status.REVIEWED,
            "can_review": report.status == MonthlyReport.Status.SUBMITTED
            and selectors.may_review(user=request.user, report=report),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def report_review(request: HttpRequest, pk: int) -> HttpResponse:
    report = selectors.report_detail(user=request.user, pk=pk)
    if not selectors.may_review(user=request.user, report=report):
        raise PermissionDenied
    form = ReviewForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        decision = form.cleaned_data["decision"]
        try:
            services.report_review(
                actor=request.user, report=report, decision=decision, comment=form.cleaned_data["comment"]
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            name, month = report.member.person.name, _month_label(report.month)
            if decision == MonthlyReport.Status.RETURNED:
                text = _("已将%(name)s%(month)s的汇报退回修改,党员会看到您的意见。")
            else:
                text = _("已审阅%(name)s%(month)s的汇报。")
            messages.success(request, text % {"name": name, "month": month})
            return redirect("reports:queue")
    return render(request, "reports/report_review.html", {"report": report, "form": form})


# --- missing reports -------------------------------------------------------------------------------------


@login_required
@require_GET
def missing(request: HttpRequest) -> HttpResponse:
    _require_organisation_reader(request)
    form = MissingFilterForm(request.GET or None, user=request.user)
    organisation, month = form.choice()
    members = selectors.missing_reports(user=request.user, organisation=organisation, month=month)
    summary = selectors.month_summary(user=request.user, organisation=organisation, month=month)
    context = {
        "form": form,
        "page": _page(request, members),
        "summary": summary,
        "month": month,
        "reviews": selectors.reviews_anything(user=request.user),
    }
    template = "reports/_missing_rows.html" if request.headers.get("HX-Request") else "reports/missing.html"
    return render(request, template, context)


@login_required
@require_GET
def missing_export(request: HttpRequest) -> HttpResponse:
    _require_organisation_reader(request)
    if request.headers.get("HX-Request"):
        # htmx sent the filters as they are now; the browser downloads from the same address.
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    form = MissingFilterForm(request.GET or None, user=request.user)
    organisation, month = form.choice()
    members = selectors.missing_reports(user=request.user, organisation=organisation, month=month)
    export = exports.missing_export(members, month)
    filters = describe_filters(form)

    def detail(count: int) -> str:
        return _("%(month)s未汇报党员 %(count)d 名;筛选:%(filters)s") % {
            "month": format_month(month),
            "count": count,
            "filters": filters,
        }

    return list_export_response(request, export, kind="missing_reports", detail=detail)


# --- the archive book ------------------------------------------------------------------------------------


@login_required
@require_GET
def archive(request: HttpRequest, member_id: int, year: int) -> HttpResponse:
    book = selectors.archive_book(user=request.user, member_pk=member_id, year=year)
    # The post standard's three cards go into the book too (seed 004: 三个卡…存入党员档案); one query.
    standard = standards.archive_standard(user=request.user, member=book.member, year=book.year)
    return render(
        request,
        "reports/archive.html",
        {
            "book": book,
            "months": book.months(until=current_month()),
            "today_year": current_month().year,
            "standard": standard,
        },
    )


@login_required
@require_GET
def archive_export(request: HttpRequest, member_id: int, year: int) -> HttpResponse:
    book = selectors.archive_book(user=request.user, member_pk=member_id, year=year)
    title = exports.archive_title(book)

    def record(counts: dict[str, int]) -> None:
        summary = "、".join(_("%(sheet)s %(n)d 行") % {"sheet": sheet, "n": n} for sheet, n in counts.items())
        audit.record_export(
            user=request.user,
            request=request,
            kind="archive",
            object_type="org.member",
            count=1,
            detail=_("%(title)s(党员编号 %(pk)d):%(summary)s")
            % {"title": title, "pk": book.member.pk, "summary": summary},
        )

    return xlsx_response(
        exports.archive_sheets(book),
        filename=dated(title),
        ascii_name=dated(f"archive-{book.member.pk}-{book.year}"),
        record=record,
    )
