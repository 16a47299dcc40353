"""The staff's pages of residents' requests: the lists (mine, the community's queue, overdue and escalated
first), a request with its timeline and actions, entry of a request taken by phone, the export, the rates."""

from __future__ import annotations

from django.urls import path

from . import views, views_stats

app_name = "service_requests"

urlpatterns = [
    path("", views.request_list, name="list"),
    path("new/", views.request_create, name="create"),
    path("export/", views.request_export, name="export"),
    path("stats/", views_stats.stats, name="stats"),
    path("<int:pk>/", views.request_detail, name="detail"),
    path("<int:pk>/photo/", views.request_photo, name="photo"),
    path("<int:pk>/<slug:action>/", views.request_action, name="action"),
]
