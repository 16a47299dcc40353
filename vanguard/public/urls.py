"""The public pages of this app, mounted at /p/ beside the other apps' public pages (zones, posts, requests).
No login: each is listed in the access sweep's PUBLIC with the reason."""

from __future__ import annotations

from django.urls import path

from . import views

app_name = "public"

urlpatterns = [
    path("communities/<int:pk>/", views.community_board, name="community_board"),
    path("results/<int:pk>/", views.results, name="results"),
    path("screen/community/<int:pk>/", views.screen_community, name="screen_community"),
    path("screen/community/<int:pk>/data/", views.screen_community_data, name="screen_community_data"),
    path("screen/branch/<int:pk>/", views.screen_branch, name="screen_branch"),
    path("screen/branch/<int:pk>/data/", views.screen_branch_data, name="screen_branch_data"),
]
