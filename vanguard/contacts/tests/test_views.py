"""The contacts pages. Each works for its role, answers 404 for the other branch (and for another member's
contact), asks for a login and checks the method; the lists page by 50 and pin their query counts."""

from __future__ import annotations

import datetime as dt
import io
import itertools

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import Action, AuditRecord
from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.contacts.tests import factories
from vanguard.core import pinyin
from vanguard.org.models import Member, Person

LOGIN = "/accounts/login/"


def url(name: str, *args) -> str:
    return reverse(f"contacts:{name}", args=args)


def persona(request, name: str):
    return request.getfixturevalue(name)


@pytest.fixture
def contact(world) -> ContactAssignment:
    """Branch A's member 王建国 keeps 孙大妈, assigned on 10 January, talked with in April."""
    assignment = factories.assignment(world.member_a, factories.resident("孙大妈", mobile="13700001111"))
    factories.talk(assignment, dt.date(2026, 4, 8), "谈了社区的垃圾分类。", problems="楼道灯坏了")
    return assignment


@pytest.fixture
def contact_b(world) -> ContactAssignment:
    return factories.assignment(world.member_b, factories.resident("周大爷"))


# --- the entry -------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "target"),
    [
        ("office", 302, "below_two"),
        ("secretary_a", 302, "below_two"),
        ("supervisor", 302, "below_two"),
        ("member_a", 302, "mine"),
        ("community_worker", 403, None),
        ("auditor", 403, None),
        ("nobody", 403, None),
    ],
)
def test_the_menu_entry_leads_each_role_to_its_page(request, world, as_user, who, status, target):
    response = as_user(persona(request, who)).get(url("index"))
    assert response.status_code == status
    if target:
        assert response["Location"] == url(target)


# --- the member's own page -------------------------------------------------------------------------------


def test_a_member_sees_their_contacts_with_the_last_talk(world, member_a, as_user, contact, contact_b):
    response = as_user(member_a).get(url("mine"))
    assert response.status_code == 200
    content = response.content.decode()
    assert "孙大妈" in content and "2026-04-08" in content and "本月未联系" in content
    assert "周大爷" not in content
    assert "137****1111" in content and "13700001111" not in content
    # Only one contact: below the two the rules ask for.
    assert "2026年您只有 1 名联系对象" in content


def test_a_member_adds_a_talk_from_their_phone(world, member_a, as_user, contact):
    client = as_user(member_a)
    response = client.post(
        url("talk_create", contact.pk),
        {"next": "mine", "held_on": "2026-05-19", "kind": "visit", "content": "上门走访,谈了家里的情况。"},
    )
    assert response.status_code == 302 and response["Location"] == url("mine")
    talk = contact.talks.get(held_on=dt.date(2026, 5, 19))
    assert (talk.kind, talk.content) == (Talk.Kind.VISIT, "上门走访,谈了家里的情况。")
    page = client.get(url("mine")).content.decode()
    assert "本月已联系" in page and "已记录2026-05-19与孙大妈的谈心走访。" in page


def test_a_talk_dated_before_the_contact_was_assigned_is_refused_on_the_page(
    world, member_a, as_user, contact
):
    response = as_user(member_a).post(
        url("talk_create", contact.pk),
        {"next": "mine", "held_on": "2026-01-09", "kind": "talk", "content": "谈"},
    )
    assert response.status_code == 200
    content = response.content.decode()
    assert "谈话日期不能早于确定联系对象的日期(2026-01-10)。" in content
    assert "信息尚未保存" in content
    assert 'name="next" value="mine"' in content
    assert contact.talks.count() == 1


def test_a_future_talk_or_one_without_content_is_refused_on_the_page(world, member_a, as_user, contact):
    client = as_user(member_a)
    response = client.post(
        url("talk_create", contact.pk), {"held_on": "2026-05-21", "kind": "talk", "content": "谈"}
    )
    assert response.context["form"].errors == {"held_on": ["日期不能晚于今天。"]}
    response = client.post(
        url("talk_create", contact.pk), {"held_on": "2026-05-19", "kind": "talk", "content": " "}
    )
    assert list(response.context["form"].errors) == ["content"]
    assert contact.talks.count() == 1


