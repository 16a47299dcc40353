"""The member pages: list, detail, edit, create. Each works for its role, answers 404 for the other
branch, asks for a login and checks the method; the list pins its query count."""

from __future__ import annotations

import itertools
import re

import pytest
from django.db import connection
from django.forms import ModelChoiceField
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import User
from vanguard.core import pinyin
from vanguard.org.models import Member, Organisation, Person, Strength
from vanguard.org.tests.factories import member_form_data, snapshot, valid_id_number

LOGIN = "/accounts/login/"


def url(name: str, *args) -> str:
    return reverse(f"org:{name}", args=args)


def persona(request, name: str) -> User:
    return request.getfixturevalue(name)


# --- the list ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("office", {"王建国", "李红梅"}, set()),
        ("secretary_a", {"王建国"}, {"李红梅"}),
        ("secretary_b", {"李红梅"}, {"王建国"}),
        ("supervisor", {"王建国"}, {"李红梅"}),
        ("community_worker", {"王建国"}, {"李红梅"}),  # member A lives in their community
        ("member_a", {"王建国"}, {"李红梅"}),  # a member sees themself only
    ],
)
def test_the_member_list_shows_what_the_role_reaches(request, world, as_user, who, sees, does_not_see):
    response = as_user(persona(request, who)).get(url("member_list"))
    assert response.status_code == 200
    names = {m.person.name for m in response.context["page"]}
    assert names == sees
    content = response.content.decode()
    for name in does_not_see:
        assert name not in content


@pytest.mark.parametrize("who", ["auditor", "nobody"])
def test_the_member_list_is_forbidden_without_a_business_role(request, world, as_user, who):
    assert as_user(persona(request, who)).get(url("member_list")).status_code == 403


def test_the_member_list_masks_mobile_numbers(world, office, as_user):
    content = as_user(office).get(url("member_list")).content.decode()
    assert "138****5678" in content
    assert "13812345678" not in content


@pytest.mark.parametrize(
    ("params", "expected"),
    [
        ({"organisation": "branch_a"}, {"王建国", "赵六"}),
        ({"organisation": "group_a"}, {"赵六"}),
        ({"organisation": "branch_b"}, {"李红梅"}),
        ({"residence": "other_community"}, {"李红梅"}),
        ({"residence": "street"}, {"王建国", "李红梅"}),
        ({"category": Member.Category.RETIRED}, {"赵六"}),
        ({"status": Member.Status.PROBATIONARY}, {"赵六"}),
        ({"occupation": "教师"}, {"李红梅"}),
        ({"organisation": "branch_a", "occupation": "驾驶员"}, {"王建国"}),
    ],
)
def test_the_member_list_filters(world, office, as_user, params, expected):
    from vanguard.org.tests import factories

    factories.member(
        world.group_a, "赵六", category=Member.Category.RETIRED, status=Member.Status.PROBATIONARY
    )
    query = {
        k: (getattr(world, v).pk if k in ("organisation", "residence") else v) for k, v in params.items()
    }
    response = as_user(office).get(url("member_list"), query)
    assert response.status_code == 200
    assert response.context["form"].errors == {}
    assert {m.person.name for m in response.context["page"]} == expected


def test_the_member_list_does_not_filter_by_another_branch_for_a_secretary(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("member_list"), {"organisation": world.branch_b.pk})
    assert response.status_code == 200
    assert "organisation" in response.context["form"].errors
    assert "李红梅" not in response.content.decode()


def test_an_htmx_request_gets_only_the_rows(world, office, as_user):
    response = as_user(office).get(url("member_list"), {"q": "wjg"}, HTTP_HX_REQUEST="true")
    content = response.content.decode()
    assert response.status_code == 200
    assert "<html" not in content
    assert "王建国" in content
    assert "李红梅" not in content


_SURNAMES = "王李张刘陈杨赵黄周吴"
_GIVEN = "伟芳娜敏静丽强磊军洋"
_THIRD = "华明"


