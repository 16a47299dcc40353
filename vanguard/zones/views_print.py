"""Printable sign boards (标志牌) and contact cards of zones, print-ready in the browser (CSS paged media:
the page's own `@page` size, no navigation, the print button hidden on paper) and as PDF (`?format=pdf`,
WeasyPrint, from the same HTML).

- a zone's sign: `/zones/print/<pk>/sign/?size=A4|A3&orientation=landscape|portrait`;
- its contact cards: `/zones/print/<pk>/cards/`, four table-tent cards (责任党员联系卡) on an A4 sheet;
- a branch's signs, one per page: `/zones/print/branch/<pk>/?year=`.

A sign is public once it is put up, so it shows what the public board shows and no more: names masked
(张*), the zone's service phone and never a person's number. Its QR code leads to the zone's public board,
where residents reach the request form; the cards' QR code leads straight to the form.

The paper helpers (PaperForm, Paper, qr_svg, respond) serve the model posts' printable card too."""

from __future__ import annotations

import logging
from dataclasses import dataclass, field
from urllib.parse import urlencode

import segno
from django import forms
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.template.loader import render_to_string
from django.urls import reverse
from django.utils.http import content_disposition_header
from django.utils.safestring import SafeString, mark_safe
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET

from vanguard.accounts import scope
from vanguard.core.masking import mask_name
from vanguard.org.models import Organisation
from vanguard.org.validators import today

from .models import Task, Zone, ZoneRole
from .selectors import branch_path

# A sign shows this many open tasks; the rest are counted ("另有3项").
SIGN_TASKS = 6
# A branch's batch prints at most this many signs at once (a committee's thousands would not fit a print
# job, nor a request): the page says so and asks for a branch.
BATCH_LIMIT = 60

# --- paper -----------------------------------------------------------------------------------------------

SIZES = {"A4": (210, 297), "A3": (297, 420)}
# The text grows with the paper: A3 is A4 scaled by √2, so its text is too.
BASE_PT = {"A4": 13.0, "A3": 18.4}
MARGIN_MM = 10

# WeasyPrint logs every step of every PDF at INFO: the server's log keeps its warnings only.
logging.getLogger("weasyprint.progress").setLevel(logging.WARNING)


class PaperForm(forms.Form):
    """The query of a print page: paper size, orientation and HTML or PDF; all optional."""

    size = forms.ChoiceField(
        label=gettext_lazy("纸张大小"), choices=[("A4", "A4"), ("A3", "A3")], required=False
    )
    orientation = forms.ChoiceField(
        label=gettext_lazy("方向"),
        choices=[("landscape", gettext_lazy("横向")), ("portrait", gettext_lazy("纵向"))],
        required=False,
    )
    format = forms.ChoiceField(
        label=gettext_lazy("格式"), choices=[("html", "HTML"), ("pdf", "PDF")], required=False
    )

    def __init__(self, data, *, orientation: str = "landscape", fixed: Paper | None = None, **kwargs):
        super().__init__(data, **kwargs)
        self.default_orientation = orientation
        # A layout made for one paper (the cards' A4 sheet) ignores the size and orientation asked for.
        self.fixed = fixed

    def paper(self) -> Paper:
        if self.fixed is not None:
            return self.fixed
        data = self.cleaned_data
        return Paper(data["size"] or "A4", data["orientation"] or self.default_orientation)

    def switches(self) -> list[dict]:
        """The toolbar's choices of paper, each a link to the same page with one value changed."""
        if self.fixed is not None:
            return []
        paper = self.paper()
        current = {"size": paper.size, "orientation": paper.orientation}
        groups = []
        for name, value in current.items():
            options = [
                {
                    "label": label,
                    "href": "?" + urlencode({**self.kept, **current, name: choice}),
                    "active": choice == value,
                }
                for choice, label in self.fields[name].choices
            ]
            groups.append({"label": self.fields[name].label, "options": options})
        return groups

    def pdf_href(self) -> str:
        paper = self.paper()
        return "?" + urlencode(
            {**self.kept, "size": paper.size, "orientation": paper.orientation, "format": "pdf"}
        )

    @property
    def kept(self) -> dict:
        """The page's own query values besides the paper's (a batch's year)."""
        return {}

    @property
    def pdf(self) -> bool:
        return self.cleaned_data["format"] == "pdf"

    def messages(self) -> list[str]:
        """Each error with the name of its field: "纸张大小:…"."""
        return [
            f"{self.fields[name].label}:{error}" if name in self.fields else str(error)
            for name, errors in self.errors.items()
            for error in errors
        ]


