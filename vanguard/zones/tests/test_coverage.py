"""Coverage (党员全覆盖): exactly the team, line, building and public-area cells under an organisation's
responsibilities that no zone of the year with a party member covers — in the same few queries however
large the subtree — and the suggestion that fills a gap."""

from __future__ import annotations

import pytest
from django.db import connection
from django.http import Http404
from django.test.utils import CaptureQueriesContext

from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.zones import coverage, selectors
from vanguard.zones.models import Zone, ZoneRole

from . import zone_factories as zf

pytestmark = pytest.mark.django_db

THIS = selectors.this_year()


@pytest.fixture
def grid(world):
    return zf.build_grid(world)


def _uncovered(organisation, year=THIS) -> list[str]:
    return [c.path for c in coverage.coverage(organisation=organisation, year=year).uncovered]


BRANCH_A_TARGETS = [
    "公交公司/一车队",
    "公交公司/二车队/1路",
    "公交公司/二车队/2路",
    "公交公司/二车队/维修班组",
    "东风街道/南园社区/南园小区/1号楼",
    "东风街道/南园社区/南园小区/2号楼",
]


def test_targets_are_the_teams_lines_buildings_and_public_areas_under_the_responsibilities(world, grid):
    result = coverage.coverage(organisation=world.branch_a, year=THIS)
    # Not the post, the fleet, the estate or the household; nor 南园广场, which branch A does not answer for.
    assert sorted(c.path for c in result.uncovered) == sorted(BRANCH_A_TARGETS)
    assert (result.cells_total, result.cells_covered, result.percent) == (6, 0, 0)
    assert {c.kind_label for c in result.uncovered} == {"班组", "线路", "楼栋"}


def test_a_zone_with_a_member_covers_its_cells_and_everything_under_them(world, grid):
    zf.zone(world.branch_a, "二车队", cells=[grid.fleet], lead=grid.driver.person)
    zf.zone(world.group_a, "1号楼", cells=[grid.building_1], kind=Zone.Kind.AREA, lead=world.member_a.person)
    # In the grid's tree order.
    assert _uncovered(world.branch_a) == ["东风街道/南园社区/南园小区/2号楼", "公交公司/一车队"]
    result = coverage.coverage(organisation=world.branch_a, year=THIS)
    assert (result.cells_total, result.cells_covered, result.percent) == (6, 4, 66)


def test_a_zone_whose_roles_are_held_by_non_members_does_not_cover(world, grid):
    zone = zf.zone(world.branch_a, "2路", cells=[grid.line_2])
    ZoneRole.objects.create(zone=zone, kind=zf.role_kind("业务带头人"), person=grid.colleague)
    assert "公交公司/二车队/2路" in _uncovered(world.branch_a)
    ZoneRole.objects.create(zone=zone, kind=zf.role_kind("监督员"), person=world.member_a.person)
    assert "公交公司/二车队/2路" not in _uncovered(world.branch_a)


def test_only_the_years_zones_count(world, grid):
    zf.zone(world.branch_a, "二车队", cells=[grid.fleet], lead=grid.driver.person, year=THIS - 1)
    assert len(_uncovered(world.branch_a)) == 6
    assert len(_uncovered(world.branch_a, THIS - 1)) == 3


def test_a_zone_of_another_organisation_covers_too(world, grid):
    # Branch B's zone over a cell of branch A's grid (made directly: the services would refuse it).
    zf.zone(world.branch_b, "跨支部", cells=[world.team], lead=world.member_b.person)
    assert "公交公司/一车队" not in _uncovered(world.branch_a)


def test_a_committee_sees_the_union_of_its_branches(world, grid):
    result = coverage.coverage(organisation=world.committee, year=THIS)
    assert sorted(c.path for c in result.uncovered) == sorted(
        [*BRANCH_A_TARGETS, "东风街道/新风社区/新风1号楼"]
    )
    # A group answers for its own part only.
    assert _uncovered(world.group_a) == BRANCH_A_TARGETS[4:]


def test_an_organisation_without_responsibilities_has_nothing_to_cover(world):
    result = coverage.coverage(organisation=world.branch_a, year=THIS)
    assert (result.cells_total, result.cells_covered, result.uncovered, result.percent) == (0, 0, [], 100)


def test_many_responsibility_roots_give_the_same_answer(world, grid, monkeypatch):
    zf.zone(world.branch_a, "二车队", cells=[grid.fleet], lead=grid.driver.person)
    expected = coverage.coverage(organisation=world.committee, year=THIS)
    # A city's office: too many roots for index ranges, so an EXISTS per cell instead.
    monkeypatch.setattr(coverage, "MAX_RANGES", 0)
    assert coverage.coverage(organisation=world.committee, year=THIS) == expected


