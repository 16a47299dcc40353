"""Demo data of a zone's work: tasks, the work plan (工作运行表) and activities (one area of the demo build,
see builder.AREAS; it runs after the zones area and reads the zones that area made).

- Each of this year's demo zones gets three tasks in seed 001's six categories, in turn from zone to zone:
  one done, one open and due next month, and a third open one, which in the first zone of each branch is
  already past its date (the secretary's overdue list has something in it).
- Each zone's work plan has a weekly patrol (责任区巡查) and a monthly 党员奉献日 for the whole year, led
  by the zone's responsible member.
- Each branch with zones records two activities (a 党员奉献日 last month and a clean-up a fortnight ago) with
  up to eight of its members and their hours; the `member` login took part in its branch's, and has two
  tasks of their own (one to mark done from the phone).

Every write goes through vanguard.zones.work_services as the demo's admin, keyed on natural keys (a task
or a plan line by its zone and title, an activity by its organisation and title): a second run adds
nothing. Zones not made (an earlier area missing) are skipped.
"""

from __future__ import annotations

import datetime as dt
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q

from vanguard.org.models import Member, Organisation, Person
from vanguard.org.validators import today
from vanguard.zones import work_services as services
from vanguard.zones.models import Activity, Task, WorkPlanEntry, Zone, ZoneRole

from . import data

if TYPE_CHECKING:
    from .builder import Demo

C = Task.Category
# Per category: (a task of a work zone — a line, a team — , a task of an area zone — a green, an estate).
TITLES: dict[str, tuple[str, str]] = {
    C.PUBLICITY: ("向联系人宣传党的路线方针政策,每月谈心一次", "开展爱绿护绿宣传,发放倡议书"),
    C.OPERATIONS: ("做好责任区内一人一事的思想工作,消除安全隐患", "完成绿地除草和花木修剪养护"),
    C.CIVILITY: ("开展“争先创优”文明班组创建", "组织居民参加“文明楼院”评比"),
    C.INTEGRITY: ("学习党风廉政建设规定,责任区内无违纪事件", "公开服务承诺,接受居民监督"),
    C.CULTIVATION: ("协助培养联系一名入党积极分子", "联系热心居民和青年志愿者参加活动"),
    C.ASSIGNED: ("完成党支部交办的年度重点工作", "配合社区完成环境综合整治"),
}
CATEGORIES = list(TITLES)
PATROL = "责任区巡查"
DEDICATION = "党员奉献日"
ACTIVITIES = [
    # (title, days ago, what was done, hours each)
    ("党员奉献日:责任区环境清理", 30, "清理卫生死角,清运垃圾,修剪绿篱;群众反映良好。", "3"),
    ("义务劳动:擦洗站台和宣传栏", 14, "擦洗候车亭和宣传栏,更换破损的公开图板。", "2"),
]
MEMBER_TASKS = [
    (C.CULTIVATION, "每月找联系的入党积极分子谈一次心"),
    (C.PUBLICITY, "向班组职工宣讲安全行车新规定"),
]


def _demo_q(prefix: str) -> Q:
    names = [name for name, _kind, _children in data.organisation_trees()]
    q = Q(pk__in=[])
    for root in Organisation.objects.get_root_nodes().filter(name__in=names):
        q |= root.subtree_q(prefix)
    return q


def _zones() -> list[Zone]:
    return list(
        Zone.objects.filter(_demo_q("organisation__"), year=today().year)
        .select_related("organisation")
        .order_by("organisation__path", "name", "pk")
    )


def _lead(zone: Zone) -> Person | None:
    role = (
        ZoneRole.objects.filter(zone=zone, kind__is_lead=True).select_related("person").order_by("pk").first()
    )
    return role.person if role is not None else None


def _task(demo: Demo, existing: set, **fields) -> None:
    key = (fields.get("zone").pk if fields.get("zone") else None, fields["title"])
    if key in existing:
        return
    done_on = fields.pop("done_on", None)
    task = services.task_create(actor=demo.actor, **fields)
    if done_on is not None:
        services.task_complete(actor=demo.actor, task=task, done_on=done_on)
    existing.add(key)


