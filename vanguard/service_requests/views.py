"""The staff's pages of residents' requests: the lists (我承办的, the community's queue, all, 督办: overdue
first), one request with its timeline and the actions this user may take on it, entry of a request taken by
phone or in person, the request's photo and the list's xlsx export.

A view checks access through the scoping module (selectors), parses a form, calls one service and redirects
or renders; a request out of the user's sight answers 404 like a missing one; the services decide the rest
and their refusals come back as the form's errors."""

from __future__ import annotations

import mimetypes
from collections.abc import Callable
from dataclasses import dataclass

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.forms import ChoiceField, ModelChoiceField
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods, require_POST

from vanguard.accounts import scope as access
from vanguard.dataio.views_export import list_export_response

from . import exports, selectors, services
from .forms import (
    CloseForm,
    ConfirmForm,
    DispatchForm,
    RequestCreateForm,
    RequestFilterForm,
    ResolveForm,
    UrgencyForm,
)
from .models import OPEN_STATUSES, Channel, Kind, ServiceRequest, Status

PHOTO_TYPES = {"image/jpeg", "image/png"}
PHOTO_CACHE = "private, max-age=3600"


def require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def apply_errors(exc: ValidationError, form, *, fallback: str | None = None) -> None:
    """A service's ValidationError onto the form: each message under its field (or `fallback`), or above
    the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        field = name if name in form.fields else (fallback if fallback in form.fields else None)
        for error in errors:
            form.add_error(field, error)


# --- the list and its export -----------------------------------------------------------------------------


def _view(request: HttpRequest, tabs: list[tuple[str, str]]) -> str:
    keys = [key for key, _label in tabs]
    chosen = request.GET.get("view", "")
    if chosen in keys:
        return chosen
    return keys[0] if keys else selectors.ALL


def _filter_form(request: HttpRequest) -> RequestFilterForm:
    data = request.GET.copy()
    for key in ("view", "page"):
        data.pop(key, None)
    return RequestFilterForm(data or None, user=request.user)


@login_required
@require_GET
def request_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_requests(user))
    tabs = selectors.views_of(user)
    view = _view(request, tabs)
    form = _filter_form(request)
    page = Paginator(
        selectors.request_list(user=user, filters=form.filters(view)), settings.PAGE_SIZE
    ).get_page(request.GET.get("page"))
    counts = selectors.tab_counts(user, [key for key, _label in tabs])
    base = request.GET.copy()
    base.pop("page", None)
    tab_links = []
    for key, label in tabs:
        base["view"] = key
        tab_links.append(
            {"key": key, "label": label, "count": counts.get(key, 0), "url": "?" + base.urlencode()}
        )
    query = request.GET.copy()
    query.pop("page", None)
    query["view"] = view
    s = access.scope_of(user)
    context = {
        "form": form,
        "page": page,
        "tabs": tab_links,
        "view": view,
        "export_query": query.urlencode(),
        "can_read_stats": s.superuser or bool(s.any_org_paths) or bool(s.cell_paths),
    }
    return render(request, "service_requests/list.html", context)


def describe_filters(form: RequestFilterForm) -> str:
    """The filters chosen, in words (choices by their labels), for the export's audit record."""
    if not form.is_bound:
        return _("无筛选条件")
    if not form.is_valid():
        # The list then shows everything in the tab, and so does the export.
        return _("筛选条件无效(%(query)s),按全部导出") % {"query": form.data.urlencode()}
    parts = []
    for name, field in form.fields.items():
        value = form.cleaned_data.get(name)
        if value in (None, "", False):
            continue
        if value is True:
            parts.append(str(field.label))
            continue
        plain = isinstance(field, ChoiceField) and not isinstance(field, ModelChoiceField)
        label = dict(field.choices).get(value, value) if plain else value
        parts.append(f"{field.label}={label}")
    return "、".join(parts) or _("无筛选条件")


@login_required
@require_GET
def request_export(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_requests(user))
    view = _view(request, selectors.views_of(user))
    form = _filter_form(request)
    export = exports.requests_export(selectors.request_list(user=user, filters=form.filters(view)))
    filters = describe_filters(form)
    tab = dict(selectors.views_of(user)).get(view, "")

    def detail(count: int) -> str:
        return _("群众诉求 %(count)d 件;%(tab)s;筛选:%(filters)s") % {
            "count": count,
            "tab": tab,
            "filters": filters,
        }

    return list_export_response(request, export, kind="service_requests", detail=detail)