def test_a_login_without_a_membership_has_no_contacts_of_its_own(world, secretary_a, as_user):
    response = as_user(secretary_a).get(url("mine"))
    assert response.status_code == 200
    assert "您的账户没有关联党员信息" in response.content.decode()


def test_the_own_page_needs_a_login(world):
    from django.test import Client

    response = Client().get(url("mine"))
    assert response.status_code == 302 and response["Location"].startswith(LOGIN)


# --- the two lists ---------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "sees", "does_not_see"),
    [
        ("office", {"王建国", "李红梅"}, set()),
        ("secretary_a", {"王建国"}, {"李红梅"}),
        ("supervisor", {"王建国"}, {"李红梅"}),
        ("secretary_b", {"李红梅"}, {"王建国"}),
    ],
)
def test_the_below_two_list_shows_the_members_in_reach(request, world, as_user, who, sees, does_not_see):
    response = as_user(persona(request, who)).get(url("below_two"))
    assert response.status_code == 200
    assert {m.person.name for m in response.context["page"]} == sees
    content = response.content.decode()
    for name in does_not_see:
        assert name not in content


@pytest.mark.parametrize("page", ["below_two", "not_visited", "below_two_export", "not_visited_export"])
@pytest.mark.parametrize("who", ["member_a", "community_worker", "auditor", "nobody"])
def test_the_lists_are_for_those_who_oversee_a_branch(request, world, as_user, page, who):
    assert as_user(persona(request, who)).get(url(page)).status_code == 403


def test_the_below_two_list_links_to_assigning_for_editors_only(world, secretary_a, supervisor, as_user):
    assign_url = url("assignment_create", world.member_a.pk)
    assert assign_url in as_user(secretary_a).get(url("below_two")).content.decode()
    assert assign_url not in as_user(supervisor).get(url("below_two")).content.decode()


def test_the_below_two_list_filters_by_year_and_not_by_another_branch(world, secretary_a, as_user, contact):
    factories.assignment(world.member_a, factories.resident("又一人"))
    client = as_user(secretary_a)
    assert list(client.get(url("below_two"), {"year": 2026}).context["page"]) == []
    assert {m.person.name for m in client.get(url("below_two"), {"year": 2025}).context["page"]} == {"王建国"}
    response = client.get(url("below_two"), {"organisation": world.branch_b.pk})
    assert "organisation" in response.context["form"].errors
    assert "李红梅" not in response.content.decode()
    assert "年度应在2000年至明年之间。" in client.get(url("below_two"), {"year": 1990}).content.decode()


