"""Demo data of the contacts app: one area of the demo build (see builder.AREAS).

Seed 001 gives each member two or three key contacts a year among the people around them, talked with
monthly, and the activists to cultivate; seed 002 gives community members their 联系户 households. The
demo does this for a few branches — the secretary login's 第一分公司党支部 (the `member` login among them),
华盛's property station branch and 南园社区第一党支部 — with a few members left below two on purpose, and
talks from the start of the year up to today, some contacts not yet talked with this month.

The contacts are people the demo already has (colleagues who are not members, residents, activists): no
person is made here. Like the people area it writes in bulk, validating every row, without audit records.
It plans the same contacts on every run (its own seeded random source, people in identity-number order)
and adds only the assignments that are missing, with talks for those alone; assignments that exist are
left as they are, with whatever talks someone logged while trying the demo.
"""

from __future__ import annotations

import calendar
import datetime as dt
import random
from collections import Counter
from dataclasses import dataclass, field
from typing import TYPE_CHECKING

from django.db.models import Q

from vanguard.contacts.models import ContactAssignment, Talk
from vanguard.org.models import Activist, Member, Organisation, Person
from vanguard.org.validators import today

from . import data

if TYPE_CHECKING:
    from .builder import Demo

K = ContactAssignment.Kind

# How often one person may be someone's contact in the demo's year: a resident may be the 联系户 of two
# members (a couple of neighbours), an activist has one member cultivating them.
MAX_USES = {K.KEY: 2, K.HOUSEHOLD: 2, K.CULTIVATION: 1}

# Members (by position in their branch, in identity-number order) deliberately left below two contacts,
# so the secretary's list has something to show: position → how many they get.
BELOW_TWO = {2: 1, 5: 0, 9: 1}

TALKS = {
    K.KEY: (
        [
            "聊了最近的排班和休息情况,他说早班连续太多,有些疲劳。",
            "谈了安全行车和文明服务,交流了遇到乘客纠纷时的处理办法。",
            "了解到家里老人住院,生活上有些困难。",
            "宣传了公司今年的重点工作和党的有关政策,听取了他对线路调整的意见。",
            "一起学习了安全生产规章,谈到“三违”现象的危害。",
            "谈了岗位技能比武的准备情况,鼓励他报名参加。",
        ],
        [
            "反映早班车次间隔过紧。",
            "希望维修班组配件供应更及时。",
            "家中老人看病需要人照顾。",
            "对绩效考核办法有意见。",
        ],
        [
            "已向支部反映,支部与调度协调。",
            "已联系工会申请困难补助。",
            "下次谈话时再了解进展。",
            "已转告分公司领导,下月例会上答复。",
        ],
    ),
    K.HOUSEHOLD: (
        [
            "上门走访,了解家庭生活情况,老人身体尚好。",
            "宣传了社区垃圾分类和平安社区建设。",
            "谈到楼道堆物和消防通道的问题。",
            "了解到下水道经常堵塞,影响生活。",
            "节前走访慰问,送去社区的慰问品。",
            "介绍了社区党员志愿服务队的服务项目和联系电话。",
        ],
        ["楼道灯坏了一个多月。", "下水道堵塞。", "希望社区组织老年人健康讲座。", "小区停车难。"],
        [
            "已报物业维修,三天内修好。",
            "已转社区居委会处理。",
            "联系党员志愿服务队上门疏通。",
            "已向社区书记反映。",
        ],
    ),
    K.CULTIVATION: (
        [
            "与入党积极分子谈心,交流学习党章的体会。",
            "听取了思想汇报,鼓励其在岗位上发挥带头作用。",
            "谈了近期的工作表现和存在的不足。",
            "一起学习了党的基本知识,布置了下月的学习内容。",
        ],
        ["对党的历史了解不够系统。", "工作忙,学习时间不足。"],
        ["推荐了学习书目,下月交流。", "已向支部汇报培养情况。"],
    ),
}
TALK_KINDS = {
    K.KEY: [Talk.Kind.TALK, Talk.Kind.TALK, Talk.Kind.PHONE],
    K.HOUSEHOLD: [Talk.Kind.VISIT, Talk.Kind.VISIT, Talk.Kind.PHONE],
    K.CULTIVATION: [Talk.Kind.TALK],
}