@dataclass(frozen=True)
class Paper:
    size: str = "A4"
    orientation: str = "landscape"
    margin: int = MARGIN_MM

    @property
    def width(self) -> int:
        short, long = SIZES[self.size]
        return long if self.orientation == "landscape" else short

    @property
    def height(self) -> int:
        short, long = SIZES[self.size]
        return short if self.orientation == "landscape" else long

    @property
    def inner_width(self) -> int:
        return self.width - 2 * self.margin

    @property
    def inner_height(self) -> int:
        return self.height - 2 * self.margin

    @property
    def base_pt(self) -> float:
        return BASE_PT[self.size]

    @property
    def css_size(self) -> str:
        return f"{self.size} {self.orientation}"


def qr_svg(url: str) -> SafeString:
    # segno writes the SVG itself (paths only, no text taken from the URL), so it is safe to inline; the
    # size comes from the page's CSS, so the same code is sharp on A4 and on A3.
    return mark_safe(segno.make(url, error="m").svg_inline(scale=4, border=2, omitsize=True))


def respond(
    request: HttpRequest, template: str, context: dict, *, form: PaperForm, filename: str
) -> HttpResponse:
    """The print page as HTML, or as a PDF of the same page when `?format=pdf`."""
    context = {
        **context,
        "paper": form.paper(),
        "pdf": form.pdf,
        "switches": form.switches(),
        "pdf_href": form.pdf_href(),
    }
    if not form.pdf:
        return render(request, template, context)
    try:
        import weasyprint
    except OSError:  # WeasyPrint is installed but Pango is not (docs/operations.md lists the packages)
        return bad_request(
            request, [_("本服务器未安装生成PDF所需的Pango字体排版库,请用浏览器“打印→另存为PDF”。")]
        )

    html = render_to_string(template, context, request=request)
    # The print pages carry their CSS and QR codes inline: the renderer may fetch nothing (no protocol is
    # allowed), so no text on a page can make the server request an address or read a file.
    fetcher = weasyprint.URLFetcher(allowed_protocols=())
    pdf = weasyprint.HTML(string=html, base_url=None, url_fetcher=fetcher).write_pdf()
    response = HttpResponse(pdf, content_type="application/pdf")
    response["Content-Disposition"] = content_disposition_header(False, f"{filename}.pdf")
    return response


def bad_request(request: HttpRequest, messages: list[str]) -> HttpResponse:
    """A print page asked for with a value it does not know: say which field, print nothing."""
    return render(
        request, "zones/print_error.html", {"errors": messages, "paper": Paper(), "pdf": False}, status=400
    )


# --- what a sign shows -----------------------------------------------------------------------------------


@dataclass
class Sign:
    zone: Zone
    branch_name: str
    board_url: str
    qr: SafeString
    people: list[dict] = field(default_factory=list)
    standards: list[tuple[str, object]] = field(default_factory=list)
    tasks: list[Task] = field(default_factory=list)
    more_tasks: int = 0

    @property
    def leads(self) -> str:
        return "、".join(p["name"] for p in self.people if p["is_lead"])


def _branch_names(zones: list[Zone]) -> dict[int, str]:
    """Each zone's branch, and the group when a group holds the zone (one query for all the zones)."""
    group_paths = {
        branch_path(z.organisation) for z in zones if z.organisation.kind == Organisation.Kind.GROUP
    }
    branches = dict(Organisation.objects.filter(path__in=group_paths).values_list("path", "name"))
    names = {}
    for zone in zones:
        org = zone.organisation
        branch = branches.get(branch_path(org)) if org.kind == Organisation.Kind.GROUP else None
        names[zone.pk] = f"{branch} · {org.name}" if branch else org.name
    return names


def signs_for(request: HttpRequest, zones: list[Zone]) -> list[Sign]:
    """What the signs of `zones` show, in a fixed number of queries whatever their number."""
    from vanguard.posts.models import Standard

    names = _branch_names(zones)
    signs: dict[int, Sign] = {}
    for zone in zones:
        url = request.build_absolute_uri(reverse("zones_public:board", args=[zone.pk]))
        signs[zone.pk] = Sign(zone=zone, branch_name=names[zone.pk], board_url=url, qr=qr_svg(url))
    roles = (
        ZoneRole.objects.filter(zone__in=zones)
        .select_related("kind", "person__member")
        .order_by("zone_id", "-kind__is_lead", "kind__order", "kind_id", "pk")
    )
    leads: dict[tuple[int, int], list[int]] = {}
    for role in roles:
        member = getattr(role.person, "member", None)
        signs[role.zone_id].people.append(
            {
                "role": role.kind.name,
                "is_lead": role.kind.is_lead,
                "name": mask_name(role.person.name),
                "is_member": member is not None,
            }
        )
        if role.kind.is_lead and member is not None:
            leads.setdefault((member.pk, signs[role.zone_id].zone.year), []).append(role.zone_id)
    if leads:
        standards = Standard.objects.filter(
            member_id__in={member for member, _year in leads},
            year__in={year for _member, year in leads},
            status=Standard.Status.PUBLISHED,
        ).select_related("member__person")
        for standard in standards.order_by("member__person__name", "pk"):
            for zone_id in leads.get((standard.member_id, standard.year), []):
                signs[zone_id].standards.append((mask_name(standard.member.person.name), standard))
    tasks = Task.objects.filter(zone__in=zones, status=Task.Status.OPEN).order_by("zone_id", "due_date", "pk")
    for task in tasks.only("zone_id", "title", "due_date"):
        sign = signs[task.zone_id]
        if len(sign.tasks) < SIGN_TASKS:
            sign.tasks.append(task)
        else:
            sign.more_tasks += 1
    return [signs[zone.pk] for zone in zones]


