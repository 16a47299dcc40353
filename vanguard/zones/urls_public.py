"""The public side of zones: a zone's board (亮身份、亮承诺、亮标准). No login (listed in the access sweep's
PUBLIC with the reason)."""

from __future__ import annotations

from django.urls import path

from . import views_public

app_name = "zones_public"

urlpatterns = [
    path("<int:pk>/", views_public.board, name="board"),
]