@dataclass
class Pool:
    """People one branch's members may keep as contacts of one kind, handed out in turn."""

    kind: str
    people: list[Person]
    turn: int = 0

    def take(self, uses: Counter, exclude: set[int]) -> Person | None:
        for _ in range(len(self.people)):
            person = self.people[self.turn % len(self.people)]
            self.turn += 1
            if uses[person.pk] < MAX_USES[self.kind] and person.pk not in exclude:
                uses[person.pk] += 1
                return person
        return None


@dataclass
class BranchPlan:
    organisation: str  # full path in demo.orgs
    # Each contact slot's pools, in order of preference: the first with someone left gives the contact.
    slots: list[list[Pool]] = field(default_factory=list)


def _bare_people(q: Q) -> list[Person]:
    """The masses: people who are neither members nor activists, in identity-number order."""
    return list(
        Person.objects.filter(q, member__isnull=True, activist__isnull=True).order_by("id_number", "pk")
    )


def _activists(organisation: Organisation) -> list[Person]:
    return list(
        Person.objects.filter(organisation.subtree_q("activist__organisation__"), member__isnull=True)
        .exclude(activist__stage=Activist.Stage.ADMITTED)
        .order_by("id_number", "pk")
    )


def _plans(demo: Demo) -> list[BranchPlan]:
    cells, orgs = demo.cells, demo.orgs

    def under(cell_key: str, prefix: str) -> Q:
        return cells[cell_key].subtree_q(prefix)

    street_residents = _bare_people(under(data.STREET, "residence__") & Q(workplace__isnull=True))
    south_garden = _bare_people(under(f"{data.STREET}/南园社区", "residence__") & Q(workplace__isnull=True))

    bus_branch = f"{data.BUS_ORG}/{data.BUS_SUBSIDIARIES[0]}党支部"
    bus_colleagues = Pool(
        K.KEY, _bare_people(under(f"{data.BUS_COMPANY}/{data.BUS_SUBSIDIARIES[0]}", "workplace__"))
    )
    bus_activists = Pool(K.CULTIVATION, _activists(orgs[bus_branch]))
    bus_homes = Pool(K.HOUSEHOLD, street_residents)
    bus_more_colleagues = Pool(K.KEY, street_residents)

    huasheng_branch = f"{data.HUASHENG_ORG}/{data.HUASHENG_PROPERTY_BRANCH}"
    station = f"{data.HUASHENG_UNIT}/{data.HUASHENG_AREA}/{data.HUASHENG_PROPERTY_STATION}"
    huasheng_colleagues = Pool(K.KEY, _bare_people(under(station, "workplace__")))
    huasheng_homes = Pool(
        K.HOUSEHOLD, _bare_people(under(data.HUASHENG_AREA, "residence__") & Q(workplace__isnull=True))
    )
    huasheng_activists = Pool(K.CULTIVATION, _activists(orgs[huasheng_branch]))

    community_branch = f"{data.STREET_ORG}/南园社区党委/南园社区第一党支部"
    community_homes = Pool(K.HOUSEHOLD, south_garden)
    community_activists = Pool(K.CULTIVATION, _activists(orgs[community_branch]))
    street_homes = Pool(K.HOUSEHOLD, street_residents)

    return [
        BranchPlan(
            bus_branch,
            [
                [bus_colleagues, bus_more_colleagues],
                [bus_homes, bus_colleagues],
                [bus_activists, bus_colleagues, bus_homes],
            ],
        ),
        BranchPlan(
            huasheng_branch,
            [
                [huasheng_colleagues, huasheng_homes],
                [huasheng_homes, huasheng_colleagues],
                [huasheng_activists, huasheng_homes, huasheng_colleagues],
            ],
        ),
        BranchPlan(
            community_branch,
            [
                [community_homes, street_homes],
                [community_homes, street_homes],
                [community_activists, street_homes],
            ],
        ),
    ]


