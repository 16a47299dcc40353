"""Reads of the community pages (在职党员进社区): who acts as what, the lists (registrations, posts, claims,
service records, teams, pairings), the community's book (知人数、知职业、知优势) and the member's three forms
and file (三表一档).

Every private read goes through the scoping module; every list is a fixed number of queries whatever its
size (counts are SQL aggregates, related rows are joined). The book's numbers are the API's (stats.py: GROUP
BY, and a recursive query splitting the strengths in SQL); the page adds the home branches and the community
types with their suggested activities."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass, field

from django.core.exceptions import ValidationError
from django.db.models import (
    Case,
    CharField,
    Count,
    Exists,
    IntegerField,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Concat, Replace
from django.http import Http404
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope
from vanguard.org.models import Cell, Member, Person

from . import stats
from .models import CommunityPost, Pairing, PairingVisit, PostClaim, Registration, ServiceRecord, Team

Status = Registration.Status
ACTIVE = [Status.SUBMITTED, Status.CONFIRMED]
TAKEN = [PostClaim.Status.CLAIMED, PostClaim.Status.CONFIRMED]

# Activities a community of each type suggests to its in-service members (seed 003: 七型社区 and the
# carriers each chose: 平安和谐进社区, 科教环保进社区, 学习读书进社区 …).
SUGGESTIONS: dict[str, list] = {
    Cell.CommunityType.CULTURE: [
        gettext_lazy("文艺汇演"),
        gettext_lazy("健身活动"),
        gettext_lazy("红诗诵读"),
    ],
    Cell.CommunityType.REEMPLOYMENT: [
        gettext_lazy("再就业培训"),
        gettext_lazy("招聘信息发布"),
        gettext_lazy("技能帮扶"),
    ],
    Cell.CommunityType.LEARNING: [
        gettext_lazy("读书漂流"),
        gettext_lazy("代理家长"),
        gettext_lazy("课业辅导"),
    ],
    Cell.CommunityType.JOINT: [
        gettext_lazy("共驻共建"),
        gettext_lazy("便民服务"),
        gettext_lazy("商户联合志愿"),
    ],
    Cell.CommunityType.SAFETY: [gettext_lazy("治安巡逻"), gettext_lazy("法律咨询"), gettext_lazy("法制讲座")],
    Cell.CommunityType.ENVIRONMENT: [
        gettext_lazy("清理小广告"),
        gettext_lazy("垃圾分类宣传"),
        gettext_lazy("废旧电池回收"),
    ],
    Cell.CommunityType.SCIENCE: [
        gettext_lazy("科普讲座"),
        gettext_lazy("义诊体检"),
        gettext_lazy("节能减排宣传"),
    ],
}


def suggestions(community_type: str) -> list:
    return SUGGESTIONS.get(community_type, [])


# --- who acts as what (from the scope already loaded: no query) ------------------------------------------


def is_worker(user) -> bool:
    """A community worker (a grid subtree), or the superuser."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.cell_paths)