def test_an_htmx_request_gets_only_the_rows(world, office, as_user):
    response = as_user(office).get(url("below_two"), HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode() and "王建国" in response.content.decode()
    response = as_user(office).get(url("not_visited"), HTTP_HX_REQUEST="true")
    assert "<html" not in response.content.decode()


def test_the_not_visited_list_shows_this_months_gaps_with_a_link_to_record(
    world, secretary_a, as_user, contact, contact_b
):
    visited = factories.assignment(world.member_a, factories.resident("五月谈过"))
    factories.talk(visited, dt.date(2026, 5, 3))
    response = as_user(secretary_a).get(url("not_visited"))
    assert response.status_code == 200
    assert [a.person.name for a in response.context["page"]] == ["孙大妈"]
    content = response.content.decode()
    assert "2026-04-08" in content and url("talk_create", contact.pk) in content
    assert "周大爷" not in content and "五月谈过" not in content
    april = as_user(secretary_a).get(url("not_visited"), {"month": "2026-04"})
    assert [a.person.name for a in april.context["page"]] == ["五月谈过"]


@pytest.mark.parametrize(
    ("month", "message"), [("2026-06", "月份不能晚于本月。"), ("2026-13", "月份应写成“2026-05”这样的年-月。")]
)
def test_the_not_visited_list_refuses_a_bad_month(world, office, as_user, month, message):
    response = as_user(office).get(url("not_visited"), {"month": month})
    assert response.status_code == 200
    assert message in response.content.decode()


def _sheet(response) -> list[list]:
    workbook = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return workbook.get_sheet_by_index(0).to_python()


def test_both_lists_export_to_excel_with_the_current_filters(world, secretary_a, as_user, contact, contact_b):
    client = as_user(secretary_a)
    response = client.get(url("below_two_export"), {"year": 2026})
    assert response.status_code == 200
    rows = _sheet(response)
    assert rows[0] == ["姓名", "所在党组织", "年度", "联系对象人数", "手机号"]
    assert [r[:4] for r in rows[1:]] == [["王建国", "一分公司党支部", 2026, 1]]
    assert rows[1][4] == "138****5678"

    response = client.get(url("not_visited_export"), {"month": "2026-05", "organisation": world.branch_a.pk})
    rows = _sheet(response)
    assert rows[0][:3] == ["党员", "所在党组织", "联系对象"]
    assert [r[:4] for r in rows[1:]] == [["王建国", "一分公司党支部", "孙大妈", "联系人"]]
    exports = AuditRecord.objects.filter(action=Action.EXPORT).order_by("pk")
    assert [r.after for r in exports] == [
        {"kind": "contacts-below-two", "count": 1},
        {"kind": "contacts-not-visited", "count": 1},
    ]
    assert "党组织=一分公司党支部" in exports.last().detail


def test_the_export_link_sends_htmx_to_the_download(world, office, as_user):
    response = as_user(office).get(url("below_two_export"), {"year": 2026}, HTTP_HX_REQUEST="true")
    assert response.status_code == 204
    assert response["HX-Redirect"].startswith(url("below_two_export"))


# --- a member's contacts for the secretary ---------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("secretary_a", 200),
        ("supervisor", 200),
        ("member_a", 200),  # their own
        ("secretary_b", 404),
        ("community_worker", 404),  # sees the member in the roster, not their contacts
        ("auditor", 404),
        ("nobody", 404),
    ],
)
def test_a_members_contacts_page_is_for_their_branch(request, world, as_user, contact, who, status):
    response = as_user(persona(request, who)).get(url("member_contacts", world.member_a.pk))
    assert response.status_code == status
    if status == 200:
        assert "孙大妈" in response.content.decode()


def test_the_secretary_sees_assign_and_remove_the_supervisor_only_reads(
    world, secretary_a, supervisor, as_user, contact
):
    page = as_user(secretary_a).get(url("member_contacts", world.member_a.pk)).content.decode()
    assert (
        url("assignment_create", world.member_a.pk) in page and url("assignment_delete", contact.pk) in page
    )
    page = as_user(supervisor).get(url("member_contacts", world.member_a.pk)).content.decode()
    assert url("assignment_create", world.member_a.pk) not in page
    assert url("assignment_delete", contact.pk) not in page
    assert url("talk_create", contact.pk) not in page


def test_the_page_warns_below_two_and_above_three(world, secretary_a, as_user, contact):
    client = as_user(secretary_a)
    assert "2026年只有 1 名联系对象" in client.get(url("member_contacts", world.member_a.pk)).content.decode()
    for n in range(3):
        factories.assignment(world.member_a, factories.resident(f"居民{n}"))
    page = client.get(url("member_contacts", world.member_a.pk)).content.decode()
    assert "2026年已有 4 名联系对象,多于制度要求的二至三人" in page


# --- assigning -------------------------------------------------------------------------------------------


