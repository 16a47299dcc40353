from __future__ import annotations

from django.urls import path

from . import views_appraisal, views_year

app_name = "assessment_year"

urlpatterns = [
    path("", views_year.index, name="index"),
    path("settings/", views_year.settings_page, name="settings"),
    path("rollups/", views_year.rollup_list, name="rollup_list"),
    path("rollups/new/", views_year.rollup_create, name="rollup_create"),
    path("rollups/<int:pk>/", views_year.rollup_detail, name="rollup_detail"),
    path("rollups/<int:pk>/edit/", views_year.rollup_edit, name="rollup_edit"),
    path("rollups/<int:pk>/compute/", views_year.rollup_compute, name="rollup_compute"),
    path("rollups/<int:pk>/delete/", views_year.rollup_delete, name="rollup_delete"),
    path("rollups/<int:pk>/recommended/", views_year.rollup_recommended, name="rollup_recommended"),
    path("rollups/<int:pk>/export/", views_year.rollup_export, name="rollup_export"),
    path("reviews/", views_year.review_list, name="review_list"),
    path("reviews/new/", views_year.review_create, name="review_create"),
    path("reviews/secretaries/", views_year.secretary_list, name="secretary_list"),
    path("reviews/<int:pk>/", views_year.review_detail, name="review_detail"),
    path("reviews/<int:pk>/edit/", views_year.review_edit, name="review_edit"),
    path("rectifications/", views_year.rectification_list, name="rectification_list"),
    path("rectifications/new/", views_year.rectification_create, name="rectification_create"),
    path("rectifications/<int:pk>/", views_year.rectification_detail, name="rectification_detail"),
    path("rectifications/<int:pk>/note/", views_year.rectification_note, name="rectification_note"),
    path("rectifications/<int:pk>/done/", views_year.rectification_done, name="rectification_done"),
    path("appraisals/", views_appraisal.appraisal_list, name="appraisal_list"),
    path("appraisals/new/", views_appraisal.appraisal_create, name="appraisal_create"),
    path("appraisals/<int:pk>/", views_appraisal.appraisal_detail, name="appraisal_detail"),
    path("appraisals/<int:pk>/close/", views_appraisal.appraisal_close, name="appraisal_close"),
    path("appraisals/entries/<int:pk>/", views_appraisal.entry_detail, name="entry_detail"),
    path("appraisals/entries/<int:pk>/self/", views_appraisal.entry_self, name="entry_self"),
    path("appraisals/entries/<int:pk>/vote/", views_appraisal.entry_vote, name="entry_vote"),
    path("appraisals/entries/<int:pk>/paper/", views_appraisal.entry_paper, name="entry_paper"),
    path("appraisals/entries/<int:pk>/conclude/", views_appraisal.entry_conclude, name="entry_conclude"),
]
