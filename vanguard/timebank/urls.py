from __future__ import annotations

from django.urls import path

from . import views

app_name = "timebank"

urlpatterns = [
    path("", views.index, name="index"),
    path("mine/", views.mine, name="mine"),
    path("donate/", views.donate, name="donate"),
    path("accounts/", views.account_list, name="account_list"),
    path("accounts/household/new/", views.household_open, name="household_open"),
    path("accounts/<int:pk>/", views.account_detail, name="account_detail"),
    path("accounts/<int:pk>/export/", views.account_export, name="account_export"),
    path("spend/", views.spend, name="spend"),
    path("transfers/<int:pk>/reverse/", views.reverse, name="reverse"),
]
