"""Demo data of the zones app: responsibilities, zones and their roles (one area of the demo build, see
builder.AREAS).

- Each bus 分公司's branch answers for its 分公司 (its fleets' lines and teams), 机关党支部 for 公司机关; the
  fleets' groups divide them into one zone per line and per team, led by a member who works there.
- 华盛's 第一物业服务站党支部 answers for 华盛一区社区's estates and public areas, divided into seed
  000's three zones with its six roles each.
- Each community branch of 东风街道 answers for its community: one zone per estate.

This year every team and line of the bus company has a zone with a party member but the four of UNCOVERED,
which the coverage page must list. 第一分公司党支部 also has last year's zones, so that copying a year can be
shown: the copy adds only the zone of the one gap in its own grid.

Every write goes through the zones services as the demo's admin, keyed on natural keys (a zone by its
organisation, year and name), so a second run adds nothing.
"""

from __future__ import annotations

from typing import TYPE_CHECKING

from django.db.models import Q

from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import today
from vanguard.zones import services
from vanguard.zones.models import Responsibility, Zone, ZoneRole, ZoneRoleKind

from . import data

if TYPE_CHECKING:
    from .builder import Demo

_BUS = data.BUS_COMPANY
# The gaps, by full path: what the coverage of 市公交公司党委 lists.
NO_ZONE = [
    f"{_BUS}/第一分公司/第二车队/调度班组",  # only last year's zone: copying the year fills it
    f"{_BUS}/第二分公司/第二车队/维修班组",
    f"{_BUS}/第四分公司/第二车队/游1路",
]
NO_MEMBER = f"{_BUS}/第三分公司/第一车队/11路"  # a zone, but nobody in it is a party member
UNCOVERED = sorted([*NO_ZONE, NO_MEMBER])
LAST_YEAR_BRANCH = f"{data.BUS_ORG}/第一分公司党支部"

LEAD, EXPERT, ASSIST, LIAISON, YOUTH, SUPERVISOR = (
    "负责人",
    "业务带头人",
    "社区党总支书记协助",
    "社区联络员",
    "青年志愿者代表",
    "监督员",
)

BUS_COMMITMENT = (
    "亮身份、作表率:安全行车、优质服务,及时做好身边职工一人一事的思想工作,责任区内无违章、无投诉。"
)
HUASHENG_ZONES = [
    # (name = its public area, the estate it also looks after, what it is, its phone)
    ("同心广场绿化工作区", "同心苑", "同心广场及同心苑的绿地、花木养护和日常环境维护", "0317-2721101"),
    ("怡馨园绿化工作区", "怡馨园", "怡馨园小区及其游园的绿地、花木养护和日常环境维护", "0317-2721102"),
    ("中心路美化工作区", None, "中心路两侧的环境卫生、绿化带和公共设施的美化维护", "0317-2721103"),
]
HUASHENG_COMMITMENT = (
    "亮身份、亮承诺、亮标准:绿地无杂草、无垃圾,花木长势良好;爱绿护绿宣传常年不断;居民反映的问题24小时内处理。"
)


def this_year() -> int:
    return today().year


class _Writer:
    """Upserts through the services, with the role kinds read once."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.kinds = {k.name: k for k in ZoneRoleKind.objects.all()}

    def responsibility(self, org_key: str, cell_key: str) -> None:
        organisation, cell = self.demo.orgs[org_key], self.demo.cells[cell_key]
        if not Responsibility.objects.filter(organisation=organisation, cell=cell).exists():
            services.responsibility_create(actor=self.demo.actor, organisation=organisation, cell=cell)

    def zone(
        self,
        organisation: Organisation,
        year: int,
        name: str,
        *,
        kind: str,
        cells: list[Cell],
        scope: str,
        commitment: str,
        phone: str,
        roles: list[tuple[str, Person]],
    ) -> Zone:
        zone = Zone.objects.filter(organisation=organisation, year=year, name=name).first()
        if zone is None:
            zone = services.zone_create(
                actor=self.demo.actor,
                organisation=organisation,
                year=year,
                kind=kind,
                name=name,
                scope=scope,
                commitment=commitment,
                service_phone=phone,
                cells=cells,
            )
        held = set(ZoneRole.objects.filter(zone=zone).values_list("kind__name", "person_id"))
        for kind_name, person in roles:
            kind_obj = self.kinds.get(kind_name)
            if kind_obj is not None and (kind_name, person.pk) not in held:
                services.zone_role_add(actor=self.demo.actor, zone=zone, kind=kind_obj, person=person)
                held.add((kind_name, person.pk))
        return zone


def _members(organisation: Organisation, **filters) -> list[Member]:
    return list(
        Member.objects.filter(organisation=organisation, **filters)
        .select_related("person", "person__residence")
        .order_by("pk")
    )


def _children(demo: Demo, parent_key: str) -> list[tuple[str, Cell]]:
    """The cells right under `parent_key`, in the order the grid was built."""
    depth = parent_key.count("/") + 1
    return [(k, c) for k, c in demo.cells.items() if k.startswith(f"{parent_key}/") and k.count("/") == depth]


# --- the bus company (seed 001) ---------------------------------------------------------------------------


def _bus_lead(members: list[Member], cell: Cell, n: int) -> Member:
    """Who works there, else (无党员的班组,由车下党员充实) one of the fleet's members in turn."""
    working = [m for m in members if m.person.workplace_id == cell.pk]
    return working[0] if working else members[n % len(members)]


