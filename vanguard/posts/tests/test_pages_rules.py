"""The office's rules of the star cycle: the rules in force (inherited until the office makes its own), the
version history, and a form that makes the next version; a stale form and bad numbers are refused."""

from __future__ import annotations

from decimal import Decimal

import pytest

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.posts import services
from vanguard.posts.models import PostRules

from .pages import text, url

pytestmark = pytest.mark.django_db


def _data(**changes) -> dict:
    return {
        "pass_mark": "85",
        "complaint_penalty": "5",
        "serious_complaint_removes": "on",
        "note": "",
        **changes,
    }


def test_the_office_sees_the_rules_in_force_and_makes_a_new_version(world, office, as_user):
    client = as_user(office)
    page = text(client.get(url("rules")))
    assert "当前适用:公交公司党委 第1版" in page and "80.00" in page and 'name="base" value="1"' in page
    response = client.post(url("rules"), _data(base="1", note="提高达标线"), follow=True)
    page = text(response)
    assert "已保存公交公司党委的示范岗评定规则第2版" in page and "提高达标线" in page
    assert "当前适用:公交公司党委 第2版" in page and "v1" in page and "v2" in page
    rules = services.rules_for(world.branch_a)
    assert (rules.number, rules.pass_mark, rules.created_by) == (2, Decimal("85.00"), office)
    assert AuditRecord.objects.filter(object_type="posts.postrules").exists()


def test_a_stale_form_is_refused(world, office, as_user):
    client = as_user(office)
    client.get(url("rules"))
    services.rules_update(actor=SYSTEM, organisation=world.committee, fields={"pass_mark": Decimal("70")})
    page = text(client.post(url("rules"), _data(base="1")))
    assert "规则刚被他人修改" in page
    assert PostRules.objects.filter(organisation=world.committee).count() == 2


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        ({"pass_mark": "101"}, "不能大于100。"),
        ({"pass_mark": "-1"}, "不能小于0。"),
        ({"pass_mark": ""}, "请填写达标分数线。"),
        ({"complaint_penalty": "五分"}, "请填写数字。"),
    ],
)
def test_bad_numbers_are_refused_with_a_message(world, office, as_user, changes, message):
    client = as_user(office)
    client.get(url("rules"))
    page = text(client.post(url("rules"), _data(base="1", **changes)))
    assert message in page
    assert PostRules.objects.count() == 1


def test_an_office_over_two_organisations_chooses_one(world, office, as_user):
    RoleAssignment.objects.create(user=office, role=Role.OFFICE, organisation=world.branch_b)
    client = as_user(office)
    page = text(client.get(url("rules"), {"organisation": world.branch_b.pk}))
    assert "二分公司党支部还没有自己的规则" in page and 'name="base" value="0"' in page
    client.post(url("rules") + f"?organisation={world.branch_b.pk}", _data(base="0", pass_mark="75"))
    assert services.rules_for(world.branch_b).pass_mark == Decimal("75")
    assert services.rules_for(world.branch_a).pass_mark == Decimal("80")


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "supervisor", "community_worker", "auditor"])
def test_only_the_office_sets_the_rules(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("rules")).status_code == 403
    assert client.post(url("rules"), _data(base="1")).status_code == 403
    assert not PostRules.objects.filter(number=2).exists()


def test_the_rules_need_a_login(world, resident):
    response = resident.get(url("rules"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
