from __future__ import annotations

from django.urls import path

from . import views

app_name = "reports"

urlpatterns = [
    path("", views.report_list, name="list"),
    path("mine/", views.my_reports, name="mine"),
    path("new/", views.report_submit, name="submit"),
    path("review/", views.review_queue, name="queue"),
    path("missing/", views.missing, name="missing"),
    path("missing/export/", views.missing_export, name="missing_export"),
    path("<int:pk>/", views.report_detail, name="detail"),
    path("<int:pk>/edit/", views.report_edit, name="edit"),
    path("<int:pk>/review/", views.report_review, name="review"),
    path("archive/<int:member_id>/<int:year>/", views.archive, name="archive"),
    path("archive/<int:member_id>/<int:year>/export/", views.archive_export, name="archive_export"),
]
