"""A model post's printable plaque (星级党员示范岗): its name, stars, members (names masked), their jobs and
mottos, the complaint line and a QR code to the post's public board, on A4 or A3, as a print-ready page or
a PDF (`?format=pdf`). What it shows is public once it hangs on the wall, so it shows no more than the
public board. Only those who see the post (scoped) may print it; anyone else gets 404."""

from __future__ import annotations

from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.urls import reverse
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET

from vanguard.core.masking import mask_name
from vanguard.zones.views_print import PaperForm, bad_request, qr_svg, respond

from . import selectors
from .models import MAX_STARS


@login_required
@require_GET
def card(request: HttpRequest, pk: int) -> HttpResponse:
    post = selectors.post_detail(user=request.user, pk=pk)
    form = PaperForm(request.GET, orientation="portrait")
    if not form.is_valid():
        return bad_request(request, form.messages())
    # Only a post on the wall has a public board: another post's plaque gets no QR code leading nowhere.
    board_url = ""
    if post.is_on_the_wall:
        board_url = request.build_absolute_uri(reverse("posts_public:board", args=[post.pk]))
    members = [
        {"name": mask_name(entry.member.person.name), "job": entry.job, "motto": entry.motto}
        for entry in selectors.post_members(post)
    ]
    return respond(
        request,
        "posts/print_card.html",
        {
            "post": post,
            "members": members,
            "stars_on": "★" * post.stars,
            "stars_off": "☆" * (MAX_STARS - post.stars),
            "board_url": board_url,
            "qr": qr_svg(board_url) if board_url else "",
        },
        form=form,
        filename="-".join([_("示范岗"), post.name]),
    )
