"""/api/v1/zones/, zone-roles/, zone-role-kinds/ and responsibilities/ for each persona: the same scope as
the pages, 404 out of it, and a foreign key out of scope refused with nothing changed."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.audit.models import AuditRecord
from vanguard.zones import selectors
from vanguard.zones.models import Responsibility, Zone, ZoneRole

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

THIS = selectors.this_year()


@pytest.fixture
def grid(world):
    return zf.build_grid(world)


@pytest.fixture
def zone(world, grid):
    zf.zone(
        world.group_a,
        "1号楼党员责任区",
        cells=[grid.building_1],
        kind=Zone.Kind.AREA,
        lead=grid.driver.person,
    )
    return zf.zone(
        world.branch_a, "1路党员责任区", cells=[grid.line_1], lead=world.member_a.person, commitment="零投诉"
    )


def _names(response) -> set[str]:
    assert response.status_code == 200, response.content
    return {z["name"] for z in response.json()["results"]}


# --- zones ------------------------------------------------------------------------------------------------


def test_a_zone_comes_with_its_cells_by_full_path_and_its_roles(world, zone, secretary_a):
    body = api_client(secretary_a).get(f"/api/v1/zones/{zone.pk}/").json()
    assert body["name"] == "1路党员责任区" and body["commitment"] == "零投诉"
    assert body["organisation"] == world.branch_a.pk and body["year"] == THIS and body["kind"] == "work"
    assert body["cells"] == [
        {"id": zone.cells.get().pk, "name": "1路", "kind": "line", "path": "公交公司/二车队/1路"}
    ]
    [role] = body["roles"]
    assert (role["kind_name"], role["is_lead"], role["person_name"]) == ("负责人", True, "王建国")


def test_each_persona_lists_the_zones_in_their_scope(
    world, zone, secretary_a, secretary_b, member_a, community_worker
):
    assert _names(api_client(secretary_a).get("/api/v1/zones/")) == {"1路党员责任区", "1号楼党员责任区"}
    assert _names(api_client(secretary_b).get("/api/v1/zones/")) == set()
    assert _names(api_client(member_a).get("/api/v1/zones/")) == {"1路党员责任区"}
    assert _names(api_client(community_worker).get("/api/v1/zones/")) == {"1号楼党员责任区"}


def test_the_list_filters(world, zone, office):
    client = api_client(office)
    assert _names(client.get("/api/v1/zones/", {"organisation": world.group_a.pk})) == {"1号楼党员责任区"}
    assert _names(client.get("/api/v1/zones/", {"kind": "work", "q": "1路"})) == {"1路党员责任区"}
    assert _names(client.get("/api/v1/zones/", {"year": THIS - 1})) == set()


def test_the_list_costs_the_same_queries_for_few_and_many_zones(world, grid, office):
    client = api_client(office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get("/api/v1/zones/").status_code == 200
        return len(captured)

    for n in range(5):
        zf.zone(world.branch_a, f"责任区{n}", cells=[grid.line_1, grid.line_2], lead=world.member_a.person)
    few = queries()
    for n in range(5, 50):
        zf.zone(world.branch_a, f"责任区{n}", cells=[grid.repair_team], lead=grid.driver.person)
    assert queries() == few


def test_another_branch_gets_404_for_a_zone(world, zone, secretary_b):
    client = api_client(secretary_b)
    assert client.get(f"/api/v1/zones/{zone.pk}/").status_code == 404
    assert client.patch(f"/api/v1/zones/{zone.pk}/", {"name": "改名"}, format="json").status_code == 404
    assert client.delete(f"/api/v1/zones/{zone.pk}/").status_code == 404
    assert Zone.objects.filter(pk=zone.pk, name="1路党员责任区").exists()


def test_a_secretary_creates_a_zone(world, grid, secretary_a):
    response = api_client(secretary_a).post(
        "/api/v1/zones/",
        {
            "organisation": world.branch_a.pk, "year": THIS, "kind": "work", "name": "2路党员责任区",
            "cells": [grid.line_2.pk], "commitment": "准点", "service_phone": "0311-2",
        },
        format="json",
    )  # fmt: skip
    assert response.status_code == 201, response.content
    body = response.json()
    assert body["cells"][0]["path"] == "公交公司/二车队/2路" and body["roles"] == []
    assert AuditRecord.objects.filter(object_type="zones.zone", object_id=str(body["id"])).exists()


def test_a_cell_outside_the_responsibility_is_refused_with_its_path(world, grid, secretary_a):
    response = api_client(secretary_a).post(
        "/api/v1/zones/",
        {
            "organisation": world.branch_a.pk,
            "year": THIS,
            "kind": "work",
            "name": "越界",
            "cells": [grid.square.pk],
        },
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"] == {
        "cells": ["网格“东风街道/南园社区/南园广场”不在本支部的责任范围内。"]
    }
    assert (
        response.json()["detail"] == "请求数据有误:网格“东风街道/南园社区/南园广场”不在本支部的责任范围内。"
    )
    assert not Zone.objects.exists()


def test_an_organisation_out_of_scope_is_refused_and_nothing_changes(world, grid, secretary_b):
    response = api_client(secretary_b).post(
        "/api/v1/zones/",
        {"organisation": world.branch_a.pk, "year": THIS, "kind": "work", "name": "越界", "cells": []},
        format="json",
    )
    assert response.status_code == 400
    assert response.json()["errors"]["organisation"] == ["所选党组织不存在或不在您的管理范围内。"]
    assert not Zone.objects.exists()


def test_unknown_cells_and_bad_years_are_refused(world, grid, secretary_a):
    client = api_client(secretary_a)
    base = {"organisation": world.branch_a.pk, "year": THIS, "kind": "work", "name": "x"}
    response = client.post("/api/v1/zones/", {**base, "cells": [99999999]}, format="json")
    assert response.json()["errors"]["cells"] == ["网格不存在:99999999。"]
    response = client.post("/api/v1/zones/", {**base, "year": 1999}, format="json")
    assert response.json()["errors"]["year"] == ["年度应在2000年至明年之间。"]
    assert not Zone.objects.exists()


def test_a_secretary_updates_and_deletes_a_zone(world, zone, grid, secretary_a):
    client = api_client(secretary_a)
    response = client.patch(
        f"/api/v1/zones/{zone.pk}/",
        {"name": "1、2路", "cells": [grid.line_1.pk, grid.line_2.pk]},
        format="json",
    )
    assert response.status_code == 200 and len(response.json()["cells"]) == 2
    response = client.patch(f"/api/v1/zones/{zone.pk}/", {"organisation": world.group_a.pk}, format="json")
    assert response.json()["errors"]["organisation"] == [
        "责任区的所属党组织不能修改;请在该党组织下新建责任区。"
    ]
    assert client.delete(f"/api/v1/zones/{zone.pk}/").status_code == 204
    assert not Zone.objects.filter(pk=zone.pk).exists()


@pytest.mark.parametrize("persona", ["supervisor", "member_a"])
def test_readers_get_403_on_writes(request, world, zone, grid, persona):
    client = api_client(request.getfixturevalue(persona))
    assert client.get(f"/api/v1/zones/{zone.pk}/").status_code == 200
    assert client.patch(f"/api/v1/zones/{zone.pk}/", {"name": "改名"}, format="json").status_code == 403
    assert client.delete(f"/api/v1/zones/{zone.pk}/").status_code == 403
    response = client.post(
        "/api/v1/zones/",
        {"organisation": world.branch_a.pk, "year": THIS, "kind": "work", "name": "x"},
        format="json",
    )
    assert response.status_code == 403
    assert Zone.objects.get(pk=zone.pk).name == "1路党员责任区"


def test_zones_need_a_token_and_a_role(world, zone, nobody):
    assert api_client().get("/api/v1/zones/").status_code == 401
    assert api_client(nobody).get("/api/v1/zones/").status_code == 403


# --- roles and role kinds -----------------------------------------------------------------------------------


def test_the_six_role_kinds_are_listed(world, member_a):
    body = api_client(member_a).get("/api/v1/zone-role-kinds/").json()
    assert [k["name"] for k in body["results"]] == [
        "负责人", "业务带头人", "社区党总支书记协助", "社区联络员", "青年志愿者代表", "监督员",
    ]  # fmt: skip
    assert body["results"][0]["is_lead"] is True
    assert api_client().get("/api/v1/zone-role-kinds/").status_code == 401


def test_a_secretary_adds_and_removes_a_role(world, zone, grid, secretary_a):
    client = api_client(secretary_a)
    kind = zf.role_kind("监督员")
    response = client.post(
        "/api/v1/zone-roles/",
        {"zone": zone.pk, "kind": kind.pk, "person": grid.driver.person_id},
        format="json",
    )
    assert response.status_code == 201, response.content
    assert response.json()["zone_name"] == "1路党员责任区" and response.json()["kind_name"] == "监督员"
    roles = client.get("/api/v1/zone-roles/", {"zone": zone.pk}).json()["results"]
    assert {r["kind_name"] for r in roles} == {"负责人", "监督员"}
    assert client.delete(f"/api/v1/zone-roles/{response.json()['id']}/").status_code == 204
    assert zone.roles.count() == 1


def test_a_role_out_of_scope_is_refused_and_nothing_changes(world, zone, grid, secretary_a, secretary_b):
    kind = zf.role_kind()
    response = api_client(secretary_a).post(
        "/api/v1/zone-roles/",
        {"zone": zone.pk, "kind": kind.pk, "person": world.member_b.person_id},
        format="json",
    )
    assert response.json()["errors"]["person"] == ["所选人员不存在或不在您的可见范围内。"]
    response = api_client(secretary_b).post(
        "/api/v1/zone-roles/",
        {"zone": zone.pk, "kind": kind.pk, "person": world.member_b.person_id},
        format="json",
    )
    assert response.json()["errors"]["zone"] == ["所选责任区不存在或不在您的可见范围内。"]
    role = zone.roles.get()
    assert api_client(secretary_b).get(f"/api/v1/zone-roles/{role.pk}/").status_code == 404
    assert api_client(secretary_b).delete(f"/api/v1/zone-roles/{role.pk}/").status_code == 404
    assert ZoneRole.objects.filter(zone=zone).count() == 1


def test_a_supervisor_reads_roles_but_cannot_change_them(world, zone, grid, supervisor):
    client = api_client(supervisor)
    role = zone.roles.get()
    assert client.get(f"/api/v1/zone-roles/{role.pk}/").status_code == 200
    assert client.delete(f"/api/v1/zone-roles/{role.pk}/").status_code == 403
    response = client.post(
        "/api/v1/zone-roles/",
        {"zone": zone.pk, "kind": zf.role_kind().pk, "person": grid.driver.person_id},
        format="json",
    )
    assert response.status_code == 403


# --- responsibilities --------------------------------------------------------------------------------------


def test_responsibilities_are_listed_with_their_paths(world, grid, secretary_a, secretary_b):
    body = api_client(secretary_a).get("/api/v1/responsibilities/").json()
    assert {(r["organisation_name"], r["cell_path"]) for r in body["results"]} == {
        ("一分公司党支部", "公交公司"),
        ("第一党小组", "东风街道/南园社区/南园小区"),
    }
    body = api_client(secretary_b).get("/api/v1/responsibilities/").json()
    assert [r["cell_path"] for r in body["results"]] == ["东风街道/新风社区"]
    row = Responsibility.objects.get(organisation=world.branch_a)
    assert api_client(secretary_b).get(f"/api/v1/responsibilities/{row.pk}/").status_code == 404


def test_a_secretary_adds_and_removes_a_responsibility(world, grid, secretary_a):
    client = api_client(secretary_a)
    response = client.post(
        "/api/v1/responsibilities/", {"organisation": world.group_a.pk, "cell": grid.square.pk}, format="json"
    )
    assert response.status_code == 201 and response.json()["cell_path"] == "东风街道/南园社区/南园广场"
    assert client.delete(f"/api/v1/responsibilities/{response.json()['id']}/").status_code == 204
    response = client.post(
        "/api/v1/responsibilities/",
        {"organisation": world.branch_a.pk, "cell": grid.line_1.pk},
        format="json",
    )
    assert response.json()["errors"]["cell"] == [
        "网格“公交公司/二车队/1路”已在一分公司党支部的责任网格“公交公司”之内。"
    ]


def test_a_responsibility_out_of_scope_is_refused_and_nothing_changes(world, grid, secretary_b, supervisor):
    response = api_client(secretary_b).post(
        "/api/v1/responsibilities/",
        {"organisation": world.branch_a.pk, "cell": grid.square.pk},
        format="json",
    )
    assert response.json()["errors"]["organisation"] == ["所选党组织不存在或不在您的管理范围内。"]
    row = Responsibility.objects.get(organisation=world.branch_a)
    assert api_client(secretary_b).delete(f"/api/v1/responsibilities/{row.pk}/").status_code == 404
    assert api_client(supervisor).delete(f"/api/v1/responsibilities/{row.pk}/").status_code == 403
    assert Responsibility.objects.count() == 3


def test_a_responsibility_a_zone_needs_is_kept(world, grid, secretary_a):
    zf.zone(world.group_a, cells=[grid.building_1])
    row = Responsibility.objects.get(organisation=world.group_a)
    response = api_client(secretary_a).delete(f"/api/v1/responsibilities/{row.pk}/")
    assert response.status_code == 400 and "不能删除" in response.json()["detail"]
    assert Responsibility.objects.filter(pk=row.pk).exists()
