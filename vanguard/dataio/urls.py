from __future__ import annotations

from django.urls import path  # noqa: F401

app_name = "dataio"

# Import pages (views_import.py) and export downloads (views_export.py) add their patterns here.
urlpatterns: list = []
