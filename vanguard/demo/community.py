"""Demo data of 在职党员进社区 and the time bank (one area of the demo build, see builder.AREAS; seeds 002
and 003). It runs after the people, the logins and the other areas, and reads what they made.

- Registration (登记报到): every in-service member living in 东风街道 registers at the community they live
  in, with their occupation, their strengths and a service wish that fits their job; a few of 南园社区's came
  on the paper form, entered by the `community` login. Most are confirmed; in each community with four or
  more the third one waits for confirmation, and one (the fourth of the first community with five or more)
  was returned with a reason. The `member` login's registration is confirmed.
- Posts (创岗、设岗、认岗、领岗): three per community — a 楼栋长 and two that suit the community's
  type (文体型, 再就业型, 学习型, 共建型, 平安型, 环保型, 科普型); its registered members claim them, some
  confirmed, some waiting. 南园社区's 1号楼楼栋长 (one place) is full.
- Volunteer teams (seed 003): 代理家长队 in 南园社区, 社区治安队 in 安民社区, 政策宣传队 in 公园社区, each led
  by one of its registered members.
- Pairings (结对帮扶): a left-behind child and an old person living alone in 南园社区, an old person in
  安民社区, each with its visits.
- Service records (活动记实): two for the first eight registered members of each community (the `member`
  login among 南园社区's): most verified and credited to the time bank, some still waiting.
- Time bank: two households in 南园社区 and one in 安民社区 receive donated hours; one of them pays a member
  for help received.
- Seed 002: 南园社区党委 has a 党员服务社 with four special members — 流动, 协解, 家属, 复转军人.

Writes go through the services (registration, posts, teams, pairings, service records, ledger) as the demo's
admin (a worker's paper forms as the `community` login), so the audit trail and the ledger are what real use
makes. Each step is keyed on what it made (a member's registration or records, a post's name, a team's name,
the community's pairings or households): a second run adds nothing. `reset()` removes it all, the ledger
first, then the accounts, the records and the posts, before the people and the trees go.
"""

from __future__ import annotations

import datetime as dt
import random
from collections import defaultdict
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Exists, OuterRef, Q

from vanguard.accounts.models import User
from vanguard.accounts.scope import SYSTEM
from vanguard.community import services, services_teams, services_work
from vanguard.community.models import (
    CommunityPost,
    Pairing,
    PostClaim,
    Registration,
    ServiceRecord,
    Team,
)
from vanguard.org import services as org_services
from vanguard.org.models import Cell, Member, Organisation, Person
from vanguard.org.validators import id_number_check_digit, today
from vanguard.timebank import services as timebank
from vanguard.timebank.models import Account, Entry, Transfer

from . import data

if TYPE_CHECKING:
    from .builder import Demo

SEED = 20260803
T = Cell.CommunityType
C = CommunityPost.Category

SOCIETY = "南园社区党员服务社"
SOCIETY_PARENT = f"{data.STREET_ORG}/南园社区党委"
# Seed 002's special members. Their identity numbers use a county code (辛集) that no other demo person
# has, so they can never meet a generated one.
SPECIAL_MEMBERS = [
    # name, gender, birth date, category, occupation, mobile
    ("孙振涛", "M", dt.date(1986, 4, 12), Member.Category.FLOATING, "个体经营者", "13731860412"),
    ("钱秀云", "F", dt.date(1969, 9, 3), Member.Category.RELEASED, "灵活就业人员", "13731860903"),
    ("周玉洁", "F", dt.date(1978, 1, 21), Member.Category.DEPENDANT, "家庭主妇", "13731860121"),
    ("郑卫国", "M", dt.date(1975, 8, 1), Member.Category.VETERAN, "保安", "13731860801"),
]
SPECIAL_REGION = "130181"

