"""Pages of the democratic appraisal (民主评议党员): the branch's secretary opens it, enters paper tallies,
concludes each member and closes it; each member writes their self-appraisal and votes on the others from
a phone. Votes are secret: a voter sees their own votes, those who conclude see tallies, nobody sees who
voted what."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope

from . import selectors_year as selectors
from . import services_appraisal as services
from .forms_year import (
    AppraisalOpenForm,
    ConclusionForm,
    PaperForm,
    SelfAppraisalForm,
    VoteForm,
    YearFilterForm,
)
from .models import Appraisal, AppraisalEntry, Grade
from .views_year import apply_errors, page_of


@login_required
@require_GET
def appraisal_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.reads_organisations(user) and selectors.own_member(user) is None:
        raise PermissionDenied
    form = YearFilterForm(request.GET or None, user=user, with_organisation=False)
    year = form.cleaned_data["year"] if form.is_bound and form.is_valid() else None
    page = page_of(request, selectors.appraisals(user=user, year=year))
    return render(
        request,
        "assessment/year/appraisal_list.html",
        {"form": form, "page": page, "edits": selectors.edits_branches(user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def appraisal_create(request: HttpRequest) -> HttpResponse:
    if not selectors.edits_branches(request.user):
        raise PermissionDenied
    form = AppraisalOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            appraisal = services.appraisal_open(
                actor=request.user,
                organisation=form.cleaned_data["organisation"],
                year=form.cleaned_data["year"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已开始%(org)s%(year)d年度民主评议,评议对象%(n)d人。")
                % {
                    "org": appraisal.organisation.name,
                    "year": appraisal.year,
                    "n": appraisal.entries.count(),
                },
            )
            return redirect("assessment_year:appraisal_detail", pk=appraisal.pk)
    return render(request, "assessment/year/appraisal_form.html", {"form": form})


@login_required
@require_GET
def appraisal_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    appraisal = selectors.appraisal_detail(user=user, pk=pk)
    tallies = selectors.sees_tallies(user=user, appraisal=appraisal)
    page = page_of(request, selectors.entries(user=user, appraisal=appraisal, with_tallies=tallies))
    own = selectors.own_entry(user=user, appraisal=appraisal)
    if own is not None:
        votes = selectors.my_votes(user=user, appraisal=appraisal)
        for entry in page.object_list:
            entry.my_vote = votes.get(entry.pk, "")
    context = {
        "appraisal": appraisal,
        "page": page,
        "tallies": tallies,
        "own": own,
        "grades": Grade.choices,
        "is_open": appraisal.status == Appraisal.Status.OPEN,
        "bar": tallies and services.bar_unregistered_applies(appraisal.organisation),
        "reads": selectors.reads_organisations(user),
    }
    return render(request, "assessment/year/appraisal_detail.html", context)


@login_required
@require_POST
def appraisal_close(request: HttpRequest, pk: int) -> HttpResponse:
    appraisal = selectors.appraisal_detail(user=request.user, pk=pk)
    if not selectors.sees_tallies(user=request.user, appraisal=appraisal):
        raise PermissionDenied
    try:
        services.appraisal_close(actor=request.user, appraisal=appraisal)
    except ValidationError as exc:
        messages.error(request, " ".join(exc.messages))
    else:
        messages.success(request, _("民主评议已结束。"))
    return redirect("assessment_year:appraisal_detail", pk=appraisal.pk)


# --- one member of an appraisal -------------------------------------------------------------------------


def _entry_page(request: HttpRequest, entry: AppraisalEntry, **forms) -> HttpResponse:
    user = request.user
    appraisal = entry.appraisal
    is_open = appraisal.status == Appraisal.Status.OPEN
    editor = selectors.sees_tallies(user=user, appraisal=appraisal)
    own = scope.scope_of(user).person_id == entry.member.person_id
    votes = selectors.my_votes(user=user, appraisal=appraisal) if not own else {}
    voter = selectors.own_entry(user=user, appraisal=appraisal) is not None
    context = {
        "entry": entry,
        "appraisal": appraisal,
        "is_open": is_open,
        "editor": editor,
        "own": own,
        "may_vote": is_open and voter and not own,
        "vote": votes.get(entry.pk, ""),
        "grades": Grade.choices,
        # Tallies: for those who conclude, and for the member themself once the appraisal is over.
        "tallies": selectors.entry_tallies(entry) if editor or (own and not is_open) else None,
        # Before the secretary chooses: would 合格 break the office's rule on unregistered members?
        "breach_warning": editor and is_open and services.is_registered_rule_breach(entry, Grade.QUALIFIED),
        "self_form": forms.get("self_form")
        or SelfAppraisalForm(initial={"self_appraisal": entry.self_appraisal}),
        "paper_form": forms.get("paper_form")
        or PaperForm(initial={name: getattr(entry, name) for name in services.PAPER_FIELDS}),
        "conclusion_form": forms.get("conclusion_form")
        or ConclusionForm(initial={"conclusion": entry.conclusion, "conclusion_note": entry.conclusion_note}),
    }
    return render(request, "assessment/year/entry_detail.html", context)


@login_required
@require_GET
def entry_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _entry_page(request, selectors.entry_detail(user=request.user, pk=pk))


def _back_to_entry(entry: AppraisalEntry) -> HttpResponse:
    return redirect("assessment_year:entry_detail", pk=entry.pk)


@login_required
@require_POST
def entry_self(request: HttpRequest, pk: int) -> HttpResponse:
    entry = selectors.entry_detail(user=request.user, pk=pk)
    if scope.scope_of(request.user).person_id != entry.member.person_id:
        raise PermissionDenied
    form = SelfAppraisalForm(request.POST)
    if form.is_valid():
        try:
            services.appraisal_self(actor=request.user, entry=entry, text=form.cleaned_data["self_appraisal"])
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已保存个人自评。"))
            return _back_to_entry(entry)
    return _entry_page(request, entry, self_form=form)


@login_required
@require_POST
def entry_vote(request: HttpRequest, pk: int) -> HttpResponse:
    """A vote from the vote sheet: htmx swaps the row's buttons; without it, back to the sheet."""
    entry = selectors.entry_detail(user=request.user, pk=pk)
    form = VoteForm(request.POST)
    error = ""
    grade = ""
    if not form.is_valid():
        error = _("请选择优秀、合格、基本合格或不合格。")
    else:
        try:
            vote = services.appraisal_vote(actor=request.user, entry=entry, grade=form.cleaned_data["grade"])
        except ValidationError as exc:
            error = " ".join(exc.messages)
        else:
            grade = vote.grade
    if request.headers.get("HX-Request"):
        if not grade:
            grade = selectors.my_votes(user=request.user, appraisal=entry.appraisal).get(entry.pk, "")
        context = {
            "entry": entry,
            "vote": grade,
            "grades": Grade.choices,
            "error": error,
            "is_open": entry.appraisal.status == Appraisal.Status.OPEN,
        }
        return render(request, "assessment/year/_vote_buttons.html", context)
    if error:
        messages.error(request, error)
    else:
        messages.success(
            request,
            _("已投票:%(name)s“%(grade)s”。")
            % {"name": entry.member.person.name, "grade": Grade(grade).label},
        )
    target = request.POST.get("next") or ""
    if target == "entry":
        return _back_to_entry(entry)
    return redirect(
        reverse("assessment_year:appraisal_detail", args=[entry.appraisal_id]) + f"#entry-{entry.pk}"
    )


