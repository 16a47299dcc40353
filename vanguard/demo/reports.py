"""Demo data of the reports app: one area of the demo build (see builder.AREAS).

The last three months of monthly reports for the members of two bus branches (第一分公司党支部, the
`secretary` login's, where the `member` login is too, and 第二分公司党支部): the older months mostly
reviewed, some with comments, a few returned for more detail; this month partly submitted, partly not yet,
so the review queue and the missing list both have something in them. The `member` login has reported
the two earlier months (the second one returned) and not this one, so the demo can start by submitting it.

Each report is keyed on (member, month): a second run adds nothing. The texts and choices come from a
random source seeded by the member's identity number and the month, so they do not depend on the order
or the ids the database gives.
"""

from __future__ import annotations

import datetime as dt
import random
from typing import TYPE_CHECKING

from django.db.models import Q
from django.utils import timezone

from vanguard.accounts.models import User
from vanguard.org.models import Member, Organisation
from vanguard.reports.models import MonthlyReport
from vanguard.reports.months import current_month, month_end, previous_month
from vanguard.reports.selectors import default_zone_id

from . import data

if TYPE_CHECKING:
    from .builder import Demo

BRANCHES = [f"{data.BUS_ORG}/第一分公司党支部", f"{data.BUS_ORG}/第二分公司党支部"]
Status = MonthlyReport.Status

_WORK = {
    "驾驶员": [
        "本月安全行车{n}公里,无事故、无投诉,协助新驾驶员熟悉线路。",
        "在线路上开展文明服务,主动为老人抱孩子的乘客让座引导,收到乘客表扬{n}次。",
        "配合车队做好节日客流高峰的加班运营,宣传安全乘车常识。",
    ],
    "维修工": [
        "完成责任车辆例保{n}台次,排查制动隐患2处并及时处理。",
        "带领班组开展节能降耗小改革,修旧利废节约材料费约{n}百元。",
    ],
    "调度员": [
        "根据客流变化调整发车间隔,高峰时段准点率保持在95%以上。",
        "做好班组职工思想沟通,及时化解排班引起的情绪问题{n}起。",
    ],
}
_WORK_DEFAULT = [
    "组织支部党员学习党的路线方针政策,做好联系人的思想工作。",
    "检查责任区安全生产情况,纠正身边“三违”现象{n}起,重大事项及时向支部汇报。",
    "走访联系人{n}人次,了解职工家庭困难并向分公司反映。",
]
_IDEAS = [
    "建议在早高峰增开区间车,缓解沿线客流压力。",
    "建议车队定期开展驾驶员心理疏导,减少因情绪带来的安全隐患。",
    "建议把站牌字体放大,方便老年乘客辨认。",
    "",
]
_OPINIONS = [
    "乘客反映部分车辆空调效果差,希望尽快维修。",
    "职工希望改善夜班后的休息条件。",
    "沿线居民希望末班车延后半小时。",
    "",
]
_REVIEW_COMMENTS = ["工作扎实,继续保持。", "意见已转分公司营运科研究。", "", "", ""]
_RETURN_COMMENTS = ["请写明本月具体做了哪些工作、解决了什么问题。", "请补充联系群众时听到的意见。"]


def _rng(member: Member, month: dt.date) -> random.Random:
    return random.Random(f"{member.person.id_number}-{month:%Y-%m}")


def _text(choices: list[str], rng: random.Random) -> str:
    return rng.choice(choices).format(n=rng.randint(2, 30))


def _fate(member: Member, month: dt.date, this_month: dt.date, member_login: bool) -> str | None:
    """The report's status for the month, or None when the member has not reported."""
    if member_login:
        return {0: None, 1: Status.RETURNED, 2: Status.REVIEWED}[_months_back(month, this_month)]
    roll = _rng(member, month).random()
    if month == this_month:
        # This month: about a third not yet, most of the rest waiting for review.
        return None if roll < 0.35 else (Status.SUBMITTED if roll < 0.85 else Status.REVIEWED)
    if roll < 0.08:
        return None
    return Status.RETURNED if roll < 0.16 else (Status.SUBMITTED if roll < 0.24 else Status.REVIEWED)


def _months_back(month: dt.date, this_month: dt.date) -> int:
    return (this_month.year - month.year) * 12 + this_month.month - month.month


def _report(
    member: Member, month: dt.date, status: str, reviewer: User | None, *, with_comment: bool = False
) -> MonthlyReport:
    rng = _rng(member, month)
    occupation = member.person.occupation
    done_on = min(month_end(month) + dt.timedelta(days=rng.randint(-3, 4)), timezone.localdate())
    submitted_at = timezone.make_aware(
        dt.datetime.combine(done_on, dt.time(rng.randint(8, 21), rng.randint(0, 59)))
    )
    report = MonthlyReport(
        member=member,
        month=month,
        zone_id=default_zone_id(member=member, year=month.year),
        work_done=_text(_WORK.get(occupation, _WORK_DEFAULT), rng) + _text(_WORK_DEFAULT, rng),
        ideas=_text(_IDEAS, rng),
        masses_opinions=_text(_OPINIONS, rng),
        status=status,
        submitted_at=min(submitted_at, timezone.now()),
    )
    if status != Status.SUBMITTED:
        report.reviewed_by = reviewer
        report.reviewed_at = min(submitted_at + dt.timedelta(days=rng.randint(1, 5)), timezone.now())
        comments = _RETURN_COMMENTS if status == Status.RETURNED else _REVIEW_COMMENTS
        # The member login's reports always carry one, so the demo shows what a comment looks like.
        report.review_comment = comments[0] if with_comment else rng.choice(comments)
    return report


def build(demo: Demo) -> None:
    this_month = current_month()
    months = [previous_month(previous_month(this_month)), previous_month(this_month), this_month]
    branches = [demo.orgs[key] for key in BRANCHES]
    q = Q(pk__in=[])
    for branch in branches:
        q |= branch.subtree_q("organisation__")
    members = list(
        Member.objects.filter(q).select_related("person", "organisation").order_by("person__id_number")
    )
    existing = set(
        MonthlyReport.objects.filter(member__in=members, month__in=months).values_list("member_id", "month")
    )
    member_user = User.objects.filter(username="member").first()
    secretary = User.objects.filter(username="secretary").first()
    reviewers = {branches[0].path: secretary or demo.actor, branches[1].path: demo.actor}
    new: list[MonthlyReport] = []
    for member in members:
        is_login = member_user is not None and member.person.user_id == member_user.pk
        reviewer = next(u for path, u in reviewers.items() if member.organisation.path.startswith(path))
        for month in months:
            if (member.pk, month) in existing or (member.join_date and member.join_date > month_end(month)):
                continue
            status = _fate(member, month, this_month, is_login)
            if status is None:
                continue
            report = _report(member, month, status, reviewer, with_comment=is_login)
            report.full_clean()
            new.append(report)
    MonthlyReport.objects.bulk_create(new)


def reset() -> None:
    # The reports of the demo's branches; the members' own deletion would take them too (CASCADE).
    roots = Organisation.objects.get_root_nodes().filter(name=data.BUS_ORG)
    q = Q(pk__in=[])
    for root in roots:
        q |= root.subtree_q("member__organisation__")
    MonthlyReport.objects.filter(q).delete()
