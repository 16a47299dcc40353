"""The activity pages: the list with its totals, one activity, the form with its participants and hours,
and the export. Each works for its role, answers 404 for the other branch, asks for a login and checks the
method; the list pins its query count."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.org.models import Person
from vanguard.org.tests import factories as org_factories
from vanguard.org.validators import today
from vanguard.zones.models import Activity, ActivityParticipant
from vanguard.zones.tests import work_factories as make

YESTERDAY = today() - dt.timedelta(days=1)


def url(name: str, *args) -> str:
    return reverse(f"zones:{name}", args=args)


def persona(request, name: str):
    return request.getfixturevalue(name)


@pytest.fixture
def colleague(world):
    return org_factories.member(world.group_a, "赵六")


@pytest.fixture
def day_a(world, colleague):
    return make.activity(
        world.branch_a,
        "党员奉献日",
        held_on=YESTERDAY,
        participants=((world.member_a.person, "2.5"), (colleague.person, "3")),
    )


@pytest.fixture
def day_b(world):
    return make.activity(world.branch_b, "二分公司清扫", participants=((world.member_b.person, "1"),))


def titles(response) -> set[str]:
    assert response.status_code == 200
    return {a.title for a in response.context["page"]}


# --- the list --------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees"),
    [
        ("office", {"党员奉献日", "二分公司清扫"}),
        ("secretary_a", {"党员奉献日"}),
        ("supervisor", {"党员奉献日"}),
        ("secretary_b", {"二分公司清扫"}),
        ("member_a", {"党员奉献日"}),  # they took part
        ("community_worker", set()),
    ],
)
def test_the_activity_list_shows_what_the_role_reaches(request, day_a, day_b, as_user, who, sees):
    assert titles(as_user(persona(request, who)).get(url("activity_list"))) == sees


def test_the_activity_list_shows_the_count_and_hours(world, day_a, secretary_a, as_user):
    response = as_user(secretary_a).get(url("activity_list"))
    [row] = response.context["page"]
    assert (row.participant_count, row.total_hours) == (2, Decimal("5.5"))
    assert "5.5" in response.content.decode()


def test_the_activity_list_filters(world, day_a, day_b, office, as_user):
    client = as_user(office)
    assert titles(client.get(url("activity_list"), {"organisation": world.branch_b.pk})) == {"二分公司清扫"}
    assert titles(client.get(url("activity_list"), {"q": "奉献"})) == {"党员奉献日"}
    assert (
        titles(client.get(url("activity_list"), {"held_to": (YESTERDAY - dt.timedelta(days=5)).isoformat()}))
        == set()
    )


def test_an_htmx_request_gets_only_the_activity_rows(world, day_a, office, as_user):
    content = as_user(office).get(url("activity_list"), HTTP_HX_REQUEST="true").content.decode()
    assert "<html" not in content
    assert "党员奉献日" in content


def test_the_activity_list_runs_the_same_queries_for_5_and_50_rows(world, secretary_a, as_user):
    client = as_user(secretary_a)
    people = [
        world.member_a.person,
        *(org_factories.member(world.branch_a, f"党员{i}").person for i in range(3)),
    ]

    def add(n: int) -> None:
        activities = Activity.objects.bulk_create(
            Activity(organisation=world.branch_a, title=f"活动{i}", held_on=YESTERDAY) for i in range(n)
        )
        ActivityParticipant.objects.bulk_create(
            ActivityParticipant(activity=a, person=p, hours=Decimal(2)) for a in activities for p in people
        )

    def count() -> int:
        client.get(url("activity_list"))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("activity_list"))
        assert response.status_code == 200
        return len(ctx.captured_queries)

    add(5)
    few = count()
    add(45)
    assert len(client.get(url("activity_list")).context["page"]) == 50
    assert count() == few


# --- one activity ----------------------------------------------------------------------------------------


def test_the_secretary_opens_an_activity_with_its_participants(world, day_a, secretary_a, as_user):
    response = as_user(secretary_a).get(url("activity_detail", day_a.pk))
    content = response.content.decode()
    assert response.status_code == 200
    assert "王建国" in content and "赵六" in content
    assert url("activity_edit", day_a.pk) in content


def test_a_participant_opens_the_activity_but_does_not_edit_it(world, day_a, member_a, as_user):
    client = as_user(member_a)
    response = client.get(url("activity_detail", day_a.pk))
    assert response.status_code == 200
    assert url("activity_edit", day_a.pk) not in response.content.decode()
    assert client.get(url("activity_edit", day_a.pk)).status_code == 403


@pytest.mark.parametrize("name", ["activity_detail", "activity_edit"])
def test_an_activity_of_another_branch_is_a_404(world, day_a, secretary_b, as_user, name):
    assert as_user(secretary_b).get(url(name, day_a.pk)).status_code == 404


def test_an_activity_without_the_member_is_a_404_to_them(world, member_a, as_user):
    other = make.activity(world.branch_a, "没参加的")
    assert as_user(member_a).get(url("activity_detail", other.pk)).status_code == 404


def test_a_supervisor_reads_but_does_not_change_an_activity(world, day_a, supervisor, as_user):
    client = as_user(supervisor)
    assert client.get(url("activity_detail", day_a.pk)).status_code == 200
    assert client.post(url("activity_edit", day_a.pk), {"title": "改"}).status_code == 403
    assert client.get(url("activity_create")).status_code == 403
    assert Activity.objects.get(pk=day_a.pk).title == "党员奉献日"


# --- the form --------------------------------------------------------------------------------------------


def _post(world, colleague, **changes) -> dict:
    data = {
        "organisation": world.branch_a.pk,
        "zone": "",
        "title": "清理绿地",
        "held_on": YESTERDAY.isoformat(),
        "record": "清理垃圾三车",
        "hours": "2",
        f"p{world.member_a.person_id}": "on",
        f"h{world.member_a.person_id}": "3.5",
        f"p{colleague.person_id}": "on",
        f"h{colleague.person_id}": "",
    }
    data.update(changes)
    return data


def test_the_form_lists_the_branchs_members_to_tick(world, colleague, secretary_a, as_user):
    form = as_user(secretary_a).get(url("activity_create")).context["form"]
    assert form.unit == world.branch_a
    assert [p.name for p in form.candidates] == ["王建国", "赵六"]


def test_choosing_another_organisation_reloads_its_members(world, office, as_user):
    response = as_user(office).get(
        url("activity_create"), {"organisation": world.branch_b.pk}, HTTP_HX_REQUEST="true"
    )
    assert [p.name for p in response.context["form"].candidates] == ["李红梅"]


def test_the_secretary_records_an_activity_with_hours(world, colleague, secretary_a, as_user):
    zone = make.zone(world.branch_a)
    response = as_user(secretary_a).post(url("activity_create"), _post(world, colleague, zone=zone.pk))
    activity = Activity.objects.get()
    assert response.status_code == 302
    assert response["Location"] == url("activity_detail", activity.pk)
    assert activity.zone == zone
    # An empty hours box takes the hours given for everyone.
    assert dict(activity.attendance.values_list("person__name", "hours")) == {
        "王建国": Decimal("3.5"),
        "赵六": Decimal("2.0"),
    }


@pytest.mark.parametrize(
    ("changes", "words"),
    [
        (
            {"held_on": (today() + dt.timedelta(days=1)).isoformat()},
            "活动日期不能晚于今天:活动办完后再记录。",
        ),
        ({"hours": "25"}, None),
        ({"title": ""}, None),
    ],
)
def test_bad_input_is_shown_and_nothing_saved(world, colleague, secretary_a, as_user, changes, words):
    response = as_user(secretary_a).post(url("activity_create"), _post(world, colleague, **changes))
    assert response.status_code == 200
    assert response.context["form"].errors
    if words:
        assert words in response.content.decode()
    assert not Activity.objects.exists()


def test_a_member_of_another_branch_cannot_be_ticked_in(world, colleague, secretary_a, as_user):
    data = _post(
        world, colleague, **{f"p{world.member_b.person_id}": "on", f"h{world.member_b.person_id}": "1"}
    )
    as_user(secretary_a).post(url("activity_create"), data)
    # Not on the form: the box is ignored, and李红梅 is not added.
    assert not Activity.objects.get().attendance.filter(person=world.member_b.person).exists()


def test_an_activity_for_another_branch_cannot_be_posted(world, colleague, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("activity_create"), _post(world, colleague, organisation=world.branch_b.pk)
    )
    assert "organisation" in response.context["form"].errors
    assert not Activity.objects.exists()


def test_editing_keeps_a_participant_who_is_not_a_member(world, day_a, colleague, secretary_a, as_user):
    from vanguard.org.models import Activist

    activist = Person.objects.create(name="积极分子甲")
    Activist.objects.create(person=activist, organisation=world.branch_a)
    ActivityParticipant.objects.create(activity=day_a, person=activist, hours=1)
    client = as_user(secretary_a)
    form = client.get(url("activity_edit", day_a.pk)).context["form"]
    assert [p.name for p in form.candidates] == ["王建国", "赵六", "积极分子甲"]
    data = _post(world, colleague, title="党员奉献日", **{f"p{activist.pk}": "on", f"h{activist.pk}": "1"})
    data.pop(f"p{colleague.person_id}")
    response = client.post(url("activity_edit", day_a.pk), data)
    assert response.status_code == 302
    assert dict(day_a.attendance.values_list("person__name", "hours")) == {
        "王建国": Decimal("3.5"),
        "积极分子甲": Decimal("1.0"),
    }
    assert AuditRecord.objects.filter(object_type="zones.activity", action="update").count() == 1


# --- login, methods, export ------------------------------------------------------------------------------


def test_the_activity_pages_ask_for_a_login_and_check_the_method(world, day_a, secretary_a, as_user):
    for path in (
        url("activity_list"),
        url("activity_create"),
        url("activity_export"),
        url("activity_detail", day_a.pk),
        url("activity_edit", day_a.pk),
    ):
        response = Client().get(path)
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/login/")
    client = as_user(secretary_a)
    assert client.post(url("activity_list")).status_code == 405
    assert client.post(url("activity_detail", day_a.pk)).status_code == 405
    assert client.delete(url("activity_edit", day_a.pk)).status_code == 405


def test_the_activity_export_carries_the_filters_and_totals(world, day_a, day_b, office, as_user):
    response = as_user(office).get(url("activity_export"), {"q": "奉献"})
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    rows = book.get_sheet_by_index(0).to_python()
    assert rows[0][:6] == ["活动日期", "活动名称", "组织单位", "责任区", "参加人数", "总时长(小时)"]
    assert [r[1] for r in rows[1:]] == ["党员奉献日"]
    assert rows[1][4:6] == [2, 5.5]
    record = AuditRecord.objects.get(action="export")
    assert record.after == {"kind": "activities", "count": 1}
    assert "活动名称=奉献" in record.detail


def test_the_activity_export_of_another_branch_holds_none_of_branch_a(
    world, day_a, day_b, secretary_b, as_user
):
    response = as_user(secretary_b).get(url("activity_export"))
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    assert [r[1] for r in book.get_sheet_by_index(0).to_python()[1:]] == ["二分公司清扫"]
