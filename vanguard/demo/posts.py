"""Demo data of the star-rated model posts (seed 004): one area of the demo build (see builder.AREAS).

The bus company's branches apply for model posts — a route team, a repair team, a dispatch desk, a service
window — with their members' motto-commitments (格言式承诺) and jobs; the committee's office approves them
(挂牌) and evaluates them every month through the assessment engine: a monthly star scheme of the bus
committee (政治思想, 工作业绩, 优质服务, 示范作用, scored by self, masses and organisation), one round per
month, opened, scored, closed and evaluated with `posts.services.evaluate_round`, then published. Over the
last seven months the posts end at different stars: the 1路 team (where the `member` login works) reaches
five stars and is named (授牌命名), the repair team keeps three after an upheld complaint cost it a month,
the dispatch desk hovers at one, and the service window loses its plaque after a fail with no star left
(摘牌). One more application waits for the office's approval, and 华盛's community station has a window
approved this month that has not been evaluated yet.

The rules show versioning: version 1 (pass mark 80) for the first four months, then version 2 raising the
pass mark to 85, so the earlier evaluations keep version 1. The opinion books hold a praise, an opinion and
a complaint, each answered (the complaint upheld), and one opinion still waiting for an answer.

Scores are written in bulk (as the assessment area does), from a random source seeded by the post and the
month; everything else goes through the services, so stars, timelines and evaluations come out exactly as
in use. Dates of the timeline are moved back to the months they belong to. The area is built once: a second
run finds the scheme and adds nothing.
"""

from __future__ import annotations

import datetime as dt
import random
from dataclasses import dataclass
from decimal import Decimal
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.accounts.scope import SYSTEM
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Indicator, Purpose, Round, Scheme, Score, Source
from vanguard.org.models import Member, Organisation
from vanguard.posts import services
from vanguard.posts.models import Evaluation, ModelPost, Opinion, PostRules, StarEvent
from vanguard.reports.months import current_month, month_end, previous_month

from . import data

if TYPE_CHECKING:
    from .builder import Demo

SCHEME_NAME = "星级党员示范岗月度评定"
MONTHS = 7
# The rules' version 2 applies from this month on (counted from the oldest evaluated month).
RULES_V2_FROM = 4
PASS_MARK_V2 = Decimal("85")

BUS_BRANCH = f"{data.BUS_ORG}/{{}}党支部"
INDICATORS = [
    ("政治思想", "学习党的路线方针政策,亮身份、守纪律,在岗位上体现党员先进性。"),
    ("工作业绩", "岗位任务完成情况,安全、质量、效率等量化指标达到或超过本岗位要求。"),
    ("优质服务", "热情周到、文明规范,兑现服务承诺,群众满意,无有效投诉。"),
    ("示范作用", "做给群众看、领着群众干,在急难险重任务中冲锋在前,带动身边职工。"),
]


@dataclass(frozen=True)
class PostSpec:
    """A demo post: where it is, who is on it (picked by occupation under `org`, oldest id first), and
    its months — `P` passed, `F` failed, `C` passed on the total but failed by an upheld complaint, `-` not
    evaluated (after its plaque came off) — oldest first; an empty plan is a post not evaluated at all."""

    org: str
    name: str
    kind: str
    location: str
    description: str
    phone: str
    occupation: str  # or, when `workplace` is given, the members who work there
    members: list[tuple[str, str]]  # (job, motto), one per member
    workplace: str = ""
    plan: str = ""
    status: str = ModelPost.Status.APPROVED
    with_member_login: bool = False