def reads_branch(user) -> bool:
    """Office, secretaries, supervisors: they read their members' registrations and feedback (read-only)."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def is_member(user) -> bool:
    return scope.scope_of(user).person_id is not None


def uses_community(user) -> bool:
    return is_worker(user) or is_member(user) or reads_branch(user)


def own_member(user) -> Member | None:
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person_id=person_id).first()


def is_own(user, member: Member) -> bool:
    person_id = scope.scope_of(user).person_id
    return person_id is not None and member.person_id == person_id


works_in = scope.works_in  # the scoping module's check, under the name this app's callers use


def worker_communities(user) -> QuerySet[Cell]:
    """The communities a worker runs: those at or under their grid cells."""
    s = scope.scope_of(user)
    qs = Cell.objects.filter(kind=Cell.Kind.COMMUNITY)
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("path", s.cell_paths))
    return qs.order_by("path")


def communities() -> QuerySet[Cell]:
    """Every community (the grid's structure is shared reference data): where a member may register."""
    return Cell.objects.filter(kind=Cell.Kind.COMMUNITY).order_by("path")


def home_community(person: Person) -> Cell | None:
    """The community a person lives in: their residence, or the community above it (小区, 楼栋, 户)."""
    residence = person.residence
    if residence is None:
        return None
    if residence.kind == Cell.Kind.COMMUNITY:
        return residence
    return (
        Cell.objects.filter(kind=Cell.Kind.COMMUNITY, path__in=residence.ancestor_paths())
        .order_by("-depth")
        .first()
    )


# --- registrations ---------------------------------------------------------------------------------------


def _registrations(user) -> QuerySet[Registration]:
    return scope.visible_to(user, Registration.objects.all()).select_related(
        "member__person", "member__organisation", "community", "confirmed_by", "entered_by"
    )


def my_registrations(member: Member) -> QuerySet[Registration]:
    return (
        Registration.objects.filter(member=member)
        .select_related("community")
        .order_by("-submitted_at", "-pk")
    )


def active_registration(member: Member) -> Registration | None:
    return my_registrations(member).filter(status__in=ACTIVE).first()


def confirmed_registration(member: Member) -> Registration | None:
    return my_registrations(member).filter(status=Status.CONFIRMED).first()


def registration_list(
    *, user, status: str = "", community: Cell | None = None, q: str = ""
) -> QuerySet[Registration]:
    qs = _registrations(user)
    if status:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(community.subtree_q("community__"))
    if q:
        qs = qs.filter(name_q(q, "member__person__"))
    return qs.order_by("-submitted_at", "-pk")


def registration_detail(*, user, pk: int) -> Registration:
    return scope.get_visible_or_404(user, _registrations(user), pk=pk)


def name_q(q: str, prefix: str = "") -> Q:
    """A name search: the characters, or the pinyin / initials as a prefix (张三 ← zs, zhangsan)."""
    from vanguard.core.pinyin import PREFIX_END

    q = q.strip()
    key = q.lower()
    return (
        Q(**{f"{prefix}name__contains": q})
        | Q(**{f"{prefix}name_pinyin__gte": key, f"{prefix}name_pinyin__lt": key + PREFIX_END})
        | Q(**{f"{prefix}name_initials__gte": key, f"{prefix}name_initials__lt": key + PREFIX_END})
    )


def confirmed_members(*, user, community: Cell | None = None) -> QuerySet[Member]:
    """Members confirmed (visibly to the user) at the worker's communities, or at `community`; each with
    `community_name` and `community_id` of that registration: the choices of teams, pairings, direct entry
    and spending."""
    regs = scope.visible_to(user, Registration.objects.all()).filter(
        member_id=OuterRef("pk"), status=Status.CONFIRMED
    )
    if community is not None:
        regs = regs.filter(community=community)
    else:
        regs = regs.filter(community__in=worker_communities(user))
    regs = regs.order_by("-confirmed_at")
    return (
        Member.objects.filter(Exists(regs))
        .annotate(
            community_name=Subquery(regs.values("community__name")[:1]),
            community_id=Subquery(regs.values("community_id")[:1]),
        )
        .select_related("person")
        .order_by("person__name_pinyin", "pk")
    )


def paper_members(*, user) -> QuerySet[Member]:
    """The members a worker may enter a paper registration form for: those living in their communities."""
    s = scope.scope_of(user)
    qs = scope.visible_to(user, Member.objects.all())
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("person__residence__path", s.cell_paths))
    return qs.select_related("person").order_by("person__name_pinyin", "pk")


def residents(*, user, community: Cell) -> QuerySet[Person]:
    """People living in `community` whom the user sees."""
    return scope.visible_to(user, Person.objects.all()).filter(community.subtree_q("residence__"))


def resolve_resident(
    *, user, community: Cell, name: str, mobile: str = "", field_name: str = "name"
) -> Person:
    """The one resident of `community` called `name` (and with `mobile`, when given); a ValidationError on
    `field_name` when there is none or more than one."""
    name = (name or "").strip()
    mobile = (mobile or "").strip()
    qs = residents(user=user, community=community).filter(name=name)
    if mobile:
        qs = qs.filter(mobile=mobile)
    found = list(qs.select_related("residence")[:2])
    if not found:
        raise ValidationError(
            {
                field_name: _("%(community)s没有名为“%(name)s”的居民%(mobile)s。")
                % {
                    "community": community.name,
                    "name": name,
                    "mobile": _("(手机号 %s)") % mobile if mobile else "",
                }
            }
        )
    if len(found) > 1:
        raise ValidationError(
            {
                field_name: _("%(community)s有不止一位名为“%(name)s”的居民,请同时填写手机号。")
                % {"community": community.name, "name": name}
            }
        )
    return found[0]


# --- posts and claims ------------------------------------------------------------------------------------


def post_list(
    *, user, community: Cell | None = None, member: Member | None = None
) -> QuerySet[CommunityPost]:
    """Visible posts with `taken` (claims waiting or confirmed) and, for a member, `my_claim` (the status of
    their own active claim, or None)."""
    qs = scope.visible_to(user, CommunityPost.objects.all()).select_related("community")
    if community is not None:
        qs = qs.filter(community=community)
    taken = PostClaim.objects.filter(post_id=OuterRef("pk"), status__in=TAKEN)
    qs = qs.annotate(taken=_count(taken, "post_id"))
    if member is not None:
        mine = PostClaim.objects.filter(post_id=OuterRef("pk"), member=member, status__in=TAKEN)
        qs = qs.annotate(my_claim=Subquery(mine.values("status")[:1]))
    return qs.order_by("-active", "community__path", "name")


