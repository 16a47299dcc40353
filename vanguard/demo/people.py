"""Who the demo's people are: for each tree of the seed documents, the members, activists and masses
it holds, as unsaved model instances (builder.py validates and writes them).

The specs come out in the same order with the same values on every run (one seeded random source,
dates from a fixed ANCHOR), whatever the database already holds; that is what makes the upsert work.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any

from vanguard.org.models import Activist, Cell, Member, Organisation, Person

from . import data
from .identity import ANCHOR, IdentityMaker

if TYPE_CHECKING:
    from .builder import Demo


@dataclass
class PersonSpec:
    person: Person
    strengths: list[str]
    member: Member | None = None
    activist: Activist | None = None
    login: str = ""


class PeopleMaker:
    """Turns "a driver of 1路 in 第一车队党小组" into a person with consistent identity data."""

    def __init__(self, demo: Demo) -> None:
        self.demo = demo
        self.rng = demo.rng
        self.ids = IdentityMaker(demo.rng)
        self.specs: list[PersonSpec] = []

    def leaves(self, under: str, kinds: Iterable[str]) -> list[Cell]:
        kinds = set(kinds)
        return [c for k, c in self.demo.cells.items() if k.startswith(f"{under}/") and c.kind in kinds]

    def person(
        self,
        *,
        ages: tuple[int, int],
        occupation: str,
        residence: Cell,
        workplace: Cell | None = None,
        male_share: float = 0.5,
        regions: list[str] = data.REGION_CITY,
        login: str = "",
    ) -> PersonSpec:
        ids = self.ids
        gender = ids.gender(male_share)
        birth = ids.birth_date(*ages)
        person = Person(
            name=ids.name(gender, birth),
            gender=gender,
            birth_date=birth,
            id_number=ids.id_number(birth, gender, regions),
            mobile=ids.mobile(),
            occupation=occupation,
            workplace=workplace,
            residence=residence,
        )
        spec = PersonSpec(person, ids.strengths(occupation), login=login)
        self.specs.append(spec)
        if login:
            self.demo.login_people[login] = person.id_number
        return spec

    def member(self, org_key: str, category: str = Member.Category.IN_SERVICE, **person: Any) -> PersonSpec:
        spec = self.person(**person)
        spec.member = Member(
            organisation=self.demo.orgs[org_key],
            status=Member.Status.FULL,
            category=category,
            join_date=self.ids.join_date(spec.person.birth_date),
        )
        return spec

    def activist(self, org_key: str, stage: str, **person: Any) -> PersonSpec:
        """An activist on the way in; at the ADMITTED stage also the probationary member they became."""
        spec = self.person(**person)
        org = self.demo.orgs[org_key]
        dates = self._stage_dates(stage)
        spec.activist = Activist(organisation=org, stage=stage, **dates)
        if stage == Activist.Stage.ADMITTED:
            spec.member = Member(
                organisation=org,
                status=Member.Status.PROBATIONARY,
                category=Member.Category.IN_SERVICE,
                join_date=dates["admitted_on"],
            )
        return spec

    def _stage_dates(self, stage: str) -> dict[str, dt.date]:
        # Walk back from the latest stage so the dates come out ordered and none after ANCHOR:
        # an application is followed by activist status in months, candidacy after a year of
        # cultivation, admission some months later.
        fields = ["applied_on", "activist_on", "candidate_on", "admitted_on"]
        gaps = [(90, 300), (365, 500), (90, 330)]
        last = Activist.STAGE_ORDER.index(stage)
        dates = [ANCHOR - dt.timedelta(days=self.rng.randint(20, 300))]
        for step in range(last, 0, -1):
            dates.insert(0, dates[0] - dt.timedelta(days=self.rng.randint(*gaps[step - 1])))
        return dict(zip(fields, dates, strict=False))


_ACTIVIST_STAGES = [Activist.Stage.APPLICANT, Activist.Stage.ACTIVIST, Activist.Stage.CANDIDATE]


def _bus_people(make: PeopleMaker, homes: list[Cell]) -> None:
    """Seed 001: drivers on lines, repairers and dispatchers in teams, a branch committee per 分公司.
    They live all over 东风街道, which is what in-service members' 双报到 is about."""
    rng = make.rng
    south_garden = make.leaves(f"{data.STREET}/南园社区", [Cell.Kind.BUILDING])
    for s, sub in enumerate(data.BUS_SUBSIDIARIES):
        branch = f"{data.BUS_ORG}/{sub}党支部"
        sub_cell = make.demo.cells[f"{data.BUS_COMPANY}/{sub}"]
        first = s == 0
        # The branch committee (支委) works in the 分公司's office rather than on a line.
        for n, job in enumerate(["管理人员", "管理人员", "安全员", "调度员"]):
            login = {0: "secretary", 1: "supervisor"}.get(n, "") if first else ""
            make.member(
                branch, ages=(35, 57), occupation=job, workplace=sub_cell, residence=rng.choice(homes),
                male_share=0.7, login=login,
            )  # fmt: skip
        for f, fleet in enumerate(data.BUS_FLEETS):
            group = f"{branch}/{fleet}党小组"
            fleet_key = f"{data.BUS_COMPANY}/{sub}/{fleet}"
            lines = make.leaves(fleet_key, [Cell.Kind.LINE])
            teams = {c.name: c for c in make.leaves(fleet_key, [Cell.Kind.TEAM])}
            jobs = [("驾驶员", None)] * 8 + [("维修工", "维修班组")] * 2 + [("调度员", "调度班组")]
            for n, (job, team) in enumerate(jobs):
                # The member login is a driver who lives in 南园社区, so the community sees them too.
                login = "member" if first and f == 0 and n == 0 else ""
                make.member(
                    group, ages=(24, 57), occupation=job,
                    workplace=teams[team] if team else rng.choice(lines),
                    residence=rng.choice(south_garden) if login else rng.choice(homes),
                    male_share=0.85, login=login,
                )  # fmt: skip
            # One recent admission per fleet (a probationary member) and one on the way in.
            for stage in (Activist.Stage.ADMITTED, _ACTIVIST_STAGES[(s + f) % 3]):
                make.activist(
                    group, stage, ages=(23, 38), occupation="驾驶员", workplace=rng.choice(lines),
                    residence=rng.choice(homes), male_share=0.75,
                )  # fmt: skip
            # Colleagues who are not members: the contacts (联系人) of the fleet's members.
            for job, team in [("驾驶员", None), ("驾驶员", None), ("驾驶员", None), ("维修工", "维修班组")]:
                make.person(
                    ages=(22, 58), occupation=job, workplace=teams[team] if team else rng.choice(lines),
                    residence=rng.choice(homes), male_share=0.8,
                )  # fmt: skip

    office_branch = f"{data.BUS_ORG}/{data.BUS_OFFICE_BRANCH}"
    head_office = f"{data.BUS_COMPANY}/{data.BUS_HEAD_OFFICE}"
    offices = {c.name: c for c in make.leaves(head_office, [Cell.Kind.POST])}
    office_jobs = {
        "党委办公室": ["党务工作者", "管理人员"],
        "财务科": ["会计"],
        "安全技术科": ["工程师", "安全员"],
        "营运调度科": ["调度员", "管理人员"],
    }
    for n in range(2):
        make.member(
            office_branch, ages=(32, 55), occupation="党务工作者", workplace=offices["党委办公室"],
            residence=rng.choice(homes), login="office" if n == 0 else "",
        )  # fmt: skip
    for g, (group, names) in enumerate(data.BUS_OFFICE_GROUPS.items()):
        group_key = f"{office_branch}/{group}"
        for n in range(8):
            if g == 0 and n >= 6:
                # The head office's group keeps its recently retired colleagues.
                make.member(
                    group_key, Member.Category.RETIRED, ages=(60, 72), occupation="退休职工",
                    residence=rng.choice(homes), male_share=0.6,
                )  # fmt: skip
                continue
            office = names[n % len(names)]
            make.member(
                group_key, ages=(26, 58), occupation=rng.choice(office_jobs[office]),
                workplace=offices[office], residence=rng.choice(homes),
            )  # fmt: skip
        make.person(
            ages=(23, 50), occupation=rng.choice(office_jobs[names[0]]), workplace=offices[names[0]],
            residence=rng.choice(homes),
        )  # fmt: skip
        make.person(
            ages=(23, 50), occupation=rng.choice(office_jobs[names[1]]), workplace=offices[names[1]],
            residence=rng.choice(homes),
        )  # fmt: skip
    make.activist(
        f"{office_branch}/业务党小组", Activist.Stage.ACTIVIST, ages=(24, 35), occupation="工程师",
        workplace=offices["安全技术科"], residence=rng.choice(homes),
    )  # fmt: skip


