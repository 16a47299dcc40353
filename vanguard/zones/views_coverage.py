"""The coverage page (党员全覆盖): an organisation's cells without a party member, and filling each gap from
a suggestion of the branch's members who work or live nearest."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Paginator
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, redirect, render
from django.urls import reverse
from django.utils.http import urlencode
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from vanguard.accounts import scope
from vanguard.org.models import Cell, Organisation, Person

from . import coverage as coverage_selectors
from . import selectors, services
from .forms import MAX_ID, CoverageForm, FillForm
from .models import Zone


def _id(raw: str | None) -> int | None:
    if raw and raw.isascii() and raw.isdigit() and 0 < int(raw) <= MAX_ID:
        return int(raw)
    return None


def _year(raw: str | None) -> int:
    year = _id(raw)
    this = selectors.this_year()
    return year if year is not None and 2000 <= year <= this + 1 else this


def _organisation(request: HttpRequest, raw: str | None, *, default: bool = True) -> Organisation:
    """The organisation asked for (404 if the user does not see it), or by `default` the top of the
    user's own."""
    visible = scope.visible_to(request.user, Organisation.objects.all())
    if raw or not default:
        pk = _id(raw)
        if pk is None:
            raise Http404
        return get_object_or_404(visible, pk=pk)
    top = visible.order_by("path").first()
    if top is None:
        # Coverage is an organisation's: community workers and members see zones, not coverage.
        raise PermissionDenied
    return top


def _coverage_url(organisation: Organisation, year: int) -> str:
    return reverse("zones:coverage") + "?" + urlencode({"organisation": organisation.pk, "year": year})


@login_required
@require_GET
def coverage_page(request: HttpRequest) -> HttpResponse:
    organisation = _organisation(request, request.GET.get("organisation"))
    year = _year(request.GET.get("year"))
    result = coverage_selectors.coverage(organisation=organisation, year=year)
    form = CoverageForm(initial={"organisation": organisation.pk, "year": year}, user=request.user)
    page = Paginator(result.uncovered, 50).get_page(request.GET.get("page"))
    return render(
        request,
        "zones/coverage.html",
        {"coverage": result, "form": form, "page": page, "organisation": organisation, "year": year},
    )


@login_required
@require_GET
def coverage_suggest(request: HttpRequest) -> HttpResponse:
    """The fill suggestion for one uncovered cell (loaded into the coverage page by htmx)."""
    organisation = _organisation(request, request.GET.get("organisation"), default=False)
    cell_id = _id(request.GET.get("cell"))
    if cell_id is None:
        raise Http404
    cell = get_object_or_404(Cell, pk=cell_id)
    year = _year(request.GET.get("year"))
    options = coverage_selectors.fill_options(
        user=request.user, organisation=organisation, cell=cell, year=year
    )
    may_create = scope.can_edit_under(request.user, options.new_zone_organisation)
    zones = [z for z in options.zones if scope.can(request.user, scope.CHANGE, z)]
    return render(
        request,
        "zones/_coverage_suggest.html",
        {"options": options, "may_create": may_create, "zones": zones, "may_fill": may_create or zones},
    )


@login_required
@require_POST
def coverage_fill(request: HttpRequest) -> HttpResponse:
    """One click on a suggestion: the member becomes 负责人 of an existing zone or of a new one."""
    form = FillForm(request.POST)
    if not form.is_valid():
        raise Http404
    data = form.cleaned_data
    organisation = _organisation(request, str(data["organisation"]), default=False)
    cell = get_object_or_404(Cell, pk=data["cell"])
    year = data["year"]
    options = coverage_selectors.fill_options(
        user=request.user, organisation=organisation, cell=cell, year=year
    )
    person = get_object_or_404(scope.visible_to(request.user, Person.objects.all()), pk=data["person"])
    zone = None
    if data["zone"]:
        zone = get_object_or_404(scope.visible_to(request.user, Zone.objects.all()), pk=data["zone"])
        if not scope.can(request.user, scope.CHANGE, zone):
            raise PermissionDenied
    elif not scope.can_edit_under(request.user, options.new_zone_organisation):
        raise PermissionDenied
    try:
        filled = services.coverage_fill(
            actor=request.user,
            cell=cell,
            person=person,
            year=year,
            organisation=options.new_zone_organisation,
            zone=zone,
        )
    except ValidationError as exc:
        messages.error(request, ";".join(exc.messages))
    else:
        messages.success(
            request,
            _("%(person)s已任责任区“%(zone)s”的负责人,网格“%(cell)s”已有党员负责。")
            % {"person": person.name, "zone": filled.name, "cell": options.path},
        )
    return redirect(_coverage_url(organisation, year))
