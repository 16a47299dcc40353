from __future__ import annotations

from django.urls import path

from . import views

app_name = "contacts"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("below-two/", views.below_two, name="below_two"),
    path("below-two/export/", views.below_two_export, name="below_two_export"),
    path("not-visited/", views.not_visited, name="not_visited"),
    path("not-visited/export/", views.not_visited_export, name="not_visited_export"),
    path("members/<int:pk>/", views.member_contacts, name="member_contacts"),
    path("members/<int:pk>/assign/", views.assignment_create, name="assignment_create"),
    path("<int:pk>/", views.assignment_detail, name="assignment_detail"),
    path("<int:pk>/edit/", views.assignment_edit, name="assignment_edit"),
    path("<int:pk>/delete/", views.assignment_delete, name="assignment_delete"),
    path("<int:pk>/talks/new/", views.talk_create, name="talk_create"),
    path("talks/<int:pk>/edit/", views.talk_edit, name="talk_edit"),
]