def _zone_tasks(demo: Demo, zones: list[Zone]) -> None:
    now = today()
    existing = set(Task.objects.filter(zone__in=zones).values_list("zone_id", "title"))
    seen_branches: set[int] = set()
    for n, zone in enumerate(zones):
        area = zone.kind == Zone.Kind.AREA
        first_of_branch = zone.organisation_id not in seen_branches
        seen_branches.add(zone.organisation_id)
        categories = [CATEGORIES[(3 * n + i) % len(CATEGORIES)] for i in range(3)]
        titles = [TITLES[c][1 if area else 0] for c in categories]
        due = [now - dt.timedelta(days=20), now + dt.timedelta(days=30)]
        due.append(now - dt.timedelta(days=7) if first_of_branch else dt.date(now.year, 12, 31))
        for i, (category, title) in enumerate(zip(categories, titles, strict=True)):
            _task(
                demo,
                existing,
                zone=zone,
                category=category,
                title=title,
                due_date=due[i],
                description="",
                done_on=now - dt.timedelta(days=21) if i == 0 else None,
            )


def _member_tasks(demo: Demo) -> None:
    member = Member.objects.filter(person__id_number=demo.login_people.get("member", "-")).first()
    if member is None:
        return
    existing = set(Task.objects.filter(member=member, zone=None).values_list("zone_id", "title"))
    now = today()
    for i, (category, title) in enumerate(MEMBER_TASKS):
        _task(
            demo,
            existing,
            member=member,
            category=category,
            title=title,
            due_date=now + dt.timedelta(days=10 + 10 * i),
            done_on=now - dt.timedelta(days=3) if i == 1 else None,
        )


def _plans(demo: Demo, zones: list[Zone]) -> None:
    year = today().year
    first_monday = dt.date(year, 1, 1) + dt.timedelta(days=(7 - dt.date(year, 1, 1).weekday()) % 7)
    existing = set(WorkPlanEntry.objects.filter(zone__in=zones).values_list("zone_id", "title"))
    for zone in zones:
        lead = _lead(zone)
        lines = [
            (
                PATROL,
                WorkPlanEntry.Recurrence.WEEKLY,
                first_monday,
                "检查责任区安全、卫生和设施,记录发现的问题。",
            ),
            (
                DEDICATION,
                WorkPlanEntry.Recurrence.MONTHLY,
                dt.date(year, 1, 5),
                "全体党员参加义务劳动和志愿服务。",
            ),
        ]
        for title, recurrence, starts_on, notes in lines:
            if (zone.pk, title) in existing:
                continue
            services.plan_entry_create(
                actor=demo.actor,
                zone=zone,
                title=title,
                recurrence=recurrence,
                starts_on=starts_on,
                ends_on=dt.date(year, 12, 31),
                person=lead,
                notes=notes,
            )


def _branch_of(organisation: Organisation) -> Organisation:
    if organisation.kind == Organisation.Kind.GROUP:
        return Organisation.objects.get(path=organisation.path[: -Organisation.steplen])
    return organisation


def _activities(demo: Demo, zones: list[Zone]) -> None:
    by_branch: dict[int, tuple[Organisation, Zone]] = {}
    for zone in zones:
        branch = _branch_of(zone.organisation)
        by_branch.setdefault(branch.pk, (branch, zone))
    member_person = Person.objects.filter(id_number=demo.login_people.get("member", "-")).first()
    now = today()
    for branch, zone in by_branch.values():
        existing = set(Activity.objects.filter(organisation=branch).values_list("title", flat=True))
        members = list(
            Member.objects.filter(branch.subtree_q("organisation__"))
            .select_related("person")
            .order_by("pk")[:8]
        )
        people = [m.person for m in members]
        member_org = getattr(getattr(member_person, "member", None), "organisation", None)
        if member_org is not None and member_org.path.startswith(branch.path):
            people = [member_person, *[p for p in people if p.pk != member_person.pk]][:8]
        for n, (title, days_ago, record, hours) in enumerate(ACTIVITIES):
            if title in existing:
                continue
            services.activity_create(
                actor=demo.actor,
                organisation=branch,
                zone=zone,
                title=title,
                held_on=now - dt.timedelta(days=days_ago),
                record=record,
                participants=[
                    # One took part for half the time: the hours are not all the same.
                    services.Participation(p, Decimal(hours) / (2 if (i + n) % 5 == 4 else 1))
                    for i, p in enumerate(people)
                ],
            )


def build(demo: Demo) -> None:
    zones = _zones()
    _zone_tasks(demo, zones)
    _member_tasks(demo)
    _plans(demo, zones)
    _activities(demo, zones)


def reset() -> None:
    # Before the zones, the people and the trees: participants hold their person, activities their
    # organisation (both PROTECT).
    Activity.objects.filter(_demo_q("organisation__")).delete()
    Task.objects.filter(_demo_q("zone__organisation__") | _demo_q("member__organisation__")).delete()
    WorkPlanEntry.objects.filter(_demo_q("zone__organisation__")).delete()
