"""The coverage page, its fill suggestion and one-click fill, and GET /api/v1/coverage/, for each persona."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.zones import selectors
from vanguard.zones.models import Zone

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

THIS = selectors.this_year()


@pytest.fixture
def grid(world):
    grid = zf.build_grid(world)
    zf.zone(world.branch_a, "二车队党员责任区", cells=[grid.fleet], lead=grid.driver.person)
    return grid


# --- the page ----------------------------------------------------------------------------------------------


def test_a_secretary_sees_the_uncovered_cells_of_the_branch(world, grid, secretary_a, as_user):
    response = as_user(secretary_a).get("/zones/coverage/", {"organisation": world.branch_a.pk})
    assert response.status_code == 200
    html = response.content.decode()
    assert "已覆盖 3 / 6 个网格" in html and "50%" in html
    for path in ("公交公司/一车队", "东风街道/南园社区/南园小区/1号楼", "东风街道/南园社区/南园小区/2号楼"):
        assert path in html
    assert "公交公司/二车队/1路" not in html
    assert "补充党员" in html


def test_without_an_organisation_the_page_shows_the_users_own(world, grid, office, as_user):
    html = as_user(office).get("/zones/coverage/").content.decode()
    assert "已覆盖 3 / 7 个网格" in html and "东风街道/新风社区/新风1号楼" in html


def test_another_year_has_its_own_zones(world, grid, secretary_a, as_user):
    html = as_user(secretary_a).get("/zones/coverage/", {"year": THIS - 1}).content.decode()
    assert "已覆盖 0 / 6 个网格" in html


def test_another_branch_gets_404_for_branch_as_coverage(world, grid, secretary_b, as_user):
    client = as_user(secretary_b)
    assert client.get("/zones/coverage/", {"organisation": world.branch_a.pk}).status_code == 404
    assert client.get("/zones/coverage/", {"organisation": "abc"}).status_code == 404
    assert client.get("/zones/coverage/", {"organisation": "99999999999999999999999"}).status_code == 404
    html = client.get("/zones/coverage/").content.decode()
    assert "新风1号楼" in html and "一车队" not in html


def test_a_supervisor_reads_the_coverage_without_fill_buttons(world, grid, supervisor, as_user):
    client = as_user(supervisor)
    assert client.get("/zones/coverage/").status_code == 200
    html = client.get(
        "/zones/coverage/suggest/", {"organisation": world.branch_a.pk, "cell": world.team.pk}
    ).content.decode()
    assert "王建国" in html and "新建责任区并任负责人" not in html


@pytest.mark.parametrize("persona", ["member_a", "community_worker", "nobody"])
def test_coverage_is_for_the_organisations_roles(request, world, grid, persona, as_user):
    assert as_user(request.getfixturevalue(persona)).get("/zones/coverage/").status_code == 403


def test_the_page_needs_a_login_and_a_get(world, grid, secretary_a, as_user, resident):
    assert resident.get("/zones/coverage/")["Location"].startswith("/accounts/login/")
    assert as_user(secretary_a).post("/zones/coverage/").status_code == 405


def _page_queries(client, organisation) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/zones/coverage/", {"organisation": organisation.pk}).status_code == 200
    return len(captured)


def test_the_page_costs_the_same_queries_for_a_small_and_a_large_subtree(world, grid, office, as_user):
    client = as_user(office)
    small = _page_queries(client, world.committee)
    fleet = factories.cell("三车队", Cell.Kind.DEPARTMENT, parent=world.company)
    for n in range(60):
        factories.cell(f"{n + 100}路", Cell.Kind.LINE, parent=fleet)
    assert _page_queries(client, world.committee) == small


# --- the suggestion and the fill -------------------------------------------------------------------------


def test_the_suggestion_lists_the_branchs_members_nearest_the_cell(world, grid, secretary_a, as_user):
    response = as_user(secretary_a).get(
        "/zones/coverage/suggest/",
        {"organisation": world.branch_a.pk, "cell": grid.building_2.pk, "year": THIS},
    )
    html = response.content.decode()
    assert response.status_code == 200 and "<html" not in html
    assert html.index("赵师傅") < html.index("王建国")
    assert "住在南园小区" in html and "新建责任区并任负责人" in html


def test_the_suggestion_is_404_out_of_scope_or_for_a_cell_no_one_answers_for(
    world, grid, secretary_a, secretary_b, as_user
):
    client = as_user(secretary_b)
    url = "/zones/coverage/suggest/"
    assert client.get(url, {"organisation": world.branch_a.pk, "cell": world.team.pk}).status_code == 404
    assert client.get(url, {"organisation": world.branch_b.pk, "cell": world.team.pk}).status_code == 404
    assert client.get(url, {"cell": world.team.pk}).status_code == 404
    assert as_user(secretary_a).get(url, {"organisation": world.branch_a.pk}).status_code == 404


def test_one_click_makes_the_member_lead_of_a_new_zone(world, grid, secretary_a, as_user):
    data = {"organisation": world.branch_a.pk, "cell": grid.building_2.pk, "person": grid.driver.person_id}
    response = as_user(secretary_a).post("/zones/coverage/fill/", {**data, "year": THIS}, follow=True)
    html = response.content.decode()
    assert "赵师傅已任责任区“2号楼党员责任区”的负责人" in html
    zone = Zone.objects.get(name="2号楼党员责任区")
    assert zone.organisation == world.group_a and zone.kind == Zone.Kind.AREA
    assert "东风街道/南园社区/南园小区/2号楼" not in html.split("未覆盖的网格")[1]


def test_one_click_can_fill_an_existing_zone(world, grid, secretary_a, as_user):
    building_zone = zf.zone(world.group_a, "南园小区", cells=[grid.estate], kind=Zone.Kind.AREA)
    response = as_user(secretary_a).post(
        "/zones/coverage/fill/",
        {
            "organisation": world.branch_a.pk, "cell": grid.building_2.pk, "person": grid.driver.person_id,
            "year": THIS, "zone": building_zone.pk,
        },
    )  # fmt: skip
    assert response.status_code == 302
    assert building_zone.roles.get().person == grid.driver.person


def test_readers_and_other_branches_cannot_fill(world, grid, supervisor, secretary_b, as_user):
    data = {
        "organisation": world.branch_a.pk, "cell": world.team.pk, "person": world.member_a.person_id,
        "year": THIS,
    }  # fmt: skip
    assert as_user(supervisor).post("/zones/coverage/fill/", data).status_code == 403
    assert as_user(secretary_b).post("/zones/coverage/fill/", data).status_code == 404
    assert as_user(secretary_b).get("/zones/coverage/fill/").status_code == 405
    assert Zone.objects.count() == 1


# --- the API ------------------------------------------------------------------------------------------------


def test_the_api_answers_counts_and_every_uncovered_cell(world, grid, secretary_a):
    response = api_client(secretary_a).get("/api/v1/coverage/", {"organisation": world.branch_a.pk})
    assert response.status_code == 200
    body = response.json()
    assert body["cells_total"] == 6 and body["cells_covered"] == 3
    assert body["uncovered"] == [
        {"id": grid.building_1.pk, "path": "东风街道/南园社区/南园小区/1号楼"},
        {"id": grid.building_2.pk, "path": "东风街道/南园社区/南园小区/2号楼"},
        {"id": world.team.pk, "path": "公交公司/一车队"},
    ]
    assert body["year"] == THIS and body["organisation"] == world.branch_a.pk


def test_the_api_takes_a_year(world, grid, office):
    body = (
        api_client(office)
        .get("/api/v1/coverage/", {"organisation": world.committee.pk, "year": THIS - 1})
        .json()
    )
    assert (body["cells_total"], body["cells_covered"], len(body["uncovered"])) == (7, 0, 7)


def test_the_api_answers_404_out_of_scope_and_400_for_bad_input(world, grid, secretary_b):
    client = api_client(secretary_b)
    response = client.get("/api/v1/coverage/", {"organisation": world.branch_a.pk})
    assert response.status_code == 404
    assert response.json() == {"detail": "未找到:该对象不存在,或不在您的可见范围内。"}
    assert client.get("/api/v1/coverage/", {"organisation": 99999999}).status_code == 404
    response = client.get("/api/v1/coverage/")
    assert response.status_code == 400 and "organisation" in response.json()["errors"]
    assert client.get("/api/v1/coverage/", {"organisation": "x"}).status_code == 400
    assert (
        client.get("/api/v1/coverage/", {"organisation": world.branch_b.pk, "year": 1999}).status_code == 400
    )


def test_the_api_needs_a_token_and_a_role(world, grid, nobody, member_a):
    assert api_client().get("/api/v1/coverage/", {"organisation": world.branch_a.pk}).status_code == 401
    assert api_client(nobody).get("/api/v1/coverage/", {"organisation": world.branch_a.pk}).status_code == 403
    assert (
        api_client(member_a).get("/api/v1/coverage/", {"organisation": world.branch_a.pk}).status_code == 404
    )
    assert api_client(member_a).post("/api/v1/coverage/", {}).status_code == 405


def test_the_api_costs_the_same_queries_for_a_small_and_a_large_subtree(world, grid, office):
    client = api_client(office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/coverage/", {"organisation": world.committee.pk}).status_code == 200
        return len(captured)

    small = queries()
    estate = factories.cell("新小区", Cell.Kind.ESTATE, parent=world.other_community)
    for n in range(50):
        factories.cell(f"{n}号楼", Cell.Kind.BUILDING, parent=estate)
    assert queries() == small