def bulk_members(world, n: int, offset: int = 0) -> None:
    """n members in three organisations, made with two bulk inserts (the factories would take seconds)."""
    names = ["".join(p) for p in itertools.product(_SURNAMES, _GIVEN, _THIRD)][offset : offset + n]
    assert len(names) == n
    people = Person.objects.bulk_create(
        Person(
            name=name,
            name_pinyin=pinyin.full_pinyin(name),
            name_initials=pinyin.initials(name),
            mobile=f"139{offset + i:08d}",
            occupation="驾驶员",
            residence=world.community,
            workplace=world.team,
        )
        for i, name in enumerate(names)
    )
    organisations = itertools.cycle([world.branch_a, world.group_a, world.branch_b])
    Member.objects.bulk_create(Member(person=p, organisation=next(organisations)) for p in people)


def _queries_for_list_page(client) -> int:
    client.get(url("member_list"))  # the first request of a session writes it; count a later one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("member_list"))
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_member_list_runs_the_same_queries_for_20_and_200_members(world, office, as_user):
    client = as_user(office)
    bulk_members(world, 20)
    with_20 = _queries_for_list_page(client)
    bulk_members(world, 180, offset=20)
    assert Member.objects.count() == 202
    with_200 = _queries_for_list_page(client)
    assert with_200 == with_20
    # session, user, second factor, role assignments, occupations, count, page, the two filter selects
    assert with_200 <= 10


def test_the_member_list_pages_by_50(world, office, as_user):
    bulk_members(world, 200)
    client = as_user(office)

    first = client.get(url("member_list"))
    assert len(first.context["page"].object_list) == 50
    assert first.context["page"].paginator.num_pages == 5
    content = first.content.decode()
    assert "共 202 名党员" in content
    assert "第 1 / 5 页" in content
    assert len(re.findall(r'href="/org/members/\d+/"', content)) == 50

    last = client.get(url("member_list"), {"page": 5})
    assert len(last.context["page"].object_list) == 2
    shown = set()
    for number in range(1, 6):
        shown |= {m.pk for m in client.get(url("member_list"), {"page": number}).context["page"]}
    assert len(shown) == 202


def test_the_pages_keep_the_filter(world, office, as_user):
    bulk_members(world, 200)
    response = as_user(office).get(url("member_list"), {"organisation": world.branch_b.pk})
    # 200 / 3 in branch B, plus 李红梅
    assert response.context["page"].paginator.count == 67
    assert f"organisation={world.branch_b.pk}" in response.content.decode()
    assert "page=2" in response.content.decode()


# --- the detail page -----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "member", "status"),
    [
        ("office", "member_a", 200),
        ("office", "member_b", 200),
        ("secretary_a", "member_a", 200),
        ("secretary_a", "member_b", 404),
        ("secretary_b", "member_a", 404),
        ("secretary_b", "member_b", 200),
        ("supervisor", "member_a", 200),
        ("supervisor", "member_b", 404),
        ("community_worker", "member_a", 200),
        ("community_worker", "member_b", 404),
        ("member_a", "member_a", 200),
        ("member_a", "member_b", 404),
        ("auditor", "member_a", 404),
        ("nobody", "member_a", 404),
    ],
)
def test_the_member_detail_page_answers_by_scope(request, world, as_user, who, member, status):
    target = getattr(world, member)
    response = as_user(persona(request, who)).get(url("member_detail", target.pk))
    assert response.status_code == status
    if status == 200:
        assert target.person.name in response.content.decode()


def test_a_missing_member_is_404(world, office, as_user):
    assert as_user(office).get(url("member_detail", 999999)).status_code == 404


@pytest.mark.parametrize(
    ("who", "shows_edit"), [("secretary_a", True), ("supervisor", False), ("member_a", False)]
)
def test_the_detail_page_offers_edit_only_to_an_editor(request, world, as_user, who, shows_edit):
    content = as_user(persona(request, who)).get(url("member_detail", world.member_a.pk)).content.decode()
    assert (url("member_edit", world.member_a.pk) in content) is shows_edit


def test_the_detail_page_masks_the_identity_and_mobile_numbers(world, office, as_user):
    person = world.member_a.person
    person.id_number = valid_id_number("19800101")
    person.save()
    content = as_user(office).get(url("member_detail", world.member_a.pk)).content.decode()
    assert person.id_number not in content
    assert person.id_number[-4:] in content
    assert "138****5678" in content


