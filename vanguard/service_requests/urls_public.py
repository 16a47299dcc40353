"""The residents' side: no login (listed in the access sweep's PUBLIC with the reason). The form (from a
zone's board or QR code, a community's page, or about a member or a model post), the tracking page by code
with the rating form, and the lookup of a code."""

from __future__ import annotations

from django.urls import path

from . import views_public

app_name = "requests_public"

urlpatterns = [
    path("", views_public.lookup, name="lookup"),
    path("new/", views_public.submit, name="submit"),
    path("<str:code>/", views_public.track, name="track"),
]
