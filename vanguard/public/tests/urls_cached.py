"""The site's URLs with the zone board and the model post's board wrapped in cached_public, as the lead wires
them in their own views: lets test_cache.py show their caching without touching those apps."""

from __future__ import annotations

from django.urls import path

from vanguard.posts import views_public as posts_public
from vanguard.public.cache import cached_public
from vanguard.urls import urlpatterns as site
from vanguard.zones import views_public as zones_public

urlpatterns = [
    path("cached/zones/<int:pk>/", cached_public("zone")(zones_public.board), name="cached_zone"),
    path("cached/posts/<int:pk>/", cached_public("post")(posts_public.board), name="cached_post"),
    *site,
]
