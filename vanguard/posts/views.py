"""Pages of the star model posts (星级党员示范岗): the scoped list and its xlsx export, a branch's application
with its members and their photos, one post with its members, star timeline, monthly evaluations and opinion
book and the actions each role may take on it, the evaluation of a closed star round, and the office's
versioned rules. The public board is in views_public.py."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.dataio.views_export import describe_filters, list_export_response
from vanguard.org.models import Organisation

from . import exports, selectors, services
from .forms import (
    AnswerForm,
    BranchChoiceForm,
    DecideForm,
    EvaluateForm,
    NameForm,
    OpinionEntryForm,
    PostApplyForm,
    PostFilterForm,
    ReviewForm,
    RulesForm,
    member_formset,
)
from .models import MAX_STARS, ModelPost, Opinion

Status = ModelPost.Status
PAGE_SIZE = 50
OPINIONS_PER_PAGE = 20


def apply_errors(exc: ValidationError, form) -> None:
    """A service's ValidationError onto the form: each message under its field, or above the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def page_of(request: HttpRequest, items) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def require(condition: bool) -> None:
    """403 when the user sees the thing but may not do this to it."""
    if not condition:
        raise PermissionDenied


def htmx_download(request: HttpRequest) -> HttpResponse | None:
    """The export link asks through htmx with the filters as they are now; the browser is then sent to the
    same address to download the file (as the other lists' exports do)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


def _month_label(month) -> str:
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


# --- the list and its export -----------------------------------------------------------------------------


@login_required
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.reads_posts(user))
    form = PostFilterForm(request.GET or None, user=user)
    page = page_of(request, selectors.post_list(user=user, filters=form.filters()))
    context = {"form": form, "page": page}
    if request.headers.get("HX-Request"):
        return render(request, "posts/_post_rows.html", context)
    office = selectors.is_office(user)
    context.update(
        {
            "office": office,
            "can_apply": selectors.applies(user),
            "star_rounds": list(selectors.star_rounds(user=user)) if office else [],
        }
    )
    return render(request, "posts/post_list.html", context)


@login_required
@require_GET
def post_export(request: HttpRequest) -> HttpResponse:
    require(selectors.reads_posts(request.user))
    download = htmx_download(request)
    if download is not None:
        return download
    form = PostFilterForm(request.GET or None, user=request.user)
    export = exports.posts_export(selectors.post_list(user=request.user, filters=form.filters()))
    filters = describe_filters(form)

    def detail(count: int) -> str:
        return _("星级党员示范岗 %(count)d 个;筛选:%(filters)s") % {"count": count, "filters": filters}

    return list_export_response(request, export, kind="model_posts", detail=detail)


# --- the application -------------------------------------------------------------------------------------


def _rows(request: HttpRequest) -> int:
    value = request.GET.get("rows", "")
    return int(value) if value.isdigit() else 3


@login_required
@require_http_methods(["GET", "POST"])
def post_apply(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.applies(user))
    # A secretary of one branch applies for it without choosing (its groups are choices too).
    branches = list(selectors.apply_organisations(user=user).filter(kind=Organisation.Kind.BRANCH)[:2])
    default = branches[0] if len(branches) == 1 else None
    branch_form = BranchChoiceForm(
        request.GET if "organisation" in request.GET else None,
        user=user,
        initial={"organisation": default.pk} if default is not None else None,
    )
    organisation = default
    if branch_form.is_bound:
        organisation = branch_form.cleaned_data["organisation"] if branch_form.is_valid() else None
    rows = _rows(request)
    form = formset = None
    if organisation is not None:
        members = selectors.member_choices(organisation)
        data = request.POST if request.method == "POST" else None
        form = PostApplyForm(data)
        formset = member_formset(data, request.FILES or None, members=members, rows=rows)
        if request.method == "POST" and form.is_valid() and formset.is_valid():
            try:
                post = services.post_apply(
                    actor=user,
                    organisation=organisation,
                    fields=form.post_fields(),
                    members=formset.entries(),
                )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request, _("已提交“%(name)s”的申请,等待党委办公室审批挂牌。") % {"name": post.name}
                )
                return redirect("posts:detail", pk=post.pk)
    elif request.method == "POST":
        messages.error(request, _("请先选择申请示范岗的党支部。"))
    query = {"organisation": organisation.pk} if organisation is not None else {}
    return render(
        request,
        "posts/post_apply.html",
        {
            "branch_form": branch_form,
            "organisation": organisation,
            "form": form,
            "formset": formset,
            "action": reverse("posts:apply") + ("?" + urlencode({**query, "rows": rows}) if query else ""),
            "more_rows": reverse("posts:apply") + "?" + urlencode({**query, "rows": min(rows + 3, 20)}),
            "photos_lost": request.method == "POST" and bool(request.FILES),
        },
    )


# --- one post --------------------------------------------------------------------------------------------


def _detail(
    request: HttpRequest, post: ModelPost, *, opinion_page: str | None = None, **bound
) -> HttpResponse:
    """The post's page; a bound form (an action refused) is shown in place of its blank one, with its
    errors and what was typed."""
    user = request.user
    office = selectors.office_over(user, post.organisation)
    editor = selectors.edits_under(user, post.organisation)
    on_the_wall = post.status == Status.APPROVED
    evaluations, visible_results = selectors.evaluations(user=user, post=post)
    opinions = Paginator(selectors.opinions(post), OPINIONS_PER_PAGE).get_page(
        opinion_page or request.GET.get("op")
    )
    answering = bound.get("answer_form")
    rows = []
    for opinion in opinions:
        answer_form = None
        if editor and answering is not None and answering.opinion.pk == opinion.pk:
            answer_form = answering
        elif editor and opinion.answered_at is None:
            answer_form = AnswerForm(opinion=opinion)
        rows.append((opinion, answer_form))

    def form(name: str, cls, allowed: bool):
        if name in bound:
            return bound[name]
        return cls() if allowed else None

    context = {
        "post": post,
        "members": selectors.post_members(post),
        "events": selectors.timeline(post),
        "evaluations": evaluations,
        "visible_results": visible_results,
        "opinions": opinions,
        "opinion_rows": rows,
        "office": office,
        "editor": editor,
        "max_stars": MAX_STARS,
        "decide_form": form("decide_form", DecideForm, office and post.status == Status.APPLIED),
        "name_form": form(
            "name_form",
            NameForm,
            office and on_the_wall and post.stars >= MAX_STARS and post.named_at is None,
        ),
        "review_form": form("review_form", ReviewForm, office and on_the_wall and post.stars < MAX_STARS),
        "evaluate_form": form("evaluate_form", EvaluateForm, office and on_the_wall),
        "entry_form": form("entry_form", OpinionEntryForm, editor),
    }
    return render(request, "posts/post_detail.html", context)


@login_required
@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.post_detail(user=request.user, pk=pk))


def _office_post(request: HttpRequest, pk: int) -> ModelPost:
    post = selectors.post_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, post.organisation))
    return post


@login_required
@require_POST
def post_decide(request: HttpRequest, pk: int) -> HttpResponse:
    post = _office_post(request, pk)
    form = DecideForm(request.POST)
    if form.is_valid():
        approve = form.cleaned_data["decision"] == "approve"
        try:
            services.post_decide(
                actor=request.user, post=post, approve=approve, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            if approve:
                text = _("已批准“%(name)s”挂牌,每月进行星级评定。")
            else:
                text = _("已不予批准“%(name)s”,理由已告知支部。")
            messages.success(request, text % {"name": post.name})
            return redirect("posts:detail", pk=post.pk)
    return _detail(request, post, decide_form=form)


@login_required
@require_POST
def post_name(request: HttpRequest, pk: int) -> HttpResponse:
    post = _office_post(request, pk)
    form = NameForm(request.POST)
    if form.is_valid():
        try:
            services.post_name(actor=request.user, post=post, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已为五星示范岗“%(name)s”授牌命名。") % {"name": post.name})
            return redirect("posts:detail", pk=post.pk)
    return _detail(request, post, name_form=form)


@login_required
@require_POST
def post_review(request: HttpRequest, pk: int) -> HttpResponse:
    post = _office_post(request, pk)
    form = ReviewForm(request.POST)
    if form.is_valid():
        passed = form.cleaned_data["result"] == "pass"
        try:
            services.year_end_review(
                actor=request.user, post=post, passed=passed, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            if passed:
                text = _("“%(name)s”年终复评通过,继续创建。")
            else:
                text = _("“%(name)s”年终复评未通过,已摘牌。")
            messages.success(request, text % {"name": post.name})
            return redirect("posts:detail", pk=post.pk)
    return _detail(request, post, review_form=form)


@login_required
@require_POST
def post_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    post = _office_post(request, pk)
    form = EvaluateForm(request.POST)
    if form.is_valid():
        month = form.cleaned_data["month"]
        try:
            evaluation = services.evaluate(
                actor=request.user, post=post, month=month, total=form.cleaned_data["total"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            event = evaluation.events.order_by("pk").first()
            messages.success(
                request,
                _("已完成“%(name)s”%(month)s的评定。%(reason)s")
                % {"name": post.name, "month": _month_label(month), "reason": event.reason if event else ""},
            )
            return redirect("posts:detail", pk=post.pk)
    return _detail(request, post, evaluate_form=form)


# --- the opinion book ------------------------------------------------------------------------------------


@login_required
@require_POST
def opinion_add(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_detail(user=request.user, pk=pk)
    require(selectors.edits_under(request.user, post.organisation))
    form = OpinionEntryForm(request.POST)
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opinion_submit(
                actor=request.user,
                post=post,
                kind=data["kind"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
                channel=data["channel"],
                received_on=data["received_on"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已录入意见簿:%(kind)s(%(channel)s)。")
                % {
                    "kind": Opinion.Kind(data["kind"]).label,
                    "channel": Opinion.Channel(data["channel"]).label,
                },
            )
            return redirect(reverse("posts:detail", args=[post.pk]) + "#opinions")
    return _detail(request, post, entry_form=form)


@login_required
@require_POST
def opinion_answer(request: HttpRequest, pk: int) -> HttpResponse:
    opinion = selectors.opinion_for_answer(user=request.user, pk=pk)
    post = opinion.post
    require(selectors.edits_under(request.user, post.organisation))
    form = AnswerForm(request.POST, opinion=opinion)
    page = request.POST.get("op") or None
    if form.is_valid():
        data = form.cleaned_data
        try:
            services.opinion_answer(
                actor=request.user,
                opinion=opinion,
                answer=data["answer"],
                upheld=data.get("upheld"),
                serious=data.get("serious", False),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            post.refresh_from_db(fields=["status", "stars"])
            if post.status == Status.REMOVED and data.get("upheld") and data.get("serious"):
                messages.warning(
                    request, _("已答复。严重投诉经核实属实,“%(name)s”已摘牌。") % {"name": post.name}
                )
            else:
                messages.success(request, _("已答复该留言。"))
            target = reverse("posts:detail", args=[post.pk])
            if page:
                target += "?" + urlencode({"op": page})
            return redirect(target + "#opinions")
    return _detail(request, post, opinion_page=page, answer_form=form)


# --- a closed star round -> the month's evaluations ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def round_evaluate(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.star_round(user=request.user, pk=pk)
    require(selectors.office_over(request.user, round_.organisation))
    if request.method == "POST":
        try:
            done = services.evaluate_round(actor=request.user, round_=round_)
        except ValidationError as exc:
            messages.error(request, "".join(exc.messages))
        else:
            if done:
                messages.success(
                    request,
                    _("已根据“%(round)s”评定 %(count)d 个示范岗的星级。")
                    % {"round": round_.name, "count": len(done)},
                )
            else:
                messages.info(
                    request, _("“%(round)s”中的示范岗都已评定过,没有新的评定。") % {"round": round_.name}
                )
        return redirect("posts:round_evaluate", pk=round_.pk)
    rows = selectors.round_posts(user=request.user, round_=round_)
    pending = [r for r in rows if r.evaluation is None and r.result.post.status == Status.APPROVED]
    return render(
        request,
        "posts/round_evaluate.html",
        {
            "round": round_,
            "rows": rows,
            "pending": len(pending),
            "month": round_.period_start.replace(day=1),
        },
    )


# --- the office's rules ----------------------------------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def rules(request: HttpRequest) -> HttpResponse:
    organisations = list(selectors.rules_organisations(user=request.user))
    require(bool(organisations))
    chosen = request.GET.get("organisation", "")
    organisation = next((o for o in organisations if str(o.pk) == chosen), organisations[0])
    view = selectors.rules_view(organisation)
    current = view.current
    initial = {
        "pass_mark": current.pass_mark,
        "complaint_penalty": current.complaint_penalty,
        "serious_complaint_removes": current.serious_complaint_removes,
        "base": view.own_number,
    }
    form = RulesForm(request.POST or None, initial=initial)
    if request.method == "POST" and form.is_valid():
        if form.cleaned_data["base"] != view.own_number:
            form.add_error(None, _("规则刚被他人修改,请查看最新版本后重新填写。"))
        else:
            try:
                saved = services.rules_update(
                    actor=request.user,
                    organisation=organisation,
                    fields=form.rule_fields(),
                    note=form.cleaned_data["note"],
                )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("已保存%(org)s的示范岗评定规则第%(n)d版,此后的评定按新规则进行。")
                    % {"org": organisation.name, "n": saved.number},
                )
                return redirect(reverse("posts:rules") + "?" + urlencode({"organisation": organisation.pk}))
    return render(
        request,
        "posts/rules.html",
        {
            "organisations": organisations,
            "organisation": organisation,
            "view": view,
            "form": form,
            "action": reverse("posts:rules") + "?" + urlencode({"organisation": organisation.pk}),
        },
    )