POSTS = [
    PostSpec(
        org=f"{BUS_BRANCH.format('第一分公司')}/第一车队党小组",
        name="1路党员示范线路",
        kind=ModelPost.Kind.TEAM,
        location="1路公交线路(火车站—东风街道)",
        description="安全行车、准点运营、文明服务;车厢内公示党员驾驶员照片和承诺,接受乘客监督。",
        phone="0317-2810001",
        occupation="驾驶员",
        members=[
            ("1路线路长", "一个党员一面旗,岗位体现先进性。"),
            ("1路驾驶员", "安全行车每一公里,真情服务每一位乘客。"),
            ("1路驾驶员", "先于群众、高于群众、优于群众。"),
        ],
        plan="PPFPPPP",
        with_member_login=True,
    ),
    PostSpec(
        org=BUS_BRANCH.format("第二分公司"),
        name="第二分公司维修班组党员示范岗",
        kind=ModelPost.Kind.TEAM,
        location="第二分公司保修车间",
        description="车辆例保、故障抢修,做到小修不过夜、抢修不过时,为一线安全运营保驾护航。",
        phone="0317-2810002",
        occupation="维修工",
        members=[
            ("维修班长", "车辆有故障,我来当医生。"),
            ("维修工", "修好每一辆车,守住每一份安全。"),
            ("维修工", "做给群众看,领着群众干。"),
        ],
        plan="PPPFPCP",
    ),
    PostSpec(
        org=f"{data.BUS_ORG}/{data.BUS_OFFICE_BRANCH}",
        name="营运调度中心党员示范岗",
        kind=ModelPost.Kind.DESK,
        location="公司机关营运调度科",
        description="按客流科学排班,突发情况及时调度,答复乘客咨询,做到服务流程零障碍。",
        phone="0317-2810003",
        occupation="",
        workplace="营运调度科",
        members=[
            ("值班调度长", "调度一盘棋,服务零距离。"),
            ("调度员", "机关服务零距离,服务流程零障碍。"),
        ],
        plan="PFPFPFP",
    ),
    PostSpec(
        org=BUS_BRANCH.format("第三分公司"),
        name="第三分公司乘客服务窗口",
        kind=ModelPost.Kind.WINDOW,
        location="第三分公司客运站服务大厅",
        description="公交卡办理、失物招领、乘客咨询和投诉受理,亮身份、亮承诺、亮标准。",
        phone="0317-2810004",
        occupation="管理人员",
        members=[
            ("窗口负责人", "群众有事找党员,党员服务在身边。"),
            ("服务员", "乘客满意是我最大的心愿。"),
        ],
        plan="PFF----",
    ),
    PostSpec(
        org=BUS_BRANCH.format("第四分公司"),
        name="K1路党员先锋线路",
        kind=ModelPost.Kind.TEAM,
        location="K1路快速公交线路",
        description="快速公交准点运营,车厢整洁,站点无滞留,做乘客信赖的先锋线路。",
        phone="0317-2810005",
        occupation="驾驶员",
        members=[
            ("K1路线路长", "把先进性体现在岗位、奉献在社会、示范在行动。"),
            ("K1路驾驶员", "一路安全一路情,乘客满意我光荣。"),
        ],
        status=ModelPost.Status.APPLIED,
    ),
    PostSpec(
        org=(f"{data.HUASHENG_ORG}/{data.HUASHENG_GENERAL_BRANCH}/{data.HUASHENG_IN_SERVICE_BRANCH}"),
        name="华盛一区党群服务窗口",
        kind=ModelPost.Kind.WINDOW,
        location="第一社区服务站便民服务大厅",
        description="居民事务代办、政策咨询、困难帮扶,群众有事找党员,做群众的贴心人。",
        phone="0317-2810006",
        occupation="社区工作者",
        members=[
            ("服务站站长", "做示范员、服务员、引导员、宣传员。"),
            ("社区工作者", "居民的小事就是我的大事。"),
        ],
    ),
]

