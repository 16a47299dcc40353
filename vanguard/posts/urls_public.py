"""The public side of model posts: no login (listed in the access sweep's PUBLIC with the reason)."""

from __future__ import annotations

from django.urls import path

from . import views_public

app_name = "posts_public"

urlpatterns = [
    path("<int:pk>/", views_public.board, name="board"),
    path("photos/<int:pk>/", views_public.photo, name="photo"),
]