def post_detail(*, user, pk: int) -> CommunityPost:
    qs = scope.visible_to(user, CommunityPost.objects.all()).select_related("community")
    taken = PostClaim.objects.filter(post_id=OuterRef("pk"), status__in=TAKEN)
    return scope.get_visible_or_404(user, qs.annotate(taken=_count(taken, "post_id")), pk=pk)


def post_claims(*, user, post: CommunityPost) -> QuerySet[PostClaim]:
    return (
        scope.visible_to(user, PostClaim.objects.all())
        .filter(post=post)
        .select_related("member__person", "member__organisation", "confirmed_by")
        .order_by("status", "created_at", "pk")
    )


def my_claims(member: Member) -> QuerySet[PostClaim]:
    return (
        PostClaim.objects.filter(member=member)
        .select_related("post__community")
        .order_by("-created_at", "-pk")
    )


def claim_detail(*, user, pk: int) -> PostClaim:
    return scope.get_visible_or_404(
        user, PostClaim.objects.select_related("post__community", "member__person"), pk=pk
    )


# --- service records -------------------------------------------------------------------------------------


def service_records(
    *,
    user,
    status: str = "",
    community: Cell | None = None,
    member: Member | None = None,
    start: dt.date | None = None,
    end: dt.date | None = None,
) -> QuerySet[ServiceRecord]:
    qs = scope.visible_to(user, ServiceRecord.objects.all()).select_related(
        "member__person", "member__organisation", "community", "verified_by", "post", "pairing__person"
    )
    if status:
        qs = qs.filter(status=status)
    if community is not None:
        qs = qs.filter(community.subtree_q("community__"))
    if member is not None:
        qs = qs.filter(member=member)
    if start is not None:
        qs = qs.filter(served_on__gte=start)
    if end is not None:
        qs = qs.filter(served_on__lte=end)
    return qs.order_by("-served_on", "-pk")


def service_record(*, user, pk: int) -> ServiceRecord:
    return scope.get_visible_or_404(user, service_records(user=user), pk=pk)


# --- teams and pairings ----------------------------------------------------------------------------------


def team_list(*, user) -> QuerySet[Team]:
    through = Team.members.through
    size = through.objects.filter(team_id=OuterRef("pk"))
    return (
        scope.visible_to(user, Team.objects.all())
        .select_related("community", "leader__person")
        .annotate(size=_count(size, "team_id"))
        .order_by("community__path", "name")
    )


def team_detail(*, user, pk: int) -> Team:
    return scope.get_visible_or_404(user, team_list(user=user), pk=pk)


def team_members(team: Team) -> QuerySet[Member]:
    return team.members.select_related("person", "organisation").order_by("person__name_pinyin", "pk")


def pairing_list(*, user, member: Member | None = None, active: bool | None = None) -> QuerySet[Pairing]:
    visits = PairingVisit.objects.filter(pairing_id=OuterRef("pk"))
    last = visits.order_by("-visited_on", "-pk").values("visited_on")[:1]
    qs = (
        scope.visible_to(user, Pairing.objects.all())
        .select_related("member__person", "person", "community")
        .annotate(visit_count=_count(visits, "pairing_id"), last_visit=Subquery(last))
    )
    if member is not None:
        qs = qs.filter(member=member)
    if active is True:
        qs = qs.filter(ended_on__isnull=True)
    return qs.order_by("ended_on", "-started_on", "-pk")


def pairing_detail(*, user, pk: int) -> Pairing:
    return scope.get_visible_or_404(user, pairing_list(user=user), pk=pk)


def pairing_visits(pairing: Pairing) -> QuerySet[PairingVisit]:
    return pairing.visits.order_by("-visited_on", "-pk")


# --- the hub's counts ------------------------------------------------------------------------------------


@dataclass
class Waiting:
    registrations: int = 0
    claims: int = 0
    records: int = 0


def waiting_for_worker(user) -> Waiting:
    """What waits for the worker's confirmation: three counts."""
    mine = worker_communities(user)
    return Waiting(
        registrations=Registration.objects.filter(status=Status.SUBMITTED, community__in=mine).count(),
        claims=PostClaim.objects.filter(status=PostClaim.Status.CLAIMED, post__community__in=mine).count(),
        records=ServiceRecord.objects.filter(
            status=ServiceRecord.Status.REPORTED, community__in=mine
        ).count(),
    )


# --- the book (知人数、知职业、知优势) ---------------------------------------------------------------------
#
# The numbers are the API's (`stats.in_service_stats`, `GET /api/v1/stats/in-service/`), so the page and the
# API cannot disagree; the page adds the home branches and each community's type with its suggestions.


