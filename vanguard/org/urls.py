from django.urls import path

from . import views, views_personal

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
    # A person's own data (PIPL art. 45, 47): the 个人信息 page, their copy, anonymisation.
    path("people/<int:pk>/personal-data/", views_personal.personal_data_page, name="personal_data"),
    path(
        "people/<int:pk>/personal-data/export/",
        views_personal.personal_data_export,
        name="personal_data_export",
    ),
    path(
        "people/<int:pk>/personal-data/anonymise/",
        views_personal.personal_data_anonymise,
        name="personal_data_anonymise",
    ),
    path("me/personal-data/", views_personal.my_personal_data, name="my_personal_data"),
]
