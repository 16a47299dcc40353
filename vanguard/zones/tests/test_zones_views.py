"""The zone pages for each persona: the list (with its export), a zone's sign board and roles, the form,
copying a year and an organisation's responsibilities. Out of scope is a 404 like a missing zone."""

from __future__ import annotations

import io

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from python_calamine import CalamineWorkbook

from vanguard.audit.models import AuditRecord
from vanguard.org.models import Cell
from vanguard.org.tests import factories
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
    """Branch A's zone over 1路, led by member A, and group A's zone over a building of 南园社区."""
    zf.zone(
        world.group_a,
        "1号楼党员责任区",
        cells=[grid.building_1],
        kind=Zone.Kind.AREA,
        lead=grid.driver.person,
    )
    return zf.zone(world.branch_a, "1路党员责任区", cells=[grid.line_1], lead=world.member_a.person)


# --- the list -------------------------------------------------------------------------------------------


def test_a_secretary_lists_the_branchs_zones(world, zone, secretary_a, as_user):
    response = as_user(secretary_a).get("/zones/")
    assert response.status_code == 200
    html = response.content.decode()
    assert "1路党员责任区" in html and "1号楼党员责任区" in html and "王建国" in html
    assert "新建责任区" in html and "沿用上年责任区" in html


def test_another_branchs_secretary_does_not_see_them(world, zone, secretary_b, as_user):
    html = as_user(secretary_b).get("/zones/").content.decode()
    assert "1路党员责任区" not in html


def test_a_member_sees_the_zone_they_hold_a_role_in(world, zone, member_a, as_user):
    html = as_user(member_a).get("/zones/").content.decode()
    assert "1路党员责任区" in html and "1号楼党员责任区" not in html
    assert "新建责任区" not in html


def test_a_community_worker_sees_the_zones_covering_their_community(world, zone, community_worker, as_user):
    html = as_user(community_worker).get("/zones/").content.decode()
    assert "1号楼党员责任区" in html and "1路党员责任区" not in html


def test_the_list_filters_by_organisation_year_kind_and_name(world, zone, office, as_user):
    zf.zone(world.branch_a, "旧责任区", year=THIS - 1)
    client = as_user(office)
    assert "旧责任区" not in client.get("/zones/").content.decode()
    assert "旧责任区" in client.get("/zones/", {"year": ""}).content.decode()
    html = client.get("/zones/", {"organisation": world.group_a.pk, "year": THIS}).content.decode()
    assert "1号楼党员责任区" in html and "1路党员责任区" not in html
    html = client.get("/zones/", {"kind": "area", "year": THIS}).content.decode()
    assert "1号楼党员责任区" in html and "1路党员责任区" not in html
    html = client.get("/zones/", {"q": "1路"}, HTTP_HX_REQUEST="true").content.decode()
    assert "1路党员责任区" in html and "1号楼党员责任区" not in html and "<html" not in html


def _list_queries(client) -> int:
    with CaptureQueriesContext(connection) as captured:
        assert client.get("/zones/").status_code == 200
    return len(captured)


def test_the_list_costs_the_same_queries_for_5_and_50_zones(world, grid, secretary_a, as_user):
    client = as_user(secretary_a)
    for n in range(5):
        zf.zone(world.branch_a, f"责任区{n}", cells=[grid.line_1, grid.line_2], lead=world.member_a.person)
    five = _list_queries(client)
    for n in range(5, 50):
        zf.zone(world.branch_a, f"责任区{n}", cells=[grid.line_1], lead=grid.driver.person)
    assert _list_queries(client) == five


def test_the_list_needs_a_login_a_role_and_a_get(world, zone, nobody, secretary_a, as_user, resident):
    assert resident.get("/zones/")["Location"].startswith("/accounts/login/")
    assert as_user(nobody).get("/zones/").status_code == 403
    assert as_user(secretary_a).post("/zones/").status_code == 405


def _rows(response) -> list[list]:
    assert response.status_code == 200
    book = CalamineWorkbook.from_filelike(io.BytesIO(b"".join(response.streaming_content)))
    return book.get_sheet_by_name("责任区一览").to_python()