# --- the edit page -------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "member", "status"),
    [
        ("office", "member_a", 200),
        ("office", "member_b", 200),
        ("secretary_a", "member_a", 200),
        ("secretary_a", "member_b", 404),
        ("secretary_b", "member_a", 404),
        ("supervisor", "member_a", 403),  # may read, may not edit
        ("supervisor", "member_b", 404),
        ("community_worker", "member_a", 403),
        ("member_a", "member_a", 403),  # a member does not edit their own record
        ("member_a", "member_b", 404),
        ("auditor", "member_a", 404),
        ("nobody", "member_a", 404),
    ],
)
@pytest.mark.parametrize("method", ["get", "post"])
def test_the_member_edit_page_answers_by_role_and_scope(request, world, as_user, who, member, status, method):
    client = as_user(persona(request, who))
    target = getattr(world, member)
    before = snapshot(target)
    if method == "get":
        response = client.get(url("member_edit", target.pk))
    else:
        data = member_form_data(target, {"person-occupation": "改过的职业"})
        response = client.post(url("member_edit", target.pk), data)
    expected = 302 if method == "post" and status == 200 else status
    assert response.status_code == expected
    if expected != 302:
        assert snapshot(target) == before


def test_a_secretary_cannot_move_a_member_into_another_branch(world, secretary_a, as_user):
    member = world.member_a
    before = snapshot(member)
    response = as_user(secretary_a).post(
        url("member_edit", member.pk), member_form_data(member, {"member-organisation": world.branch_b.pk})
    )
    assert response.status_code == 200
    errors = response.context["member_form"].errors["organisation"]
    assert errors == [str(ModelChoiceField.default_error_messages["invalid_choice"])]
    assert "选择一个有效的选项" in errors[0]
    assert errors[0] in response.content.decode()
    assert snapshot(member) == before


def test_a_secretary_is_offered_only_their_branch_and_its_groups(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("member_edit", world.member_a.pk))
    choices = list(response.context["member_form"].fields["organisation"].queryset)
    assert choices == [world.branch_a, world.group_a]


def test_the_office_can_move_a_member_between_branches(world, office, as_user):
    member = world.member_a
    response = as_user(office).post(
        url("member_edit", member.pk), member_form_data(member, {"member-organisation": world.branch_b.pk})
    )
    assert response.status_code == 302
    member.refresh_from_db()
    assert member.organisation == world.branch_b


def test_the_edit_page_shows_the_strengths_and_keeps_them(world, secretary_a, as_user):
    from vanguard.org import services

    services.person_save(actor=secretary_a, person=world.member_a.person, strengths=["文艺", "维修"])
    client = as_user(secretary_a)
    form = client.get(url("member_edit", world.member_a.pk)).context["person_form"]
    assert form["strengths_text"].value() == "文艺、维修"
    data = member_form_data(world.member_a)
    assert data["person-strengths_text"] == "文艺、维修"
    assert client.post(url("member_edit", world.member_a.pk), data).status_code == 302
    assert sorted(world.member_a.person.strengths.values_list("name", flat=True)) == ["文艺", "维修"]


# --- the create page -----------------------------------------------------------------------------------


def new_member_data(organisation: Organisation, **overrides) -> dict[str, object]:
    data: dict[str, object] = {
        "person-name": "孙小红",
        "person-gender": "F",
        "person-birth_date": "1990-05-04",
        "person-id_number": valid_id_number("19900504", "002"),
        "person-mobile": "13600001234",
        "person-workplace": "",
        "person-residence": "",
        "person-occupation": "售票员",
        "person-notes": "",
        "person-strengths_text": "文艺、维修,法律咨询",
        "member-organisation": organisation.pk,
        "member-status": Member.Status.FULL,
        "member-category": Member.Category.IN_SERVICE,
        "member-join_date": "2015-07-01",
        "member-badge_no": "A001",
    }
    data.update(overrides)
    return data


