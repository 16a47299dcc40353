"""Post standards (岗位标准) and their three cards, under /standards/."""

from __future__ import annotations

from django.urls import path

from . import views_standards as views

app_name = "standards"

urlpatterns = [
    path("", views.standard_list, name="list"),
    path("mine/", views.mine, name="mine"),
    path("new/", views.propose, name="propose"),
    path("<int:pk>/", views.detail, name="detail"),
    path("<int:pk>/edit/", views.edit, name="edit"),
    path("<int:pk>/set/", views.set_standard, name="set"),
    path("<int:pk>/publish/", views.publish, name="publish"),
    path("<int:pk>/comments/new/", views.comment_add, name="comment_add"),
    path("<int:pk>/records/new/", views.record_add, name="record_add"),
    path("<int:pk>/cards/set/", views.card_set, name="card_set"),
    path("<int:pk>/cards/records/", views.card_records, name="card_records"),
    path("<int:pk>/cards/evaluation/", views.card_evaluation, name="card_evaluation"),
]
