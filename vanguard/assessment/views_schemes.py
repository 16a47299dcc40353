"""Pages of the assessment schemes (考核方案): the list, one scheme with its indicator tree and the history
of its versions, and the office's edits. An edit of a version that a round has started with goes into the
next version (services._editable_version); the pages say so before and after."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope

from . import selectors, services
from .forms import IndicatorForm, SchemeEditForm, SchemeForm, WeightsForm
from .models import Indicator, Purpose, Scheme, SchemeVersion, Source
from .views_util import apply_errors, page_of, require


def _editable_scheme(request: HttpRequest, pk: int) -> Scheme:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)
    require(selectors.office_over(request.user, scheme.organisation))
    return scheme


def _saved(request: HttpRequest, before: SchemeVersion, after: SchemeVersion, text: str) -> None:
    if after.number != before.number:
        text += _(
            "版本%(old)d已被考核轮次使用,本次修改生成了版本%(new)d;已开始的考核轮次仍按版本%(old)d计分。"
        ) % {
            "old": before.number,
            "new": after.number,
        }
    messages.success(request, text)


@login_required
@require_GET
def scheme_list(request: HttpRequest) -> HttpResponse:
    require(selectors.reads_organisations(request.user))
    page = page_of(request, selectors.scheme_list(user=request.user))
    return render(
        request,
        "assessment/scheme_list.html",
        {"page": page, "can_create": selectors.is_office(request.user)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_create(request: HttpRequest) -> HttpResponse:
    require(selectors.is_office(request.user))
    form = SchemeForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            scheme = services.scheme_create(
                actor=request.user,
                organisation=data["organisation"],
                name=data["name"],
                target_kind=data["target_kind"],
                period=data["period"],
                purpose=data["purpose"] or Purpose.ASSESSMENT,
                description=data["description"],
                weights=form.weights(),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已建立考核方案“%(name)s”,请添加考核指标。") % {"name": scheme.name})
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form, "scheme": None})


def _version_number(request: HttpRequest) -> int | None:
    raw = request.GET.get("version", "")
    return int(raw) if raw.isdigit() and len(raw) < 9 else None


@login_required
@require_GET
def scheme_detail(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = selectors.scheme_detail(user=request.user, pk=pk)
    versions = selectors.scheme_versions(user=request.user, scheme=scheme)
    latest = versions[0] if versions else None
    number = _version_number(request)
    version = next((v for v in versions if v.number == number), None) if number else latest
    if version is None:
        return redirect("assessment:scheme_detail", pk=scheme.pk)
    is_latest = version.pk == latest.pk
    weights = version.source_weights()
    weight_sum = sum(weights.values())
    return render(
        request,
        "assessment/scheme_detail.html",
        {
            "scheme": scheme,
            "version": version,
            "versions": versions,
            "is_latest": is_latest,
            "in_use": is_latest and services.version_in_use(version),
            "tree": selectors.indicator_tree(version),
            "weights": [
                {
                    "label": label,
                    "weight": weights[source],
                    "percent": (weights[source] * 100 / weight_sum) if weight_sum else 0,
                }
                for source in selectors.SOURCE_ORDER
                for label in [Source(source).label]
            ],
            "can_edit": is_latest and selectors.office_over(request.user, scheme.organisation),
        },
    )


@login_required
@require_http_methods(["GET", "POST"])
def scheme_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _editable_scheme(request, pk)
    form = SchemeEditForm(request.POST or None, scheme=scheme)
    if request.method == "POST" and form.is_valid():
        try:
            services.scheme_update(actor=request.user, scheme=scheme, fields=form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已保存考核方案。"))
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(request, "assessment/scheme_form.html", {"form": form, "scheme": scheme})


@login_required
@require_http_methods(["GET", "POST"])
def scheme_weights(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _editable_scheme(request, pk)
    current = services.latest_version(scheme)
    form = WeightsForm(request.POST or None, version=current)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.version_update(
                actor=request.user, scheme=scheme, weights=form.weights(), note=form.cleaned_data["note"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            _saved(request, current, saved, _("已保存评分来源权重。"))
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/scheme_weights.html",
        {"form": form, "scheme": scheme, "version": current, "in_use": services.version_in_use(current)},
    )


@login_required
@require_http_methods(["GET", "POST"])
def indicator_add(request: HttpRequest, pk: int) -> HttpResponse:
    scheme = _editable_scheme(request, pk)
    current = services.latest_version(scheme)
    form = IndicatorForm(request.POST or None, version=current)
    if request.method == "POST" and form.is_valid():
        try:
            indicator = services.indicator_add(
                actor=request.user,
                scheme=scheme,
                parent_key=form.cleaned_data["parent"],
                fields=form.service_fields(),
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            _saved(
                request,
                current,
                indicator.version,
                _("已添加指标“%(name)s”。") % {"name": indicator.name},
            )
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/indicator_form.html",
        {"form": form, "scheme": scheme, "version": current, "indicator": None, "in_use": _in_use(current)},
    )


def _in_use(version: SchemeVersion) -> bool:
    return services.version_in_use(version)


def _current_indicator(request: HttpRequest, pk: int) -> tuple[Scheme, SchemeVersion, Indicator]:
    """The indicator `pk` as the office edits it: it must belong to the scheme's latest version (an older
    version is history and answers 404 here, like an indicator out of sight)."""
    indicator = scope.get_visible_or_404(
        request.user, Indicator.objects.select_related("version__scheme__organisation"), pk=pk
    )
    scheme = indicator.version.scheme
    require(selectors.office_over(request.user, scheme.organisation))
    current = services.latest_version(scheme)
    if indicator.version_id != current.pk:
        raise PermissionDenied(_("只能修改方案当前版本的指标。"))
    return scheme, current, indicator


@login_required
@require_http_methods(["GET", "POST"])
def indicator_edit(request: HttpRequest, pk: int) -> HttpResponse:
    scheme, current, indicator = _current_indicator(request, pk)
    form = IndicatorForm(request.POST or None, version=current, indicator=indicator)
    if request.method == "POST" and form.is_valid():
        try:
            saved = services.indicator_update(
                actor=request.user, scheme=scheme, key=indicator.key, fields=form.service_fields()
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            _saved(request, current, saved.version, _("已保存指标“%(name)s”。") % {"name": saved.name})
            return redirect("assessment:scheme_detail", pk=scheme.pk)
    return render(
        request,
        "assessment/indicator_form.html",
        {
            "form": form,
            "scheme": scheme,
            "version": current,
            "indicator": indicator,
            "in_use": _in_use(current),
        },
    )


@login_required
@require_POST
def indicator_remove(request: HttpRequest, pk: int) -> HttpResponse:
    scheme, current, indicator = _current_indicator(request, pk)
    try:
        services.indicator_remove(actor=request.user, scheme=scheme, key=indicator.key)
    except ValidationError as exc:
        messages.error(request, "".join(exc.messages))
    else:
        after = services.latest_version(scheme)
        _saved(request, current, after, _("已删除指标“%(name)s”及其下级指标。") % {"name": indicator.name})
    return redirect("assessment:scheme_detail", pk=scheme.pk)