def _filename(*parts: object) -> str:
    return "-".join(str(p) for p in parts if p)


# --- the pages -------------------------------------------------------------------------------------------


@login_required
@require_GET
def sign(request: HttpRequest, pk: int) -> HttpResponse:
    """A zone's sign board (标志牌), one page."""
    zone = scope.get_visible_or_404(request.user, Zone.objects.select_related("organisation"), pk=pk)
    form = PaperForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.messages())
    return respond(
        request,
        "zones/print_signs.html",
        {"signs": signs_for(request, [zone]), "zone": zone},
        form=form,
        filename=_filename(_("标志牌"), zone.name, zone.year),
    )


@login_required
@require_GET
def cards(request: HttpRequest, pk: int) -> HttpResponse:
    """Four table-tent contact cards (责任党员联系卡) of a zone on one A4 sheet, cut apart and folded."""
    zone = scope.get_visible_or_404(request.user, Zone.objects.select_related("organisation"), pk=pk)
    form = PaperForm(request.GET, fixed=Paper("A4", "portrait", margin=8))
    if not form.is_valid():
        return bad_request(request, form.messages())
    [card] = signs_for(request, [zone])
    # The form takes only this year's zones: an old zone's card gets no QR code that would lead nowhere.
    taking = zone.year == today().year
    intake = ""
    if taking:
        intake = request.build_absolute_uri(
            reverse("requests_public:submit") + "?" + urlencode({"zone": zone.pk})
        )
    return respond(
        request,
        "zones/print_cards.html",
        {
            "card": card,
            "zone": zone,
            "taking": taking,
            "intake_url": intake,
            "qr": qr_svg(intake) if taking else "",
            "copies": range(4),
            "sides": ("back", "front"),
        },
        form=form,
        filename=_filename(_("联系卡"), zone.name, zone.year),
    )


class BatchForm(PaperForm):
    year = forms.IntegerField(label=gettext_lazy("年度"), required=False, min_value=2000)

    def clean_year(self) -> int:
        year = self.cleaned_data["year"] or today().year
        if year > today().year + 1:
            raise forms.ValidationError(_("年度应在2000年至明年之间。"))
        return year

    @property
    def kept(self) -> dict:
        return {"year": self.cleaned_data["year"]}


@login_required
@require_GET
def branch(request: HttpRequest, pk: int) -> HttpResponse:
    """The signs of all the zones of an organisation (a branch with its groups) for a year, one per page."""
    organisation = scope.get_visible_or_404(request.user, Organisation.objects.all(), pk=pk)
    form = BatchForm(request.GET)
    if not form.is_valid():
        return bad_request(request, form.messages())
    year = form.cleaned_data["year"]
    zones = scope.visible_to(
        request.user,
        Zone.objects.filter(organisation.subtree_q("organisation__"), year=year).select_related(
            "organisation"
        ),
    ).order_by("organisation__path", "name", "pk")
    page = list(zones[: BATCH_LIMIT + 1])
    paper = form.paper()
    years = [
        {
            "label": y,
            "href": "?" + urlencode({"year": y, "size": paper.size, "orientation": paper.orientation}),
            "active": y == year,
        }
        for y in range(today().year + 1, today().year - 4, -1)
    ]
    return respond(
        request,
        "zones/print_signs.html",
        {
            "signs": signs_for(request, page[:BATCH_LIMIT]),
            "organisation": organisation,
            "year": year,
            "years": years,
            "truncated": len(page) > BATCH_LIMIT,
            "batch_limit": BATCH_LIMIT,
        },
        form=form,
        filename=_filename(_("标志牌"), organisation.name, year),
    )
