"""The public page of a post standard (群众议标准), under /p/standards/: no login."""

from __future__ import annotations

from django.urls import path

from . import views_standards as views

app_name = "standards_public"

urlpatterns = [
    path("<int:pk>/", views.public_detail, name="detail"),
]
