from __future__ import annotations

from django.urls import path

from . import views, views_work

app_name = "community"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.my_registration, name="my_registration"),
    path("registrations/", views.registration_list, name="registration_list"),
    path("registrations/paper/", views.registration_paper, name="registration_paper"),
    path("registrations/<int:pk>/", views.registration_detail, name="registration_detail"),
    path("registrations/<int:pk>/confirm/", views.registration_confirm, name="registration_confirm"),
    path("registrations/<int:pk>/return/", views.registration_return, name="registration_return"),
    path("registrations/<int:pk>/print/", views.registration_print, name="registration_print"),
    path("book/", views.book, name="book"),
    path("book/members/", views.book_members, name="book_members"),
    path("book/members/export/", views.book_export, name="book_export"),
    path("members/<int:member_id>/activity/", views.activity_form, name="activity_form"),
    path("members/<int:member_id>/feedback/", views.feedback_form, name="feedback_form"),
    path("members/<int:member_id>/file/", views.member_file, name="member_file"),
    path("posts/", views_work.post_list, name="post_list"),
    path("posts/new/", views_work.post_create, name="post_create"),
    path("posts/<int:pk>/", views_work.post_detail, name="post_detail"),
    path("posts/<int:pk>/claim/", views_work.post_claim, name="post_claim"),
    path("claims/<int:pk>/confirm/", views_work.claim_confirm, name="claim_confirm"),
    path("service/", views_work.service_list, name="service_list"),
    path("service/new/", views_work.service_report, name="service_report"),
    path("service/enter/", views_work.service_enter, name="service_enter"),
    path("service/<int:pk>/verify/", views_work.service_verify, name="service_verify"),
    path("service/<int:pk>/reject/", views_work.service_reject, name="service_reject"),
    path("teams/", views_work.team_list, name="team_list"),
    path("teams/new/", views_work.team_create, name="team_create"),
    path("teams/<int:pk>/", views_work.team_detail, name="team_detail"),
    path("pairings/", views_work.pairing_list, name="pairing_list"),
    path("pairings/new/", views_work.pairing_create, name="pairing_create"),
    path("pairings/<int:pk>/", views_work.pairing_detail, name="pairing_detail"),
    path("pairings/<int:pk>/visit/", views_work.pairing_visit, name="pairing_visit"),
    path("pairings/<int:pk>/end/", views_work.pairing_end, name="pairing_end"),
]
