"""The export downloads: the member list with its filters, the roster within scope, the template. Each
works for its roles, refuses the others, asks for a login, checks the method and leaves an audit record."""

from __future__ import annotations

import io
from urllib.parse import quote

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from python_calamine import CalamineWorkbook

from vanguard.audit.models import Action, AuditRecord
from vanguard.dataio import roster as contract
from vanguard.dataio.exporters import CONTENT_TYPE
from vanguard.org.models import Member
from vanguard.org.tests import factories
from vanguard.org.validators import validate_id_number, validate_mobile

pytestmark = pytest.mark.django_db

MEMBERS = reverse("dataio:member_export")
ROSTER = reverse("dataio:roster_export")
TEMPLATE = reverse("dataio:template")
HEADERS = ["姓名", "所在党组织", "党员状态", "党员类别", "职业", "工作单位", "居住社区", "身份证号", "手机号"]


def body(response) -> bytes:
    return b"".join(response.streaming_content)


def sheet(response, name: str) -> list[list]:
    assert response.status_code == 200, response.status_code
    assert response["Content-Type"] == CONTENT_TYPE
    book = CalamineWorkbook.from_filelike(io.BytesIO(body(response)))
    return book.get_sheet_by_name(name).to_python()


def members(response) -> dict[str, dict]:
    rows = sheet(response, "党员名册")
    assert rows[0] == HEADERS
    return {row[0]: dict(zip(HEADERS, row, strict=True)) for row in rows[1:]}


@pytest.fixture
def numbered(world):
    """member_a with an identity number, member_b retired."""
    person = world.member_a.person
    person.id_number = factories.valid_id_number("19800101", "001")
    person.save()
    Member.objects.filter(pk=world.member_b.pk).update(category=Member.Category.RETIRED)
    return world


def exports() -> list[AuditRecord]:
    return list(AuditRecord.objects.filter(action=Action.EXPORT).order_by("pk"))


# --- the member list -----------------------------------------------------------------------------------


def test_the_office_exports_the_list_with_its_columns_and_full_numbers(numbered, office, as_user):
    response = as_user(office).get(MEMBERS)

    rows = members(response)
    assert set(rows) == {"王建国", "李红梅"}
    assert rows["王建国"] == {
        "姓名": "王建国",
        "所在党组织": "一分公司党支部",
        "党员状态": "党员",
        "党员类别": "在职",
        "职业": "驾驶员",
        "工作单位": "一车队",
        "居住社区": "南园社区",
        "身份证号": numbered.member_a.person.id_number,
        "手机号": "13812345678",
    }


def test_the_export_keeps_the_lists_current_filters(numbered, office, as_user):
    response = as_user(office).get(MEMBERS, {"category": Member.Category.RETIRED})

    assert set(members(response)) == {"李红梅"}
    (record,) = exports()
    assert record.after == {"kind": "members", "count": 1}
    assert "党员类别=离退休" in record.detail


def test_the_export_keeps_the_name_search(numbered, office, as_user):
    assert set(members(as_user(office).get(MEMBERS, {"q": "wjg"}))) == {"王建国"}


def test_a_secretary_exports_only_their_branch(numbered, secretary_a, as_user):
    assert set(members(as_user(secretary_a).get(MEMBERS))) == {"王建国"}


def test_the_other_branchs_secretary_gets_nothing_of_branch_a_even_by_asking_for_it(
    numbered, secretary_b, as_user
):
    response = as_user(secretary_b).get(MEMBERS, {"organisation": numbered.branch_a.pk})

    # As on the list page, a filter outside the scope is invalid and the list is their own branch only.
    assert "王建国" not in members(response)
    (record,) = exports()
    assert "无效" in record.detail


def test_a_secretary_gets_their_members_full_numbers_and_the_trail_says_so(numbered, secretary_a, as_user):
    response = as_user(secretary_a).get(MEMBERS)

    row = members(response)["王建国"]
    assert (row["身份证号"], row["手机号"]) == (numbered.member_a.person.id_number, "13812345678")
    validate_id_number(row["身份证号"])
    (record,) = exports()
    assert record.user_id == secretary_a.pk
    assert record.address == "127.0.0.1"
    assert record.object_type == "org.member"
    assert record.after == {"kind": "members", "count": 1}
    assert "1 名含完整身份证号和手机号" in record.detail


@pytest.mark.parametrize("who", ["community_worker", "supervisor"])
def test_those_who_may_not_edit_the_members_get_masked_numbers(numbered, request, as_user, who):
    response = as_user(request.getfixturevalue(who)).get(MEMBERS)

    row = members(response)["王建国"]
    assert row["手机号"] == "138****5678"
    assert row["身份证号"] == "110***********" + numbered.member_a.person.id_number[-4:]
    (record,) = exports()
    assert "隐去" in record.detail and "完整" not in record.detail


def test_a_member_exports_their_own_row_masked(numbered, member_a, as_user):
    rows = members(as_user(member_a).get(MEMBERS))
    assert set(rows) == {"王建国"}
    assert rows["王建国"]["手机号"] == "138****5678"