def test_the_export_has_the_lists_rows_and_is_recorded(world, zone, secretary_a, secretary_b, as_user):
    response = as_user(secretary_a).get("/zones/export/", {"year": THIS})
    assert response.status_code == 200
    rows = _rows(response)
    assert rows[0][:6] == ["年度", "名称", "类型", "所属党组织", "负责人", "覆盖网格"]
    by_name = {row[1]: row for row in rows[1:]}
    assert by_name["1路党员责任区"][4] == "王建国"
    assert by_name["1路党员责任区"][5] == "公交公司/二车队/1路"
    assert by_name["1号楼党员责任区"][5] == "东风街道/南园社区/南园小区/1号楼"
    record = AuditRecord.objects.get(action="export")
    assert record.username == "secretary_a" and "2 个责任区" in record.detail
    assert len(_rows(as_user(secretary_b).get("/zones/export/"))) == 1


def test_the_export_link_asks_htmx_to_download(world, zone, secretary_a, as_user):
    response = as_user(secretary_a).get("/zones/export/?year=2026", HTTP_HX_REQUEST="true")
    assert response.status_code == 204 and response["HX-Redirect"] == "/zones/export/?year=2026"


# --- a zone -----------------------------------------------------------------------------------------------


def test_a_secretary_reads_the_sign_board_cells_and_roles(world, zone, secretary_a, as_user):
    zone.commitment = "安全行车零投诉"
    zone.service_phone = "0311-86110001"
    zone.save()
    html = as_user(secretary_a).get(f"/zones/{zone.pk}/").content.decode()
    assert "安全行车零投诉" in html and "0311-86110001" in html
    assert "公交公司/二车队/1路" in html and "王建国" in html
    assert "添加分工" in html and "编辑" in html
    assert f"/zones/coverage/?organisation={world.branch_a.pk}" in html


@pytest.mark.parametrize("persona", ["member_a", "supervisor", "office"])
def test_the_role_holder_the_supervisor_and_the_office_read_it(request, world, zone, persona, as_user):
    html = as_user(request.getfixturevalue(persona)).get(f"/zones/{zone.pk}/").content.decode()
    assert "1路党员责任区" in html
    assert ("添加分工" in html) is (persona == "office")


def test_a_community_worker_reads_the_zone_covering_their_community(world, zone, community_worker, as_user):
    other = Zone.objects.get(name="1号楼党员责任区")
    client = as_user(community_worker)
    assert client.get(f"/zones/{other.pk}/").status_code == 200
    assert client.get(f"/zones/{zone.pk}/").status_code == 404


def test_another_branch_gets_404_for_every_page_of_the_zone(world, zone, secretary_b, as_user):
    client = as_user(secretary_b)
    role = zone.roles.get()
    for url in (f"/zones/{zone.pk}/", f"/zones/{zone.pk}/edit/"):
        assert client.get(url).status_code == 404
    for url in (f"/zones/{zone.pk}/delete/", f"/zones/{zone.pk}/roles/", f"/zones/roles/{role.pk}/delete/"):
        assert client.post(url).status_code == 404
    assert Zone.objects.filter(pk=zone.pk).exists() and ZoneRole.objects.filter(pk=role.pk).exists()


def test_a_missing_zone_is_404(secretary_a, world, as_user):
    assert as_user(secretary_a).get("/zones/999999/").status_code == 404


# --- the form ---------------------------------------------------------------------------------------------


def test_the_new_zone_page_first_asks_for_the_branch_or_group(world, grid, secretary_a, as_user):
    html = as_user(secretary_a).get("/zones/new/").content.decode()
    assert "一分公司党支部/第一党小组" in html and "下一步" in html


def test_the_form_offers_the_cells_of_the_responsibility_by_full_path(world, grid, secretary_a, as_user):
    html = as_user(secretary_a).get(f"/zones/new/?organisation={world.group_a.pk}").content.decode()
    assert "公交公司/二车队/1路" in html and "东风街道/南园社区/南园小区/1号楼" in html
    assert "新风1号楼" not in html and "101室" not in html


def _form(cells, **extra):
    data = {"name": "2路党员责任区", "kind": "work", "year": THIS, "scope": "2路全线", "commitment": "零投诉"}
    data.update(extra)
    data["cells"] = [c.pk for c in cells]
    return data


def test_a_secretary_creates_a_zone(world, grid, secretary_a, as_user):
    response = as_user(secretary_a).post(
        f"/zones/new/?organisation={world.branch_a.pk}", _form([grid.line_2])
    )
    zone = Zone.objects.get(name="2路党员责任区")
    assert response.status_code == 302 and response["Location"] == f"/zones/{zone.pk}/"
    assert zone.organisation == world.branch_a and list(zone.cells.all()) == [grid.line_2]