# Per community type: two posts that suit it (name, category, places, duties).
TYPE_POSTS: dict[str, list[tuple[str, str, int, str]]] = {
    T.LEARNING: [
        ("代理家长", C.PARENT, 3, "与留守儿童结对,辅导功课,关心生活。"),
        ("读书漂流辅导员", C.CULTURE, 2, "组织全民读书月的读书漂流,带领居民写读后感。"),
    ],
    T.CULTURE: [
        ("文艺骨干", C.CULTURE, 3, "排练节目,组织社区文艺汇演和健身活动。"),
        ("政策宣传员", C.POLICY, 2, "在宣传栏和楼院宣讲政策。"),
    ],
    T.REEMPLOYMENT: [
        ("再就业培训讲师", C.OTHER, 2, "为下岗职工讲授技能,介绍就业信息。"),
        ("政策宣传员", C.POLICY, 2, "宣讲再就业和社保政策。"),
    ],
    T.JOINT: [
        ("共建联络员", C.OTHER, 2, "联系大庆路商业街的驻区单位,共驻共建。"),
        ("环境监督员", C.ENVIRONMENT, 2, "监督商业街门前三包。"),
    ],
    T.SAFETY: [
        ("治安巡逻", C.PATROL, 4, "周末夜间巡逻,排查安全隐患。"),
        ("法律咨询", C.OTHER, 2, "解答居民的法律问题,开展法制讲座。"),
    ],
    T.ENVIRONMENT: [
        ("环境监督员", C.ENVIRONMENT, 3, "清理小广告,捡拾白色垃圾。"),
        ("废旧电池回收", C.ENVIRONMENT, 2, "在楼院回收废旧电池,宣传节能减排。"),
    ],
    T.SCIENCE: [
        ("科普讲解员", C.OTHER, 2, "配合科协举办科普讲座。"),
        ("健康讲座志愿者", C.OTHER, 2, "配合眼病医院组织免费体检和健康讲座。"),
    ],
}
BUILDING_POST = ("1号楼楼栋长", C.BUILDING, 2, "联系本楼住户,收集居民诉求,组织楼院活动。")
FULL_POST = ("南园社区", "1号楼楼栋长")  # one place, taken

TEAMS = [
    # community, team, purpose, the occupations it draws on
    ("南园社区", "代理家长队", "教师在职党员与留守儿童结成一对一帮扶对子。", ("教师", "退休教师")),
    ("安民社区", "社区治安队", "公安在职党员提供法律咨询,开展青少年帮教。", ("警察", "律师", "安全员")),
    (
        "公园社区",
        "政策宣传队",
        "机关和办事处在职党员深入社区宣传政策。",
        ("党务工作者", "管理人员", "社区工作者"),
    ),
]
PAIRINGS = [
    # community, kind, notes, visits (days ago, what was done)
    (
        "南园社区",
        Pairing.Kind.CHILD,
        "父母在外地务工,跟随祖母生活。",
        [(40, "辅导数学作业,检查预习情况。"), (12, "陪同参加学校家长会。")],
    ),
    (
        "南园社区",
        Pairing.Kind.ELDERLY,
        "独居老人,腿脚不便。",
        [(30, "代购药品,打扫卫生。"), (9, "陪同到社区卫生站量血压。")],
    ),
    ("安民社区", Pairing.Kind.ELDERLY, "空巢老人,子女在外地。", [(20, "检查燃气和电路安全。")]),
]
WISHES = {
    "教师": "辅导功课、代理家长",
    "退休教师": "辅导功课、读书活动",
    "医生": "健康讲座、义诊",
    "护士": "测量血压、健康咨询",
    "警察": "治安巡逻、法律咨询",
    "律师": "法律咨询、调解纠纷",
    "会计": "理财咨询、政策宣传",
    "工程师": "家电维修、科普讲座",
    "驾驶员": "便民出行、义务维修",
    "维修工": "水电维修、义务维修",
    "社区工作者": "政策宣传、调解纠纷",
}
ACTIVITIES = [
    "清理楼道小广告",
    "参加在职党员奉献日环境清理",
    "治安巡逻",
    "为留守儿童辅导功课",
    "政策宣传进楼院",
    "看望空巢老人",
    "回收废旧电池",
    "社区科普讲座志愿服务",
]


def _special_id(birth: dt.date, gender: str, n: int) -> str:
    first17 = f"{SPECIAL_REGION}{birth:%Y%m%d}{n:02d}{'1' if gender == 'M' else '2'}"
    return first17 + id_number_check_digit(first17)


