"""The work plan pages (工作运行表): a zone's tab with the month's dates, and the add, edit and delete forms.
Each works for its role, answers 404 for the other branch, asks for a login and checks the method."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.audit.models import AuditRecord
from vanguard.org.validators import today
from vanguard.zones.models import WorkPlanEntry
from vanguard.zones.tests import work_factories as make

R = WorkPlanEntry.Recurrence


def url(name: str, *args) -> str:
    return reverse(f"zones:{name}", args=args)


def persona(request, name: str):
    return request.getfixturevalue(name)


@pytest.fixture
def zone_a(world):
    return make.zone(world.branch_a, cells=(world.community,))


@pytest.fixture
def patrol(zone_a, world):
    return make.plan_entry(
        zone_a, "责任区巡查", recurrence=R.WEEKLY, starts_on=dt.date(2026, 3, 2), person=world.member_a.person
    )


def test_the_plan_tab_shows_the_months_dates(world, zone_a, patrol, secretary_a, as_user):
    make.plan_entry(zone_a, "党员奉献日", recurrence=R.MONTHLY, starts_on=dt.date(2026, 1, 5))
    response = as_user(secretary_a).get(url("zone_plan", zone_a.pk), {"month": "2026-03"})
    assert response.status_code == 200
    plan = response.context["plan"]
    assert [d.day for d, _ in plan.agenda] == [2, 5, 9, 16, 23, 30]
    content = response.content.decode()
    assert "2026-03 的安排" in content
    assert "?month=2026-02" in content and "?month=2026-04" in content
    assert url("plan_entry_edit", patrol.pk) in content
    assert url("plan_entry_create", zone_a.pk) in content
    # The zone's own page (the other tab) is linked.
    assert url("zone_detail", zone_a.pk) in content


@pytest.mark.parametrize("month", ["", "2026-13", "1066-10", "nonsense"])
def test_a_month_that_is_not_one_shows_this_month(world, zone_a, secretary_a, as_user, month):
    response = as_user(secretary_a).get(url("zone_plan", zone_a.pk), {"month": month})
    assert response.context["plan"].month == today().replace(day=1)


@pytest.mark.parametrize(
    ("who", "edits"), [("supervisor", False), ("community_worker", False), ("office", True)]
)
def test_the_plan_tab_is_read_by_the_zones_roles(request, world, zone_a, patrol, as_user, who, edits):
    # The community worker sees the zone because it covers a cell of their community.
    response = as_user(persona(request, who)).get(url("zone_plan", zone_a.pk))
    assert response.status_code == 200
    assert (url("plan_entry_edit", patrol.pk) in response.content.decode()) is edits


@pytest.mark.parametrize("name", ["zone_plan", "plan_entry_create"])
def test_the_plan_of_another_branch_is_a_404(world, zone_a, secretary_b, as_user, name):
    assert as_user(secretary_b).get(url(name, zone_a.pk)).status_code == 404


@pytest.mark.parametrize("name", ["plan_entry_edit", "plan_entry_delete"])
def test_a_plan_line_of_another_branch_is_a_404_and_stays(world, patrol, secretary_b, as_user, name):
    client = as_user(secretary_b)
    assert client.get(url(name, patrol.pk)).status_code == 404
    assert client.post(url(name, patrol.pk), {"title": "改"}).status_code == 404
    assert WorkPlanEntry.objects.get(pk=patrol.pk).title == "责任区巡查"


@pytest.mark.parametrize("who", ["supervisor", "community_worker"])
def test_roles_that_read_do_not_change_the_plan(request, world, zone_a, patrol, as_user, who):
    client = as_user(persona(request, who))
    assert client.get(url("plan_entry_create", zone_a.pk)).status_code == 403
    assert client.post(url("plan_entry_edit", patrol.pk), {"title": "改"}).status_code == 403
    assert client.post(url("plan_entry_delete", patrol.pk)).status_code == 403
    assert WorkPlanEntry.objects.get(pk=patrol.pk).title == "责任区巡查"


def test_the_secretary_adds_a_monthly_line(world, zone_a, secretary_a, as_user):
    client = as_user(secretary_a)
    form = client.get(url("plan_entry_create", zone_a.pk)).context["form"]
    assert [p.name for p in form.fields["person"].queryset] == ["王建国"]
    response = client.post(
        url("plan_entry_create", zone_a.pk),
        {
            "title": "党员奉献日",
            "recurrence": "monthly",
            "starts_on": "2026-01-05",
            "ends_on": "2026-12-31",
            "person": world.member_a.person_id,
            "notes": "",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("zone_plan", zone_a.pk)
    entry = WorkPlanEntry.objects.get()
    assert (entry.zone, entry.recurrence, entry.person) == (zone_a, "monthly", world.member_a.person)


def test_a_line_that_ends_before_it_starts_is_explained(world, zone_a, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("plan_entry_create", zone_a.pk),
        {"title": "巡查", "recurrence": "weekly", "starts_on": "2026-03-01", "ends_on": "2026-02-01"},
    )
    assert response.status_code == 200
    assert response.context["form"].errors == {"ends_on": ["截止日期不能早于开始日期。"]}
    assert not WorkPlanEntry.objects.exists()


def test_the_secretary_changes_and_deletes_a_line(world, patrol, secretary_a, as_user):
    client = as_user(secretary_a)
    response = client.get(url("plan_entry_edit", patrol.pk))
    assert response.context["form"].initial["title"] == "责任区巡查"
    client.post(
        url("plan_entry_edit", patrol.pk),
        {"title": "夜间巡查", "recurrence": "weekly", "starts_on": "2026-03-02", "ends_on": ""},
    )
    patrol.refresh_from_db()
    assert (patrol.title, patrol.person) == ("夜间巡查", None)
    assert "夜间巡查" in client.get(url("plan_entry_delete", patrol.pk)).content.decode()
    response = client.post(url("plan_entry_delete", patrol.pk))
    assert response["Location"] == url("zone_plan", patrol.zone_id)
    assert not WorkPlanEntry.objects.exists()
    assert AuditRecord.objects.filter(object_type="zones.workplanentry", action="delete").count() == 1


def test_the_plan_pages_ask_for_a_login_and_check_the_method(world, zone_a, patrol, secretary_a, as_user):
    for path in (
        url("zone_plan", zone_a.pk),
        url("plan_entry_create", zone_a.pk),
        url("plan_entry_edit", patrol.pk),
        url("plan_entry_delete", patrol.pk),
    ):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client = as_user(secretary_a)
    assert client.post(url("zone_plan", zone_a.pk)).status_code == 405
    assert client.put(url("plan_entry_delete", patrol.pk)).status_code == 405


def test_the_plan_tab_runs_the_same_queries_for_5_and_50_lines(world, zone_a, secretary_a, as_user):
    client = as_user(secretary_a)

    def add(n: int) -> None:
        WorkPlanEntry.objects.bulk_create(
            WorkPlanEntry(
                zone=zone_a,
                title=f"工作{i}",
                recurrence=R.WEEKLY,
                starts_on=dt.date(2026, 1, 1),
                person=world.member_a.person,
            )
            for i in range(n)
        )

    def count() -> int:
        client.get(url("zone_plan", zone_a.pk))
        with CaptureQueriesContext(connection) as ctx:
            client.get(url("zone_plan", zone_a.pk))
        return len(ctx.captured_queries)

    add(5)
    few = count()
    add(45)
    assert count() == few
