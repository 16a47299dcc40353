"""Scoring and results: the scoring sheet (one small form per target, saved by htmx row by row), a member's
self-assessment, one result's breakdown ("why this score") and the office's revision of a closed result.

Each cell of a sheet carries the version of the score it was rendered with; the services refuse a write
based on a stale version (services.Conflict), and the row then shows who changed it to what, with the
current value, so nothing is overwritten unseen."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal, InvalidOperation

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme, urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from . import selectors, services
from .forms import RevisionForm, SheetFilterForm
from .models import Indicator, Result, Round, Score, Source
from .views_util import apply_errors, denied_message, page_of, require

Status = Round.Status
# Targets per page of the scoring sheet: each is a small form, and a phone shows them as cards.
SHEET_SIZE = 25
EVIDENCE_LIMIT = 5000


def _fmt(points: Decimal | None) -> str:
    if points is None:
        return ""
    return format(points.normalize(), "f")


def _same(typed: str, original: str) -> bool:
    if typed == original:
        return True
    try:
        return Decimal(typed) == Decimal(original)
    except (InvalidOperation, ValueError):
        return False


def _version(raw: str | None) -> int:
    try:
        return max(0, int(raw or 0))
    except ValueError:
        return 0


@dataclass
class Cell:
    indicator: Indicator
    value: str
    original: str
    version: int
    score: Score | None = None
    evidence: str = ""
    error: str = ""
    saved: bool = False


@dataclass
class Row:
    result: Result
    cells: list[Cell]
    errors: list[str] = field(default_factory=list)
    saved: int = 0

    @property
    def has_errors(self) -> bool:
        return bool(self.errors) or any(c.error for c in self.cells)


def _fresh_cell(indicator: Indicator, score: Score | None) -> Cell:
    value = _fmt(score.points) if score else ""
    return Cell(
        indicator=indicator,
        value=value,
        original=value,
        version=score.version if score else 0,
        score=score,
        evidence=score.evidence if score else "",
    )


def _row(result: Result, leaves: list[Indicator], scores: dict) -> Row:
    return Row(result, [_fresh_cell(i, scores.get((result.pk, i.pk))) for i in leaves])


@dataclass
class Outcome:
    """What saving a row's cells did: errors by indicator (conflicts among them), errors of the whole row."""

    typed: dict[int, tuple[str, str, int, str]] = field(default_factory=dict)
    errors: dict[int, str] = field(default_factory=dict)
    conflicts: set[int] = field(default_factory=set)
    row_errors: list[str] = field(default_factory=list)
    saved: set[int] = field(default_factory=set)


def _save_cells(
    request: HttpRequest, result: Result, source: str, leaves: list[Indicator], *, per_cell_evidence: bool
) -> Outcome:
    """Enter each changed cell of the POST through services.score_enter with the version it was rendered
    with. A cell's error stays on the cell; an error of the round or of the user's right stops the row."""
    outcome = Outcome()
    stored = selectors.scores_of([result], source)
    row_evidence = request.POST.get("evidence", "").strip()[:EVIDENCE_LIMIT]
    for indicator in leaves:
        raw = request.POST.get(f"p-{indicator.pk}")
        if raw is None:
            continue
        raw = raw.strip()
        original = request.POST.get(f"o-{indicator.pk}", "").strip()
        version = _version(request.POST.get(f"v-{indicator.pk}"))
        existing = stored.get((result.pk, indicator.pk))
        if per_cell_evidence:
            evidence = request.POST.get(f"e-{indicator.pk}", "").strip()[:EVIDENCE_LIMIT]
            evidence_changed = evidence != (existing.evidence if existing else "")
        else:
            evidence = row_evidence or (existing.evidence if existing else "")
            evidence_changed = False
        outcome.typed[indicator.pk] = (raw, original, version, evidence)
        if _same(raw, original) and not (evidence_changed and raw):
            if not raw and evidence_changed:
                outcome.errors[indicator.pk] = _("填写依据时请同时填写分数。")
            continue
        if raw == "":
            outcome.errors[indicator.pk] = _("已录入的分数不能清空;如需更正,请填写新的分数。")
            continue
        try:
            services.score_enter(
                actor=request.user,
                result=result,
                indicator=indicator,
                source=source,
                points=raw,
                evidence=evidence,
                version=version,
            )
        except services.Conflict as exc:
            outcome.errors[indicator.pk] = " ".join(exc.messages)
            outcome.conflicts.add(indicator.pk)
        except ValidationError as exc:
            if hasattr(exc, "error_dict"):
                outcome.errors[indicator.pk] = " ".join(exc.messages)
            else:
                outcome.row_errors.extend(exc.messages)
                break
        except PermissionDenied as exc:
            outcome.row_errors.append(denied_message(exc, _("您不能为该考核对象评分。")))
            break
        else:
            outcome.saved.add(indicator.pk)
    return outcome


def _row_after(result: Result, source: str, leaves: list[Indicator], outcome: Outcome) -> Row:
    """The row as it now stands: saved and conflicting cells from the database (a conflict shows the value
    someone else saved), other failed cells as typed, with the version they were rendered with."""
    stored = selectors.scores_of([result], source)
    cells = []
    for indicator in leaves:
        cell = _fresh_cell(indicator, stored.get((result.pk, indicator.pk)))
        error = outcome.errors.get(indicator.pk, "")
        if error and indicator.pk not in outcome.conflicts and indicator.pk in outcome.typed:
            cell.value, cell.original, cell.version, cell.evidence = outcome.typed[indicator.pk]
        cell.error = error
        cell.saved = indicator.pk in outcome.saved
        cells.append(cell)
    return Row(result, cells, errors=outcome.row_errors, saved=len(outcome.saved))


