"""The roster import pages: upload → preview (what will be created, updated, left alone; every error) →
confirm. For the committee office and branch secretaries, within what they may edit.

The uploaded file is kept server-side (MEDIA_ROOT/imports/<random token>.xlsx, not served) under a token
in the session. Confirming reads and validates it again, since the database may have changed since the
preview, and only then writes. Files are deleted once imported, and any left over after a day are deleted
at the next upload.
"""

from __future__ import annotations

import hashlib
import os
import re
import secrets
import time
from dataclasses import dataclass
from pathlib import Path
from urllib.parse import quote

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import DatabaseError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.org.models import Organisation

from . import services
from .forms import ImportUploadForm
from .importers import report
from .importers.plan import ACTIONS, Plan, action_label
from .workbook import WorkbookError

SESSION_KEY = "dataio_import"
UPLOAD_DIR = "imports"
KEEP_SECONDS = 24 * 60 * 60
# The preview lists this many errors; the error report has them all.
SHOWN_ERRORS = 1000
_TOKEN = re.compile(r"^[A-Za-z0-9_-]{20,64}$")


def may_import(user) -> bool:
    """The committee office and branch secretaries (whoever may put people into some organisation)."""
    return scope.scope_of(user).superuser or (
        scope.editable_organisations(user, Organisation.objects.all()).exists()
    )


def _require_importer(request: HttpRequest) -> None:
    if not may_import(request.user):
        raise PermissionDenied


# --- the stored upload --------------------------------------------------------------------------------------


@dataclass
class Upload:
    token: str
    name: str
    sha256: str

    @property
    def path(self) -> Path:
        return _upload_dir() / f"{self.token}.xlsx"


def _upload_dir() -> Path:
    return Path(settings.MEDIA_ROOT) / UPLOAD_DIR


def _remove_stale_uploads() -> None:
    """Uploads never confirmed: gone after a day."""
    cutoff = time.time() - KEEP_SECONDS
    for path in _upload_dir().glob("*.xlsx"):
        try:
            if path.stat().st_mtime < cutoff:
                path.unlink()
        except FileNotFoundError:
            pass


def _store(request: HttpRequest, uploaded) -> Upload:
    directory = _upload_dir()
    directory.mkdir(parents=True, exist_ok=True, mode=0o700)
    _remove_stale_uploads()
    _discard(request)
    upload = Upload(token=secrets.token_urlsafe(24), name=Path(uploaded.name).name[:200], sha256="")
    digest = hashlib.sha256()
    # Readable by the server's user only: a roster holds 身份证号 and mobile numbers.
    descriptor = os.open(upload.path, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
    with os.fdopen(descriptor, "wb") as target:
        for chunk in uploaded.chunks():
            digest.update(chunk)
            target.write(chunk)
    upload.sha256 = digest.hexdigest()
    request.session[SESSION_KEY] = {"token": upload.token, "name": upload.name, "sha256": upload.sha256}
    return upload


def _stored(request: HttpRequest) -> Upload | None:
    data = request.session.get(SESSION_KEY)
    if not isinstance(data, dict) or not _TOKEN.match(str(data.get("token", ""))):
        return None
    upload = Upload(token=data["token"], name=str(data.get("name", "")), sha256=str(data.get("sha256", "")))
    return upload if upload.path.is_file() else None


def _discard(request: HttpRequest) -> None:
    upload = _stored(request)
    if upload is not None:
        upload.path.unlink(missing_ok=True)
    request.session.pop(SESSION_KEY, None)


def _plan(request: HttpRequest, upload: Upload) -> Plan:
    return services.roster_plan(
        actor=request.user, path=upload.path, filename=upload.name, sha256=upload.sha256
    )


def _expired(request: HttpRequest) -> HttpResponse:
    messages.error(request, _("上传的文件已过期或已导入,请重新上传。"))
    return redirect("dataio:import")


# --- the pages --------------------------------------------------------------------------------------------


def _preview(request: HttpRequest, plan: Plan, upload: Upload) -> HttpResponse:
    errors = plan.sorted_errors()
    sheets = [
        {
            "name": summary.name,
            "counts": [summary.counts[a] for a in ACTIONS],
            "groups": [
                {"label": action_label(a), "count": summary.counts[a], "samples": summary.samples[a]}
                for a in ACTIONS
                if summary.samples[a]
            ],
        }
        for summary in plan.summaries.values()
    ]
    return render(
        request,
        "dataio/import_preview.html",
        {
            "plan": plan,
            "upload": upload,
            "sheets": sheets,
            "labels": [action_label(a) for a in ACTIONS],
            "totals": plan.totals(),
            "errors": errors[:SHOWN_ERRORS],
            "error_count": len(errors),
            "error_rows": len(plan.errors_by_row()),
            "more_errors": max(len(errors) - SHOWN_ERRORS, 0),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def import_upload(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    form = ImportUploadForm(request.POST or None, request.FILES or None)
    if request.method == "POST" and form.is_valid():
        upload = _store(request, form.cleaned_data["file"])
        try:
            plan = _plan(request, upload)
        except WorkbookError as exc:
            _discard(request)
            form.add_error("file", exc.message)
        else:
            return _preview(request, plan, upload)
    return render(request, "dataio/import.html", {"form": form})


@login_required
@require_POST
def import_confirm(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    upload = _stored(request)
    if upload is None or request.POST.get("token") != upload.token:
        return _expired(request)
    try:
        plan = _plan(request, upload)
    except WorkbookError as exc:
        _discard(request)
        messages.error(request, exc.message)
        return redirect("dataio:import")
    if not plan.ok:
        # Something changed since the preview (another user's edit): show what is wrong now.
        return _preview(request, plan, upload)
    try:
        services.roster_apply(actor=request.user, plan=plan)
    except (services.ImportConflict, DatabaseError, PermissionDenied, ValidationError):
        messages.error(request, _("导入期间系统中的数据发生了变化,未写入任何数据,请重新上传。"))
        return redirect("dataio:import")
    _discard(request)
    messages.success(
        request,
        _("已导入%(file)s:%(summary)s。") % {"file": upload.name, "summary": plan.summary_text()},
    )
    return redirect("dataio:import")


@login_required
@require_GET
def import_errors(request: HttpRequest) -> HttpResponse:
    _require_importer(request)
    upload = _stored(request)
    if upload is None:
        return _expired(request)
    try:
        plan = _plan(request, upload)
        content = report.error_workbook(upload.path, plan)
    except WorkbookError as exc:
        messages.error(request, exc.message)
        return redirect("dataio:import")
    response = HttpResponse(content, content_type=report.CONTENT_TYPE)
    filename = _("导入错误报告-%(name)s") % {"name": Path(upload.name).stem} + ".xlsx"
    response["Content-Disposition"] = (
        f"attachment; filename=\"import-errors.xlsx\"; filename*=UTF-8''{quote(filename)}"
    )
    response["Cache-Control"] = "private, no-store"
    return response