@dataclass
class Book:
    cell: Cell
    total: int
    by_community: list[dict] = field(default_factory=list)
    by_occupation: list[dict] = field(default_factory=list)
    by_strength: list[dict] = field(default_factory=list)
    by_branch: list[dict] = field(default_factory=list)

    @property
    def community_type(self) -> str:
        return self.cell.get_community_type_display() if self.cell.kind == Cell.Kind.COMMUNITY else ""

    @property
    def suggestions(self) -> list:
        return suggestions(self.cell.community_type) if self.cell.kind == Cell.Kind.COMMUNITY else []


def book_cells(user) -> QuerySet[Cell]:
    """The streets and communities whose book a worker may open: those at or under their grid cells."""
    s = scope.scope_of(user)
    qs = Cell.objects.filter(kind__in=[Cell.Kind.STREET, Cell.Kind.COMMUNITY])
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("path", s.cell_paths))
    return qs.order_by("path")


def book_base(*, user, cell: Cell) -> QuerySet[Registration]:
    """The confirmed registrations of in-service members at communities under `cell`, in the user's sight."""
    return stats.confirmed_in_service(user=user, cell=cell)


def strength_q(strength: str) -> tuple[dict, Q]:
    """The annotation and filter of registrations naming `strength`, split as stats.py splits them (、 and
    commas, spaces around an item ignored)."""
    normalised = Replace("strengths", Value(","), Value("、"))
    normalised = Replace(normalised, Value(stats.FULLWIDTH_COMMA), Value("、"))
    for _twice in range(3):
        normalised = Replace(Replace(normalised, Value("、 "), Value("、")), Value(" 、"), Value("、"))
    key = Concat(Value("、"), normalised, Value("、"), output_field=CharField())
    return {"strengths_key": key}, Q(strengths_key__contains=f"、{strength.strip()}、")


def book(*, user, cell: Cell) -> Book:
    """The book of `cell` (a street or a community): six queries."""
    figures = stats.in_service_stats(user=user, cell=cell)
    types = dict(
        Cell.objects.filter(pk__in=[row["cell"] for row in figures.by_community]).values_list(
            "pk", "community_type"
        )
    )
    labels = dict(Cell.CommunityType.choices)
    by_community = [
        {
            **row,
            "type": labels.get(types.get(row["cell"], ""), ""),
            "suggestions": suggestions(types.get(row["cell"], "")),
        }
        for row in figures.by_community
    ]
    by_branch = [
        {"organisation": pk, "name": name, "count": n}
        for pk, name, n in book_base(user=user, cell=cell)
        .order_by()
        .values_list("member__organisation_id", "member__organisation__name")
        .annotate(n=Count("pk"))
        .order_by("-n", "member__organisation__name")
    ]
    return Book(
        cell=cell,
        total=figures.total,
        by_community=by_community,
        by_occupation=figures.by_occupation,
        by_strength=figures.by_strength,
        by_branch=by_branch,
    )


@dataclass(frozen=True)
class Drill:
    """One way into the book's names: a community, an occupation, a strength or a home branch."""

    community: Cell | None = None
    occupation: str | None = None
    strength: str | None = None
    organisation_id: int | None = None


def book_members(*, user, cell: Cell, drill: Drill) -> QuerySet[Registration]:
    qs = book_base(user=user, cell=cell).select_related("member__person", "member__organisation", "community")
    if drill.community is not None:
        qs = qs.filter(community=drill.community)
    if drill.occupation is not None:
        qs = qs.filter(occupation=drill.occupation)
    if drill.organisation_id is not None:
        qs = qs.filter(member__organisation_id=drill.organisation_id)
    if drill.strength:
        annotation, condition = strength_q(drill.strength)
        qs = qs.annotate(**annotation).filter(condition)
    return qs.order_by("community__path", "member__person__name_pinyin", "pk")


# --- the member's forms and file (三表一档) ---------------------------------------------------------------


def member_in_sight(*, user, member_id: int) -> tuple[Member, Registration]:
    """A member whose registration the user sees, with their latest one (active first): the member
    themself, the workers of the community, the member's branch and the office; 404 for anyone else."""
    registration = (
        _registrations(user)
        .filter(member_id=member_id)
        .annotate(returned=Case(When(status=Status.RETURNED, then=Value(1)), default=Value(0)))
        # submitted or confirmed before returned, then the newest
        .order_by("returned", "-submitted_at", "-pk")
        .first()
    )
    if registration is None:
        raise Http404
    return registration.member, registration


def _count(qs: QuerySet, group: str) -> Coalesce:
    """COUNT(*) of a queryset correlated on `group` (its foreign key to the outer row), as a subquery."""
    counted = qs.order_by().values(group).annotate(n=Count("pk")).values("n")
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))
