from __future__ import annotations

from django.urls import path

from . import views

app_name = "posts"

urlpatterns = [
    path("", views.post_list, name="list"),
    path("export/", views.post_export, name="export"),
    path("apply/", views.post_apply, name="apply"),
    path("rules/", views.rules, name="rules"),
    path("evaluate/<int:pk>/", views.round_evaluate, name="round_evaluate"),
    path("<int:pk>/", views.post_detail, name="detail"),
    path("<int:pk>/decide/", views.post_decide, name="decide"),
    path("<int:pk>/name/", views.post_name, name="name"),
    path("<int:pk>/review/", views.post_review, name="review"),
    path("<int:pk>/evaluate/", views.post_evaluate, name="evaluate"),
    path("<int:pk>/opinions/new/", views.opinion_add, name="opinion_add"),
    path("opinions/<int:pk>/answer/", views.opinion_answer, name="opinion_answer"),
]
