"""What the public sees of a model post: its board (公示榜: the post, its stars, its members with photo,
masked name, job and motto-commitment, the complaint line and the answered opinions) with the opinion book's
form, and the members' photos. No login; only posts on the wall (approved, named or not) have a board."""

from __future__ import annotations

import mimetypes

from django.core.exceptions import ValidationError
from django.http import FileResponse, Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.cache import get_conditional_response
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from . import selectors, services
from .forms import PublicOpinionForm
from .models import MAX_STARS
from .views import apply_errors

PHOTO_TYPES = {"image/jpeg", "image/png"}
# A stored photo's name is random and never reused (a new photo is a new file): it may be cached long.
PUBLIC_PHOTO_CACHE = "public, max-age=86400"
PRIVATE_PHOTO_CACHE = "private, max-age=3600"


@require_http_methods(["GET", "POST"])
def board(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.public_post(pk)
    form = PublicOpinionForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        thanks = reverse("posts_public:board", args=[post.pk]) + "?sent=1#opinion"
        if form.is_bot:
            # Answered as if it had been kept, so that the bot learns nothing.
            return redirect(thanks)
        data = form.cleaned_data
        try:
            services.opinion_submit(
                actor=None,
                post=post,
                kind=data["kind"],
                content=data["content"],
                name=data["name"],
                phone=data["phone"],
            )
        except ValidationError as exc:
            apply_errors(exc, form)
        else:
            return redirect(thanks)
    return render(
        request,
        "posts/public_board.html",
        {
            "post": post,
            "members": selectors.post_members(post),
            "opinions": selectors.public_opinions(post),
            "form": form,
            "sent": request.GET.get("sent") == "1",
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