# --- the scoring sheet -----------------------------------------------------------------------------------


def _sheet_source(request: HttpRequest, round_: Round, raw: str) -> tuple[str, list[str]]:
    sources = selectors.sheet_sources(user=request.user, round_=round_)
    require(bool(sources))
    source = raw or sources[0]
    require(source in sources)
    return source, sources


@login_required
@require_GET
def score_sheet(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    source, sources = _sheet_source(request, round_, request.GET.get("source", ""))
    branches = selectors.sheet_branches(user=request.user, round_=round_, source=source)
    form = SheetFilterForm(request.GET or None, branches=branches)
    results = selectors.sheet_results(user=request.user, round_=round_, source=source, filters=form.filters())
    page = page_of(request, results, SHEET_SIZE)
    leaves = selectors.manual_leaves(round_.version)
    scores = selectors.scores_of(page.object_list, source)
    context = {
        "round": round_,
        "source": source,
        "source_label": Source(source).label,
        "sources": [(s, Source(s).label) for s in sources],
        "form": form,
        "page": page,
        "leaves": leaves,
        "rows": [_row(result, leaves, scores) for result in page],
        "editable": round_.status == Status.OPEN,
    }
    if request.headers.get("HX-Request"):
        return render(request, "assessment/_sheet_rows.html", context)
    return render(request, "assessment/score_sheet.html", context)


@login_required
@require_POST
def score_row(request: HttpRequest, pk: int) -> HttpResponse:
    """Save one target's row of the sheet; htmx swaps the row with what this answers."""
    result = selectors.result_detail(user=request.user, pk=pk)
    round_ = result.round
    source, _sources = _sheet_source(request, round_, request.POST.get("source", ""))
    leaves = selectors.manual_leaves(round_.version)
    outcome = _save_cells(request, result, source, leaves, per_cell_evidence=False)
    row = _row_after(result, source, leaves, outcome)
    if request.headers.get("HX-Request"):
        return render(
            request,
            "assessment/_sheet_row.html",
            {
                "row": row,
                "round": round_,
                "source": source,
                "editable": round_.status == Status.OPEN,
                "next_url": request.POST.get("next", ""),
            },
        )
    for message in row.errors:
        messages.error(request, message)
    for cell in row.cells:
        if cell.error:
            messages.error(request, f"{result.name} · {cell.indicator.name}:{cell.error}")
    if row.saved:
        messages.success(request, _("已保存%(name)s的%(n)d项评分。") % {"name": result.name, "n": row.saved})
    target = request.POST.get("next", "")
    if not url_has_allowed_host_and_scheme(target, allowed_hosts={request.get_host()}):
        target = reverse("assessment:score_sheet", args=[round_.pk]) + "?" + urlencode({"source": source})
    return redirect(target)


# --- self-assessment -------------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def self_assessment(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    own = list(selectors.own_results(user=request.user, round_=round_))
    require(bool(own))
    chosen = request.GET.get("result", "")
    result = next((r for r in own if str(r.pk) == chosen), own[0])
    leaves = selectors.manual_leaves(round_.version)
    active = Source.SELF in round_.version.active_sources()
    if request.method == "POST" and active:
        outcome = _save_cells(request, result, Source.SELF, leaves, per_cell_evidence=True)
        row = _row_after(result, Source.SELF, leaves, outcome)
        if not row.has_errors:
            if row.saved:
                messages.success(request, _("已保存%(n)d项自评。") % {"n": row.saved})
            else:
                messages.info(request, _("没有修改任何自评。"))
            url = reverse("assessment:self_assessment", args=[round_.pk])
            return redirect(f"{url}?result={result.pk}" if len(own) > 1 else url)
    else:
        row = _row(result, leaves, selectors.scores_of([result], Source.SELF))
    return render(
        request,
        "assessment/self_assessment.html",
        {
            "round": round_,
            "result": result,
            "own": own,
            "row": row,
            "active": active,
            "editable": active and round_.status == Status.OPEN,
        },
    )


# --- one result ------------------------------------------------------------------------------------------


def _detail_page(request: HttpRequest, result: Result, form: RevisionForm | None = None) -> HttpResponse:
    round_ = result.round
    revisable = round_.status in (Status.CLOSED, Status.PUBLISHED) and selectors.office_over(
        request.user, round_.organisation
    )
    if revisable and form is None:
        form = RevisionForm(version=round_.version)
    return render(
        request,
        "assessment/result_detail.html",
        {
            "result": result,
            "round": round_,
            "breakdown": selectors.breakdown(result),
            # A refused revision is shown with its reason even where the form is no longer offered.
            "revision_form": form if revisable or (form is not None and form.errors) else None,
        },
    )


@login_required
@require_GET
def result_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail_page(request, selectors.result_detail(user=request.user, pk=pk))


@login_required
@require_POST
def result_revise(request: HttpRequest, pk: int) -> HttpResponse:
    result = selectors.result_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, result.round.organisation))
    form = RevisionForm(request.POST, version=result.round.version)
    if form.is_valid():
        indicator, source, points = form.change()
        try:
            revision = services.revise(
                actor=request.user,
                result=result,
                changes=[services.Change(indicator=indicator, source=source, points=points)],
                reason=form.cleaned_data["reason"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已提交修订%(n)d:得分 %(before)s → %(after)s。")
                % {
                    "n": revision.number,
                    "before": _fmt(revision.total_before),
                    "after": _fmt(revision.total_after),
                },
            )
            return redirect("assessment:result_detail", pk=result.pk)
    return _detail_page(request, result, form)