def test_the_secretary_assigns_a_new_resident_from_the_page(world, secretary_a, as_user):
    client = as_user(secretary_a)
    assert client.get(url("assignment_create", world.member_a.pk)).status_code == 200
    response = client.post(
        url("assignment_create", world.member_a.pk),
        {
            "name": "孙大妈",
            "mobile": "13700001111",
            "residence": world.community.pk,
            "kind": "household",
            "year": "2026",
            "assigned_on": "2026-05-20",
        },
    )
    assert response.status_code == 302
    assert response["Location"] == url("member_contacts", world.member_a.pk) + "?year=2026"
    contact = ContactAssignment.objects.get()
    assert (contact.person.name, contact.kind, contact.person.residence) == (
        "孙大妈",
        "household",
        world.community,
    )


def test_the_assign_page_picks_an_activist_and_warns_above_three(world, secretary_a, as_user):
    activist = factories.activist(world.branch_a, "钱积极")
    for n in range(3):
        factories.assignment(world.member_a, factories.resident(f"居民{n}"))
    client = as_user(secretary_a)
    form_page = client.get(url("assignment_create", world.member_a.pk)).content.decode()
    assert "钱积极 · 入党积极分子" in form_page
    assert "王建国2026年已有4名联系对象" in form_page
    response = client.post(
        url("assignment_create", world.member_a.pk),
        {"person": activist.pk, "kind": "cultivation", "year": "2026", "assigned_on": "2026-05-20"},
        follow=True,
    )
    content = response.content.decode()
    assert "已确定钱积极为王建国2026年的联系对象。" in content
    assert "王建国2026年已有4名联系对象" in content


def test_the_assign_page_shows_the_services_refusal_on_the_field(world, secretary_a, as_user, contact):
    response = as_user(secretary_a).post(
        url("assignment_create", world.member_a.pk),
        {"person": contact.person.pk, "kind": "key", "year": "2026", "assigned_on": "2026-05-20"},
    )
    assert response.status_code == 200
    assert "孙大妈已是王建国2026年的联系对象。" in response.content.decode()
    assert ContactAssignment.objects.count() == 1


def test_the_assign_page_asks_for_one_way_of_naming_the_contact(world, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("assignment_create", world.member_a.pk),
        {"kind": "key", "year": "2026", "assigned_on": "2026-05-20"},
    )
    assert "请选择一名已有人员,或填写新联系对象的姓名(二者选一)。" in response.content.decode()


@pytest.mark.parametrize(("who", "status"), [("supervisor", 403), ("member_a", 403), ("secretary_b", 404)])
def test_only_the_branch_opens_the_assign_page(request, world, as_user, who, status):
    client = as_user(persona(request, who))
    assert client.get(url("assignment_create", world.member_a.pk)).status_code == status
    data = {"name": "孙大妈", "kind": "key", "year": "2026", "assigned_on": "2026-05-20"}
    assert client.post(url("assignment_create", world.member_a.pk), data).status_code == status
    assert not ContactAssignment.objects.exists()


# --- one contact: its talks, changing and removing it ----------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("secretary_a", 200),
        ("supervisor", 200),
        ("member_a", 200),
        ("secretary_b", 404),
        ("community_worker", 404),
        ("auditor", 404),
    ],
)
def test_a_contacts_talk_log_is_for_the_branch_and_the_member(request, world, as_user, contact, who, status):
    response = as_user(persona(request, who)).get(url("assignment_detail", contact.pk))
    assert response.status_code == status
    if status == 200:
        content = response.content.decode()
        assert "谈了社区的垃圾分类。" in content and "楼道灯坏了" in content
        assert ('action="' + url("talk_create", contact.pk)) in content or who in ("supervisor",)


def test_a_member_does_not_open_another_members_contact(world, member_a, as_user, contact_b):
    client = as_user(member_a)
    assert client.get(url("assignment_detail", contact_b.pk)).status_code == 404
    response = client.post(url("talk_create", contact_b.pk), {"held_on": "2026-05-19", "content": "谈"})
    assert response.status_code == 404
    assert not contact_b.talks.exists()