def _bus_zones(writer: _Writer, year: int, branches: list[str]) -> None:
    demo = writer.demo
    supervisor_id = demo.login_people.get("supervisor")
    supervisor = Person.objects.filter(id_number=supervisor_id).first() if supervisor_id else None
    for s, sub in enumerate(data.BUS_SUBSIDIARIES):
        branch_key = f"{data.BUS_ORG}/{sub}党支部"
        if branch_key not in branches:
            continue
        for f, fleet in enumerate(data.BUS_FLEETS):
            group = demo.orgs[f"{branch_key}/{fleet}党小组"]
            members = _members(group)
            for n, (key, cell) in enumerate(_children(demo, f"{_BUS}/{sub}/{fleet}")):
                if year == this_year() and key in NO_ZONE:
                    continue
                if key == NO_MEMBER:
                    roles = [(EXPERT, _colleague(cell))]
                else:
                    roles = [(LEAD, _bus_lead(members, cell, n).person)]
                    if supervisor is not None and s == 0:
                        roles.append((SUPERVISOR, supervisor))
                what = (
                    f"{cell.name}全线车辆、站点和驾乘人员"
                    if cell.kind == Cell.Kind.LINE
                    else f"{cell.name}全体职工"
                )
                writer.zone(
                    group,
                    year,
                    f"{cell.name}党员责任区",
                    kind=Zone.Kind.WORK,
                    cells=[cell],
                    scope=what,
                    commitment=BUS_COMMITMENT,
                    phone=f"0311-86{s + 1}{f + 1}{n + 1:03d}",
                    roles=roles,
                )


def _colleague(cell: Cell) -> Person:
    """A colleague who is not a member, working on `cell` or elsewhere in its fleet."""
    fleet_path = cell.path[: -Cell.steplen]
    masses = Person.objects.filter(member__isnull=True, activist__isnull=True).order_by("pk")
    return (
        masses.filter(workplace=cell).first()
        or masses.filter(workplace__path__startswith=fleet_path).first()
        or masses.filter(workplace__isnull=False).first()
    )


# --- 华盛一区 (seed 000) ------------------------------------------------------------------------------------


