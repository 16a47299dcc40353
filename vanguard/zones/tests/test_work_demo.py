"""The demo's work area (vanguard/demo/work.py): tasks in the six categories for every zone of this year,
some done, some open, some overdue; a weekly patrol and a monthly 党员奉献日 in each work plan; two activities
per branch with participants and hours; the `member` login's own tasks. Valid, and a second run adds
nothing; a reset takes it all away again."""

from __future__ import annotations

import pytest
from django.db.models import Count

from vanguard.accounts.models import User
from vanguard.demo import builder
from vanguard.org.validators import today
from vanguard.zones import work_selectors as selectors
from vanguard.zones.models import Activity, ActivityParticipant, Task, WorkPlanEntry, Zone


def _counts() -> tuple[int, int, int, int]:
    return (
        Task.objects.count(),
        WorkPlanEntry.objects.count(),
        Activity.objects.count(),
        ActivityParticipant.objects.count(),
    )


@pytest.mark.django_db
def test_the_demo_gives_every_zone_its_work_and_a_second_run_adds_nothing():
    builder.build_demo()
    zones = Zone.objects.filter(year=today().year)
    assert zones.exists()
    per_zone = dict(Task.objects.filter(zone__in=zones).values_list("zone").annotate(n=Count("pk")))
    assert set(per_zone.values()) == {3}
    assert len(per_zone) == zones.count()
    assert set(Task.objects.values_list("category", flat=True)) == set(Task.Category.values)
    statuses = dict(Task.objects.values_list("status").annotate(n=Count("pk")))
    assert statuses["done"] > 0 and statuses["open"] > 0
    for task in Task.objects.select_related("zone__organisation", "member__organisation"):
        task.full_clean()
        assert (task.status == "done") == (task.done_on is not None)

    plan = WorkPlanEntry.objects.filter(zone__in=zones)
    assert set(plan.values_list("title", flat=True)) == {"责任区巡查", "党员奉献日"}
    assert plan.count() == 2 * zones.count()
    assert plan.filter(person__isnull=False).exists()

    activities = Activity.objects.all()
    assert activities.count() >= 2
    for activity in activities:
        activity.full_clean()
        assert activity.held_on <= today()
        assert activity.attendance.exists()
        assert activity.zone.organisation.path.startswith(activity.organisation.path)

    secretary = User.objects.get(username="secretary")
    assert selectors.overdue_tasks(user=secretary).exists()
    assert selectors.activity_list(user=secretary).count() == 2
    member = User.objects.get(username="member")
    own = selectors.my_tasks(user=member)
    assert own.filter(member__person__user=member, status="open").exists()
    assert own.filter(member__person__user=member, status="done").exists()
    assert selectors.activity_list(user=member).count() == 2

    first = _counts()
    builder.build_demo()
    assert _counts() == first


@pytest.mark.django_db
def test_a_reset_removes_the_work_with_the_rest_of_the_demo():
    builder.build_demo()
    assert Activity.objects.exists()
    # Participants hold their person and activities their organisation (PROTECT): the area's reset runs
    # before the people's and the trees', or theirs would fail.
    builder.reset_demo()
    assert _counts() == (0, 0, 0, 0)
