from __future__ import annotations

from django.urls import path

from . import views_results, views_rounds, views_schemes

app_name = "assessment"

urlpatterns = [
    path("", views_rounds.round_list, name="index"),
    path("schemes/", views_schemes.scheme_list, name="scheme_list"),
    path("schemes/new/", views_schemes.scheme_create, name="scheme_create"),
    path("schemes/<int:pk>/", views_schemes.scheme_detail, name="scheme_detail"),
    path("schemes/<int:pk>/edit/", views_schemes.scheme_edit, name="scheme_edit"),
    path("schemes/<int:pk>/weights/", views_schemes.scheme_weights, name="scheme_weights"),
    path("schemes/<int:pk>/indicators/new/", views_schemes.indicator_add, name="indicator_add"),
    path("indicators/<int:pk>/edit/", views_schemes.indicator_edit, name="indicator_edit"),
    path("indicators/<int:pk>/remove/", views_schemes.indicator_remove, name="indicator_remove"),
    path("rounds/", views_rounds.round_list, name="round_list"),
    path("rounds/new/", views_rounds.round_create, name="round_create"),
    path("rounds/<int:pk>/", views_rounds.round_detail, name="round_detail"),
    path("rounds/<int:pk>/edit/", views_rounds.round_edit, name="round_edit"),
    path("rounds/<int:pk>/transition/", views_rounds.round_transition, name="round_transition"),
    path("rounds/<int:pk>/export/", views_rounds.round_export, name="round_export"),
    path("rounds/<int:pk>/distribution/", views_rounds.distribution, name="distribution"),
    path("rounds/<int:pk>/score/", views_results.score_sheet, name="score_sheet"),
    path("rounds/<int:pk>/self/", views_results.self_assessment, name="self_assessment"),
    path("results/<int:pk>/", views_results.result_detail, name="result_detail"),
    path("results/<int:pk>/score/", views_results.score_row, name="score_row"),
    path("results/<int:pk>/revise/", views_results.result_revise, name="result_revise"),
]
