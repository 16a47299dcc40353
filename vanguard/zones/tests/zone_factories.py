"""Builders for zones and responsibilities, used by the zones tests and the access sweep."""

from __future__ import annotations

from dataclasses import dataclass

from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.zones.models import Responsibility, Zone, ZoneRole, ZoneRoleKind


def responsibility(organisation: Organisation, cell: Cell) -> Responsibility:
    return Responsibility.objects.get_or_create(organisation=organisation, cell=cell)[0]


def role_kind(name: str = "负责人") -> ZoneRoleKind:
    """A role kind of the configurable list (made by a data migration; a browser test's flushed database
    no longer has it, so it is made again there)."""
    return ZoneRoleKind.objects.get_or_create(name=name, defaults={"is_lead": name == "负责人"})[0]


def zone(
    organisation: Organisation,
    name: str = "一车队党员责任区",
    *,
    cells: list[Cell] = (),
    year: int | None = None,
    kind: str = Zone.Kind.WORK,
    lead: Person | None = None,
    **fields,
) -> Zone:
    """A zone written straight to the database (the services' rules are tested on their own)."""
    z = Zone.objects.create(
        organisation=organisation, year=year or today().year, kind=kind, name=name, **fields
    )
    z.cells.set(cells)
    if lead is not None:
        ZoneRole.objects.create(zone=z, kind=role_kind(), person=lead)
    return z


def sweep_zone(world) -> Zone:
    """Branch A's zone over its team, led by member_a: the object the access sweep tries."""
    responsibility(world.branch_a, world.company)
    existing = Zone.objects.filter(organisation=world.branch_a, name="一车队党员责任区").first()
    return existing or zone(world.branch_a, cells=[world.team], lead=world.member_a.person)


def sweep_role(world) -> ZoneRole:
    return sweep_zone(world).roles.first()


def sweep_responsibility(world) -> Responsibility:
    return responsibility(world.branch_a, world.company)


@dataclass
class Grid:
    """The world's grid filled out for zones: branch A answers for the bus company (a team, a fleet with two
    lines and a team, a post), its group for 南园小区 (two buildings, a household); branch B for 新风社区."""

    fleet: Cell
    line_1: Cell
    line_2: Cell
    repair_team: Cell
    post: Cell
    estate: Cell
    building_1: Cell
    building_2: Cell
    household: Cell
    square: Cell
    other_building: Cell
    driver: Member  # of group A: drives 1路, lives in 南园小区/1号楼
    colleague: Person  # not a member: drives 2路


def build_grid(world) -> Grid:
    fleet = factories.cell("二车队", Cell.Kind.DEPARTMENT, parent=world.company)
    line_1 = factories.cell("1路", Cell.Kind.LINE, parent=fleet)
    line_2 = factories.cell("2路", Cell.Kind.LINE, parent=fleet)
    repair_team = factories.cell("维修班组", Cell.Kind.TEAM, parent=fleet)
    post = factories.cell("调度岗", Cell.Kind.POST, parent=world.company)
    estate = factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
    building_1 = factories.cell("1号楼", Cell.Kind.BUILDING, parent=estate)
    building_2 = factories.cell("2号楼", Cell.Kind.BUILDING, parent=estate)
    household = factories.cell("101室", Cell.Kind.HOUSEHOLD, parent=building_1)
    square = factories.cell("南园广场", Cell.Kind.PUBLIC_AREA, parent=world.community)
    other_building = factories.cell("新风1号楼", Cell.Kind.BUILDING, parent=world.other_community)
    responsibility(world.branch_a, world.company)
    responsibility(world.group_a, estate)
    responsibility(world.branch_b, world.other_community)
    driver = factories.member(world.group_a, "赵师傅", workplace=line_1, residence=building_1)
    colleague = factories.person("钱群众", workplace=line_2, residence=building_2)
    return Grid(
        fleet, line_1, line_2, repair_team, post, estate, building_1, building_2, household, square,
        other_building, driver, colleague,
    )  # fmt: skip
