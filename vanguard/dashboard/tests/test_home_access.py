"""Who gets a dashboard: a signed-in user with a business role. The public keeps the public home; an
auditor, or a login with no role, sees no business figures."""

from __future__ import annotations

import pytest

from .page import body_of

pytestmark = pytest.mark.django_db


def test_the_anonymous_public_sees_the_public_home(filled, resident):
    body = resident.get(f"/?organisation={filled.world.branch_a.pk}").content.decode()
    assert "划分责任区,明确责任人" in body
    assert "dash-" not in body and "echarts" not in body


@pytest.mark.parametrize("persona", ["auditor", "nobody"])
def test_an_auditor_or_a_login_without_a_role_sees_no_business_figures(filled, persona, request):
    body = body_of(request.getfixturevalue(persona))
    assert "dash-" not in body and "data-chart" not in body and "echarts" not in body
    assert "待办事项" not in body
    # The section cards stay.
    assert 'href="/org/organisations/"' in body.split("<main", 1)[1]


def test_an_auditor_asking_for_a_node_sees_no_figures_either(filled, auditor):
    body = body_of(auditor, f"?organisation={filled.world.branch_a.pk}")
    assert "data-figure" not in body


@pytest.mark.parametrize("persona", ["office", "secretary_a", "member_a", "community_worker"])
def test_the_dashboard_sits_above_the_section_cards(filled, persona, request):
    main = body_of(request.getfixturevalue(persona)).split("<main", 1)[1]
    assert main.index('id="dash-todo') < main.index("常用功能") < main.index('href="/org/members/"')