def test_a_cell_outside_the_responsibility_is_shown_as_an_error(world, grid, secretary_a, as_user):
    # A group's form offers its branch's grid, but not another group's or branch's.
    response = as_user(secretary_a).post(
        f"/zones/new/?organisation={world.branch_a.pk}", _form([grid.line_2, grid.building_1])
    )
    assert response.status_code == 200
    html = response.content.decode()
    assert "信息尚未保存" in html
    assert not Zone.objects.exists()


def test_bad_input_is_reported_on_its_field(world, grid, secretary_a, as_user):
    zf.zone(world.branch_a, "2路党员责任区")
    response = as_user(secretary_a).post(
        f"/zones/new/?organisation={world.branch_a.pk}", _form([grid.line_2], year=THIS + 3)
    )
    assert response.status_code == 200
    assert "年度应在2000年至明年之间。" in response.content.decode()
    response = as_user(secretary_a).post(
        f"/zones/new/?organisation={world.branch_a.pk}", _form([grid.line_2])
    )
    assert f"一分公司党支部{THIS}年度已有名为“2路党员责任区”的责任区。" in response.content.decode()
    assert Zone.objects.count() == 1


def test_another_branch_cannot_create_a_zone_in_branch_a(world, grid, secretary_b, as_user):
    response = as_user(secretary_b).post(
        f"/zones/new/?organisation={world.branch_a.pk}", _form([grid.line_2])
    )
    # Branch A is not among the choices: secretary B's only branch is used instead, whose grid has no 2路.
    assert response.status_code == 200
    assert "二分公司党支部" in response.content.decode()
    assert not Zone.objects.filter(organisation=world.branch_a).exists()