def _huasheng_people(make: PeopleMaker) -> None:
    """Seed 000: the property station keeps 华盛一区 green and clean, the community station serves its
    residents, and the oil field's retired members live there."""
    rng = make.rng
    area = f"{data.HUASHENG_AREA}/{data.HUASHENG_COMMUNITY}"
    homes = make.leaves(area, [Cell.Kind.BUILDING])
    station = f"{data.HUASHENG_UNIT}/{data.HUASHENG_AREA}/{data.HUASHENG_PROPERTY_STATION}"
    teams = {c.name: c for c in make.leaves(station, [Cell.Kind.TEAM])}
    posts = make.leaves(
        f"{data.HUASHENG_UNIT}/{data.HUASHENG_AREA}/{data.HUASHENG_COMMUNITY_STATION}", [Cell.Kind.POST]
    )
    oil = {"regions": data.REGION_OILFIELD}

    branch = f"{data.HUASHENG_ORG}/{data.HUASHENG_PROPERTY_BRANCH}"
    staff = [("物业管理员", None)] * 2 + [("绿化工", "绿化班组")] * 6
    staff += [("保洁员", "保洁班组")] * 4 + [("维修工", "维修班组")] * 4
    for job, team in staff:
        make.member(
            branch, ages=(28, 58), occupation=job,
            workplace=teams[team] if team else make.demo.cells[station],
            residence=rng.choice(homes), male_share=0.6, **oil,
        )  # fmt: skip
    for stage in (Activist.Stage.ADMITTED, Activist.Stage.CANDIDATE):
        make.activist(
            branch, stage, ages=(24, 40), occupation="绿化工", workplace=teams["绿化班组"],
            residence=rng.choice(homes), **oil,
        )  # fmt: skip

    general = f"{data.HUASHENG_ORG}/{data.HUASHENG_GENERAL_BRANCH}"
    for n in range(10):
        make.member(
            f"{general}/{data.HUASHENG_IN_SERVICE_BRANCH}", ages=(26, 56),
            occupation="管理人员" if n < 2 else "社区工作者", workplace=rng.choice(posts),
            residence=rng.choice(homes), male_share=0.35, **oil,
        )  # fmt: skip
    make.activist(
        f"{general}/{data.HUASHENG_IN_SERVICE_BRANCH}", Activist.Stage.APPLICANT, ages=(23, 30),
        occupation="社区工作者", workplace=rng.choice(posts), residence=rng.choice(homes), **oil,
    )  # fmt: skip
    for _ in range(14):
        make.member(
            f"{general}/{data.HUASHENG_RETIRED_BRANCH}", Member.Category.RETIRED, ages=(60, 86),
            occupation="退休职工", residence=rng.choice(homes), male_share=0.55, **oil,
        )  # fmt: skip

    # The masses of 华盛一区: station staff who are not members and residents.
    for n in range(20):
        if n < 8:
            job, team = [("绿化工", "绿化班组"), ("保洁员", "保洁班组")][n % 2]
            make.person(
                ages=(22, 58), occupation=job, workplace=teams[team], residence=rng.choice(homes), **oil
            )
        else:
            make.person(
                ages=(20, 85), occupation=rng.choice(data.RESIDENT_JOBS), residence=rng.choice(homes), **oil
            )


