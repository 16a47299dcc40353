from django.urls import path

from . import views

app_name = "org"

urlpatterns = [
    path("members/", views.member_list, name="member_list"),
    path("members/new/", views.member_create, name="member_create"),
    path("members/<int:pk>/", views.member_detail, name="member_detail"),
    path("members/<int:pk>/edit/", views.member_edit, name="member_edit"),
    path("organisations/", views.organisation_tree, name="organisation_tree"),
    path("organisations/<int:pk>/children/", views.organisation_children, name="organisation_children"),
    path("grid/", views.cell_tree, name="cell_tree"),
    path("grid/<int:pk>/children/", views.cell_children, name="cell_children"),
]