@pytest.mark.parametrize("persona", ["supervisor", "member_a", "community_worker"])
def test_readers_cannot_open_the_form(request, world, zone, persona, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get("/zones/new/").status_code == 403


def test_a_secretary_edits_a_zone(world, zone, grid, secretary_a, as_user):
    client = as_user(secretary_a)
    html = client.get(f"/zones/{zone.pk}/edit/").content.decode()
    assert "1路党员责任区" in html
    response = client.post(
        f"/zones/{zone.pk}/edit/", _form([grid.line_1, grid.line_2], name="1、2路党员责任区")
    )
    assert response.status_code == 302
    zone.refresh_from_db()
    assert zone.name == "1、2路党员责任区" and zone.cells.count() == 2


def test_a_supervisor_may_read_but_not_edit(world, zone, supervisor, as_user):
    client = as_user(supervisor)
    assert client.get(f"/zones/{zone.pk}/edit/").status_code == 403
    assert client.post(f"/zones/{zone.pk}/delete/").status_code == 403


def test_a_secretary_deletes_a_zone(world, zone, secretary_a, as_user):
    client = as_user(secretary_a)
    assert client.get(f"/zones/{zone.pk}/delete/").status_code == 405
    response = client.post(f"/zones/{zone.pk}/delete/")
    assert response.status_code == 302 and not Zone.objects.filter(pk=zone.pk).exists()


# --- roles --------------------------------------------------------------------------------------------------


def test_a_secretary_assigns_and_removes_a_role_on_the_zone_page(world, zone, grid, secretary_a, as_user):
    client = as_user(secretary_a)
    kind = zf.role_kind("业务带头人")
    response = client.post(f"/zones/{zone.pk}/roles/", {"kind": kind.pk, "person": grid.driver.person_id})
    assert response.status_code == 302
    role = ZoneRole.objects.get(zone=zone, kind=kind)
    assert "赵师傅" in client.get(f"/zones/{zone.pk}/").content.decode()
    response = client.post(f"/zones/roles/{role.pk}/delete/")
    assert response.status_code == 302 and not ZoneRole.objects.filter(pk=role.pk).exists()


def test_a_role_for_someone_outside_the_branch_is_refused(world, zone, secretary_a, as_user):
    client = as_user(secretary_a)
    response = client.post(
        f"/zones/{zone.pk}/roles/",
        {"kind": zf.role_kind().pk, "person": world.member_b.person_id},
        follow=True,
    )
    assert "选择一个有效的选项" in response.content.decode()
    assert zone.roles.count() == 1


def test_readers_cannot_assign_roles(world, zone, grid, supervisor, member_a, as_user):
    for user in (supervisor, member_a):
        response = as_user(user).post(f"/zones/{zone.pk}/roles/", {"kind": zf.role_kind().pk, "person": 1})
        assert response.status_code in (403, 404)
        assert as_user(user).post(f"/zones/roles/{zone.roles.get().pk}/delete/").status_code in (403, 404)
    assert zone.roles.count() == 1


# --- copying a year -----------------------------------------------------------------------------------------


def test_a_secretary_copies_last_years_zones(world, grid, secretary_a, as_user):
    zf.zone(world.branch_a, "1路党员责任区", cells=[grid.line_1], year=THIS - 1, lead=grid.driver.person)
    client = as_user(secretary_a)
    assert "沿用" in client.get(f"/zones/copy-year/?organisation={world.branch_a.pk}").content.decode()
    response = client.post(
        "/zones/copy-year/", {"organisation": world.branch_a.pk, "from_year": THIS - 1, "to_year": THIS}
    )
    assert response.status_code == 302
    assert Zone.objects.filter(year=THIS, name="1路党员责任区").exists()
    response = client.post(
        "/zones/copy-year/", {"organisation": world.branch_a.pk, "from_year": THIS, "to_year": THIS}
    )
    assert "沿用的年度须与原年度不同。" in response.content.decode()


@pytest.mark.parametrize("persona", ["supervisor", "member_a", "community_worker"])
def test_readers_cannot_copy_a_year(request, world, persona, as_user):
    assert as_user(request.getfixturevalue(persona)).get("/zones/copy-year/").status_code == 403


def test_another_branch_cannot_copy_branch_as_zones(world, grid, secretary_b, as_user):
    zf.zone(world.branch_a, "1路党员责任区", cells=[grid.line_1], year=THIS - 1)
    response = as_user(secretary_b).post(
        "/zones/copy-year/", {"organisation": world.branch_a.pk, "from_year": THIS - 1, "to_year": THIS}
    )
    assert response.status_code == 200 and not Zone.objects.filter(year=THIS).exists()


# --- responsibilities ---------------------------------------------------------------------------------------


def test_a_secretary_sees_and_adds_responsibilities(world, grid, secretary_a, as_user):
    client = as_user(secretary_a)
    html = client.get(f"/zones/responsibilities/{world.branch_a.pk}/").content.decode()
    assert "公交公司" in html and "东风街道/南园社区/南园小区" in html and "添加责任网格" in html
    response = client.post(
        f"/zones/responsibilities/{world.branch_a.pk}/",
        {"organisation": world.group_a.pk, "cell": "东风街道/南园社区/南园广场"},
    )
    assert response.status_code == 302
    assert Responsibility.objects.filter(organisation=world.group_a, cell=grid.square).exists()


def test_a_path_that_names_no_cell_is_reported(world, grid, secretary_a, as_user):
    response = as_user(secretary_a).post(
        f"/zones/responsibilities/{world.branch_a.pk}/",
        {"organisation": world.branch_a.pk, "cell": "东风街道/无此社区"},
    )
    assert "没有名为“东风街道/无此社区”的网格。" in response.content.decode()


def test_a_secretary_removes_a_responsibility(world, grid, secretary_a, as_user):
    row = Responsibility.objects.get(organisation=world.group_a)
    response = as_user(secretary_a).post(f"/zones/responsibilities/{row.pk}/delete/")
    assert response.status_code == 302 and not Responsibility.objects.filter(pk=row.pk).exists()


def test_the_responsibilities_page_costs_the_same_queries_for_few_and_many(world, grid, secretary_a, as_user):
    client = as_user(secretary_a)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(f"/zones/responsibilities/{world.branch_a.pk}/").status_code == 200
        return len(captured)

    few = queries()
    for n in range(20):
        zf.responsibility(
            world.group_a, factories.cell(f"小区{n}", Cell.Kind.ESTATE, parent=world.other_community)
        )
    assert queries() == few


def test_a_supervisor_reads_responsibilities_without_changing_them(world, grid, supervisor, as_user):
    client = as_user(supervisor)
    html = client.get(f"/zones/responsibilities/{world.branch_a.pk}/").content.decode()
    assert "公交公司" in html and "添加责任网格" not in html
    assert client.post(f"/zones/responsibilities/{world.branch_a.pk}/", {}).status_code == 403
    row = Responsibility.objects.get(organisation=world.branch_a)
    assert client.post(f"/zones/responsibilities/{row.pk}/delete/").status_code == 403


def test_another_branch_gets_404_for_the_responsibilities(world, grid, secretary_b, as_user):
    client = as_user(secretary_b)
    assert client.get(f"/zones/responsibilities/{world.branch_a.pk}/").status_code == 404
    row = Responsibility.objects.get(organisation=world.branch_a)
    assert client.post(f"/zones/responsibilities/{row.pk}/delete/").status_code == 404
    assert Responsibility.objects.filter(pk=row.pk).exists()
