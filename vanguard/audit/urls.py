from django.urls import path

from . import views

app_name = "audit"

urlpatterns = [
    path("", views.record_list, name="list"),
    path("<int:pk>/", views.record_detail, name="detail"),
]