SPECIAL_IDS = [
    _special_id(birth, gender, n) for n, (_name, gender, birth, *_rest) in enumerate(SPECIAL_MEMBERS, 1)
]


def _street() -> Cell | None:
    return Cell.objects.get_root_nodes().filter(name=data.STREET).first()


def _communities(street: Cell) -> dict[str, Cell]:
    return {
        c.name: c for c in Cell.objects.filter(street.subtree_q(), kind=Cell.Kind.COMMUNITY).order_by("path")
    }


def _login(username: str) -> User | None:
    return User.objects.filter(username=username).first()


def build(demo: Demo) -> None:
    street = _street()
    if street is None:
        return
    communities = _communities(street)
    rng = random.Random(SEED)
    actor = demo.actor or SYSTEM
    _society(actor, communities.get("南园社区"))
    _register(actor, street, communities, member_id=demo.login_people.get("member"))
    registered = _registered(communities)
    _posts(actor, communities, registered)
    _teams(actor, communities, registered)
    _pairings(actor, communities, registered)
    _records(actor, communities, registered, rng, member_id=demo.login_people.get("member"))
    _households(actor, communities, registered)


# --- seed 002: the 党员服务社 and its special members -----------------------------------------------------


def _society(actor, home: Cell | None) -> None:
    parent = Organisation.objects.filter(
        name=SOCIETY_PARENT.rsplit("/", 1)[1], depth=2, path__startswith=_org_root_path()
    ).first()
    if parent is None or home is None:
        return
    society = Organisation.objects.filter(path__startswith=parent.path, name=SOCIETY).first()
    if society is None:
        society = org_services.organisation_create(
            actor=actor, parent=parent, name=SOCIETY, kind=Organisation.Kind.SERVICE_SOCIETY
        )
    buildings = list(Cell.objects.filter(home.subtree_q(), kind=Cell.Kind.BUILDING).order_by("path"))
    existing = set(Person.objects.filter(id_number__in=SPECIAL_IDS).values_list("id_number", flat=True))
    for n, (name, gender, birth, category, occupation, mobile) in enumerate(SPECIAL_MEMBERS):
        if SPECIAL_IDS[n] in existing:
            continue
        person = Person(
            name=name,
            gender=gender,
            birth_date=birth,
            id_number=SPECIAL_IDS[n],
            mobile=mobile,
            occupation=occupation,
            residence=buildings[(n * 7) % len(buildings)] if buildings else home,
        )
        member = Member(
            organisation=society,
            status=Member.Status.FULL,
            category=category,
            join_date=dt.date(birth.year + 25, 7, 1),
        )
        org_services.member_save(actor=actor, person=person, member=member)


def _org_root_path() -> str:
    root = Organisation.objects.get_root_nodes().filter(name=data.STREET_ORG).first()
    return root.path if root is not None else "~"


# --- registrations ---------------------------------------------------------------------------------------


def _in_service_living_in(street: Cell):
    return (
        Member.objects.filter(category=Member.Category.IN_SERVICE)
        .filter(street.subtree_q("person__residence__"))
        .select_related("person__residence")
        .order_by("person__id_number", "pk")
    )