def _grow(world, lines: int, buildings: int) -> None:
    fleet = factories.cell(f"车队{lines}", Cell.Kind.DEPARTMENT, parent=world.company)
    for n in range(lines):
        line = factories.cell(f"{n}路", Cell.Kind.LINE, parent=fleet)
        if n % 2:
            zf.zone(world.branch_a, f"{fleet.name}/{n}路", cells=[line], lead=world.member_a.person)
    estate = factories.cell(f"小区{buildings}", Cell.Kind.ESTATE, parent=world.community)
    zf.responsibility(world.branch_a, estate)
    for n in range(buildings):
        factories.cell(f"{n}号楼", Cell.Kind.BUILDING, parent=estate)


def _queries(organisation) -> tuple[int, coverage.Coverage]:
    with CaptureQueriesContext(connection) as captured:
        result = coverage.coverage(organisation=organisation, year=THIS)
    return len(captured), result


def test_the_query_count_does_not_grow_with_the_subtree(world, grid):
    _grow(world, lines=2, buildings=2)
    small, small_result = _queries(world.committee)
    _grow(world, lines=40, buildings=30)
    large, large_result = _queries(world.committee)
    assert large_result.cells_total == small_result.cells_total + 70
    assert len(large_result.uncovered) == len(small_result.uncovered) + 50
    assert small == large <= 5


# --- filling a gap -----------------------------------------------------------------------------------------


def test_the_suggestion_is_the_branchs_members_nearest_the_cell_fewest_zones_first(world, grid, secretary_a):
    # Two members of group A drive 2路's fleet; one already leads a zone this year.
    busy = factories.member(world.group_a, "孙师傅", workplace=grid.line_2)
    free = factories.member(world.group_a, "周师傅", workplace=grid.line_2)
    zf.zone(world.branch_a, "维修", cells=[grid.repair_team], lead=busy.person)
    other_branch = factories.member(world.branch_b, "吴师傅", workplace=grid.line_2)
    options = coverage.fill_options(
        user=secretary_a, organisation=world.branch_a, cell=grid.line_2, year=THIS
    )
    names = [s.member.person.name for s in options.suggestions]
    # On the line itself first (fewest zones first), then in its fleet (赵师傅 on 1路), then the company.
    assert names == ["周师傅", "孙师傅", "赵师傅", "王建国"]
    assert other_branch.person.name not in names
    assert [s.near for s in options.suggestions] == ["2路", "2路", "二车队", "公交公司"]
    assert [s.zone_count for s in options.suggestions][:2] == [0, 1]
    assert options.path == "公交公司/二车队/2路"
    assert options.new_zone_organisation == world.branch_a
    assert free.person.name == names[0]


def test_the_suggestion_for_a_building_looks_at_where_members_live(world, grid, secretary_a):
    options = coverage.fill_options(
        user=secretary_a, organisation=world.branch_a, cell=grid.building_2, year=THIS
    )
    # 南园小区 is group A's: its branch's members who live nearest. 赵师傅 lives in 1号楼, 王建国 in 南园社区.
    assert [(s.member.person.name, s.via, s.near) for s in options.suggestions] == [
        ("赵师傅", "home", "南园小区"),
        ("王建国", "home", "南园社区"),
    ]
    assert options.new_zone_organisation == world.group_a


def test_the_suggestion_lists_at_most_ten_and_only_members_the_user_sees(world, grid, secretary_a):
    for n in range(12):
        factories.member(world.branch_a, f"司机{n}", workplace=grid.line_2)
    options = coverage.fill_options(
        user=secretary_a, organisation=world.branch_a, cell=grid.line_2, year=THIS
    )
    assert len(options.suggestions) == 10


def test_existing_zones_over_the_cell_are_offered(world, grid, secretary_a):
    zone = zf.zone(world.branch_a, "二车队", cells=[grid.fleet])
    options = coverage.fill_options(
        user=secretary_a, organisation=world.branch_a, cell=grid.line_2, year=THIS
    )
    assert options.zones == [zone]


def test_there_is_no_suggestion_for_a_cell_the_organisation_does_not_answer_for(world, grid, secretary_b):
    with pytest.raises(Http404):
        coverage.fill_options(user=secretary_b, organisation=world.branch_b, cell=grid.line_2, year=THIS)
    with pytest.raises(Http404):
        # A post is not a target.
        coverage.fill_options(user=secretary_b, organisation=world.branch_a, cell=grid.post, year=THIS)