def _editor_entry(request: HttpRequest, pk: int) -> AppraisalEntry:
    entry = selectors.entry_detail(user=request.user, pk=pk)
    if not selectors.sees_tallies(user=request.user, appraisal=entry.appraisal):
        raise PermissionDenied
    return entry


@login_required
@require_POST
def entry_paper(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _editor_entry(request, pk)
    form = PaperForm(request.POST)
    if form.is_valid():
        try:
            services.appraisal_paper(actor=request.user, entry=entry, counts=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已录入%(name)s的纸质票。") % {"name": entry.member.person.name})
            return _back_to_entry(entry)
    return _entry_page(request, entry, paper_form=form)


@login_required
@require_POST
def entry_conclude(request: HttpRequest, pk: int) -> HttpResponse:
    entry = _editor_entry(request, pk)
    form = ConclusionForm(request.POST)
    if form.is_valid():
        try:
            saved = services.appraisal_conclude(
                actor=request.user,
                entry=entry,
                conclusion=form.cleaned_data["conclusion"],
                note=form.cleaned_data["conclusion_note"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已将%(name)s评定为“%(grade)s”。")
                % {"name": saved.member.person.name, "grade": saved.get_conclusion_display()},
            )
            return redirect(
                reverse("assessment_year:appraisal_detail", args=[entry.appraisal_id]) + f"#entry-{entry.pk}"
            )
    return _entry_page(request, entry, conclusion_form=form)