def test_the_download_is_named_in_chinese(numbered, office, as_user):
    response = as_user(office).get(MEMBERS)

    disposition = response["Content-Disposition"]
    assert disposition.startswith('attachment; filename="members-')
    assert f"filename*=UTF-8''{quote('党员名册-')}" in disposition
    assert response["Cache-Control"] == "private, no-store"
    body(response)


def test_the_buttons_htmx_request_is_sent_to_the_file(numbered, office, as_user):
    client = as_user(office)
    response = client.get(MEMBERS, {"category": "retired"}, headers={"HX-Request": "true"})

    # htmx would put the file into the page: it is told to navigate to the same address instead.
    assert response.status_code == 204
    assert response["HX-Redirect"] == f"{MEMBERS}?category=retired"
    assert exports() == []


def test_the_member_export_runs_the_same_queries_for_10_and_100_members(world, office, as_user):
    client = as_user(office)
    client.get(MEMBERS)  # the session and the user's scope

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(MEMBERS)
            body(response)
        return len(captured)

    Member.objects.bulk_create(
        Member(person=factories.person(f"甲{i}", mobile=f"139{i:08d}"), organisation=world.group_a)
        for i in range(8)
    )
    ten = queries()
    Member.objects.bulk_create(
        Member(person=factories.person(f"乙{i}", mobile=f"137{i:08d}"), organisation=world.branch_b)
        for i in range(90)
    )
    assert Member.objects.count() == 100
    assert queries() == ten


# --- the roster ----------------------------------------------------------------------------------------


def test_the_office_exports_the_roster_workbook(numbered, office, as_user):
    response = as_user(office).get(ROSTER)

    people = sheet(response, "人员")
    assert people[0] == contract.PEOPLE.headers
    assert sorted(r[0] for r in people[1:]) == ["李红梅", "王建国"]
    assert f"filename*=UTF-8''{quote('人员名册-')}" in response["Content-Disposition"]
    (record,) = exports()
    assert (record.user_id, record.object_type, record.after) == (
        office.pk,
        "org.person",
        {"kind": "roster", "count": 2},
    )
    assert record.address == "127.0.0.1"


def test_a_secretarys_roster_is_their_branch(numbered, secretary_a, as_user):
    response = as_user(secretary_a).get(ROSTER)

    assert [r[0] for r in sheet(response, "人员")[1:]] == ["王建国"]
    assert [r[0] for r in sheet(as_user(secretary_a).get(ROSTER), "党组织")[1:]] == [
        "一分公司党支部",
        "第一党小组",
    ]


@pytest.mark.parametrize("who", ["community_worker", "supervisor", "member_a", "auditor", "nobody"])
def test_the_roster_is_for_those_who_may_edit_the_people(world, request, as_user, who):
    assert as_user(request.getfixturevalue(who)).get(ROSTER).status_code == 403
    assert exports() == []


# --- the template --------------------------------------------------------------------------------------


@pytest.mark.parametrize("who", ["office", "secretary_a", "community_worker", "member_a"])
def test_anyone_with_a_role_downloads_the_template(world, request, as_user, who):
    response = as_user(request.getfixturevalue(who)).get(TEMPLATE)

    people = sheet(response, "人员")
    assert people[0] == contract.PEOPLE.headers
    example = dict(zip(contract.PEOPLE.headers, people[1], strict=True))
    validate_id_number(example["身份证号"])
    validate_mobile(example["手机号"])
    assert f"filename*=UTF-8''{quote('人员名册导入模板.xlsx')}" in response["Content-Disposition"]


# --- access --------------------------------------------------------------------------------------------


@pytest.mark.parametrize("url", [MEMBERS, ROSTER, TEMPLATE])
def test_an_anonymous_visitor_is_sent_to_the_login(world, client, url):
    response = client.get(url)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")


@pytest.mark.parametrize("url", [MEMBERS, ROSTER, TEMPLATE])
@pytest.mark.parametrize("who", ["nobody", "auditor"])
def test_a_login_without_a_business_role_is_refused(world, request, as_user, url, who):
    assert as_user(request.getfixturevalue(who)).get(url).status_code == 403


@pytest.mark.parametrize("url", [MEMBERS, ROSTER, TEMPLATE])
def test_the_downloads_answer_get_only(world, office, as_user, url):
    assert as_user(office).post(url).status_code == 405


# --- the buttons ---------------------------------------------------------------------------------------


def test_the_member_list_offers_the_export_with_its_filters_and_the_roster_to_editors(
    world, secretary_a, as_user
):
    page = as_user(secretary_a).get(reverse("org:member_list"), {"category": "retired"}).content.decode()
    # htmx sends the form's current values; without JavaScript the link carries this page's filters.
    assert f'hx-get="{MEMBERS}"' in page and 'hx-include="closest form"' in page
    assert f'href="{MEMBERS}?category=retired"' in page
    assert f'href="{ROSTER}"' in page


def test_the_roster_button_is_not_offered_to_those_who_cannot_use_it(world, community_worker, as_user):
    page = as_user(community_worker).get(reverse("org:member_list")).content.decode()
    assert f'hx-get="{MEMBERS}"' in page
    assert ROSTER not in page
