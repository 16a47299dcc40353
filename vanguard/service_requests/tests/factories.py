"""Builders for residents' requests, used by this app's tests and the access sweep."""

from __future__ import annotations

from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.zones.tests import zone_factories as zf

from .. import services
from ..models import ServiceRequest


def estate(world) -> Cell:
    """南园小区 in 南园社区, with 1号楼 (branch A's zone covers it, led by member_a) and 2号楼 (no zone)."""
    existing = Cell.objects.filter(path__startswith=world.community.path, name="南园小区").first()
    if existing is not None:
        return existing
    place = factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
    factories.cell("1号楼", Cell.Kind.BUILDING, parent=place)
    factories.cell("2号楼", Cell.Kind.BUILDING, parent=place)
    return place


def building(world, name: str) -> Cell:
    return Cell.objects.get(path__startswith=estate(world).path, name=name)


def zone(world):
    """Branch A's zone over 1号楼, led by member_a."""
    from vanguard.zones.models import Zone

    existing = Zone.objects.filter(organisation=world.branch_a, name="南园1号楼责任区").first()
    if existing is not None:
        return existing
    zf.responsibility(world.branch_a, world.community)
    return zf.zone(
        world.branch_a,
        "南园1号楼责任区",
        cells=[building(world, "1号楼")],
        kind="area",
        lead=world.member_a.person,
        service_phone="0551-12345678",
    )


def submit(world, **overrides) -> ServiceRequest:
    """A request for help from the board of branch A's zone."""
    values = {
        "category": "drain",
        "description": "厨房下水道堵了,水漫出来了",
        "name": "张阿姨",
        "phone": "13600001111",
        "consent": True,
        "subject": services.Subject(zone=zone(world), cell=building(world, "1号楼")),
    }
    values.update(overrides)
    return services.submit(**values)
