"""The zone services: the responsibility rule, scope, validation in Chinese, roles, responsibilities, copying
a year and filling a coverage gap — each write audited."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.accounts.scope import SYSTEM
from vanguard.audit.models import AuditRecord
from vanguard.zones import selectors, services
from vanguard.zones.models import Responsibility, Task, Zone, ZoneRole

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

THIS = selectors.this_year()


@pytest.fixture
def grid(world):
    return zf.build_grid(world)


def _create(actor, organisation, cells, name="1路党员责任区", **extra):
    return services.zone_create(
        actor=actor, organisation=organisation, year=extra.pop("year", THIS), kind=Zone.Kind.WORK, name=name,
        cells=cells, **extra,
    )  # fmt: skip


def _messages(exc: pytest.ExceptionInfo, field: str) -> list[str]:
    return exc.value.message_dict[field]


# --- zones ------------------------------------------------------------------------------------------------


def test_a_secretary_creates_a_zone_over_cells_of_the_branchs_responsibility(world, grid, secretary_a):
    zone = _create(
        secretary_a,
        world.branch_a,
        [grid.line_1, grid.line_2],
        commitment="安全行车",
        service_phone=" 0311-1 ",
    )
    assert set(zone.cells.all()) == {grid.line_1, grid.line_2}
    assert zone.service_phone == "0311-1"
    record = AuditRecord.objects.get(object_type="zones.zone", object_id=str(zone.pk))
    assert record.username == "secretary_a" and record.action == "create"
    assert "公交公司/二车队/1路" in record.detail


def test_a_cell_outside_the_branchs_responsibility_is_refused_by_its_full_path(world, grid, secretary_a):
    with pytest.raises(ValidationError) as exc:
        _create(secretary_a, world.branch_a, [grid.line_1, grid.other_building])
    assert _messages(exc, "cells") == ["网格“东风街道/新风社区/新风1号楼”不在本支部的责任范围内。"]
    assert not Zone.objects.exists()


def test_a_branchs_zone_may_not_use_its_groups_responsibility(world, grid, secretary_a):
    with pytest.raises(ValidationError) as exc:
        _create(secretary_a, world.branch_a, [grid.building_1])
    assert _messages(exc, "cells") == ["网格“东风街道/南园社区/南园小区/1号楼”不在本支部的责任范围内。"]


def test_a_groups_zone_may_use_its_own_and_its_branchs_responsibilities(world, grid, secretary_a):
    zone = _create(secretary_a, world.group_a, [grid.building_1, grid.line_1])
    assert zone.cells.count() == 2


def test_a_zone_belongs_to_a_branch_or_a_group(world, grid):
    with pytest.raises(ValidationError) as exc:
        _create(SYSTEM, world.committee, [])
    assert _messages(exc, "organisation") == ["责任区须属于党支部或党小组。"]


def test_a_secretary_cannot_create_a_zone_in_another_branch(world, grid, secretary_b):
    with pytest.raises(ValidationError) as exc:
        _create(secretary_b, world.branch_a, [grid.line_1])
    assert _messages(exc, "organisation") == ["所选党组织不存在或不在您的管理范围内。"]
    assert not Zone.objects.exists()


def test_a_name_is_used_once_per_organisation_and_year(world, grid, secretary_a):
    _create(secretary_a, world.branch_a, [grid.line_1])
    with pytest.raises(ValidationError) as exc:
        _create(secretary_a, world.branch_a, [grid.line_2])
    assert _messages(exc, "name") == [f"一分公司党支部{THIS}年度已有名为“1路党员责任区”的责任区。"]
    _create(secretary_a, world.branch_a, [grid.line_2], year=THIS - 1)


def test_a_year_out_of_range_is_refused(world, grid, secretary_a):
    with pytest.raises(ValidationError) as exc:
        _create(secretary_a, world.branch_a, [], year=THIS + 2)
    assert _messages(exc, "year") == ["年度应在2000年至明年之间。"]


def test_an_update_changes_the_board_and_the_cells_and_is_recorded(world, grid, secretary_a):
    zone = _create(secretary_a, world.branch_a, [grid.line_1])
    services.zone_update(
        actor=secretary_a, zone=zone, fields={"commitment": "零投诉"}, cells=[grid.line_1, grid.repair_team]
    )
    zone.refresh_from_db()
    assert zone.commitment == "零投诉" and zone.cells.count() == 2
    record = AuditRecord.objects.filter(object_type="zones.zone", action="update").get()
    assert record.before["commitment"] == "" and record.after["commitment"] == "零投诉"
    assert "维修班组" in record.detail


def test_an_update_keeps_the_responsibility_rule(world, grid, secretary_a):
    zone = _create(secretary_a, world.branch_a, [grid.line_1])
    with pytest.raises(ValidationError) as exc:
        services.zone_update(actor=secretary_a, zone=zone, fields={}, cells=[grid.square])
    assert _messages(exc, "cells") == ["网格“东风街道/南园社区/南园广场”不在本支部的责任范围内。"]
    assert list(zone.cells.all()) == [grid.line_1]


def test_a_zone_stays_with_its_organisation(world, grid, secretary_a):
    zone = _create(secretary_a, world.branch_a, [grid.line_1])
    with pytest.raises(ValidationError) as exc:
        services.zone_update(actor=secretary_a, zone=zone, fields={"organisation": world.group_a})
    assert _messages(exc, "organisation") == ["责任区的所属党组织不能修改;请在该党组织下新建责任区。"]


def test_supervisors_and_other_branches_cannot_change_a_zone(world, grid, supervisor, secretary_b):
    zone = zf.zone(world.branch_a, cells=[grid.line_1])
    for actor in (supervisor, secretary_b):
        with pytest.raises(PermissionDenied):
            services.zone_update(actor=actor, zone=zone, fields={"name": "改名"})
        with pytest.raises(PermissionDenied):
            services.zone_delete(actor=actor, zone=zone)
    assert Zone.objects.get().name == "一车队党员责任区"


def test_a_zone_with_tasks_is_not_deleted(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, cells=[grid.line_1])
    Task.objects.create(zone=zone, category=Task.Category.OPERATIONS, title="安全例会")
    with pytest.raises(ValidationError) as exc:
        services.zone_delete(actor=secretary_a, zone=zone)
    assert exc.value.messages == ["责任区“一车队党员责任区”还有1项任务,不能删除。"]


def test_deleting_a_zone_is_recorded(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, cells=[grid.line_1], lead=world.member_a.person)
    services.zone_delete(actor=secretary_a, zone=zone)
    assert not Zone.objects.exists() and not ZoneRole.objects.exists()
    assert AuditRecord.objects.filter(object_type="zones.zone", action="delete").exists()


# --- roles ----------------------------------------------------------------------------------------------


def test_a_secretary_assigns_and_removes_roles(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, cells=[grid.line_1])
    role = services.zone_role_add(
        actor=secretary_a, zone=zone, kind=zf.role_kind("业务带头人"), person=grid.driver.person
    )
    assert AuditRecord.objects.filter(object_type="zones.zonerole", action="create").exists()
    with pytest.raises(ValidationError) as exc:
        services.zone_role_add(
            actor=secretary_a, zone=zone, kind=zf.role_kind("业务带头人"), person=grid.driver.person
        )
    assert _messages(exc, "person") == ["赵师傅已是该责任区的业务带头人。"]
    services.zone_role_remove(actor=secretary_a, role=role)
    assert not ZoneRole.objects.exists()
    assert AuditRecord.objects.filter(object_type="zones.zonerole", action="delete").exists()


def test_a_role_goes_only_to_someone_the_secretary_sees(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, cells=[grid.line_1])
    with pytest.raises(ValidationError) as exc:
        services.zone_role_add(
            actor=secretary_a, zone=zone, kind=zf.role_kind(), person=world.member_b.person
        )
    assert _messages(exc, "person") == ["所选人员不存在或不在您的可见范围内。"]


def test_a_supervisor_cannot_assign_roles(world, grid, supervisor):
    zone = zf.zone(world.branch_a, cells=[grid.line_1])
    with pytest.raises(PermissionDenied):
        services.zone_role_add(actor=supervisor, zone=zone, kind=zf.role_kind(), person=grid.driver.person)


def test_the_six_roles_of_seed_000_come_with_the_database(db):
    kinds = list(selectors.role_kinds().values_list("name", "order", "is_lead"))
    assert kinds == [
        ("负责人", 1, True),
        ("业务带头人", 2, False),
        ("社区党总支书记协助", 3, False),
        ("社区联络员", 4, False),
        ("青年志愿者代表", 5, False),
        ("监督员", 6, False),
    ]


# --- responsibilities -------------------------------------------------------------------------------------


def test_a_secretary_adds_a_responsibility_for_the_branch_and_its_groups(world, secretary_a):
    services.responsibility_create(actor=secretary_a, organisation=world.group_a, cell=world.community)
    assert Responsibility.objects.filter(organisation=world.group_a).exists()
    assert AuditRecord.objects.filter(object_type="zones.responsibility", action="create").exists()
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=secretary_a, organisation=world.branch_b, cell=world.community)
    assert _messages(exc, "organisation") == ["所选党组织不存在或不在您的管理范围内。"]


def test_a_committee_answers_through_its_branches(world, office):
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=office, organisation=world.committee, cell=world.company)
    assert _messages(exc, "organisation") == ["责任网格须属于党支部或党小组。"]


def test_a_responsibility_is_not_added_twice_or_inside_another(world, grid, secretary_a):
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=secretary_a, organisation=world.branch_a, cell=world.company)
    assert _messages(exc, "cell") == ["一分公司党支部已负责网格“公交公司”。"]
    with pytest.raises(ValidationError) as exc:
        services.responsibility_create(actor=secretary_a, organisation=world.branch_a, cell=grid.line_1)
    assert _messages(exc, "cell") == ["网格“公交公司/二车队/1路”已在一分公司党支部的责任网格“公交公司”之内。"]


def test_a_responsibility_a_zone_of_this_year_needs_is_not_removed(world, grid, secretary_a):
    zf.zone(world.group_a, cells=[grid.building_1])
    needed = Responsibility.objects.get(organisation=world.group_a)
    with pytest.raises(ValidationError) as exc:
        services.responsibility_delete(actor=secretary_a, responsibility=needed)
    assert exc.value.messages == [
        f"责任区“一车队党员责任区”({THIS}年)仍覆盖该责任网格下的网格,不能删除;请先调整该责任区。"
    ]
    assert Responsibility.objects.filter(pk=needed.pk).exists()


def test_a_responsibility_only_last_years_zones_used_is_removed(world, grid, secretary_a):
    zf.zone(world.group_a, cells=[grid.building_1], year=THIS - 1)
    needed = Responsibility.objects.get(organisation=world.group_a)
    services.responsibility_delete(actor=secretary_a, responsibility=needed)
    assert not Responsibility.objects.filter(pk=needed.pk).exists()
    assert AuditRecord.objects.filter(object_type="zones.responsibility", action="delete").exists()


def test_another_branch_cannot_remove_a_responsibility(world, grid, secretary_b):
    with pytest.raises(PermissionDenied):
        services.responsibility_delete(
            actor=secretary_b, responsibility=Responsibility.objects.get(organisation=world.branch_a)
        )


# --- a new year -------------------------------------------------------------------------------------------


def test_copying_a_year_copies_board_cells_and_roles_but_not_tasks(world, grid, secretary_a):
    old = zf.zone(
        world.branch_a, "1路党员责任区", cells=[grid.line_1], year=THIS - 1, lead=grid.driver.person,
        commitment="安全行车", service_phone="0311-1", scope="1路全线",
    )  # fmt: skip
    Task.objects.create(zone=old, category=Task.Category.OPERATIONS, title="安全例会")
    zf.zone(world.group_a, "楼栋责任区", cells=[grid.building_1], year=THIS - 1)
    result = services.zones_copy_year(
        actor=secretary_a, organisation=world.branch_a, from_year=THIS - 1, to_year=THIS
    )
    assert len(result.copied) == 2 and result.skipped == [] and result.dropped_cells == 0
    new = Zone.objects.get(year=THIS, name="1路党员责任区")
    assert (new.commitment, new.service_phone, new.scope, new.kind) == (
        "安全行车",
        "0311-1",
        "1路全线",
        "work",
    )
    assert list(new.cells.all()) == [grid.line_1] and new.copied_from == old
    assert list(new.roles.values_list("kind__name", "person__name")) == [("负责人", "赵师傅")]
    assert not new.tasks.exists()
    assert (
        AuditRecord.objects.filter(object_type="zones.zone", action="create", detail__contains="沿用").count()
        == 2
    )


def test_copying_skips_names_already_used_and_cells_out_of_responsibility(world, grid, secretary_a):
    zf.zone(world.branch_a, "1路党员责任区", cells=[grid.line_1], year=THIS - 1)
    zf.zone(world.branch_a, "1路党员责任区", cells=[grid.line_2], year=THIS)
    # A cell that has left the branch's responsibility since last year.
    zf.zone(world.branch_a, "楼栋", cells=[grid.line_2, grid.other_building], year=THIS - 1)
    result = services.zones_copy_year(
        actor=secretary_a, organisation=world.branch_a, from_year=THIS - 1, to_year=THIS
    )
    assert result.skipped == ["1路党员责任区"] and result.dropped_cells == 1
    assert list(Zone.objects.get(year=THIS, name="楼栋").cells.all()) == [grid.line_2]
    assert Zone.objects.get(year=THIS, name="1路党员责任区").cells.get() == grid.line_2


def test_copying_needs_two_different_years_in_range_and_the_scope(world, grid, secretary_a, secretary_b):
    with pytest.raises(ValidationError) as exc:
        services.zones_copy_year(actor=secretary_a, organisation=world.branch_a, from_year=THIS, to_year=THIS)
    assert _messages(exc, "to_year") == ["沿用的年度须与原年度不同。"]
    with pytest.raises(ValidationError) as exc:
        services.zones_copy_year(actor=secretary_a, organisation=world.branch_a, from_year=1999, to_year=THIS)
    assert _messages(exc, "from_year") == ["年度应在2000年至明年之间。"]
    with pytest.raises(ValidationError) as exc:
        services.zones_copy_year(
            actor=secretary_b, organisation=world.branch_a, from_year=THIS - 1, to_year=THIS
        )
    assert _messages(exc, "organisation") == ["所选党组织不存在或不在您的管理范围内。"]


# --- filling a gap ----------------------------------------------------------------------------------------


def test_filling_a_gap_makes_a_new_zone_with_the_member_as_its_lead(world, grid, secretary_a):
    zone = services.coverage_fill(
        actor=secretary_a, cell=grid.line_2, person=grid.driver.person, year=THIS, organisation=world.branch_a
    )
    assert zone.name == "2路党员责任区" and zone.kind == Zone.Kind.WORK
    assert list(zone.cells.all()) == [grid.line_2]
    assert list(zone.roles.values_list("kind__is_lead", "person_id")) == [(True, grid.driver.person_id)]
    again = services.coverage_fill(
        actor=secretary_a,
        cell=grid.line_2,
        person=world.member_a.person,
        year=THIS,
        organisation=world.branch_a,
    )
    assert again.name == "2路党员责任区(2)"


def test_filling_a_gap_in_an_existing_zone_needs_the_zone_to_cover_the_cell(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, "二车队", cells=[grid.fleet])
    services.coverage_fill(
        actor=secretary_a, cell=grid.line_2, person=grid.driver.person, year=THIS,
        organisation=world.branch_a, zone=zone,
    )  # fmt: skip
    assert zone.roles.get().person == grid.driver.person
    other = zf.zone(world.branch_a, "一车队", cells=[world.team])
    with pytest.raises(ValidationError) as exc:
        services.coverage_fill(
            actor=secretary_a, cell=grid.line_2, person=grid.driver.person, year=THIS,
            organisation=world.branch_a, zone=other,
        )  # fmt: skip
    assert _messages(exc, "zone") == ["责任区“一车队”不覆盖网格“公交公司/二车队/2路”。"]


def test_filling_a_gap_needs_the_organisation_in_scope(world, grid, secretary_b):
    with pytest.raises(ValidationError):
        services.coverage_fill(
            actor=secretary_b, cell=grid.line_2, person=world.member_b.person, year=THIS,
            organisation=world.branch_a,
        )  # fmt: skip
    assert not Zone.objects.exists()
