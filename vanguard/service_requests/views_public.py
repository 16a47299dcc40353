"""The residents' side of requests, without an account (listed in the access sweep's PUBLIC with reasons).

- submit (/p/requests/new/): the intake, always opened from somewhere — a zone's board or its QR code
  (`?zone=`, this year's zone; `&about=lead` for an opinion or complaint about its responsible member), a
  community's page choosing a building (`?community=`), or a model post's board (`?post=`); `&kind=`
  preselects the kind. Phone first: one column, big touch targets.
- track (/p/requests/<code>/): the progress by tracking code, personal data masked, and the rating form once
  the request is resolved. A code is a private link: not cached, not indexed.
- lookup (/p/requests/): type a code, go to its page.

Each write goes through services.submit / services.rate; their ValidationError lands on the form."""

from __future__ import annotations

from dataclasses import dataclass, field

from django.contrib import messages
from django.core.exceptions import ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils import timezone
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.audit.services import address_of
from vanguard.core.masking import mask_name, mask_phone
from vanguard.org.models import Cell, Member
from vanguard.org.validators import today

from . import challenge, routing, services
from .forms_public import IntakeForm, LookupForm, RatingForm, location_choices
from .models import OPEN_STATUSES, Channel, Event, Kind, ServiceRequest, Status

OPINION_KINDS = (Kind.OPINION, Kind.PRAISE, Kind.COMPLAINT)


@dataclass
class Intake:
    """Where the form was opened from: what the resident sees above the form and what the request is about."""

    channel: str
    place: str
    kinds: list[tuple[str, str]]
    zone: object | None = None
    community: Cell | None = None
    post: object | None = None
    lead: Member | None = None
    locations: list = field(default_factory=list)

    def subject(self, *, kind: str, cell_id: int | None) -> services.Subject:
        cell = Cell.objects.get(pk=cell_id) if cell_id else None
        if self.post is not None:
            return services.Subject(post=self.post)
        if self.zone is not None:
            about = self.lead if kind in OPINION_KINDS else None
            return services.Subject(zone=self.zone, cell=cell, member=about)
        return services.Subject(community=self.community, cell=cell)


def _pk(request: HttpRequest, name: str) -> int:
    try:
        return int(request.GET[name])
    except (TypeError, ValueError):
        raise Http404 from None


def _choices(kinds) -> list[tuple[str, str]]:
    return [(k.value, k.label) for k in kinds]


def _intake(request: HttpRequest) -> Intake | None:
    """The form's context from the query string: None when there is none; 404 for one that is not there."""
    from vanguard.posts.selectors import public_post
    from vanguard.zones.models import Zone

    if "zone" in request.GET:
        zone = get_object_or_404(
            Zone.objects.select_related("organisation"), pk=_pk(request, "zone"), year=today().year
        )
        lead = routing.lead_member(zone) if request.GET.get("about") == "lead" else None
        covered = list(zone.cells.order_by("path"))
        return Intake(
            channel=Channel.ZONE_BOARD,
            place=zone.name,
            kinds=_choices(Kind),
            zone=zone,
            lead=lead,
            locations=location_choices(covered, include_roots=True),
        )
    if "community" in request.GET:
        community = get_object_or_404(Cell, pk=_pk(request, "community"), kind=Cell.Kind.COMMUNITY)
        return Intake(
            channel=Channel.COMMUNITY_PAGE,
            place=community.name,
            # An opinion or complaint needs a subject (a zone, a member or a post): not from here.
            kinds=_choices([Kind.REQUEST]),
            community=community,
            locations=location_choices([community], include_roots=False),
        )
    if "post" in request.GET:
        post = public_post(_pk(request, "post"))
        return Intake(channel=Channel.POST_BOARD, place=post.name, kinds=_choices(OPINION_KINDS), post=post)
    return None


def _track_url(code: str) -> str:
    return reverse("requests_public:track", args=[code])