# --- one request and its actions -------------------------------------------------------------------------


@dataclass(frozen=True)
class Action:
    """One action on a request: who may ask for it (the role, whatever the state: else 403), when it is
    offered (the role and the state), its form, the service it calls and what it says when done."""

    title: str
    submit: str
    done: str
    run: Callable


ACTIVE = (Status.ASSIGNED, Status.ACCEPTED, Status.IN_PROGRESS)


@dataclass
class Standing:
    """What the user is to this request, asked once per page with the services' own helpers."""

    member: object
    worker: bool
    editor: bool
    handler: bool

    @classmethod
    def of(cls, user, req: ServiceRequest) -> Standing:
        return cls(
            member=selectors.own_member(user),
            worker=services.is_community_worker(user, req),
            editor=services.is_branch_editor(user, req),
            handler=services.is_handler(user, req),
        )

    def role_allows(self, action: str, req: ServiceRequest) -> bool:
        if action == "take":
            return self.member is not None
        if action in ("accept", "start"):
            return self.handler
        if action == "resolve":
            return self.handler if req.kind == Kind.REQUEST else self.editor
        return self.worker or self.editor

    def offered(self, action: str, req: ServiceRequest) -> bool:
        if not self.role_allows(action, req):
            return False
        is_request = req.kind == Kind.REQUEST
        if action == "take":
            return req.status == Status.QUEUED and services.in_community(self.member, req.community)
        if action == "accept":
            return req.status == Status.ASSIGNED
        if action == "start":
            return req.member_id is not None and req.status == Status.ACCEPTED
        if action == "resolve":
            if is_request:
                return req.member_id is not None and req.status in ACTIVE
            return req.opinion_id is None and req.status in ACTIVE
        if action == "dispatch":
            return is_request and req.status in OPEN_STATUSES
        if action == "urgency":
            return is_request and req.status in OPEN_STATUSES
        if action == "close":
            return req.status in (*OPEN_STATUSES, Status.RESOLVED)
        return False

    @property
    def may_contact(self) -> bool:
        """The resident's full name and phone: for those who act on the request."""
        return self.handler or self.worker or self.editor


def _resolve(actor, req: ServiceRequest, data: dict) -> ServiceRequest:
    return services.resolve(actor=actor, request=req, resolution=data["resolution"], hours=data.get("hours"))


def _dispatch(actor, req: ServiceRequest, data: dict) -> ServiceRequest:
    return services.dispatch(
        actor=actor, request=req, member=data["member"], team=data.get("team"), note=data["note"]
    )


def _urgency(actor, req: ServiceRequest, data: dict) -> ServiceRequest:
    return services.change_urgency(actor=actor, request=req, urgency=data["urgency"], reason=data["reason"])


def _close(actor, req: ServiceRequest, data: dict) -> ServiceRequest:
    return services.close(actor=actor, request=req, reason=data["reason"])


ACTIONS: dict[str, Action] = {
    "take": Action(
        gettext_lazy("接单"),
        gettext_lazy("我来接单"),
        gettext_lazy("已接单,请尽快与居民联系。"),
        lambda actor, req, data: services.take(actor=actor, request=req),
    ),
    "accept": Action(
        gettext_lazy("受理"),
        gettext_lazy("受理"),
        gettext_lazy("已受理,请尽快与居民联系。"),
        lambda actor, req, data: services.accept(actor=actor, request=req),
    ),
    "start": Action(
        gettext_lazy("开始办理"),
        gettext_lazy("开始办理"),
        gettext_lazy("已开始办理。"),
        lambda actor, req, data: services.start(actor=actor, request=req),
    ),
    "resolve": Action(
        gettext_lazy("办结"), gettext_lazy("办结"), gettext_lazy("已办结,等待群众评价。"), _resolve
    ),
    "dispatch": Action(gettext_lazy("派单"), gettext_lazy("派单"), gettext_lazy("已派单。"), _dispatch),
    "urgency": Action(
        gettext_lazy("调整紧急程度"),
        gettext_lazy("保存"),
        gettext_lazy("已调整紧急程度,办理时限随之更新。"),
        _urgency,
    ),
    "close": Action(gettext_lazy("关闭"), gettext_lazy("关闭诉求"), gettext_lazy("诉求已关闭。"), _close),
}