# (post, kind, channel, month index or None for today, content, name, phone, answer, upheld)
OPINIONS = [
    (
        "1路党员示范线路",
        Opinion.Kind.PRAISE,
        Opinion.Channel.PAPER,
        4,
        "我母亲腿脚不便,1路驾驶员每次都等她坐稳再开车,还帮她拿菜篮子,特此表扬!",
        "刘桂兰",
        "13931700021",
        "感谢您的肯定!我们会把这份温暖传下去,继续做好每一趟车的服务。",
        None,
    ),
    (
        "营运调度中心党员示范岗",
        Opinion.Kind.OPINION,
        Opinion.Channel.PAPER,
        3,
        "建议雨雪天气在站台电子屏上提示车辆晚点的时间,方便乘客安排出行。",
        "",
        "",
        "您的建议已采纳,调度中心已与电子站牌系统联动,雨雪天气实时发布到站预报。",
        None,
    ),
    (
        "第二分公司维修班组党员示范岗",
        Opinion.Kind.COMPLAINT,
        Opinion.Channel.PHONE,
        5,
        "3路一辆车空调坏了三天还没修好,车厢里闷热,乘客意见很大。",
        "王先生",
        "13831700057",
        "经核实,该车空调压缩机故障,因配件未及时到位延误维修,投诉属实。已修复,并对班组进行批评教育,"
        "建立配件缺货上报制度。",
        True,
    ),
    (
        "1路党员示范线路",
        Opinion.Kind.OPINION,
        Opinion.Channel.ONLINE,
        None,
        "建议早高峰在火车站方向加开区间车,7点到8点车内太挤。",
        "陈女士",
        "",
        "",
        None,
    ),
]


def _months() -> list[dt.date]:
    """The last MONTHS complete months, oldest first."""
    months = [previous_month(current_month())]
    while len(months) < MONTHS:
        months.append(previous_month(months[-1]))
    return list(reversed(months))


def _at(day: dt.date, hour: int = 9) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time(hour)))


def _organisation(demo: Demo, path: str) -> Organisation:
    return demo.orgs[path]


def _members(demo: Demo, spec: PostSpec) -> list[Member]:
    """The members of the post: the `member` login first when it is on the post, then the oldest ids of the
    occupation under the post's organisation."""
    org = _organisation(demo, spec.org)
    found = Member.objects.filter(org.subtree_q("organisation__"))
    if spec.workplace:
        found = found.filter(person__workplace__name=spec.workplace)
    else:
        found = found.filter(person__occupation=spec.occupation)
    chosen: list[Member] = []
    if spec.with_member_login:
        chosen.append(Member.objects.get(person__id_number=demo.login_people["member"]))
    for member in found.select_related("person").order_by("person__id_number"):
        if len(chosen) == len(spec.members):
            break
        if member not in chosen:
            chosen.append(member)
    return chosen


def _branch(org: Organisation) -> Organisation:
    """Posts belong to a branch: a group's post is its branch's."""
    if org.kind == Organisation.Kind.GROUP:
        return Organisation.objects.get(path=org.path[: -org.steplen])
    return org


def build(demo: Demo) -> None:
    committee = _organisation(demo, data.BUS_ORG)
    if Scheme.objects.filter(organisation=committee, name=SCHEME_NAME).exists():
        return
    months = _months()
    approved_on = months[0] - dt.timedelta(days=10)

    # The rules: version 1 with the seed's defaults, version 2 later (see _evaluate_months).
    rules = services.rules_for(committee)
    PostRules.objects.filter(pk=rules.pk).update(
        note="依据《党员主题创建活动的意见》:一月一考评,达标加星,不达标减星或摘牌。"
    )

    posts: dict[str, ModelPost] = {}
    for spec in POSTS:
        posts[spec.name] = _apply(demo, spec)
        if spec.status == ModelPost.Status.APPROVED:
            services.post_decide(
                actor=SYSTEM, post=posts[spec.name], approve=True, reason="符合创建条件,党委批准挂牌。"
            )
            # Approved before the first month evaluated — or this month for a post with no months yet.
            when = approved_on if spec.plan else current_month()
            ModelPost.objects.filter(pk=posts[spec.name].pk).update(decided_at=_at(when))
            StarEvent.objects.filter(post=posts[spec.name]).update(created_at=_at(when))
    ModelPost.objects.filter(pk__in=[p.pk for p in posts.values()]).update(
        created_at=_at(approved_on - dt.timedelta(days=20))
    )

    scheme = _scheme(committee)
    _evaluate_months(committee, scheme, months, posts)

    named = posts["1路党员示范线路"]
    services.post_name(actor=SYSTEM, post=named, reason="连续达标挂满五星,党委授牌命名并表彰。")
    _opinions(months, posts)
    demo.say(
        f"星级党员示范岗{len(posts)}个,月度星级评定{Evaluation.objects.filter(post__in=posts.values()).count()}次"
    )


