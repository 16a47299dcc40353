"""Star icons for the model-post pages: ★ for each star, ☆ for each missing one, with the count in words for
screen readers."""

from __future__ import annotations

from django import template
from django.utils.html import format_html
from django.utils.translation import gettext as _

from vanguard.posts.models import MAX_STARS

register = template.Library()


@register.filter
def star_icons(stars: int | None) -> str:
    stars = max(0, min(int(stars or 0), MAX_STARS))
    return format_html(
        '<span class="post-stars" role="img" aria-label="{}">'
        '<span class="post-star-on">{}</span><span class="post-star-off">{}</span></span>',
        _("%(n)d星") % {"n": stars},
        "★" * stars,
        "☆" * (MAX_STARS - stars),
    )