def _huasheng_zones(writer: _Writer) -> None:
    demo = writer.demo
    org = data.HUASHENG_ORG
    branch = demo.orgs[f"{org}/{data.HUASHENG_PROPERTY_BRANCH}"]
    general = f"{org}/{data.HUASHENG_GENERAL_BRANCH}"
    in_service = demo.orgs[f"{general}/{data.HUASHENG_IN_SERVICE_BRANCH}"]
    retired = demo.orgs[f"{general}/{data.HUASHENG_RETIRED_BRANCH}"]
    community = f"{data.HUASHENG_AREA}/{data.HUASHENG_COMMUNITY}"

    managers = _members(branch, person__occupation="物业管理员")
    gardeners = _members(branch, person__occupation="绿化工")
    cleaners = _members(branch, person__occupation="保洁员")
    secretary = _members(in_service, person__occupation="管理人员")[0]
    liaisons = _members(in_service, person__occupation="社区工作者")
    supervisors = _members(retired)
    community_cell = demo.cells[community]
    young = list(
        Person.objects.filter(member__isnull=True, residence__path__startswith=community_cell.path).order_by(
            "-birth_date", "pk"
        )[: len(HUASHENG_ZONES)]
    )
    for n, (name, estate, what, phone) in enumerate(HUASHENG_ZONES):
        cells = [demo.cells[f"{community}/{name}"]]
        if estate is not None:
            cells.append(demo.cells[f"{community}/{estate}"])
        expert = gardeners[n] if estate is not None else cleaners[0]
        writer.zone(
            branch,
            this_year(),
            name,
            kind=Zone.Kind.AREA,
            cells=cells,
            scope=what,
            commitment=HUASHENG_COMMITMENT,
            phone=phone,
            roles=[
                (LEAD, managers[n % len(managers)].person),
                (EXPERT, expert.person),
                (ASSIST, secretary.person),
                (LIAISON, liaisons[n % len(liaisons)].person),
                (YOUTH, young[n % len(young)]),
                (SUPERVISOR, supervisors[n % len(supervisors)].person),
            ],
        )


# --- 东风街道 (seed 003) -------------------------------------------------------------------------------


def _community_branch(name: str, kind: str) -> str:
    org_name = f"{name}{'党委' if kind == Organisation.Kind.COMMITTEE else '党总支'}"
    return f"{data.STREET_ORG}/{org_name}/{name}第一党支部"


def _street_zones(writer: _Writer) -> None:
    demo = writer.demo
    for c, (name, _type, kind, estates) in enumerate(data.COMMUNITIES):
        branch = demo.orgs[_community_branch(name, kind)]
        members = _members(branch, category=Member.Category.IN_SERVICE)
        for e, estate in enumerate(estates):
            cell = demo.cells[f"{data.STREET}/{name}/{estate}"]
            living = [m for m in _members(branch) if m.person.residence.path.startswith(cell.path)]
            lead = (living or members)[0 if living else e % len(members)]
            writer.zone(
                branch,
                this_year(),
                f"{estate}党员责任区",
                kind=Zone.Kind.AREA,
                cells=[cell],
                scope=f"{estate}各楼栋的居民",
                commitment="联系群众、服务居民:楼栋有事找党员,居民诉求当天回应。",
                phone=f"0311-8702{c + 1}{e + 1}0",
                roles=[(LEAD, lead.person)],
            )


# --- the area ---------------------------------------------------------------------------------------------


def build(demo: Demo) -> None:
    writer = _Writer(demo)
    for sub in data.BUS_SUBSIDIARIES:
        writer.responsibility(f"{data.BUS_ORG}/{sub}党支部", f"{_BUS}/{sub}")
    writer.responsibility(f"{data.BUS_ORG}/{data.BUS_OFFICE_BRANCH}", f"{_BUS}/{data.BUS_HEAD_OFFICE}")
    property_branch = f"{data.HUASHENG_ORG}/{data.HUASHENG_PROPERTY_BRANCH}"
    community = f"{data.HUASHENG_AREA}/{data.HUASHENG_COMMUNITY}"
    for estate in data.HUASHENG_ESTATES:
        writer.responsibility(property_branch, f"{community}/{estate}")
    for area in data.HUASHENG_PUBLIC_AREAS:
        writer.responsibility(property_branch, f"{community}/{area}")
    for name, _type, kind, _estates in data.COMMUNITIES:
        writer.responsibility(_community_branch(name, kind), f"{data.STREET}/{name}")

    bus_branches = [f"{data.BUS_ORG}/{sub}党支部" for sub in data.BUS_SUBSIDIARIES]
    _bus_zones(writer, this_year() - 1, [LAST_YEAR_BRANCH])
    _bus_zones(writer, this_year(), bus_branches)
    _huasheng_zones(writer)
    _street_zones(writer)


def _demo_organisations_q(prefix: str) -> Q:
    names = [name for name, _kind, _children in data.organisation_trees()]
    q = Q(pk__in=[])
    for root in Organisation.objects.get_root_nodes().filter(name__in=names):
        q |= root.subtree_q(prefix)
    return q


def reset() -> None:
    # Roles, cells and tasks go with their zone (CASCADE).
    Zone.objects.filter(_demo_organisations_q("organisation__")).delete()
    Responsibility.objects.filter(_demo_organisations_q("organisation__")).delete()
