"""The office's settings: the prior weight of the fair rank and the bar on unregistered members. The
nearest ancestor's settings apply; only the office over an organisation changes them."""

from __future__ import annotations

from decimal import Decimal

import pytest
from django.core.exceptions import ValidationError
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import compute, services_year
from vanguard.assessment.models import Settings
from vanguard.audit.models import AuditRecord

pytestmark = pytest.mark.django_db
URL = reverse("assessment_year:settings")


def test_the_office_sets_the_rules_and_its_branches_follow_them(world, office):
    assert compute.prior_weight(world.branch_a) == Decimal("3")
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight="5.5", bar_unregistered=True
    )
    assert compute.prior_weight(world.branch_a) == Decimal("5.50")
    assert services_year.bar_unregistered_applies(world.branch_a)
    record = AuditRecord.objects.get(object_type="assessment.settings")
    assert record.action == "create" and record.after["bar_unregistered"] is True


def test_a_branchs_own_settings_override_the_committees(world, office):
    services_year.settings_update(
        actor=office, organisation=world.committee, prior_weight=5, bar_unregistered=True
    )
    services_year.settings_update(
        actor=office, organisation=world.branch_a, prior_weight=0, bar_unregistered=False
    )
    assert not services_year.bar_unregistered_applies(world.branch_a)
    assert services_year.bar_unregistered_applies(world.branch_b)
    assert compute.prior_weight(world.group_a) == Decimal("0")
    services_year.settings_update(
        actor=office, organisation=world.branch_a, prior_weight=1, bar_unregistered=True
    )
    assert Settings.objects.count() == 2
    assert AuditRecord.objects.filter(object_type="assessment.settings", action="update").count() == 1


@pytest.mark.parametrize(
    ("value", "message"),
    [
        ("-1", "拉向均值的强度应在0到100之间。"),
        ("101", "拉向均值的强度应在0到100之间。"),
        ("abc", "请填写数字。"),
    ],
)
def test_a_bad_prior_weight_is_refused(world, value, message):
    with pytest.raises(ValidationError) as exc:
        services_year.settings_update(
            actor=SYSTEM, organisation=world.committee, prior_weight=value, bar_unregistered=False
        )
    assert exc.value.message_dict == {"prior_weight": [message]}
    assert not Settings.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor", "member_a"])
def test_only_the_office_sets_the_rules(world, persona, request):
    with pytest.raises(ValidationError) as exc:
        services_year.settings_update(
            actor=request.getfixturevalue(persona),
            organisation=world.branch_a,
            prior_weight=1,
            bar_unregistered=True,
        )
    assert exc.value.message_dict == {"organisation": ["所选党组织不存在或不在您的管理范围内。"]}


# --- the page -----------------------------------------------------------------------------------------------


def test_the_office_saves_the_settings_on_the_page(world, office, as_user):
    client = as_user(office)
    page = client.get(URL)
    assert page.status_code == 200
    assert "少量数据拉向均值的强度" in page.content.decode()
    response = client.post(
        f"{URL}?organisation={world.committee.pk}",
        {"prior_weight": "4", "bar_unregistered": "on"},
        follow=True,
    )
    assert "已保存公交公司党委的考核设置。" in response.content.decode()
    stored = Settings.objects.get(organisation=world.committee)
    assert (stored.prior_weight, stored.bar_unregistered) == (Decimal("4.00"), True)


def test_bad_input_on_the_page_names_the_field_and_changes_nothing(world, office, as_user):
    response = as_user(office).post(URL, {"prior_weight": "200"})
    assert response.status_code == 200
    assert "确保该值小于或等于100" in response.content.decode()
    assert not Settings.objects.exists()


@pytest.mark.parametrize("persona", ["secretary_a", "supervisor", "member_a", "community_worker"])
def test_the_settings_page_is_the_offices(world, persona, request, as_user):
    assert as_user(request.getfixturevalue(persona)).get(URL).status_code == 403


def test_the_settings_page_needs_a_login(world, resident):
    response = resident.get(URL)
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
