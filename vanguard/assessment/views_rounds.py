"""Pages of the assessment rounds (考核轮次): the list, the office's new round, one round with its state and
the office's transitions, the scoring progress while it is open and the ranked results once it has closed,
their xlsx export, and the branches' score distribution for the office."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope
from vanguard.dataio.views_export import describe_filters, list_export_response
from vanguard.org.models import Member
from vanguard.posts import services_competition as competition

from . import compute, exports, selectors, services
from .forms import ResultFilterForm, RoundEditForm, RoundFilterForm, RoundForm
from .models import Purpose, Round, Source
from .views_util import apply_errors, htmx_download, page_of, require

Status = Round.Status

# The office's buttons on a round, by its state: (action, label, confirmation, button style).
ACTIONS = {
    Status.DRAFT: [
        (
            "open",
            gettext_lazy("开始评分"),
            gettext_lazy("开始评分后将为范围内的每个考核对象建立考核结果,方案版本随之固定。确定开始?"),
            "btn-vanguard",
        )
    ],
    Status.OPEN: [
        (
            "close",
            gettext_lazy("结束评分"),
            gettext_lazy("结束后将计算得分和排名,各方不能再评分。确定结束?"),
            "btn-vanguard",
        )
    ],
    Status.CLOSED: [
        (
            "publish",
            gettext_lazy("公布结果"),
            gettext_lazy("公布后结果锁定,更正只能通过修订并说明原因。确定公布?"),
            "btn-vanguard",
        ),
        (
            "reopen",
            gettext_lazy("重新开放评分"),
            gettext_lazy("重新开放后可以继续评分,结束时重新计算得分和排名。确定重新开放?"),
            "btn-outline-secondary",
        ),
    ],
    Status.PUBLISHED: [
        (
            "archive",
            gettext_lazy("归档"),
            gettext_lazy("归档后不能再修订。确定归档?"),
            "btn-outline-secondary",
        )
    ],
}
DONE = {
    "open": gettext_lazy("已开始评分:%(name)s。"),
    "close": gettext_lazy("已结束评分,得分和排名已计算:%(name)s。"),
    "reopen": gettext_lazy("已重新开放评分:%(name)s。"),
    "publish": gettext_lazy("已公布结果:%(name)s。"),
    "archive": gettext_lazy("已归档:%(name)s。"),
}


@login_required
@require_GET
def round_list(request: HttpRequest) -> HttpResponse:
    require(selectors.takes_part(request.user))
    form = RoundFilterForm(request.GET or None)
    page = page_of(request, selectors.round_list(user=request.user, status=form.status_value()))
    context = {"form": form, "page": page, "can_create": selectors.is_office(request.user)}
    if request.headers.get("HX-Request"):
        return render(request, "assessment/_round_rows.html", context)
    return render(request, "assessment/round_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def round_create(request: HttpRequest) -> HttpResponse:
    require(selectors.is_office(request.user))
    # The scheme (and, when the form redraws its participants, the scope) may come in the address.
    initial = {k: request.GET[k] for k in ("scheme", "organisation") if request.GET.get(k, "").isdigit()}
    form = RoundForm(request.POST or None, user=request.user, initial=initial or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        fields = {k: data[k] for k in ("scheme", "organisation", "name", "period_start", "period_end")}
        try:
            if form.competition:
                round_ = competition.competition_round_create(
                    actor=request.user, participants=data["participants"], **fields
                )
            else:
                round_ = services.round_create(actor=request.user, **fields)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已建立考核轮次“%(name)s”(草稿),确认无误后点击“开始评分”。") % {"name": round_.name},
            )
            return redirect("assessment:round_detail", pk=round_.pk)
    return render(request, "assessment/round_form.html", {"form": form, "round": None})


@login_required
@require_http_methods(["GET", "POST"])
def round_edit(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, round_.organisation))
    if round_.status != Status.DRAFT:
        messages.error(request, _("考核已开始,名称和考核期不能再修改。"))
        return redirect("assessment:round_detail", pk=round_.pk)
    form = RoundEditForm(request.POST or None, round_=round_, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            if form.competition:
                competition.competition_round_update(
                    actor=request.user,
                    round_=round_,
                    fields=form.round_fields(),
                    participants=form.cleaned_data["participants"],
                )
            else:
                services.round_update(actor=request.user, round_=round_, fields=form.round_fields())
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已保存考核轮次。"))
            return redirect("assessment:round_detail", pk=round_.pk)
    return render(request, "assessment/round_form.html", {"form": form, "round": round_})


def _results_context(request: HttpRequest, round_: Round) -> dict:
    form = ResultFilterForm(request.GET or None, user=request.user, round_=round_)
    results = selectors.ranked_results(user=request.user, round_=round_, filters=form.filters())
    return {"form": form, "page": page_of(request, results)}


@login_required
@require_GET
def round_detail(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    user = request.user
    office = selectors.office_over(user, round_.organisation)
    context: dict = {"round": round_, "office": office}
    if round_.version.scheme.purpose == Purpose.COMPETITION:
        # 岗位竞赛: the members taking part that the user sees, and how many there are in all (the ranking
        # is the round's results).
        context["participants_count"] = round_.participants.count()
        context["participants"] = list(
            scope.visible_to(user, Member.objects.filter(pk__in=round_.participants.values("pk")))
            .select_related("person", "organisation")
            .order_by("organisation__path", "person__name_pinyin", "pk")
        )
    if round_.is_locked:
        context.update(_results_context(request, round_))
        if request.headers.get("HX-Request"):
            return render(request, "assessment/_result_rows.html", context)
        context["prior_weight"] = compute.prior_weight(round_.organisation)
    elif round_.status == Status.OPEN:
        context["progress"] = selectors.round_progress(user=user, round_=round_)
    active = round_.version.active_sources()
    context.update(
        {
            "actions": [
                {"action": a, "label": label, "confirm": confirm, "style": style}
                for a, label, confirm, style in ACTIONS.get(round_.status, [])
            ]
            if office
            else [],
            "sheet_sources": [(s, Source(s).label) for s in selectors.sheet_sources(user=user, round_=round_)]
            if round_.status == Status.OPEN
            else [],
            "self_open": round_.status == Status.OPEN
            and Source.SELF in active
            and selectors.own_results(user=user, round_=round_).exists(),
        }
    )
    return render(request, "assessment/round_detail.html", context)


@login_required
@require_POST
def round_transition(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, round_.organisation))
    action = request.POST.get("action", "")
    if action not in DONE:
        messages.error(request, _("未知的操作。"))
        return redirect("assessment:round_detail", pk=round_.pk)
    try:
        services.round_transition(actor=request.user, round_=round_, action=action)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        messages.success(request, str(DONE[action]) % {"name": round_.name})
    return redirect("assessment:round_detail", pk=round_.pk)


@login_required
@require_GET
def round_export(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    if not round_.is_locked:
        messages.error(request, _("考核结束后才有得分和排名可以导出。"))
        return redirect("assessment:round_detail", pk=round_.pk)
    download = htmx_download(request)
    if download is not None:
        return download
    form = ResultFilterForm(request.GET or None, user=request.user, round_=round_)
    results = selectors.ranked_results(user=request.user, round_=round_, filters=form.filters())
    export = exports.results_export(round_, results)
    filters = describe_filters(form)

    def detail(count: int) -> str:
        return _("%(round)s(编号 %(pk)d)考核结果 %(count)d 条;筛选:%(filters)s") % {
            "round": round_.name,
            "pk": round_.pk,
            "count": count,
            "filters": filters,
        }

    return list_export_response(request, export, kind="assessment_results", detail=detail)


@login_required
@require_GET
def distribution(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.round_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, round_.organisation))
    overall, rows = selectors.distribution(user=request.user, round_=round_)
    return render(
        request,
        "assessment/distribution.html",
        {
            "round": round_,
            "overall": overall,
            "page": page_of(request, rows),
            "flag_deviations": selectors.FLAG_DEVIATIONS,
            "flag_points": selectors.FLAG_POINTS,
        },
    )
