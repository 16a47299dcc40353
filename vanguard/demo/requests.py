"""Demo data of residents' requests (群众诉求, issue 9): one area of the demo build (see builder.AREAS), run
after the zones, the model posts and the community's teams it reads.

About thirty requests in 东风街道's communities, in every state of the loop. Only a login with the member
role can act as the member handling a request, so the `member` login (郭晨阳, who lives in 南园社区 and
registered there) handles those that move along; the `community` login (南园社区's worker) dispatches:
- from the boards of 南园社区's two zones (书香苑, 南园小区): routed to the zone's responsible member, some
  waiting for them (待接单; one entered by the worker from a phone call), some dispatched by the community
  to the `member` login;
- from 南园社区's page with no zone (the community itself): boundary cases in its queue — waiting, one
  made 复杂 with a reason, one closed as a duplicate, one dispatched to its 代理家长队, some dispatched to
  the `member` login and some taken by them (接单);
- the `member` login's, all told: closed with ratings 5, 5, 4 and 3, one rated 2 and reopened for the
  secretary's attention, resolved and waiting for a rating (one with two hours recorded as service hours, a
  record the community has yet to verify), accepted, in progress, dispatched and waiting to be accepted, and
  one from their linked household (联系户) in 东晶社区, routed to them by the household's phone number;
- past their time limits: requests in 安民社区, 公园社区 and 新风社区, one of 南园小区's and two the
  `member` login is handling — the sweep escalates them to the branch's secretary, and the one longest
  overdue (ten days, 一般) to the office;
- an opinion and a praise about 南园社区's zones, and a complaint about the 1路 model post, which is also
  an entry of the post's opinion book.

Everything goes through the request services as the resident (actor None), the two logins or the demo's
admin, so timelines and the audit trail are what real use makes; the times of receipt and of each step are
then moved back with queryset updates (time limits recomputed from them, as the services compute them), and
finally `services.sweep()` escalates what is overdue. Each request is keyed on its description: a second run
adds nothing. `reset()` removes every request hanging on the demo's trees (with the opinion book entries and
the unverified service records they made), before the zones, posts and community data go.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.accounts.scope import SYSTEM
from vanguard.community.models import ServiceRecord, Team
from vanguard.contacts.models import ContactAssignment
from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import today
from vanguard.posts.models import ModelPost, Opinion
from vanguard.service_requests import services
from vanguard.service_requests.models import Category, Channel, Event, Kind, ServiceRequest, Urgency
from vanguard.zones.models import Zone

from . import data

if TYPE_CHECKING:
    from .builder import Demo

C = Category
MEMBER, COMMUNITY = "member", "community"  # the demo logins that act here
NANYUAN, SHUXIANG = "南园社区/南园小区", "南园社区/书香苑"  # estates with a zone each (under 东风街道)
POST = "1路党员示范线路"
TEAM = "代理家长队"
# The times a step of the loop sets; they are moved back to the step's time after it ran.
STAMPS = ("accepted_at", "resolved_at", "rated_at", "closed_at")


@dataclass(frozen=True)
class Step:
    """One step of the loop, `after` hours from receipt, by a demo login (`by`; "" the demo's admin)."""

    action: str  # accept, start, resolve, rate, take, dispatch (to the member login), team, urgency, close
    after: float
    by: str = ""
    text: str = ""  # the resolution, the rating's comment, the reason
    rating: int = 0
    hours: str = ""
    urgency: str = ""


@dataclass(frozen=True)
class Spec:
    """A request: what, who, from where (a zone's board by its estate, a cell under 东风街道, a model post),
    received `ago` hours before the build (at the local `clock` time of that day when given)."""

    description: str
    name: str
    phone: str = ""
    category: str = C.OTHER
    kind: str = Kind.REQUEST
    zone: str = ""
    cell: str = ""
    post: str = ""
    channel: str = Channel.ZONE_BOARD
    entered_by: str = ""
    ago: float = 0
    clock: str = ""
    steps: tuple[Step, ...] = ()


def _handled(*steps: Step, dispatched: float | None = None, taken: float | None = None) -> tuple[Step, ...]:
    """The member login's steps, after the community dispatched the request to them or they took it."""
    if dispatched is not None:
        return (Step("dispatch", dispatched, COMMUNITY), *steps)
    return (Step("take", taken, MEMBER), *steps)


def _rated(accept: float, resolve: float, resolution: str, rate: float, rating: int, comment: str):
    return (
        Step("accept", accept, MEMBER),
        Step("resolve", resolve, MEMBER, resolution),
        Step("rate", rate, rating=rating, text=comment),
    )


SPECS = [
    # Handled by the member login: from a zone's board, dispatched to them by the community (its
    # responsible member is busy), or from the community's page, taken from its queue.
    Spec(
        "厨房下水道堵了,洗菜池的水下不去,家里老人腿脚不便,麻烦帮忙疏通一下。",
        "张阿姨",
        "13603110101",
        C.DRAIN,
        zone=SHUXIANG,
        cell=f"{SHUXIANG}/2号楼",
        ago=12 * 24,
        clock="08:20",
        steps=_handled(
            *_rated(
                1,
                5,
                "联系物业维修工一起上门,用疏通机疏通了厨房下水管,提醒老人不要往水池里倒剩饭菜。",
                30,
                5,
                "党员同志当天就来了,非常感谢!",
            ),
            dispatched=0.5,
        ),
    ),
    Spec(
        "楼道里的声控灯坏了好几天了,晚上上下楼看不见,怕老人摔倒。",
        "李先生",
        "13603110102",
        C.REPAIR,
        zone=NANYUAN,
        cell=f"{NANYUAN}/1号楼",
        ago=9 * 24,
        clock="19:05",
        steps=_handled(
            *_rated(3, 20, "更换了3楼和4楼的声控灯开关,楼道已恢复照明。", 50, 4, "修好了,就是等了一天。"),
            dispatched=1,
        ),
    ),
    Spec(
        "老伴住院了,我一个人收拾不过来,想请人帮忙打扫一下家里的卫生。",
        "王奶奶",
        "13603110103",
        C.HOUSEWORK,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=20 * 24,
        clock="09:40",
        steps=_handled(
            Step("start", 48, MEMBER),
            Step("resolve", 9 * 24, MEMBER, "联系社区家政志愿者上门打扫了两次,并帮老人买了一周的菜。"),
            Step("rate", 10 * 24, rating=3, text="帮了忙,就是等的时间有点长。"),
            taken=30,
        ),
    ),
    Spec(
        "小区东门的垃圾桶好几天没人清运,气味很大,招苍蝇。",
        "赵先生",
        "13603110104",
        C.ENVIRONMENT,
        zone=SHUXIANG,
        cell=SHUXIANG,
        ago=6 * 24,
        clock="07:50",
        steps=_handled(
            *_rated(
                2,
                26,
                "联系环卫所加派清运车,东门垃圾已清理干净。",
                50,
                2,
                "只清了一次,第二天又堆满了,问题没有解决。",
            ),
            dispatched=1,
        ),
    ),
    Spec(
        "下周要搬到女儿家住,有几件大家具搬不动,想找几位党员帮帮忙。",
        "刘阿姨",
        "13603110105",
        C.MOVING,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=4 * 24,
        clock="10:15",
        steps=_handled(
            Step("start", 48, MEMBER),
            Step("resolve", 74, MEMBER, "周六上午组织三名党员帮忙把衣柜、床和冰箱搬上了车。"),
            taken=4,
        ),
    ),
    Spec(
        "想咨询一下老旧小区加装电梯的补贴政策和需要准备的材料。",
        "陈先生",
        "13603110106",
        C.POLICY,
        zone=SHUXIANG,
        cell=f"{SHUXIANG}/1号楼",
        ago=20,
        steps=_handled(Step("accept", 6, MEMBER), dispatched=3),
    ),
    # 南园小区: its responsible member has not answered yet.
    Spec(
        "卫生间水管接口漏水,楼下邻居家的天花板都湿了。",
        "孙阿姨",
        "13603110107",
        C.REPAIR,
        zone=NANYUAN,
        cell=f"{NANYUAN}/1号楼",
        ago=2,
    ),
    Spec(
        "单元门口的雨水井堵了,一下雨积水就没过脚面。",
        "周先生",
        "13603110108",
        C.DRAIN,
        zone=NANYUAN,
        cell=f"{NANYUAN}/2号楼",
        ago=30,
    ),
    Spec(
        "老伴一早起来头晕得厉害,子女都不在身边,想请人陪同去医院看看。",
        "蒋大爷",
        "13603110109",
        C.DOCTOR,
        cell=f"{NANYUAN}/3号楼",
        channel=Channel.STAFF,
        entered_by=COMMUNITY,
        ago=0.5,
    ),
    # Other communities: past their time limits.
    Spec(
        "单元门禁坏了,最近常有陌生人进楼发小广告,晚上不太安全。",
        "吴女士",
        "13603110110",
        C.SECURITY,
        zone="安民社区/安民小区",
        cell="安民社区/安民小区/1号楼",
        ago=5,
    ),
    Spec(
        "想请党员教一下怎么用智能手机挂号和缴电费。",
        "郑大爷",
        "13603110111",
        C.OTHER,
        zone="公园社区/公园里小区",
        cell="公园社区/公园里小区/2号楼",
        ago=7 * 24 + 10,
    ),
    Spec(
        "社区活动室的窗户玻璃碎了,孩子们在里面活动不安全。",
        "马女士",
        "13603110112",
        C.ENVIRONMENT,
        cell="新风社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=7 * 24 + 5,
    ),
    # 南园社区's page, no zone: boundary cases in the community's queue.
    Spec(
        "社区南门外的路灯不亮一个多月了,晚上出行不方便。",
        "钱先生",
        "13603110113",
        C.ENVIRONMENT,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=3,
    ),
    Spec(
        "南门外那盏路灯还是不亮,晚上走路心里害怕,请尽快修一下。",
        "钱先生",
        "13603110113",
        C.ENVIRONMENT,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=2,
        steps=(Step("close", 0.5, COMMUNITY, "与前一条“社区南门外路灯不亮”的诉求重复,合并办理。"),),
    ),
    Spec(
        "想了解一下今年城乡居民医保的缴费时间和标准。",
        "冯阿姨",
        "13603110114",
        C.POLICY,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=26,
    ),
    Spec(
        "社区外的空地堆了很多建筑垃圾,希望能清理一下,再建个小花园。",
        "曹女士",
        "13603110115",
        C.ENVIRONMENT,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=2 * 24,
        clock="16:30",
        steps=(
            Step(
                "urgency",
                3,
                COMMUNITY,
                "需要街道、城管和物业共同协调,调整为复杂诉求。",
                urgency=Urgency.COMPLEX,
            ),
        ),
    ),
    Spec(
        "我和爱人都上夜班,孩子放学后没人辅导作业,想找志愿者帮帮忙。",
        "杨女士",
        "13603110116",
        C.HOUSEWORK,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=24,
        steps=(Step("team", 2, COMMUNITY, TEAM),),
    ),
    # The member login: dispatched to them by the community, or taken from its queue.
    Spec(
        "家里电动车的充电器坏了,不知道去哪里修,能不能请懂行的党员帮忙看看。",
        "韩先生",
        "13603110117",
        C.CAR,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=3,
        steps=(Step("dispatch", 1, COMMUNITY),),
    ),
    Spec(
        "家里的老电视换了机顶盒以后不会用了,想请人上门教一下。",
        "许大爷",
        "13603110118",
        C.OTHER,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=24,
        steps=(Step("take", 2, MEMBER), Step("start", 3, MEMBER)),
    ),
    Spec(
        "家里换了新冰箱,旧冰箱太重,想请人帮忙抬到楼下。",
        "何阿姨",
        "13603110119",
        C.MOVING,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=2 * 24,
        clock="11:00",
        steps=(
            Step("take", 1, MEMBER),
            Step("resolve", 6, MEMBER, "下班后和邻居一起把旧冰箱抬到楼下,交给了回收站。", hours="2"),
        ),
    ),
    Spec(
        "家里老是跳闸,一开热水器就断电。",
        "林先生",
        "13603110120",
        C.REPAIR,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=15 * 24,
        clock="18:10",
        steps=(
            Step("take", 0.5, MEMBER),
            Step("start", 1, MEMBER),
            Step("resolve", 3, MEMBER, "检查发现热水器插座老化短路,更换了插座和漏电保护开关。"),
            Step("rate", 24, rating=5, text="小郭很热心,修得又快又好!"),
        ),
    ),
    Spec(
        "楼上卫生间渗水,我家厨房顶棚一直往下滴水。",
        "彭阿姨",
        "13603110121",
        C.REPAIR,
        zone=NANYUAN,
        cell=f"{NANYUAN}/3号楼",
        ago=30,
        steps=(
            Step("dispatch", 2, COMMUNITY),
            Step("accept", 3, MEMBER),
            Step("start", 5, MEMBER),
        ),
    ),
    Spec(
        "楼下的自行车棚顶被风刮坏了,下雨天车子都淋湿了,希望能修一下。",
        "沈先生",
        "13603110122",
        C.ENVIRONMENT,
        cell="南园社区",
        channel=Channel.COMMUNITY_PAGE,
        ago=10 * 24,
        clock="09:00",
        steps=(
            Step("dispatch", 3, COMMUNITY),
            Step("accept", 8, MEMBER),
            Step("start", 48, MEMBER),
        ),
    ),
    # Opinions, praise and a complaint.
    Spec(
        "建议责任区党员在小区公示栏公布一下联系电话,有事好找人。",
        "林女士",
        kind=Kind.OPINION,
        zone=NANYUAN,
        ago=24,
    ),
    Spec(
        "感谢马书记带着党员帮我们清理了楼道杂物,楼道干净亮堂多了!",
        "书香苑居民",
        kind=Kind.PRAISE,
        zone=SHUXIANG,
        ago=5 * 24,
        clock="20:00",
        steps=(Step("resolve", 15, text="感谢您的肯定,我们会继续做好楼道环境的维护。"),),
    ),
    Spec(
        "1路公交车晚上在东风街道站经常不停靠,等车的人只能干着急,希望整改。",
        "唐先生",
        "13603110123",
        kind=Kind.COMPLAINT,
        post=POST,
        channel=Channel.POST_BOARD,
        ago=24,
    ),
]
HOUSEHOLD_REQUEST = "家里老人想办理高龄补贴,不知道需要哪些材料,能不能帮忙问一下。"


def _street() -> Cell | None:
    return Cell.objects.get_root_nodes().filter(name=data.STREET).first()


def _received(now: dt.datetime, spec: Spec) -> dt.datetime:
    at = now - dt.timedelta(hours=spec.ago)
    if spec.clock:
        hour, minute = (int(part) for part in spec.clock.split(":"))
        at = timezone.localtime(at).replace(hour=hour, minute=minute, second=0, microsecond=0)
    return min(at, now - dt.timedelta(minutes=5))


class _Builder:
    def __init__(self, demo: Demo, now: dt.datetime, users: dict[str, User]) -> None:
        self.demo, self.now, self.users = demo, now, users
        person = Person.objects.get(user=users[MEMBER])
        self.member = Member.objects.select_related("person", "organisation").get(person=person)

    def actor(self, by: str):
        return self.users[by] if by else (self.demo.actor or SYSTEM)

    def subject(self, spec: Spec) -> services.Subject:
        zone = cell = post = None
        if spec.zone:
            zone = Zone.objects.filter(
                name=f"{spec.zone.rsplit('/', 1)[1]}党员责任区", year=today().year
            ).first()
        if spec.cell:
            cell = self.demo.cells.get(f"{data.STREET}/{spec.cell}")
        if spec.post:
            post = ModelPost.objects.filter(name=spec.post, status=ModelPost.Status.APPROVED).first()
        return services.Subject(zone=zone, cell=cell, post=post)

    def make(self, spec: Spec, subject: services.Subject) -> None:
        received = _received(self.now, spec)
        req = services.submit(
            actor=self.users[spec.entered_by] if spec.entered_by else None,
            kind=spec.kind,
            category=spec.category,
            description=spec.description,
            name=spec.name,
            phone=spec.phone,
            consent=bool(spec.phone),
            subject=subject,
            channel=spec.channel,
        )
        Event.objects.filter(request=req).update(at=received)
        stamps: dict[str, dt.datetime] = {}
        for step in spec.steps:
            at = min(received + dt.timedelta(hours=step.after), self.now - dt.timedelta(minutes=1))
            before = {name: getattr(req, name) for name in STAMPS}
            last = Event.objects.filter(request=req).order_by("-pk").values_list("pk", flat=True).first()
            self.run(req, step)
            req.refresh_from_db()
            stamps.update({n: at for n in STAMPS if getattr(req, n) and getattr(req, n) != before[n]})
            Event.objects.filter(request=req, pk__gt=last).update(at=at)
            if step.hours and req.service_record_id:
                ServiceRecord.objects.filter(pk=req.service_record_id).update(
                    served_on=timezone.localdate(at)
                )
        # The time limits count from receipt, or from the low rating that reopened it, as the services do.
        deadline, respond_by = services.deadlines(
            req.urgency, stamps["rated_at"] if req.reopened else received
        )
        ServiceRequest.objects.filter(pk=req.pk).update(
            received_at=received,
            consent_at=received if req.consent_at else None,
            deadline=deadline,
            respond_by=respond_by,
            **stamps,
        )
        if req.opinion_id:
            Opinion.objects.filter(pk=req.opinion_id).update(received_on=timezone.localdate(received))

    def run(self, req: ServiceRequest, step: Step) -> None:
        actor = self.actor(step.by)
        if step.action == "accept":
            services.accept(actor=actor, request=req)
        elif step.action == "start":
            services.start(actor=actor, request=req)
        elif step.action == "resolve":
            services.resolve(actor=actor, request=req, resolution=step.text, hours=step.hours or None)
        elif step.action == "rate":
            services.rate(request=req, rating=step.rating, comment=step.text)
        elif step.action == "take":
            services.take(actor=actor, request=req)
        elif step.action == "dispatch":
            services.dispatch(actor=actor, request=req, member=self.member)
        elif step.action == "team":
            team = Team.objects.get(community_id=req.community_id, name=step.text)
            services.dispatch(actor=actor, request=req, team=team)
        elif step.action == "urgency":
            services.change_urgency(actor=actor, request=req, urgency=step.urgency, reason=step.text)
        elif step.action == "close":
            services.close(actor=actor, request=req, reason=step.text)
        else:
            raise ValueError(step.action)

    def household(self) -> tuple[Spec, Cell] | None:
        """The member login's linked household (联系户) asks for help from home: routed to the login."""
        contact = (
            ContactAssignment.objects.filter(
                member=self.member, kind=ContactAssignment.Kind.HOUSEHOLD, year=today().year
            )
            .exclude(person__mobile="")
            .filter(person__residence__isnull=False)
            .select_related("person__residence")
            .order_by("pk")
            .first()
        )
        if contact is None:
            return None
        person = contact.person
        title = "先生" if person.gender == "M" else "女士"
        spec = Spec(
            HOUSEHOLD_REQUEST,
            f"{person.name[0]}{title}",
            person.mobile,
            C.POLICY,
            channel=Channel.COMMUNITY_PAGE,
            ago=2,
        )
        return spec, person.residence


def build(demo: Demo) -> None:
    if _street() is None:
        return
    users = {u.username: u for u in User.objects.filter(username__in=[MEMBER, COMMUNITY])}
    if len(users) < 2 or not Person.objects.filter(user=users[MEMBER], member__isnull=False).exists():
        return
    now = timezone.now()
    builder = _Builder(demo, now, users)
    done = set(ServiceRequest.objects.values_list("description", flat=True).filter(description__in=_texts()))
    for spec in SPECS:
        if spec.description not in done:
            builder.make(spec, builder.subject(spec))
    household = builder.household() if HOUSEHOLD_REQUEST not in done else None
    if household is not None:
        spec, home = household
        builder.make(spec, services.Subject(cell=home))
    services.sweep(now=now)


def _texts() -> list[str]:
    return [spec.description for spec in SPECS] + [HOUSEHOLD_REQUEST]


def _on_demo_trees() -> Q:
    q = Q(pk__in=[])
    cell_roots = [spec[0] for spec in data.grid_trees()]
    for root in Cell.objects.get_root_nodes().filter(name__in=cell_roots):
        q |= root.subtree_q("community__") | root.subtree_q("cell__")
    org_roots = [name for name, _kind, _children in data.organisation_trees()]
    for root in Organisation.objects.get_root_nodes().filter(name__in=org_roots):
        for prefix in (
            "organisation__",
            "zone__organisation__",
            "post__organisation__",
            "member__organisation__",
        ):
            q |= root.subtree_q(prefix)
    return q


def reset() -> None:
    ids = list(ServiceRequest.objects.filter(_on_demo_trees()).values_list("pk", flat=True))
    Opinion.objects.filter(service_request__in=ids).delete()
    # Unverified hours have no ledger entry yet; verified ones go with the time bank (community.reset).
    ServiceRecord.objects.filter(service_request__in=ids, status=ServiceRecord.Status.REPORTED).delete()
    ServiceRequest.objects.filter(pk__in=ids).delete()
