"""The reads of a zone's work: the work plan's dates in a month, overdue and own tasks, activities with
their totals summed in SQL."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
import time_machine

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.zones import work_selectors as selectors
from vanguard.zones.models import Task, WorkPlanEntry, ZoneRole, ZoneRoleKind
from vanguard.zones.tests import work_factories as make

R = WorkPlanEntry.Recurrence
TODAY = today()


def dates(recurrence: str, starts_on: dt.date, month: tuple[int, int], ends_on: dt.date | None = None):
    entry = WorkPlanEntry(recurrence=recurrence, starts_on=starts_on, ends_on=ends_on)
    start, end = selectors.month_bounds(dt.date(*month, 1))
    return selectors.occurrences(entry, start, end)


# --- the work plan's dates -------------------------------------------------------------------------------


def test_a_weekly_duty_falls_on_its_weekday_every_week_of_the_month():
    # 2026-01-05 is a Monday.
    assert dates(R.WEEKLY, dt.date(2026, 1, 5), (2026, 3)) == [
        dt.date(2026, 3, 2),
        dt.date(2026, 3, 9),
        dt.date(2026, 3, 16),
        dt.date(2026, 3, 23),
        dt.date(2026, 3, 30),
    ]


def test_a_weekly_duty_starts_on_its_first_day_and_stops_on_its_last():
    assert dates(R.WEEKLY, dt.date(2026, 3, 10), (2026, 3), ends_on=dt.date(2026, 3, 24)) == [
        dt.date(2026, 3, 10),
        dt.date(2026, 3, 17),
        dt.date(2026, 3, 24),
    ]


def test_a_weekly_duty_begun_years_ago_still_lands_on_its_weekday():
    found = dates(R.WEEKLY, dt.date(2001, 1, 1), (2026, 2))
    assert [d.weekday() for d in found] == [0, 0, 0, 0]
    assert found[0] == dt.date(2026, 2, 2)


def test_a_monthly_duty_on_the_31st_falls_on_the_last_day_of_shorter_months():
    assert dates(R.MONTHLY, dt.date(2026, 1, 31), (2026, 2)) == [dt.date(2026, 2, 28)]
    assert dates(R.MONTHLY, dt.date(2026, 1, 31), (2026, 4)) == [dt.date(2026, 4, 30)]
    assert dates(R.MONTHLY, dt.date(2026, 1, 31), (2026, 5)) == [dt.date(2026, 5, 31)]


def test_a_quarterly_duty_comes_every_third_month():
    found = [dates(R.QUARTERLY, dt.date(2026, 1, 15), (2026, m)) for m in range(1, 13)]
    assert [m + 1 for m, days in enumerate(found) if days] == [1, 4, 7, 10]
    assert found[9] == [dt.date(2026, 10, 15)]


def test_a_yearly_duty_on_29_february_falls_on_the_28th_in_common_years():
    assert dates(R.YEARLY, dt.date(2024, 2, 29), (2027, 2)) == [dt.date(2027, 2, 28)]
    assert dates(R.YEARLY, dt.date(2024, 2, 29), (2028, 2)) == [dt.date(2028, 2, 29)]
    assert dates(R.YEARLY, dt.date(2024, 2, 29), (2027, 3)) == []


def test_a_one_off_duty_appears_in_its_own_month_only():
    assert dates(R.ONCE, dt.date(2026, 3, 12), (2026, 3)) == [dt.date(2026, 3, 12)]
    assert dates(R.ONCE, dt.date(2026, 3, 12), (2026, 4)) == []


@pytest.mark.parametrize("recurrence", [R.WEEKLY, R.MONTHLY, R.QUARTERLY, R.YEARLY])
def test_nothing_falls_before_a_duty_starts_or_after_it_ends(recurrence):
    assert dates(recurrence, dt.date(2026, 5, 1), (2026, 4)) == []
    assert dates(recurrence, dt.date(2025, 1, 1), (2026, 4), ends_on=dt.date(2026, 3, 31)) == []


def test_a_month_outside_2000_to_2100_is_not_a_month_to_expand():
    assert selectors.parse_month("2026-03") == dt.date(2026, 3, 1)
    for bad in ("1999-12", "2101-01", "2026-13", "2026-3-1", "", "abc"):
        with pytest.raises(ValueError):
            selectors.parse_month(bad)


def test_the_month_of_a_zones_plan_lists_each_date_in_order(world, secretary_a):
    zone = make.zone(world.branch_a)
    make.plan_entry(
        zone, "巡查", recurrence=R.WEEKLY, starts_on=dt.date(2026, 3, 2), ends_on=dt.date(2026, 3, 9)
    )
    make.plan_entry(zone, "党员奉献日", recurrence=R.MONTHLY, starts_on=dt.date(2026, 1, 5))
    make.plan_entry(zone, "植树", recurrence=R.ONCE, starts_on=dt.date(2026, 4, 1))
    plan = selectors.plan_month(user=secretary_a, zone=zone, month=dt.date(2026, 3, 17))
    assert plan.month == dt.date(2026, 3, 1)
    assert (plan.previous, plan.next) == (dt.date(2026, 2, 1), dt.date(2026, 4, 1))
    assert [(d.day, e.title) for d, e in plan.agenda] == [(2, "巡查"), (5, "党员奉献日"), (9, "巡查")]
    assert [r.entry.title for r in plan.rows] == ["党员奉献日", "巡查", "植树"]


# --- tasks -----------------------------------------------------------------------------------------------


@time_machine.travel(dt.datetime(2026, 6, 15, 9, tzinfo=dt.UTC), tick=False)
def test_overdue_means_open_and_past_its_due_date(world, secretary_a):
    zone = make.zone(world.branch_a)
    late = make.task(zone=zone, title="逾期", due_date=dt.date(2026, 6, 14))
    make.task(zone=zone, title="今天到期", due_date=dt.date(2026, 6, 15))
    make.task(zone=zone, title="没有期限")
    make.task(
        zone=zone, title="完成了", due_date=dt.date(2026, 6, 1), status="done", done_on=dt.date(2026, 6, 2)
    )
    make.task(zone=zone, title="取消了", due_date=dt.date(2026, 6, 1), status="cancelled")
    assert list(selectors.overdue_tasks(user=secretary_a)) == [late]


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("office", {"A区任务", "A党员任务", "B区任务"}),
        ("secretary_a", {"A区任务", "A党员任务"}),
        ("supervisor", {"A区任务", "A党员任务"}),
        ("secretary_b", {"B区任务"}),
        ("member_a", {"A党员任务"}),
        ("community_worker", set()),
        ("auditor", set()),
    ],
)
def test_the_task_list_shows_what_the_role_reaches(request, world, who, sees):
    make.task(zone=make.zone(world.branch_a), title="A区任务")
    make.task(member=world.member_a, title="A党员任务")
    make.task(zone=make.zone(world.branch_b, "B区"), title="B区任务")
    user = request.getfixturevalue(who)
    assert {t.title for t in selectors.task_list(user=user)} == sees


def test_the_task_list_filters_by_organisation_category_status_and_words(world, office):
    zone_a = make.zone(world.branch_a)
    in_group = org_factories.member(world.group_a, "赵六")
    make.task(zone=zone_a, title="宣讲", category=Task.Category.PUBLICITY)
    make.task(member=in_group, title="联系积极分子", category=Task.Category.CULTIVATION)
    make.task(member=world.member_b, title="廉政", category=Task.Category.INTEGRITY, status="done")

    def titles(**filters):
        return {t.title for t in selectors.task_list(user=office, filters=selectors.TaskFilters(**filters))}

    assert titles(organisation=world.branch_a) == {"宣讲", "联系积极分子"}
    assert titles(organisation=world.group_a) == {"联系积极分子"}
    assert titles(category=Task.Category.INTEGRITY) == {"廉政"}
    assert titles(status="open") == {"宣讲", "联系积极分子"}
    assert titles(q="zl") == {"联系积极分子"}
    assert titles(q="廉") == {"廉政"}
    assert titles(zone=zone_a) == {"宣讲"}
    assert titles(member=world.member_b) == {"廉政"}


def test_a_members_own_tasks_include_those_of_the_zones_they_answer_for(world, member_a):
    zone = make.zone(world.branch_a)
    other_zone = make.zone(world.branch_a, "别的责任区")
    lead, _ = ZoneRoleKind.objects.get_or_create(name="负责人", defaults={"is_lead": True})
    ZoneRole.objects.create(zone=zone, kind=lead, person=world.member_a.person)
    colleague = org_factories.member(world.branch_a, "赵六")
    make.task(member=world.member_a, title="本人已完成", status="done", done_on=TODAY)
    make.task(member=world.member_a, title="本人", due_date=TODAY)
    make.task(zone=zone, title="责任区")
    make.task(zone=zone, member=colleague, title="同事的")
    make.task(zone=other_zone, title="别的责任区的")
    assert [t.title for t in selectors.my_tasks(user=member_a)] == ["本人", "责任区", "本人已完成"]


def test_someone_who_is_not_a_member_has_no_tasks_of_their_own(world, secretary_a):
    make.task(member=world.member_a)
    assert list(selectors.my_tasks(user=secretary_a)) == []


# --- activities ------------------------------------------------------------------------------------------


def test_activities_come_with_their_participant_count_and_total_hours(world, secretary_a):
    colleague = org_factories.member(world.branch_a, "赵六").person
    make.activity(world.branch_a, "奉献日", participants=((world.member_a.person, "2.5"), (colleague, "3")))
    make.activity(world.branch_a, "没人参加")
    rows = {a.title: (a.participant_count, a.total_hours) for a in selectors.activity_list(user=secretary_a)}
    assert rows == {"奉献日": (2, Decimal("5.5")), "没人参加": (0, Decimal(0))}


def test_a_member_sees_the_activities_they_took_part_in(world, member_a):
    make.activity(world.branch_a, "参加了", participants=((world.member_a.person, "2"),))
    make.activity(world.branch_a, "没参加")
    found = list(selectors.activity_list(user=member_a))
    assert [(a.title, a.participant_count) for a in found] == [("参加了", 1)]


def test_activities_filter_by_dates_organisation_and_participant(world, office):
    make.activity(
        world.branch_a, "三月", held_on=dt.date(2026, 3, 5), participants=((world.member_a.person, "1"),)
    )
    make.activity(world.branch_b, "四月", held_on=dt.date(2026, 4, 5))

    def titles(**filters):
        return {
            a.title
            for a in selectors.activity_list(user=office, filters=selectors.ActivityFilters(**filters))
        }

    assert titles(held_from=dt.date(2026, 4, 1)) == {"四月"}
    assert titles(held_to=dt.date(2026, 3, 31)) == {"三月"}
    assert titles(organisation=world.branch_b) == {"四月"}
    assert titles(person_id=world.member_a.person_id) == {"三月"}
    assert titles(q="月") == {"三月", "四月"}


def test_an_office_in_a_second_role_sees_the_union_of_its_scopes(world, secretary_a):
    RoleAssignment.objects.create(user=secretary_a, role=Role.SECRETARY, organisation=world.branch_b)
    make.activity(world.branch_b, "B的活动")
    make.activity(world.branch_a, "A的活动")
    assert {a.title for a in selectors.activity_list(user=secretary_a)} == {"A的活动", "B的活动"}