def _register(actor, street: Cell, communities: dict[str, Cell], *, member_id: str | None) -> None:
    by_path = sorted(communities.values(), key=lambda c: len(c.path), reverse=True)
    worker = _login("community")
    has_any = Registration.objects.filter(member_id=OuterRef("pk"))
    waiting_members = _in_service_living_in(street).filter(~Exists(has_any))
    if not waiting_members.exists():
        return
    per_community: dict[str, list[Member]] = defaultdict(list)
    for member in _in_service_living_in(street):
        home = next((c for c in by_path if member.person.residence.path.startswith(c.path)), None)
        if home is not None:
            per_community[home.name].append(member)
    returned_one = False
    for name, community in communities.items():
        members = per_community.get(name, [])
        for i, member in enumerate(members):
            if Registration.objects.filter(member=member).exists():
                continue
            own = member.person.id_number == member_id
            # A few of 南园社区's came on paper, entered by its worker.
            paper = name == "南园社区" and worker is not None and i % 4 == 1 and not own
            strengths = "、".join(member.person.strengths.order_by("name").values_list("name", flat=True))
            registration = services.registration_submit(
                actor=worker if paper else actor,
                member=member,
                community=community,
                strengths=strengths,
                wishes=WISHES.get(member.person.occupation, "参加社区志愿服务"),
            )
            confirmer = worker if name == "南园社区" and worker is not None else actor
            if own or len(members) < 4 or i != 2:
                if not returned_one and not own and len(members) >= 5 and i == 3:
                    returned_one = True
                    services.registration_return(
                        actor=confirmer,
                        registration=registration,
                        reason="登记表上的居住地址与户籍信息不一致,请核对后重新报到。",
                    )
                else:
                    services.registration_confirm(actor=confirmer, registration=registration)


def _registered(communities: dict[str, Cell]) -> dict[str, list[Member]]:
    """The confirmed members of each community, in a fixed order."""
    result: dict[str, list[Member]] = {}
    for name, community in communities.items():
        result[name] = [
            r.member
            for r in Registration.objects.filter(community=community, status=Registration.Status.CONFIRMED)
            .select_related("member__person")
            .order_by("member__person__id_number", "pk")
        ]
    return result


# --- posts, teams, pairings ------------------------------------------------------------------------------


def _posts(actor, communities: dict[str, Cell], registered: dict[str, list[Member]]) -> None:
    for name, community in communities.items():
        specs = [BUILDING_POST, *TYPE_POSTS.get(community.community_type, [])]
        members = registered.get(name, [])
        taken = 0
        for post_name, category, places, duties in specs:
            if (name, post_name) == FULL_POST:
                places = 1
            post = CommunityPost.objects.filter(community=community, name=post_name).first()
            if post is not None:
                continue
            post = services_work.post_create(
                actor=actor,
                community=community,
                name=post_name,
                category=category,
                places=places,
                description=duties,
            )
            # The full post takes its one place; the others leave one free for the pages to claim.
            wanted = places if (name, post_name) == FULL_POST else places - 1
            for k in range(wanted):
                if taken >= len(members):
                    break
                claim = services_work.post_claim(actor=actor, post=post, member=members[taken])
                if k % 2 == 0:
                    services_work.claim_confirm(actor=actor, claim=claim)
                taken += 1


def _teams(actor, communities: dict[str, Cell], registered: dict[str, list[Member]]) -> None:
    for name, team_name, purpose, occupations in TEAMS:
        community = communities.get(name)
        members = registered.get(name, [])
        if (
            community is None
            or not members
            or Team.objects.filter(community=community, name=team_name).exists()
        ):
            continue
        suited = [m for m in members if m.person.occupation in occupations]
        chosen = (suited + [m for m in members if m not in suited])[:5]
        services_teams.team_create(
            actor=actor,
            community=community,
            name=team_name,
            purpose=purpose,
            leader=chosen[0],
            members=chosen,
        )


def _residents(community: Cell) -> list[Person]:
    """People living in the community who are neither members nor activists (the masses)."""
    return list(
        Person.objects.filter(community.subtree_q("residence__"), member__isnull=True, activist__isnull=True)
        .select_related("residence")
        .order_by("id_number", "pk")
    )


def _pairings(actor, communities: dict[str, Cell], registered: dict[str, list[Member]]) -> None:
    now = today()
    used: dict[str, int] = defaultdict(int)
    for name, kind, notes, visits in PAIRINGS:
        community = communities.get(name)
        members = registered.get(name, [])
        if community is None or not members:
            continue
        if Pairing.objects.filter(community=community, kind=kind).exists():
            continue
        residents = _residents(community)
        n = used[name]
        used[name] += 1
        if n >= len(residents):
            continue
        pairing = services_teams.pairing_create(
            actor=actor,
            community=community,
            member=members[n % len(members)],
            person=residents[n],
            kind=kind,
            started_on=now - dt.timedelta(days=60),
            notes=notes,
        )
        for days_ago, content in visits:
            services_teams.pairing_visit(
                actor=actor, pairing=pairing, visited_on=now - dt.timedelta(days=days_ago), content=content
            )


