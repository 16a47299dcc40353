"""Community pages, part two: posts and their claims (创岗、设岗、认岗、领岗), service records (活动记实: a
member's report waits as 待核实; a worker verifies, rejects with a reason, or enters one verified at once),
volunteer teams, and one-to-one pairings (结对帮扶) with their visits. Members use them on a phone."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import ValidationError
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.org.models import Cell

from . import selectors_pages as selectors
from . import services_teams, services_work
from .forms import (
    EndForm,
    PairingForm,
    PostForm,
    RejectForm,
    ServiceEntryForm,
    ServiceFilterForm,
    ServiceReportForm,
    TeamForm,
    VisitForm,
)
from .models import Pairing, ServiceRecord
from .views import apply_errors, own_member_or_403, page_of, refusal, require

# --- posts and claims ------------------------------------------------------------------------------------


@login_required
@require_GET
def post_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_community(user))
    worker = selectors.is_worker(user)
    member = None if worker else selectors.own_member(user)
    posts = selectors.post_list(user=user, member=member)
    context = {
        "page": page_of(request, posts),
        "worker": worker,
        "member": member,
        "claims": list(selectors.my_claims(member)[:20]) if member is not None else [],
        "active": selectors.active_registration(member) if member is not None else None,
    }
    return render(request, "community/post_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def post_create(request: HttpRequest) -> HttpResponse:
    require(selectors.is_worker(request.user))
    form = PostForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        try:
            post = services_work.post_create(actor=request.user, **form.create_fields())
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已设置岗位“%(name)s”,共%(places)d个名额。") % {"name": post.name, "places": post.places},
            )
            return redirect("community:post_detail", pk=post.pk)
    return render(request, "community/post_form.html", {"form": form})


@login_required
@require_GET
def post_detail(request: HttpRequest, pk: int) -> HttpResponse:
    user = request.user
    post = selectors.post_detail(user=user, pk=pk)
    member = selectors.own_member(user)
    mine = None
    if member is not None:
        mine = post.claims.filter(member=member, status__in=selectors.TAKEN).first()
    context = {
        "post": post,
        "claims": list(selectors.post_claims(user=user, post=post)),
        "decides": selectors.works_in(user, post.community),
        "member": member,
        "mine": mine,
        "left": max(post.places - post.taken, 0),
    }
    return render(request, "community/post_detail.html", context)


@login_required
@require_POST
def post_claim(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_detail(user=request.user, pk=pk)
    member = own_member_or_403(request)
    try:
        services_work.post_claim(actor=request.user, post=post, member=member)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(request, _("已认领“%(name)s”,等待社区确认上岗。") % {"name": post.name})
    return redirect("community:post_detail", pk=post.pk)


@login_required
@require_POST
def claim_confirm(request: HttpRequest, pk: int) -> HttpResponse:
    claim = selectors.claim_detail(user=request.user, pk=pk)
    try:
        services_work.claim_confirm(actor=request.user, claim=claim)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("已确认%(name)s上岗“%(post)s”。") % {"name": claim.member.person.name, "post": claim.post.name},
        )
    return redirect("community:post_detail", pk=claim.post_id)


# --- service records -------------------------------------------------------------------------------------


@login_required
@require_GET
def service_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_community(user))
    worker = selectors.is_worker(user)
    member = None if worker else selectors.own_member(user)
    form = ServiceFilterForm(request.GET or None)
    status = form.cleaned_data["status"] if form.is_bound and form.is_valid() else ""
    records = selectors.service_records(user=user, status=status, member=member)
    context = {
        "form": form,
        "page": page_of(request, records),
        "worker": worker,
        "member": member,
    }
    return render(request, "community/service_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def service_report(request: HttpRequest) -> HttpResponse:
    member = own_member_or_403(request)
    registration = selectors.confirmed_registration(member)
    form = None
    if registration is not None:
        form = ServiceReportForm(request.POST or None, member=member, community=registration.community)
        if request.method == "POST" and form.is_valid():
            try:
                record = services_work.service_report(
                    actor=request.user,
                    member=member,
                    community=registration.community,
                    **form.report_fields(),
                )
            except ValidationError as exc:
                apply_errors(exc, form)
            else:
                messages.success(
                    request,
                    _("已记录%(date)s的服务%(hours)s小时,待社区核实后计入时间银行。")
                    % {"date": record.served_on, "hours": record.hours},
                )
                return redirect("community:service_list")
    elif request.method == "POST":
        messages.error(request, _("请先在居住地社区报到,经社区确认后再记录服务。"))
    return render(request, "community/service_report.html", {"form": form, "registration": registration})


@login_required
@require_http_methods(["GET", "POST"])
def service_enter(request: HttpRequest) -> HttpResponse:
    require(selectors.is_worker(request.user))
    form = ServiceEntryForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        member = data["member"]
        try:
            record = services_work.service_report(
                actor=request.user,
                member=member,
                community=Cell.objects.get(pk=member.community_id),
                activity=data["activity"],
                served_on=data["served_on"],
                hours=data["hours"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已录入%(name)s的服务并核实,%(hours)s小时已计入时间银行。")
                % {"name": member.person.name, "hours": record.hours},
            )
            return redirect(reverse("community:service_list") + "?status=verified")
    return render(request, "community/service_enter.html", {"form": form})


def _back_to_queue() -> HttpResponse:
    return redirect(reverse("community:service_list") + "?status=" + ServiceRecord.Status.REPORTED)


@login_required
@require_POST
def service_verify(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.service_record(user=request.user, pk=pk)
    try:
        services_work.service_verify(actor=request.user, record=record)
    except ValidationError as exc:
        messages.error(request, refusal(exc))
    else:
        messages.success(
            request,
            _("已核实%(name)s的服务,%(hours)s小时已计入时间银行。")
            % {"name": record.member.person.name, "hours": record.hours},
        )
    return _back_to_queue()


@login_required
@require_http_methods(["GET", "POST"])
def service_reject(request: HttpRequest, pk: int) -> HttpResponse:
    record = selectors.service_record(user=request.user, pk=pk)
    require(selectors.works_in(request.user, record.community))
    form = RejectForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services_work.service_reject(
                actor=request.user, record=record, reason=form.cleaned_data["reason"]
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request, _("已将%(name)s的服务记录标为未核实。") % {"name": record.member.person.name}
            )
            return _back_to_queue()
    return render(request, "community/service_reject.html", {"record": record, "form": form})


# --- teams -----------------------------------------------------------------------------------------------


@login_required
@require_GET
def team_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_community(user))
    context = {"page": page_of(request, selectors.team_list(user=user)), "worker": selectors.is_worker(user)}
    return render(request, "community/team_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def team_create(request: HttpRequest) -> HttpResponse:
    require(selectors.is_worker(request.user))
    form = TeamForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            team = services_teams.team_create(
                actor=request.user,
                community=data["community"],
                name=data["name"],
                purpose=data["purpose"],
                leader=data["leader"],
                members=data["members"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, _("已组建“%(name)s”。") % {"name": team.name})
            return redirect("community:team_detail", pk=team.pk)
    return render(request, "community/team_form.html", {"form": form})


@login_required
@require_GET
def team_detail(request: HttpRequest, pk: int) -> HttpResponse:
    team = selectors.team_detail(user=request.user, pk=pk)
    members = list(selectors.team_members(team))
    return render(request, "community/team_detail.html", {"team": team, "members": members})


# --- pairings --------------------------------------------------------------------------------------------


@login_required
@require_GET
def pairing_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_community(user))
    worker = selectors.is_worker(user)
    member = None if worker else selectors.own_member(user)
    pairings = selectors.pairing_list(user=user, member=member)
    context = {"page": page_of(request, pairings), "worker": worker}
    return render(request, "community/pairing_list.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def pairing_create(request: HttpRequest) -> HttpResponse:
    require(selectors.is_worker(request.user))
    form = PairingForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            pairing = services_teams.pairing_create(
                actor=request.user,
                community=data["community"],
                member=data["member"],
                person=data["person"],
                kind=data["kind"],
                started_on=data["started_on"],
                notes=data["notes"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已安排%(member)s与%(person)s结对。")
                % {"member": pairing.member.person.name, "person": pairing.person.name},
            )
            return redirect("community:pairing_detail", pk=pairing.pk)
    return render(request, "community/pairing_form.html", {"form": form})


def _pairing_page(
    request: HttpRequest, pairing: Pairing, *, visit_form=None, end_form=None, status: int = 200
) -> HttpResponse:
    user = request.user
    worker = selectors.works_in(user, pairing.community)
    context = {
        "pairing": pairing,
        "visits": list(selectors.pairing_visits(pairing)[:100]),
        "logs": pairing.ended_on is None and (worker or selectors.is_own(user, pairing.member)),
        "ends": pairing.ended_on is None and worker,
        "visit_form": visit_form or VisitForm(),
        "end_form": end_form or EndForm(),
    }
    return render(request, "community/pairing_detail.html", context, status=status)


@login_required
@require_GET
def pairing_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _pairing_page(request, selectors.pairing_detail(user=request.user, pk=pk))


@login_required
@require_POST
def pairing_visit(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = selectors.pairing_detail(user=request.user, pk=pk)
    form = VisitForm(request.POST)
    if form.is_valid():
        try:
            services_teams.pairing_visit(
                actor=request.user,
                pairing=pairing,
                visited_on=form.cleaned_data["visited_on"],
                content=form.cleaned_data["content"],
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                # The pairing itself refuses (it has ended): no form to correct, say so above the page.
                messages.error(request, refusal(exc))
                return redirect("community:pairing_detail", pk=pairing.pk)
            apply_errors(exc, form)
        else:
            messages.success(request, _("已记录%(date)s的走访。") % {"date": form.cleaned_data["visited_on"]})
            return redirect("community:pairing_detail", pk=pairing.pk)
    return _pairing_page(request, pairing, visit_form=form)


@login_required
@require_POST
def pairing_end(request: HttpRequest, pk: int) -> HttpResponse:
    pairing = selectors.pairing_detail(user=request.user, pk=pk)
    form = EndForm(request.POST)
    if form.is_valid():
        try:
            services_teams.pairing_end(
                actor=request.user, pairing=pairing, ended_on=form.cleaned_data["ended_on"]
            )
        except ValidationError as exc:
            if not hasattr(exc, "error_dict"):
                messages.error(request, refusal(exc))
                return redirect("community:pairing_detail", pk=pairing.pk)
            apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已结束%(member)s与%(person)s的结对。")
                % {"member": pairing.member.person.name, "person": pairing.person.name},
            )
            return redirect("community:pairing_detail", pk=pairing.pk)
    return _pairing_page(request, pairing, end_form=form)