def test_creating_a_member_through_the_form_saves_the_person_and_the_strengths(world, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("member_create"),
        new_member_data(
            world.group_a, **{"person-residence": world.community.pk, "person-workplace": world.team.pk}
        ),
    )
    member = Member.objects.select_related("person").get(person__name="孙小红")
    assert response.status_code == 302
    assert response["Location"] == url("member_detail", member.pk)
    assert member.organisation == world.group_a
    assert member.badge_no == "A001"
    assert member.person.name_initials == "sxh"
    assert member.person.residence == world.community
    assert sorted(member.person.strengths.values_list("name", flat=True)) == sorted(
        ["文艺", "维修", "法律咨询"]
    )


def test_strengths_already_known_are_reused(world, office, as_user):
    Strength.objects.create(name="维修")
    client = as_user(office)
    client.post(
        url("member_create"), new_member_data(world.branch_a, **{"person-strengths_text": "维修, 书法"})
    )
    assert sorted(Strength.objects.values_list("name", flat=True)) == ["书法", "维修"]


def test_the_create_page_offers_the_secretary_their_branch_only(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("member_create"))
    assert response.status_code == 200
    assert list(response.context["member_form"].fields["organisation"].queryset) == [
        world.branch_a,
        world.group_a,
    ]


def test_a_secretary_cannot_create_a_member_in_another_branch(world, secretary_a, as_user):
    response = as_user(secretary_a).post(url("member_create"), new_member_data(world.branch_b))
    assert response.status_code == 200
    assert str(ModelChoiceField.default_error_messages["invalid_choice"]) in response.content.decode()
    assert not Person.objects.filter(name="孙小红").exists()


def test_creating_a_member_under_18_at_joining_is_refused(world, office, as_user):
    response = as_user(office).post(
        url("member_create"), new_member_data(world.branch_a, **{"member-join_date": "2008-05-03"})
    )
    assert response.status_code == 200
    assert "入党时须年满18岁:按出生日期1990-05-04,入党日期不能早于2008-05-04。" in response.content.decode()
    assert not Person.objects.filter(name="孙小红").exists()


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("secretary_a", 200),
        ("supervisor", 403),
        ("community_worker", 403),
        ("member_a", 403),
        ("auditor", 403),
        ("nobody", 403),
    ],
)
def test_the_create_page_is_for_editors_only(request, world, as_user, who, status):
    client = as_user(persona(request, who))
    assert client.get(url("member_create")).status_code == status
    response = client.post(url("member_create"), new_member_data(world.branch_a))
    assert response.status_code == (302 if status == 200 else status)
    assert Person.objects.filter(name="孙小红").exists() is (status == 200)


# --- login and methods, for every page of the app ------------------------------------------------------


def every_org_url(world) -> list[str]:
    return [
        url("member_list"),
        url("member_create"),
        url("member_detail", world.member_a.pk),
        url("member_edit", world.member_a.pk),
        url("organisation_tree"),
        url("organisation_children", world.committee.pk),
        url("cell_tree"),
        url("cell_children", world.street.pk),
        url("personal_data", world.member_a.person_id),
        url("personal_data_export", world.member_a.person_id),
        url("personal_data_anonymise", world.member_a.person_id),
        url("my_personal_data"),
    ]


def test_every_org_url_is_in_the_walk():
    from vanguard.org.urls import urlpatterns

    assert len(urlpatterns) == 12


@pytest.mark.parametrize("method", ["get", "post"])
def test_every_org_page_asks_an_anonymous_visitor_to_log_in(world, resident, method):
    for page in every_org_url(world):
        response = getattr(resident, method)(page)
        assert response.status_code == 302, page
        assert response["Location"].startswith(f"{LOGIN}?next="), page


def test_every_org_page_refuses_a_method_it_does_not_take(world, office, as_user):
    client = as_user(office)
    forms = {
        url("member_create"),
        url("member_edit", world.member_a.pk),
        url("personal_data_anonymise", world.member_a.person_id),
    }
    for page in every_org_url(world):
        assert client.put(page).status_code == 405, page
        assert client.delete(page).status_code == 405, page
        if page not in forms:
            assert client.post(page).status_code == 405, page