def _street_people(make: PeopleMaker) -> None:
    """Seed 003: each of 东风街道's communities has its own members — retirees, in-service members and
    the special ones (流动, 协解, 家属, 复转军人) — and its residents."""
    rng = make.rng
    specials = [
        Member.Category.FLOATING,
        Member.Category.RELEASED,
        Member.Category.DEPENDANT,
        Member.Category.VETERAN,
    ]
    special_people: dict[str, dict[str, Any]] = {
        Member.Category.FLOATING: {"ages": (25, 50), "regions": data.REGION_ELSEWHERE, "male_share": 0.7},
        Member.Category.RELEASED: {"ages": (42, 58), "male_share": 0.6},
        Member.Category.DEPENDANT: {"ages": (30, 60), "male_share": 0.1},
        Member.Category.VETERAN: {"ages": (28, 55), "male_share": 0.95},
    }
    for k, (name, _type, kind, _estates) in enumerate(data.COMMUNITIES):
        org_name = f"{name}{'党委' if kind == Organisation.Kind.COMMITTEE else '党总支'}"
        branch = f"{data.STREET_ORG}/{org_name}/{name}第一党支部"
        homes = make.leaves(f"{data.STREET}/{name}", [Cell.Kind.BUILDING])
        for n in range(4):
            # Every community's first in-service member works for it; 南园's is the community login.
            login = "community" if name == "南园社区" and n == 0 else ""
            make.member(
                branch, ages=(26, 58),
                occupation="社区工作者" if n == 0 else rng.choice(data.COMMUNITY_IN_SERVICE_JOBS),
                residence=rng.choice(homes), login=login,
            )  # fmt: skip
        for _ in range(4):
            make.member(
                branch, Member.Category.RETIRED, ages=(60, 88),
                occupation=rng.choice(data.COMMUNITY_RETIRED_JOBS), residence=rng.choice(homes),
            )  # fmt: skip
        for category in (specials[k % 4], specials[(k + 1) % 4]):
            make.member(
                branch, category, occupation=rng.choice(data.SPECIAL_JOBS[category]),
                residence=rng.choice(homes), **special_people[category],
            )  # fmt: skip
        make.activist(
            branch, _ACTIVIST_STAGES[k % 3], ages=(23, 40),
            occupation=rng.choice(data.COMMUNITY_IN_SERVICE_JOBS), residence=rng.choice(homes),
        )  # fmt: skip
        for _ in range(8):
            make.person(ages=(20, 88), occupation=rng.choice(data.RESIDENT_JOBS), residence=rng.choice(homes))


def people_specs(demo: Demo) -> list[PersonSpec]:
    make = PeopleMaker(demo)
    _bus_people(make, make.leaves(data.STREET, [Cell.Kind.BUILDING]))
    _huasheng_people(make)
    _street_people(make)
    return make.specs
