"""A model post's printable plaque, mounted at /posts/print/ (vanguard/urls.py)."""

from __future__ import annotations

from django.urls import path

from . import views_print

app_name = "posts_print"

urlpatterns = [
    path("<int:pk>/card/", views_print.card, name="card"),
]