def _apply(demo: Demo, spec: PostSpec) -> ModelPost:
    members = _members(demo, spec)
    return services.post_apply(
        actor=SYSTEM,
        organisation=_branch(_organisation(demo, spec.org)),
        fields={
            "name": spec.name,
            "kind": spec.kind,
            "location": spec.location,
            "description": spec.description,
            "complaint_phone": spec.phone,
        },
        members=[
            {"member": member, "job": job, "motto": motto}
            for member, (job, motto) in zip(members, spec.members, strict=False)
        ],
    )


def _scheme(committee: Organisation) -> Scheme:
    scheme = assessment.scheme_create(
        actor=SYSTEM,
        organisation=committee,
        name=SCHEME_NAME,
        target_kind="post",
        period="month",
        purpose=Purpose.STAR,
        description="星级党员示范岗一月一考评:党员自评、群众测评、组织考评,达标加星,不达标减星或摘牌。",
        weights={"weight_self": 20, "weight_masses": 30, "weight_organisation": 50},
    )
    for order, (name, description) in enumerate(INDICATORS):
        assessment.indicator_add(
            actor=SYSTEM,
            scheme=scheme,
            fields={
                "name": name,
                "description": description,
                "order": order,
                "weight": 1,
                "max_points": 25,
                "kind": Indicator.Kind.MANUAL,
            },
        )
    return scheme


def _evaluate_months(
    committee: Organisation, scheme: Scheme, months: list[dt.date], posts: dict[str, ModelPost]
) -> None:
    plans = {posts[spec.name].pk: spec.plan for spec in POSTS if spec.plan}
    for index, month in enumerate(months):
        if index == RULES_V2_FROM:
            rules = services.rules_update(
                actor=SYSTEM,
                organisation=committee,
                fields={"pass_mark": PASS_MARK_V2},
                note="创建活动深入开展,达标分数线由80分提高到85分。",
            )
            PostRules.objects.filter(pk=rules.pk).update(created_at=_at(month - dt.timedelta(days=3)))
        # The month's complaints come in before the month is evaluated.
        _opinions(months, posts, month_index=index)
        round_ = assessment.round_create(
            actor=SYSTEM,
            scheme=scheme,
            organisation=committee,
            name=f"{month.year}年{month.month}月示范岗星级评定",
            period_start=month,
            period_end=month_end(month),
        )
        round_ = assessment.round_transition(actor=SYSTEM, round_=round_, action="open")
        _scores(round_, month, plans)
        round_ = assessment.round_transition(actor=SYSTEM, round_=round_, action="close")
        evaluations = services.evaluate_round(actor=SYSTEM, round_=round_)
        assessment.round_transition(actor=SYSTEM, round_=round_, action="publish")
        # Evaluated at the start of the next month: the timeline reads in the months it happened.
        when = _at(month_end(month) + dt.timedelta(days=3))
        Evaluation.objects.filter(pk__in=[e.pk for e in evaluations]).update(created_at=when)
        StarEvent.objects.filter(evaluation__in=evaluations).update(created_at=when)
        ModelPost.objects.filter(
            pk__in=[e.post_id for e in evaluations], status=ModelPost.Status.REMOVED
        ).update(removed_at=when.date())


def _target(post_name: str, month: dt.date, letter: str) -> float:
    # Seeded by the post's name, not its id: the same demo whatever ids the database gives.
    rng = random.Random(f"post:{post_name}:{month:%Y-%m}")
    if letter == "P":
        return rng.uniform(89, 96)
    if letter == "C":
        # Above the pass mark on its own; the upheld complaint's penalty takes it below.
        return 87.0
    return rng.uniform(62, 72)


