"""Printable sign boards (标志牌) and contact cards of zones, mounted at /zones/print/ (vanguard/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views_print

app_name = "zones_print"

urlpatterns = [
    path("<int:pk>/sign/", views_print.sign, name="sign"),
    path("<int:pk>/cards/", views_print.cards, name="cards"),
    path("branch/<int:pk>/", views_print.branch, name="branch"),
]