# --- service records and the time bank ------------------------------------------------------------------


def _records(
    actor, communities: dict[str, Cell], registered: dict[str, list[Member]], rng, *, member_id: str | None
) -> None:
    now = today()
    for name, community in communities.items():
        members = list(registered.get(name, [])[:8])
        login = next((m for m in registered.get(name, []) if m.person.id_number == member_id), None)
        if login is not None and login not in members:
            members.append(login)
        for i, member in enumerate(members):
            if ServiceRecord.objects.filter(member=member).exists():
                continue
            for k in range(2):
                record = services_work.service_report(
                    actor=actor,
                    member=member,
                    community=community,
                    activity=ACTIVITIES[(i + k) % len(ACTIVITIES)],
                    served_on=now - dt.timedelta(days=rng.randint(3, 80)),
                    hours=str(rng.choice([1, 1.5, 2, 2, 3, 4])),
                )
                # The second record of every third member (and the login's) still waits for the community.
                if k == 0 or (i % 3 != 2 and member != login):
                    services_work.service_verify(actor=actor, record=record)


def _households(actor, communities: dict[str, Cell], registered: dict[str, list[Member]]) -> None:
    for name, count in (("南园社区", 2), ("安民社区", 1)):
        community = communities.get(name)
        if (
            community is None
            or Account.objects.filter(community=community, kind=Account.Kind.HOUSEHOLD).exists()
        ):
            continue
        paired = set(Pairing.objects.filter(community=community).values_list("person_id", flat=True))
        residents = [p for p in _residents(community) if p.pk not in paired][:count]
        donors = [
            a
            for a in Account.objects.filter(member__in=registered.get(name, []), kind=Account.Kind.MEMBER)
            .select_related("member__person")
            .order_by("pk")
            if timebank.balance(a) >= Decimal("1")
        ]
        households = [timebank.household_account(person, community) for person in residents]
        for j, household in enumerate(households):
            for donor in donors[j * 2 : j * 2 + 2]:
                timebank.donate(
                    actor=actor,
                    source=donor,
                    target=household,
                    hours="1",
                    memo=f"捐赠给{household.person.name}",
                )
        if name == "南园社区" and households and donors and timebank.balance(households[0]) >= Decimal("1"):
            helper = donors[-1]
            timebank.spend(
                actor=actor, source=households[0], target=helper, hours="1", memo="疏通下水道(居民点单)"
            )


# --- reset -----------------------------------------------------------------------------------------------


def reset() -> None:
    street = _street()
    if street is not None:
        in_street = street.subtree_q("community__")
        accounts = Account.objects.filter(in_street)
        transfers = Transfer.objects.filter(
            Exists(Entry.objects.filter(transfer_id=OuterRef("pk"), account__in=accounts))
        )
        transfer_ids = list(transfers.values_list("pk", flat=True))
        # The ledger refuses updates, not deletes (the demo's reset and the test runner need them): its rows
        # go first, reversals before what they reverse, then the accounts, records and posts.
        Entry.objects.filter(transfer_id__in=transfer_ids).delete()
        Transfer.objects.filter(pk__in=transfer_ids, reverses__isnull=False).delete()
        Transfer.objects.filter(pk__in=transfer_ids).delete()
        accounts.delete()
        ServiceRecord.objects.filter(in_street).delete()
        Pairing.objects.filter(in_street).delete()
        Team.objects.filter(in_street).delete()
        PostClaim.objects.filter(street.subtree_q("post__community__")).delete()
        CommunityPost.objects.filter(in_street).delete()
        Registration.objects.filter(in_street).delete()
    Person.objects.filter(id_number__in=SPECIAL_IDS).delete()
    Organisation.objects.filter(
        Q(name=SOCIETY, kind=Organisation.Kind.SERVICE_SOCIETY) & Q(path__startswith=_org_root_path())
    ).delete()