def _scores(round_: Round, month: dt.date, plans: dict[int, str]) -> None:
    """Each source's points for each post of the round, around the month's target of its plan."""
    office = User.objects.filter(username="office").first()
    index = _months().index(month)
    leaves = list(assessment.leaves(round_.version).filter(kind=Indicator.Kind.MANUAL).order_by("order"))
    now = timezone.now()
    rows = []
    results = round_.results.select_related("post").order_by("post__name")
    for result in results:
        target = _target(result.post.name, month, plans[result.post_id][index])
        self_member = result.post.post_members.select_related("member__person__user").first()
        for source, bias in ((Source.SELF, 2.0), (Source.MASSES, -1.0), (Source.ORGANISATION, 0.0)):
            rng = random.Random(f"post:{result.post.name}:{month:%Y-%m}:{source}")
            for indicator in leaves:
                percent = min(100.0, max(0.0, target + bias + rng.uniform(-1, 1)))
                points = round(float(indicator.max_points) * percent / 100 * 2) / 2
                if source == Source.SELF:
                    person = self_member.member.person
                    entered_by = person.user if person.user_id else None
                    name = person.name
                else:
                    entered_by, name = office, office.display_name if office else ""
                rows.append(
                    Score(
                        result=result,
                        indicator=indicator,
                        source=source,
                        points=Decimal(str(points)),
                        evidence="群众测评表(纸质)" if source == Source.MASSES else "",
                        entered_by=entered_by,
                        entered_by_name=name,
                        entered_at=now,
                    )
                )
    Score.objects.bulk_create(rows)


def _opinions(
    months: list[dt.date],
    posts: dict[str, ModelPost],
    *,
    month_index: int | None = None,
) -> None:
    """The opinion books: with `month_index`, that month's entries (entered from the paper book or the
    complaint line, and answered a few days later); otherwise the entries of today, from the public board."""
    for post_name, kind, channel, index, content, name, phone, answer, upheld in OPINIONS:
        if index != month_index:
            continue
        # Read afresh: the service reads the post's status, which the month's evaluations may have changed.
        post = ModelPost.objects.get(pk=posts[post_name].pk)
        if index is None:
            opinion = services.opinion_submit(
                actor=None, post=post, kind=kind, content=content, name=name, phone=phone
            )
        else:
            received = months[index] + dt.timedelta(days=11)
            opinion = services.opinion_submit(
                actor=SYSTEM,
                post=post,
                kind=kind,
                content=content,
                name=name,
                phone=phone,
                channel=channel,
                received_on=received,
            )
            Opinion.objects.filter(pk=opinion.pk).update(created_at=_at(received, 10))
        if answer:
            services.opinion_answer(actor=SYSTEM, opinion=opinion, answer=answer, upheld=upheld)
            answered = opinion.received_on + dt.timedelta(days=2)
            Opinion.objects.filter(pk=opinion.pk).update(answered_at=_at(answered, 15))


def _demo_q(prefix: str = "") -> Q:
    q = Q(pk__in=[])
    for root in Organisation.objects.get_root_nodes().filter(name__in=[data.BUS_ORG, data.HUASHENG_ORG]):
        q |= root.subtree_q(prefix)
    return q


def reset() -> None:
    committees = Organisation.objects.filter(depth=1, name=data.BUS_ORG)
    schemes = Scheme.objects.filter(organisation__in=committees, name=SCHEME_NAME)
    Round.objects.filter(version__scheme__in=schemes).delete()
    schemes.delete()
    # Every post of the demo's organisations (members, timelines, evaluations and books go with them),
    # then the rules their evaluations kept.
    ModelPost.objects.filter(_demo_q("organisation__")).delete()
    PostRules.objects.filter(_demo_q("organisation__")).delete()