def _form(action: str, user, req: ServiceRequest, data=None):
    if action == "resolve":
        offers_hours = (
            req.kind == Kind.REQUEST
            and req.member_id is not None
            and req.community_id is not None
            and req.service_record_id is None
        )
        return ResolveForm(data, hours=offers_hours, answer=req.kind != Kind.REQUEST)
    if action == "dispatch":
        return DispatchForm(
            data,
            members=selectors.dispatch_members(user=user, req=req),
            teams=selectors.dispatch_teams(user=user, req=req),
        )
    if action == "urgency":
        return UrgencyForm(data, initial={"urgency": req.urgency})
    if action == "close":
        return CloseForm(data)
    return ConfirmForm(data)


def _titles(req: ServiceRequest) -> dict[str, tuple[str, str]]:
    """The resolve form answers an opinion, praise or complaint (答复) rather than closing a request."""
    titles = {name: (str(a.title), str(a.submit)) for name, a in ACTIONS.items()}
    if req.kind != Kind.REQUEST:
        titles["resolve"] = (_("答复"), _("提交答复"))
    return titles


def _detail(
    request: HttpRequest, req: ServiceRequest, *, bound: tuple[str, object] | None = None
) -> HttpResponse:
    user = request.user
    standing = Standing.of(user, req)
    titles = _titles(req)
    forms = []
    for name in ACTIONS:
        if bound is not None and bound[0] == name:
            form = bound[1]
        elif standing.offered(name, req):
            form = _form(name, user, req)
        else:
            continue
        title, submit = titles[name]
        forms.append({"name": name, "form": form, "title": title, "submit": submit})
    context = {
        "req": req,
        "events": selectors.timeline(req),
        "forms": forms,
        "may_contact": standing.may_contact,
        "overdue": selectors.overdue_by(req),
        # An opinion about a model post is answered in the post's opinion book.
        "answer_in_post": req.opinion_id is not None and standing.editor and req.status in OPEN_STATUSES,
        "open": req.status in OPEN_STATUSES,
    }
    return render(request, "service_requests/detail.html", context)


@login_required
@require_GET
def request_detail(request: HttpRequest, pk: int) -> HttpResponse:
    return _detail(request, selectors.request_detail(user=request.user, pk=pk))


@login_required
@require_POST
def request_action(request: HttpRequest, pk: int, action: str) -> HttpResponse:
    user = request.user
    req = selectors.request_detail(user=user, pk=pk)
    spec = ACTIONS.get(action)
    if spec is None:
        raise Http404
    require(Standing.of(user, req).role_allows(action, req))
    form = _form(action, user, req, request.POST)
    if form.is_valid():
        try:
            spec.run(user, req, form.cleaned_data)
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            messages.success(request, str(spec.done))
            return redirect("service_requests:detail", pk=req.pk)
    return _detail(request, req, bound=(action, form))


@login_required
@require_GET
def request_photo(request: HttpRequest, pk: int) -> HttpResponse:
    req = selectors.request_detail(user=request.user, pk=pk)
    if not req.photo:
        raise Http404
    name = req.photo.name
    content_type = mimetypes.guess_type(name)[0]
    if content_type not in PHOTO_TYPES:
        raise Http404
    try:
        handle = req.photo.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = PHOTO_CACHE
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response


# --- entering a request taken by phone or in person ------------------------------------------------------


@login_required
@require_http_methods(["GET", "POST"])
def request_create(request: HttpRequest) -> HttpResponse:
    user = request.user
    require(selectors.uses_requests(user))
    form = RequestCreateForm(request.POST or None, request.FILES or None, user=user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            req = services.submit(
                actor=user,
                kind=data["kind"],
                category=data["category"],
                description=data["description"],
                name=data["name"],
                phone=data["phone"],
                consent=data["consent"],
                urgent=data["urgent"],
                subject=form.subject(),
                photo=form.photo_file(),
                channel=Channel.STAFF,
            )
        except ValidationError as exc:
            apply_errors(exc, form, fallback="community")
        else:
            text = _("已录入诉求,查询码 %(code)s,请告知居民。%(route)s") % {
                "code": req.tracking_code,
                "route": req.route_note,
            }
            messages.success(request, text)
            if selectors.visible_requests(user).filter(pk=req.pk).exists():
                return redirect("service_requests:detail", pk=req.pk)
            # Entered for a community or branch the user does not answer for: it is theirs now.
            return redirect(reverse("service_requests:list") + "?" + urlencode({"q": req.tracking_code}))
    return render(
        request, "service_requests/create.html", {"form": form, "consent_text": services.CONSENT_TEXT}
    )
