"""Export downloads: a list page's rows with its current filters, the roster workbook, the blank template.

Each export is written into a temporary file first (xlsxwriter's constant_memory mode keeps the rows out
of memory) and then streamed from it, recorded in the audit trail with the user, the address, the filters
and the row count.
"""

from __future__ import annotations

import tempfile
from collections.abc import Callable, Iterable
from urllib.parse import quote

from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied
from django.http import FileResponse, HttpRequest, HttpResponse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.org.models import Organisation
from vanguard.org.views import member_filters_from

from . import exporters
from .exporters.base import ExportSheet, ListExport
from .exporters.members import member_list_export
from .exporters.template import template_sheets


def content_disposition(filename: str, ascii_name: str) -> str:
    """An attachment named in Chinese (RFC 6266 with RFC 5987's filename*), with an ASCII name for the
    few clients that know only `filename`."""
    return f"attachment; filename=\"{ascii_name}\"; filename*=UTF-8''{quote(filename)}"


def dated(title: str) -> str:
    return f"{title}-{timezone.localdate():%Y%m%d}.xlsx"


def xlsx_response(
    sheets: Iterable[ExportSheet],
    *,
    filename: str,
    ascii_name: str = "export.xlsx",
    record: Callable[[dict[str, int]], None] | None = None,
) -> FileResponse:
    """Write the sheets into a temporary file and stream it back as an attachment. `record(counts)` runs
    once the file is complete (the audit record of an export); a download that failed is not recorded."""
    # An anonymous temporary file, gone from the disk once closed: the response closes it after the last
    # byte is sent, so it cannot be a `with` block here.
    target = tempfile.TemporaryFile(suffix=".xlsx")  # noqa: SIM115
    try:
        counts = exporters.write_xlsx(sheets, target)
        if record is not None:
            record(counts)
        target.seek(0)
    except BaseException:
        target.close()
        raise
    response = FileResponse(target, content_type=exporters.CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition(filename, ascii_name)
    response["Cache-Control"] = "private, no-store"
    return response


def list_export_response(
    request: HttpRequest, export: ListExport, *, kind: str, detail: Callable[[int], str] | str = ""
) -> FileResponse:
    """A list page's export: its ListExport as one sheet, recorded with the row count and `detail` (the
    filters; a callable gets the count once the rows are written)."""

    def record(counts: dict[str, int]) -> None:
        count = counts.get(export.title, 0)
        audit.record_export(
            user=request.user,
            request=request,
            kind=kind,
            object_type=export.queryset.model._meta.label_lower,
            count=count,
            detail=detail(count) if callable(detail) else detail,
        )

    return xlsx_response(
        [export.sheet()], filename=dated(export.title), ascii_name=dated(kind), record=record
    )


def _download_from_htmx(request: HttpRequest) -> HttpResponse | None:
    """The list's export link asks through htmx (hx-include of the filter form), so that it sends the
    filters as they are now rather than as the page was loaded; htmx would put the file into the page, so
    it is told to go to the same address instead, and the browser downloads the file."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


def describe_filters(form) -> str:
    """The filters a person chose, in words: what the audit record keeps."""
    if not form.is_bound:
        return _("无筛选条件")
    if not form.is_valid():
        # The list then shows everything in scope, and so does the export.
        return _("筛选条件无效(%(query)s),按全部导出") % {"query": form.data.urlencode()}
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, ""):
            continue
        choices = dict(getattr(field, "choices", []) or []) if name in ("category", "status") else {}
        parts.append(f"{field.label}={choices.get(value, value)}")
    return "、".join(str(p) for p in parts) or _("无筛选条件")


@login_required
@require_GET
def member_export(request: HttpRequest) -> HttpResponse:
    if not scope.has_any_role(request.user):
        raise PermissionDenied
    redirect = _download_from_htmx(request)
    if redirect is not None:
        return redirect
    form, filters = member_filters_from(request)
    export, numbers = member_list_export(user=request.user, filters=filters)
    filters_text = describe_filters(form)

    def detail(count: int) -> str:
        text = _("筛选:%(filters)s;%(count)d 名党员") % {"filters": filters_text, "count": count}
        if numbers.full_rows:
            # Full numbers in a file are a display of them: the trail says how many people's.
            text += _(";其中 %(n)d 名含完整身份证号和手机号") % {"n": numbers.full_rows}
        else:
            text += _(";身份证号和手机号已隐去部分")
        return text

    return list_export_response(request, export, kind="members", detail=detail)


def _may_export_roster(user) -> bool:
    # The roster carries full numbers and round-trips into an import: for those who may edit the people.
    if scope.scope_of(user).superuser:
        return True
    return scope.editable_organisations(user, Organisation.objects.all()).exists()


@login_required
@require_GET
def roster_export(request: HttpRequest) -> HttpResponse:
    if not _may_export_roster(request.user):
        raise PermissionDenied
    kind = exporters.KINDS["roster"]

    def record(counts: dict[str, int]) -> None:
        summary = "、".join(_("%(sheet)s %(n)d 行") % {"sheet": sheet, "n": n} for sheet, n in counts.items())
        audit.record_export(
            user=request.user,
            request=request,
            kind=kind.name,
            object_type=kind.object_type,
            count=kind.count(counts),
            detail=_("本人管理范围内的人员名册:%(summary)s(含完整身份证号和手机号)") % {"summary": summary},
        )

    return xlsx_response(
        kind.sheets(request.user), filename=dated(kind.title), ascii_name=dated(kind.name), record=record
    )


@login_required
@require_GET
def template_download(request: HttpRequest) -> HttpResponse:
    if not scope.has_any_role(request.user):
        raise PermissionDenied
    # Headers and made-up examples only: nothing to record.
    return xlsx_response(
        template_sheets(), filename=_("人员名册导入模板") + ".xlsx", ascii_name="roster-template.xlsx"
    )
