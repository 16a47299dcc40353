"""The demo's zones: seed 000's three zones of 华盛一区 with their six roles, the bus company's teams and
lines with exactly the deliberate gaps, and last year's zones that copying a year turns into this year's."""

from __future__ import annotations

import pytest
from django.db import transaction

from vanguard.accounts.scope import SYSTEM
from vanguard.demo import builder
from vanguard.demo import zones as demo_zones
from vanguard.org.models import Organisation
from vanguard.zones import coverage, selectors, services
from vanguard.zones.models import Responsibility, Zone, ZoneRole, ZoneRoleKind


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the module (a build takes seconds), in a transaction rolled back when the module is done:
    committed, its audit records (which nothing may delete) would stay behind for other tests to count."""
    with django_db_blocker.unblock(), transaction.atomic():
        builder.build_demo()
        yield
        transaction.set_rollback(True)


def _org(path: str) -> Organisation:
    node = None
    for name in path.split("/"):
        node = Organisation.children_of(node).get(name=name)
    return node


def _uncovered(organisation: Organisation) -> list[str]:
    return [
        c.path for c in coverage.coverage(organisation=organisation, year=selectors.this_year()).uncovered
    ]


@pytest.mark.django_db
def test_coverage_of_the_bus_company_lists_exactly_the_deliberate_gaps(demo):
    result = coverage.coverage(organisation=_org("市公交公司党委"), year=selectors.this_year())
    assert sorted(c.path for c in result.uncovered) == demo_zones.UNCOVERED
    # Four 分公司, two fleets each, three lines and two teams per fleet.
    assert result.cells_total == 40
    assert result.cells_covered == 36


@pytest.mark.django_db
def test_every_other_cell_of_the_demo_has_a_party_member(demo):
    for root in ("华北油田华盛综合服务处党委", "东风街道党工委"):
        result = coverage.coverage(organisation=_org(root), year=selectors.this_year())
        assert result.uncovered == [], root
        assert result.cells_total > 0


@pytest.mark.django_db
def test_the_gaps_are_of_three_sorts(demo):
    this = selectors.this_year()
    names = {c.path: c for c in coverage.coverage(organisation=_org("市公交公司党委"), year=this).uncovered}
    no_member = names[demo_zones.NO_MEMBER]
    zone = Zone.objects.get(year=this, cells__pk=no_member.id)
    assert zone.roles.exists() and not zone.roles.filter(person__member__isnull=False).exists()
    for path in demo_zones.NO_ZONE:
        assert not Zone.objects.filter(year=this, cells__pk=names[path].id).exists()


@pytest.mark.django_db
def test_huasheng_has_seed_000s_three_zones_with_the_six_roles_filled(demo):
    branch = _org("华北油田华盛综合服务处党委/第一物业服务站党支部")
    zones = Zone.objects.filter(organisation=branch, year=selectors.this_year())
    assert set(zones.values_list("name", flat=True)) == {
        "同心广场绿化工作区",
        "怡馨园绿化工作区",
        "中心路美化工作区",
    }
    six = set(ZoneRoleKind.objects.values_list("name", flat=True))
    assert len(six) == 6
    for zone in zones:
        assert set(ZoneRole.objects.filter(zone=zone).values_list("kind__name", flat=True)) == six
        assert zone.commitment and zone.service_phone


@pytest.mark.django_db
def test_every_bus_branch_and_community_branch_has_its_responsibility(demo):
    for sub in ("第一分公司", "第二分公司", "第三分公司", "第四分公司"):
        branch = _org(f"市公交公司党委/{sub}党支部")
        assert list(
            Responsibility.objects.filter(organisation=branch).values_list("cell__name", flat=True)
        ) == [sub]
    assert Responsibility.objects.filter(
        organisation__name="南园社区第一党支部", cell__name="南园社区"
    ).exists()


@pytest.mark.django_db
def test_copying_last_year_fills_the_first_branchs_gap(demo):
    branch = _org(demo_zones.LAST_YEAR_BRANCH)
    this = selectors.this_year()
    result = services.zones_copy_year(actor=SYSTEM, organisation=branch, from_year=this - 1, to_year=this)
    assert [z.name for z in result.copied] == ["调度班组党员责任区"]
    assert len(result.skipped) == 9
    assert sorted(_uncovered(_org("市公交公司党委"))) == sorted(
        set(demo_zones.UNCOVERED) - {demo_zones.NO_ZONE[0]}
    )


@pytest.mark.django_db
def test_the_member_login_leads_a_zone_and_the_community_sees_nanyuans(demo):
    from vanguard.accounts.models import User

    member = User.objects.get(username="member")
    mine = selectors.zone_list(user=member, filters=selectors.ZoneFilters(year=selectors.this_year()))
    assert mine.exists()
    community = User.objects.get(username="community")
    names = set(selectors.zone_list(user=community).values_list("name", flat=True))
    assert names == {"南园小区党员责任区", "书香苑党员责任区"}


def _zone_counts() -> tuple[int, int, int, int]:
    return (
        Zone.objects.count(),
        ZoneRole.objects.count(),
        Zone.cells.through.objects.count(),
        Responsibility.objects.count(),
    )


@pytest.mark.django_db
def test_a_second_build_adds_no_zone_role_or_responsibility(demo):
    before = _zone_counts()
    builder.build_demo()
    assert _zone_counts() == before


@pytest.mark.django_db
def test_every_demo_zone_keeps_the_responsibility_rule(demo):
    for zone in Zone.objects.select_related("organisation").prefetch_related("cells"):
        zone.full_clean()
        assert services._cell_errors(zone.organisation, list(zone.cells.all())) == [], zone.name
