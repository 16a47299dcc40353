"""Seed 002: the special members (流动, 协解, 家属, 复转军人) of a community are managed by its 党员服务社, an
organisation that holds members like a branch. Their roster, reports and contacts work as for any member."""

from __future__ import annotations

import datetime as dt

import pytest

from vanguard.accounts.models import Role
from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.conftest import _user
from vanguard.contacts import services as contacts
from vanguard.contacts.models import ContactAssignment
from vanguard.org import services as org
from vanguard.org.models import Member, Organisation
from vanguard.org.tests import factories
from vanguard.reports.models import MonthlyReport

from . import api_factories as cf

pytestmark = pytest.mark.django_db


@pytest.fixture
def society(world):
    """南园社区党委 with its 党员服务社; the committee's office and the society's secretary."""
    committee = factories.organisation("南园社区党委", Organisation.Kind.COMMITTEE)
    society = org.organisation_create(
        actor=SYSTEM, parent=committee, name="南园社区党员服务社", kind=Organisation.Kind.SERVICE_SOCIETY
    )
    office = _user("community_office", Role.OFFICE, organisation=committee)
    secretary = _user("society_secretary", Role.SECRETARY, organisation=society)
    return society, office, secretary


def test_the_member_form_offers_the_society_and_lists_its_floating_member(world, society, as_user):
    society_org, office, secretary = society
    client = as_user(office)
    form = client.get("/org/members/new/")
    assert f'value="{society_org.pk}"' in form.content.decode()
    floater = Member(
        organisation=society_org,
        category=Member.Category.FLOATING,
        status=Member.Status.FULL,
        join_date=dt.date(2012, 7, 1),
    )
    floater.person = factories.person("流动党员", birth_date=dt.date(1988, 3, 1))
    data = factories.member_form_data(floater, {"person-residence": world.community.pk, "person-mobile": ""})
    data["person-name"] = "孙流动"
    response = client.post("/org/members/new/", data)
    assert response.status_code == 302, response.content.decode()[-2000:]
    member = Member.objects.get(person__name="孙流动")
    assert (member.organisation, member.category) == (society_org, Member.Category.FLOATING)
    # The society's roster: the page and the API, for the society's secretary.
    page = as_user(secretary).get("/org/members/", {"organisation": society_org.pk})
    assert "孙流动" in page.content.decode()
    body = api_client(secretary).get("/api/v1/members/", {"organisation": society_org.pk}).json()
    assert [(row["name"], row["category"]) for row in body["results"]] == [("孙流动", "floating")]


def test_a_floating_member_reports_monthly_and_is_given_contacts(world, society):
    society_org, _office, secretary = society
    floater = factories.member(
        society_org, "孙流动", category=Member.Category.FLOATING, residence=world.community
    )
    user = cf.member_user(floater, "floater")
    body = {"month": "2026-09", "work_done": "在外地务工,参加流入地党组织活动"}
    response = api_client(user).post("/api/v1/reports/", body, format="json")
    assert response.status_code == 201, response.json()
    assert MonthlyReport.objects.get().member == floater
    # The society's secretary reviews it, as a branch's secretary does.
    report = response.json()["id"]
    response = api_client(secretary).post(
        f"/api/v1/reports/{report}/review/", {"decision": "reviewed"}, format="json"
    )
    assert response.status_code == 200 and response.json()["status"] == "reviewed"
    # … and gives the member contacts among the masses.
    contacts.assignment_create(
        actor=secretary,
        member=floater,
        year=2026,
        assigned_on=dt.date(2026, 3, 1),
        new_person=contacts.NewPerson(name="老乡刘大姐", mobile="13700001111", residence=world.community),
    )
    assert ContactAssignment.objects.get().member == floater
    listed = api_client(secretary).get("/api/v1/contacts/assignments/", {"member": floater.pk}).json()
    assert [row["person_name"] for row in listed["results"]] == ["老乡刘大姐"]
    # Another branch's secretary sees none of it.
    other = _user("other_secretary", Role.SECRETARY, organisation=world.branch_b)
    assert api_client(other).get(f"/api/v1/reports/{report}/").status_code == 404
