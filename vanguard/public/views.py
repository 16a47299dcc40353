"""The public pages of a community and of the party's results, and the big screen (电子显示屏). No login
(each listed in the access sweep's PUBLIC with the reason); personal data masked by the selectors; each page
cached under the versions of what it shows (cache.py).

- community board (/p/communities/<pk>/): a 社区's zones with their responsible people, its registered
  in-service members, volunteer teams, community posts, the model posts of the branches serving there, this
  month's requests, and the way in to ask for help;
- published results (/p/results/<pk>/): a published round's ranks and totals;
- the big screen (/p/screen/community/<pk>/, /p/screen/branch/<pk>/): a full-screen page that rotates through
  coverage, results, stars, requests and hours; its data (…/data/) as JSON, fetched again every minute."""

from __future__ import annotations

from urllib.parse import urlencode

from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import render
from django.urls import reverse
from django.views.decorators.http import require_GET

from . import selectors
from .cache import cached_public

SLIDE_SECONDS = 15
REFRESH_SECONDS = 60


@require_GET
@cached_public("community")
def community_board(request: HttpRequest, pk: int) -> HttpResponse:
    cell = selectors.public_community(pk)
    return render(
        request,
        "public/community_board.html",
        {
            "board": selectors.community_board(cell),
            "help_url": reverse("requests_public:submit") + "?" + urlencode({"community": cell.pk}),
            "screen_url": reverse("public:screen_community", args=[cell.pk]),
        },
    )


@require_GET
@cached_public("results")
def results(request: HttpRequest, pk: int) -> HttpResponse:
    round_ = selectors.published_round(pk)
    page, lines = selectors.result_page(round_, request.GET.get("page"))
    return render(request, "public/results.html", {"round": round_, "page": page, "lines": lines})


def _screen(request: HttpRequest, *, kind: str, name: str, data_url: str) -> HttpResponse:
    return render(
        request,
        "public/screen.html",
        {
            "kind": kind,
            "name": name,
            "data_url": data_url,
            "slide_ms": SLIDE_SECONDS * 1000,
            "refresh_ms": REFRESH_SECONDS * 1000,
        },
    )


@require_GET
@cached_public("screen")
def screen_community(request: HttpRequest, pk: int) -> HttpResponse:
    cell = selectors.public_community(pk)
    data_url = reverse("public:screen_community_data", args=[cell.pk])
    return _screen(request, kind="community", name=cell.name, data_url=data_url)


@require_GET
@cached_public("screen")
def screen_branch(request: HttpRequest, pk: int) -> HttpResponse:
    organisation = selectors.public_organisation(pk)
    data_url = reverse("public:screen_branch_data", args=[organisation.pk])
    return _screen(request, kind="branch", name=organisation.name, data_url=data_url)


def _json(data: dict) -> JsonResponse:
    # Chinese as it is, not \u escapes: the screen reads it either way, a person reading the feed too.
    return JsonResponse(data, json_dumps_params={"ensure_ascii": False})


@require_GET
@cached_public("screen-community")
def screen_community_data(request: HttpRequest, pk: int) -> HttpResponse:
    return _json(selectors.community_screen(selectors.public_community(pk)))


@require_GET
@cached_public("screen-branch")
def screen_branch_data(request: HttpRequest, pk: int) -> HttpResponse:
    return _json(selectors.branch_screen(selectors.public_organisation(pk)))
