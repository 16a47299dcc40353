"""A zone's public board (亮身份、亮承诺、亮标准), what the sign board's QR code and the big screen show: the
zone, its branch, scope and commitment, the service phone, the members in its roles (names masked), its
open tasks, the responsible member's published post standard, and the way in to the residents' form (the
QR code and three big buttons). No login; any existing zone has a board (a board stays up after its year);
only this year's zone takes requests. No full phone number of a person and no ID number appear on it."""

from __future__ import annotations

from urllib.parse import urlencode

import segno
from django.http import HttpRequest, HttpResponse
from django.shortcuts import get_object_or_404, render
from django.urls import reverse
from django.utils.safestring import mark_safe
from django.views.decorators.http import require_GET

from vanguard.core.masking import mask_name, mask_phone
from vanguard.org.models import Organisation
from vanguard.org.validators import today
from vanguard.public.cache import cached_public

from .models import Task, Zone, ZoneRole
from .selectors import branch_path


def _intake_url(zone: Zone, **query: str) -> str:
    return reverse("requests_public:submit") + "?" + urlencode({"zone": zone.pk, **query})


def _qr_svg(url: str) -> str:
    # segno writes the SVG itself (paths only, no text taken from the URL), so it is safe to inline.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=5, border=2, omitsize=True))


def _branch_name(zone: Zone) -> str:
    """The branch, and the group when a group holds the zone."""
    org = zone.organisation
    if org.kind == Organisation.Kind.GROUP:
        branch = Organisation.objects.filter(path=branch_path(org)).values_list("name", flat=True).first()
        if branch is not None:
            return f"{branch} · {org.name}"
    return org.name


@require_GET
@cached_public("zone")
def board(request: HttpRequest, pk: int) -> HttpResponse:
    from vanguard.posts.models import Standard

    zone = get_object_or_404(Zone.objects.select_related("organisation"), pk=pk)
    roles = list(
        ZoneRole.objects.filter(zone=zone)
        .select_related("kind", "person__member")
        .order_by("-kind__is_lead", "kind__order", "kind_id", "pk")
    )
    people = [
        {
            "role": role.kind.name,
            "is_lead": role.kind.is_lead,
            "name": mask_name(role.person.name),
            "is_member": hasattr(role.person, "member"),
            # The zone's service line answers for everyone; without one, the lead's number, masked.
            "phone": mask_phone(role.person.mobile) if not zone.service_phone and role.kind.is_lead else "",
        }
        for role in roles
    ]
    lead_members = [r.person.member for r in roles if r.kind.is_lead and hasattr(r.person, "member")]
    standards = list(
        Standard.objects.filter(
            member__in=lead_members, year=zone.year, status=Standard.Status.PUBLISHED
        ).select_related("member__person")
    )
    tasks = list(
        Task.objects.filter(zone=zone, status=Task.Status.OPEN)
        .order_by("due_date", "pk")
        .only("title", "due_date")
    )
    taking = zone.year == today().year
    intake = request.build_absolute_uri(_intake_url(zone)) if taking else ""
    lead_query = {"about": "lead"} if lead_members else {}
    return render(
        request,
        "zones/public_board.html",
        {
            "zone": zone,
            "branch_name": _branch_name(zone),
            "people": people,
            "standards": [(mask_name(s.member.person.name), s) for s in standards],
            "tasks": tasks,
            "taking": taking,
            "intake_url": intake,
            "qr": _qr_svg(intake) if taking else "",
            "help_url": _intake_url(zone, kind="request"),
            "opinion_url": _intake_url(zone, kind="opinion"),
            "praise_url": _intake_url(zone, kind="praise", **lead_query),
        },
    )
