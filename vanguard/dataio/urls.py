from __future__ import annotations

from django.urls import path

from . import views_export, views_import

app_name = "dataio"

# Import pages (views_import.py) and export downloads (views_export.py) add their patterns here.
urlpatterns: list = [
    path("export/members/", views_export.member_export, name="member_export"),
    path("export/roster/", views_export.roster_export, name="roster_export"),
    path("template/", views_export.template_download, name="template"),
    path("import/", views_import.import_upload, name="import"),
    path("import/confirm/", views_import.import_confirm, name="import_confirm"),
    path("import/errors/", views_import.import_errors, name="import_errors"),
]