@require_http_methods(["GET", "POST"])
def submit(request: HttpRequest) -> HttpResponse:
    intake = _intake(request)
    if intake is None:
        messages.info(request, _("请扫描责任区公示牌上的二维码,或从示范岗公示榜、社区页面进入后提交。"))
        return redirect("requests_public:lookup")
    if request.method == "POST" and (request.POST.get("website") or "").strip():
        # A bot filled the field people never see: thanked as if kept, so that it learns nothing.
        messages.success(request, _("谢谢!您的诉求已提交。"))
        return redirect("requests_public:lookup")
    kind = request.GET.get("kind")
    initial = {"kind": kind if kind in dict(intake.kinds) else intake.kinds[0][0]}
    form = IntakeForm(
        request.POST or None,
        request.FILES or None,
        initial=initial,
        kinds=intake.kinds,
        locations=intake.locations,
    )
    if intake.community is not None and "cell" in form.fields:
        form.fields["cell"].label = _("所在小区/楼栋(不确定可不选)")
    status = 200
    if request.method == "POST" and form.is_valid():
        values = form.submission()
        try:
            req = services.submit(
                actor=None,
                subject=intake.subject(kind=values["kind"], cell_id=form.cell_id()),
                channel=intake.channel,
                client=services.client_key(address_of(request)),
                **values,
            )
        except services.RateLimited as exc:
            for message in exc.messages:
                form.add_error(None, message)
            status = 429
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            return redirect(_track_url(req.tracking_code) + "?new=1")
    question = challenge.new()
    return render(
        request,
        "service_requests/public/submit.html",
        {
            "form": form,
            "intake": intake,
            "lead_name": mask_name(intake.lead.person.name) if intake.lead else "",
            "challenge": question,
            "action": request.get_full_path(),
        },
        status=status,
    )


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


# --- the tracking page -------------------------------------------------------------------------------------


def _request_by_code(code: str) -> ServiceRequest:
    req = (
        ServiceRequest.objects.select_related("zone", "cell", "community", "post", "member__person", "team")
        .select_related("organisation")
        .filter(tracking_code=code.upper())
        .first()
    )
    if req is None:
        raise Http404
    return req


def _place(req: ServiceRequest) -> str:
    if req.post_id:
        return req.post.name
    parts = [p.name for p in (req.zone, req.cell) if p is not None]
    if not parts and req.community_id:
        parts.append(req.community.name)
    return " · ".join(parts)


def _handler(req: ServiceRequest) -> str:
    if req.member_id:
        return _("承办党员 %(name)s") % {"name": mask_name(req.member.person.name)}
    if req.team_id:
        return _("承办服务队 %(name)s") % {"name": req.team.name}
    if req.kind != Kind.REQUEST and req.organisation_id:
        return _("由%(branch)s答复") % {"branch": req.organisation.name}
    return _("社区待派单")


def _private(response: HttpResponse) -> HttpResponse:
    # Whoever has the code sees the page: keep it out of caches and search engines.
    response["Cache-Control"] = "no-store"
    response["X-Robots-Tag"] = "noindex, nofollow"
    return response


@require_http_methods(["GET", "POST"])
def track(request: HttpRequest, code: str) -> HttpResponse:
    req = _request_by_code(code)
    if code != req.tracking_code:
        return redirect(_track_url(req.tracking_code))
    if request.method == "POST":
        # The service checks everything (resolved yet, rated already, 1–5 stars, the comment's length).
        try:
            services.rate(
                request=req, rating=request.POST.get("rating"), comment=request.POST.get("comment", "")
            )
        except ValidationError as exc:
            for message in exc.messages:
                messages.error(request, message)
        else:
            messages.success(request, _("谢谢您的评价!"))
        return _private(redirect(_track_url(req.tracking_code)))
    events = list(req.events.order_by("at", "pk").values_list("action", "at"))
    timeline = [(Event.Action(action).label, at) for action, at in events]
    overdue = req.status in OPEN_STATUSES and req.deadline < timezone.now()
    response = render(
        request,
        "service_requests/public/track.html",
        {
            "req": req,
            "new": request.GET.get("new") == "1",
            "page_url": request.build_absolute_uri(_track_url(req.tracking_code)),
            "masked_name": mask_name(req.name),
            "masked_phone": mask_phone(req.phone),
            "place": _place(req),
            "handler": _handler(req),
            "overdue": overdue,
            "is_open": req.status in OPEN_STATUSES,
            "timeline": timeline,
            "form": RatingForm() if req.status == Status.RESOLVED else None,
        },
    )
    return _private(response)


@require_GET
def lookup(request: HttpRequest) -> HttpResponse:
    form = LookupForm(request.GET or None)
    if form.is_bound and form.is_valid():
        code = form.cleaned_data["code"]
        if ServiceRequest.objects.filter(tracking_code=code).exists():
            return redirect(_track_url(code))
        form.add_error("code", _("没有找到该查询码,请核对后重新输入。"))
    response = render(request, "service_requests/public/lookup.html", {"form": form})
    response["X-Robots-Tag"] = "noindex"
    return response