@pytest.mark.parametrize(
    ("who", "status"), [("supervisor", 403), ("secretary_b", 404), ("community_worker", 404)]
)
def test_others_do_not_record_or_correct_talks(request, world, as_user, contact, who, status):
    client = as_user(persona(request, who))
    data = {"held_on": "2026-05-19", "kind": "talk", "content": "谈"}
    assert client.post(url("talk_create", contact.pk), data).status_code == status
    talk = contact.talks.get()
    assert client.post(url("talk_edit", talk.pk), data).status_code == status
    talk.refresh_from_db()
    assert talk.content == "谈了社区的垃圾分类。" and contact.talks.count() == 1


def test_a_member_corrects_their_talk(world, member_a, as_user, contact):
    talk = contact.talks.get()
    client = as_user(member_a)
    assert client.get(url("talk_edit", talk.pk)).status_code == 200
    response = client.post(
        url("talk_edit", talk.pk),
        {"held_on": "2026-04-09", "kind": "phone", "content": "电话里谈了垃圾分类。"},
    )
    assert response.status_code == 302
    talk.refresh_from_db()
    assert (talk.held_on, talk.kind) == (dt.date(2026, 4, 9), "phone")


def test_the_secretary_changes_and_removes_a_contact(world, secretary_a, as_user, contact):
    client = as_user(secretary_a)
    response = client.post(
        url("assignment_edit", contact.pk),
        {"kind": "household", "assigned_on": "2026-01-10", "notes": "邻居"},
    )
    assert response.status_code == 302
    contact.refresh_from_db()
    assert contact.kind == "household"
    response = client.post(url("assignment_edit", contact.pk), {"kind": "key", "assigned_on": "2026-04-09"})
    assert "已有2026-04-08的谈话记录" in response.content.decode()

    confirm = client.get(url("assignment_delete", contact.pk)).content.decode()
    assert "已有的 1 条谈心走访记录将一并删除" in confirm
    response = client.post(url("assignment_delete", contact.pk))
    assert response.status_code == 302
    assert not ContactAssignment.objects.exists() and not Talk.objects.exists()


def test_last_years_contact_is_not_removed_from_the_page(world, secretary_a, as_user):
    old = factories.assignment(world.member_a, year=2025, assigned_on=dt.date(2025, 1, 3))
    response = as_user(secretary_a).post(url("assignment_delete", old.pk), follow=True)
    assert "2025年的联系对象和谈话记录已归入活动档案,不能删除。" in response.content.decode()
    assert ContactAssignment.objects.filter(pk=old.pk).exists()


@pytest.mark.parametrize(("who", "status"), [("member_a", 403), ("supervisor", 403), ("secretary_b", 404)])
def test_only_the_branch_changes_or_removes_a_contact(request, world, as_user, contact, who, status):
    client = as_user(persona(request, who))
    for name in ("assignment_edit", "assignment_delete"):
        assert client.get(url(name, contact.pk)).status_code == status
        assert (
            client.post(url(name, contact.pk), {"kind": "household", "assigned_on": "2026-01-10"}).status_code
            == status
        )
    contact.refresh_from_db()
    assert contact.kind == "key"


# --- methods ---------------------------------------------------------------------------------------------


def test_each_page_answers_only_its_methods(world, office, as_user, contact):
    client = as_user(office)
    talk = contact.talks.get()
    read_only = [
        url("index"),
        url("mine"),
        url("below_two"),
        url("not_visited"),
        url("below_two_export"),
        url("not_visited_export"),
        url("member_contacts", world.member_a.pk),
        url("assignment_detail", contact.pk),
    ]
    for address in read_only:
        assert client.post(address).status_code == 405, address
        assert client.delete(address).status_code == 405, address
    forms = [
        url("assignment_create", world.member_a.pk),
        url("assignment_edit", contact.pk),
        url("assignment_delete", contact.pk),
        url("talk_create", contact.pk),
        url("talk_edit", talk.pk),
    ]
    for address in forms:
        assert client.put(address).status_code == 405, address
        assert client.delete(address).status_code == 405, address
    assert ContactAssignment.objects.filter(pk=contact.pk).exists()


