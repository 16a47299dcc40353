from __future__ import annotations

from django.urls import path

app_name = "zones"

urlpatterns: list = []

# The zone's work (tasks, the work plan, activities): vanguard/zones/work_views.py.
from . import work_views  # noqa: E402

urlpatterns += [
    path("<int:zone_id>/tasks/", work_views.zone_tasks, name="zone_tasks"),
    path("<int:zone_id>/tasks/new/", work_views.zone_task_create, name="zone_task_create"),
    path("<int:zone_id>/plan/", work_views.zone_plan, name="zone_plan"),
    path("<int:zone_id>/plan/new/", work_views.plan_entry_create, name="plan_entry_create"),
    path("plan/<int:pk>/edit/", work_views.plan_entry_edit, name="plan_entry_edit"),
    path("plan/<int:pk>/delete/", work_views.plan_entry_delete, name="plan_entry_delete"),
    path("tasks/", work_views.task_list, name="task_list"),
    path("tasks/overdue/", work_views.task_overdue, name="task_overdue"),
    path("tasks/mine/", work_views.my_tasks, name="my_tasks"),
    path("tasks/new/", work_views.task_create, name="task_create"),
    path("tasks/export/", work_views.task_export, name="task_export"),
    path("tasks/<int:pk>/", work_views.task_detail, name="task_detail"),
    path("tasks/<int:pk>/edit/", work_views.task_edit, name="task_edit"),
    path("tasks/<int:pk>/complete/", work_views.task_complete, name="task_complete"),
    path("tasks/<int:pk>/cancel/", work_views.task_cancel, name="task_cancel"),
    path("tasks/<int:pk>/reopen/", work_views.task_reopen, name="task_reopen"),
    path("activities/", work_views.activity_list, name="activity_list"),
    path("activities/new/", work_views.activity_create, name="activity_create"),
    path("activities/export/", work_views.activity_export, name="activity_export"),
    path("activities/<int:pk>/", work_views.activity_detail, name="activity_detail"),
    path("activities/<int:pk>/edit/", work_views.activity_edit, name="activity_edit"),
]

# Zones, their roles, responsibilities and coverage: vanguard/zones/views.py and views_coverage.py.
from . import views, views_coverage  # noqa: E402

urlpatterns += [
    path("", views.zone_list, name="zone_list"),
    path("export/", views.zone_export, name="zone_export"),
    path("new/", views.zone_create, name="zone_create"),
    path("copy-year/", views.zone_copy_year, name="zone_copy_year"),
    path("<int:pk>/", views.zone_detail, name="zone_detail"),
    path("<int:pk>/edit/", views.zone_edit, name="zone_edit"),
    path("<int:pk>/delete/", views.zone_delete, name="zone_delete"),
    path("<int:pk>/roles/", views.zone_role_add, name="zone_role_add"),
    path("roles/<int:pk>/delete/", views.zone_role_remove, name="zone_role_remove"),
    path("responsibilities/<int:pk>/", views.responsibility_list, name="responsibility_list"),
    path("responsibilities/<int:pk>/delete/", views.responsibility_delete, name="responsibility_delete"),
    path("coverage/", views_coverage.coverage_page, name="coverage"),
    path("coverage/suggest/", views_coverage.coverage_suggest, name="coverage_suggest"),
    path("coverage/fill/", views_coverage.coverage_fill, name="coverage_fill"),
]
