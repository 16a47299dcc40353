"""What the public sees of a model post: its board (公示榜: the post, its stars, its members with photo,
masked name, job and motto-commitment, the complaint line and the answered opinions) with the way in to its
opinion book — the residents' shared intake (/p/requests/new/?post=…) — and the members' photos. No login;
only posts on the wall (approved, named or not) have a board."""

from __future__ import annotations

import mimetypes
from urllib.parse import urlencode

from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanguard.public.cache import cached_public

from . import selectors
from .models import MAX_STARS, Opinion

PHOTO_TYPES = {"image/jpeg", "image/png"}
# A stored photo's name is random and never reused (a new photo is a new file): it may be cached long.
PUBLIC_PHOTO_CACHE = "public, max-age=86400"
PRIVATE_PHOTO_CACHE = "private, max-age=3600"


@require_GET
@cached_public("post")
def board(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.public_post(pk)
    # The opinion book's form is the residents' shared intake (service_requests): it keeps the entry in
    # this book and gives the resident a tracking code for the answer.
    intake = reverse("requests_public:submit")
    return render(
        request,
        "posts/public_board.html",
        {
            "post": post,
            "members": selectors.post_members(post),
            "opinions": selectors.public_opinions(post),
            "intake_urls": [
                (kind, label, f"{intake}?{urlencode({'post': post.pk, 'kind': kind})}")
                for kind, label in Opinion.Kind.choices
            ],
            "max_stars": MAX_STARS,
        },
    )


@require_GET
def photo(request: HttpRequest, pk: int) -> HttpResponse:
    entry, public = selectors.photo_of(user=request.user, pk=pk)
    name = entry.photo.name
    content_type = mimetypes.guess_type(name)[0]
    if content_type not in PHOTO_TYPES:
        raise Http404
    cache = PUBLIC_PHOTO_CACHE if public else PRIVATE_PHOTO_CACHE
    etag = f'"{name.rsplit("/", 1)[-1]}"'
    not_modified = get_conditional_response(request, etag=etag)
    if not_modified is not None:
        not_modified["Cache-Control"] = cache
        return not_modified
    try:
        handle = entry.photo.storage.open(name, "rb")
    except FileNotFoundError:
        raise Http404(_("照片文件不存在。")) from None
    response = FileResponse(handle, content_type=content_type)
    response["Cache-Control"] = cache
    response["ETag"] = etag
    response["Content-Disposition"] = "inline"
    response["Content-Security-Policy"] = "default-src 'none'"
    return response