# --- pages and query counts ------------------------------------------------------------------------------

_NAMES = ["".join(p) for p in itertools.product("赵钱孙李周吴郑王冯陈", "一二三四五六七八九十", "甲乙")]


def _bulk(world, n: int, offset: int, *, member: Member | None = None) -> None:
    """n contacts never talked with this month, each with one talk in April: of n new members of branch A
    (one contact each: below two), or all of `member`'s."""
    people = Person.objects.bulk_create(
        Person(name=name, name_pinyin=pinyin.full_pinyin(name), name_initials=pinyin.initials(name))
        for name in _NAMES[offset : offset + 2 * n]
    )
    if member is None:
        members = Member.objects.bulk_create(Member(person=p, organisation=world.group_a) for p in people[:n])
    else:
        members = [member] * n
    contacts = ContactAssignment.objects.bulk_create(
        ContactAssignment(member=m, person=p, year=2026, assigned_on=dt.date(2026, 1, 5))
        for m, p in zip(members, people[n:], strict=True)
    )
    Talk.objects.bulk_create(
        Talk(assignment=c, held_on=dt.date(2026, 4, d % 28 + 1), content="谈了工作。")
        for d, c in enumerate(contacts)
    )


def _count(client, address: str) -> int:
    client.get(address)  # the first request of a session writes it; count a later one
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(address)
    assert response.status_code == 200
    return len(ctx.captured_queries)


def test_the_lists_run_the_same_queries_for_5_and_50_rows(world, secretary_a, as_user):
    client = as_user(secretary_a)
    pages = [url("below_two"), url("not_visited")]
    _bulk(world, 5, 0)
    few = [_count(client, p) for p in pages]
    _bulk(world, 45, 10)
    many = [_count(client, p) for p in pages]
    assert few == many
    assert max(many) <= 10
    # 50 new members below two, and 王建国 with none.
    first = client.get(url("below_two"))
    assert len(first.context["page"].object_list) == 50
    assert "第 1 / 2 页" in first.content.decode()
    assert len(client.get(url("below_two"), {"page": 2}).context["page"].object_list) == 1
    assert client.get(url("not_visited")).context["page"].paginator.count == 50


def test_a_members_pages_run_the_same_queries_for_5_and_50_contacts(world, member_a, secretary_a, as_user):
    pages = [url("mine"), url("member_contacts", world.member_a.pk)]
    contact = factories.assignment(world.member_a, factories.resident("孙大妈"))
    talk_log = url("assignment_detail", contact.pk)
    _bulk(world, 5, 0, member=world.member_a)
    Talk.objects.bulk_create(
        Talk(assignment=contact, held_on=dt.date(2026, 2, d + 1), content="谈") for d in range(5)
    )
    few = [_count(as_user(member_a), p) for p in pages] + [_count(as_user(secretary_a), talk_log)]
    _bulk(world, 45, 10, member=world.member_a)
    Talk.objects.bulk_create(
        Talk(assignment=contact, held_on=dt.date(2026, 3, d % 28 + 1), content="谈") for d in range(45)
    )
    many = [_count(as_user(member_a), p) for p in pages] + [_count(as_user(secretary_a), talk_log)]
    assert few == many
    assert max(many) <= 12


def test_a_year_out_of_range_is_an_error_not_a_crash(world, secretary_a, member_a, as_user):
    huge = "9" * 25
    response = as_user(secretary_a).post(
        url("assignment_create", world.member_a.pk),
        {"name": "孙大妈", "kind": "key", "year": huge, "assigned_on": "2026-05-20"},
    )
    assert response.status_code == 200
    assert "年度应在2000年至明年之间。" in response.content.decode()
    for address in (url("mine"), url("member_contacts", world.member_a.pk)):
        assert as_user(member_a).get(address, {"year": huge}).status_code == 200
    assert as_user(secretary_a).get(url("below_two"), {"year": huge, "page": huge}).status_code == 200