def _assigned_on(rng: random.Random, year: int, now: dt.date) -> dt.date:
    # Settled at the branch meeting early in the year; now and then a contact added in spring.
    month = 1 if rng.random() < 0.85 else rng.randint(2, 5)
    day = dt.date(year, month, rng.randint(3, 20))
    return min(day, now)


def _talks(rng: random.Random, assignment: ContactAssignment, now: dt.date, *, skip_this_month: bool):
    contents, problems, follow_ups = TALKS[assignment.kind]
    start = assignment.assigned_on
    month = dt.date(start.year, start.month, 1)
    while month <= now:
        first = start.day if (month.year, month.month) == (start.year, start.month) else 1
        last = calendar.monthrange(month.year, month.month)[1]
        current = (month.year, month.month) == (now.year, now.month)
        if current:
            last = now.day
        chance = 0.0 if current and skip_this_month else (0.55 if current else 0.85)
        if first <= last and rng.random() < chance:
            has_problem = rng.random() < 0.35
            yield Talk(
                assignment=assignment,
                held_on=dt.date(month.year, month.month, rng.randint(first, last)),
                kind=rng.choice(TALK_KINDS[assignment.kind]),
                content=rng.choice(contents),
                problems=rng.choice(problems) if has_problem else "",
                follow_up=rng.choice(follow_ups) if has_problem else "",
            )
        month = dt.date(month.year + month.month // 12, month.month % 12 + 1, 1)


def build(demo: Demo) -> None:
    now = today()
    year = now.year
    rng = random.Random(f"vanguard-demo-contacts-{year}")
    member_login = demo.login_people.get("member", "")
    uses: Counter = Counter()
    planned: list[ContactAssignment] = []
    for plan in _plans(demo):
        organisation = demo.orgs[plan.organisation]
        members = list(
            Member.objects.filter(organisation.subtree_q("organisation__"))
            .select_related("person")
            .order_by("person__id_number", "pk")
        )
        for position, member in enumerate(members):
            login = member.person.id_number == member_login
            count = 3 if login else BELOW_TWO.get(position, 3 if rng.random() < 0.4 else 2)
            chosen: set[int] = {member.person_id}
            for slot in plan.slots[:count]:
                for pool in slot:
                    person = pool.take(uses, chosen)
                    if person is not None:
                        chosen.add(person.pk)
                        planned.append(
                            ContactAssignment(
                                member=member,
                                person=person,
                                year=year,
                                kind=pool.kind,
                                assigned_on=_assigned_on(rng, year, now),
                            )
                        )
                        break

    existing = set(
        ContactAssignment.objects.filter(year=year, member_id__in={a.member_id for a in planned}).values_list(
            "member_id", "person_id"
        )
    )
    new = [a for a in planned if (a.member_id, a.person_id) not in existing]
    for assignment in new:
        assignment.full_clean()
    ContactAssignment.objects.bulk_create(new)
    # Not every backend returns keys from a bulk insert; read them back by the natural key.
    ids = {
        (m, p): pk
        for pk, m, p in ContactAssignment.objects.filter(
            year=year, member_id__in={a.member_id for a in new}
        ).values_list("pk", "member_id", "person_id")
    }
    talks: list[Talk] = []
    for n, assignment in enumerate(new):
        assignment.pk = ids[(assignment.member_id, assignment.person_id)]
        # Every fourth contact waits for this month's talk; the `member` login has one such contact.
        skip = n % 4 == 0 or (assignment.member.person.id_number == member_login and assignment.kind == K.KEY)
        for talk in _talks(rng, assignment, now, skip_this_month=skip):
            talk.full_clean()
            talks.append(talk)
    Talk.objects.bulk_create(talks)


def reset() -> None:
    """Remove the contacts of the demo's people (their talks go with them), before the people go."""
    from .builder import demo_people

    people = demo_people()
    ContactAssignment.objects.filter(Q(member__person__in=people) | Q(person__in=people)).delete()
