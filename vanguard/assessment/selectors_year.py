"""Reads of the assessment's year, all through the scoping module, each list a fixed number of queries
whatever its length: ranks are window functions, counts and tallies are SQL aggregates, related rows are
joined.

Ranks of the branch review are RANK() over the reviews the reader sees, which for the office is every branch
under it; the ranking pages are the office's. Votes of the appraisal are secret: tallies are annotated only
for those who conclude (the branch's secretary, the office above), and a member reads only their own votes."""

from __future__ import annotations

from collections import defaultdict
from dataclasses import dataclass
from decimal import Decimal

from django.db.models import Case, Count, F, Q, QuerySet, Sum, Value, When, Window
from django.db.models.fields import BooleanField
from django.db.models.functions import Rank
from django.utils import timezone
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.community import selectors as community
from vanguard.org.models import Member, Organisation

from .models import (
    Appraisal,
    AppraisalEntry,
    AppraisalVote,
    BranchReview,
    Grade,
    Rectification,
    Result,
    Rollup,
    RollupResult,
    Round,
    TargetKind,
)
from .services_year import LOCKED_ROUND, settings_for

RECOMMENDATION_TITLES = {
    TargetKind.MEMBER: gettext_lazy("优秀共产党员"),
    TargetKind.GROUP: gettext_lazy("先进党小组"),
    TargetKind.BRANCH: gettext_lazy("先进党支部"),
    TargetKind.ZONE: gettext_lazy("先进党员责任区"),
}


# --- who ------------------------------------------------------------------------------------------------


def is_office(user) -> bool:
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE}))


def reads_organisations(user) -> bool:
    """Office, secretaries and supervisors: the roles that read a branch's year, not only their own."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def edits_branches(user) -> bool:
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE, Role.SECRETARY}))


def own_member(user) -> Member | None:
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person_id=person_id).first()


# --- settings -------------------------------------------------------------------------------------------


def settings_organisations(user) -> QuerySet[Organisation]:
    """Where an office sets its rules: the organisations under its office roles, committees and general
    branches (a branch follows the settings of the committee above it)."""
    s = scope.scope_of(user)
    qs = Organisation.objects.exclude(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.GROUP])
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("path", s.paths_for({Role.OFFICE})))
    return qs.order_by("path")


@dataclass
class EffectiveSettings:
    organisation: Organisation
    prior_weight: Decimal
    bar_unregistered: bool
    inherited_from: Organisation | None  # None: the organisation's own or the defaults


def effective_settings(organisation: Organisation) -> EffectiveSettings:
    found = settings_for(organisation)
    if found is None:
        return EffectiveSettings(organisation, Decimal("3"), False, None)
    inherited = found.organisation if found.organisation_id != organisation.pk else None
    return EffectiveSettings(organisation, found.prior_weight, found.bar_unregistered, inherited)


# --- roll-ups -------------------------------------------------------------------------------------------


def rollups(*, user, year: int | None = None) -> QuerySet[Rollup]:
    qs = scope.visible_to(user, Rollup.objects.all()).select_related("organisation")
    if year:
        qs = qs.filter(year=year)
    return qs.annotate(part_count=Count("parts")).order_by("-year", "-pk")


def rollup_detail(*, user, pk: int) -> Rollup:
    return scope.get_visible_or_404(user, Rollup.objects.select_related("organisation"), pk=pk)


def rollup_parts(rollup: Rollup):
    return rollup.parts.select_related("round__organisation").order_by("round__period_start", "round_id")


def rollup_results(*, user, rollup: Rollup, recommended: bool = False) -> QuerySet[RollupResult]:
    qs = scope.visible_to(user, RollupResult.objects.filter(rollup=rollup)).select_related("unit")
    if recommended:
        qs = qs.filter(recommended=True)
    return qs.order_by(F("rank").asc(nulls_last=True), "name", "pk")


def recommendation_title(rollup: Rollup) -> str:
    return str(RECOMMENDATION_TITLES[TargetKind(rollup.target_kind)])


def round_choices(*, user, organisation: Organisation, year: int, target_kind: str) -> QuerySet[Round]:
    """The rounds a roll-up may take: ended (closed, published or archived), of the year and kind of target,
    run inside the roll-up's organisation."""
    return (
        scope.visible_to(user, Round.objects.all())
        .filter(
            organisation.subtree_q("organisation__"),
            status__in=LOCKED_ROUND,
            period_start__year=year,
            version__scheme__target_kind=target_kind,
        )
        .select_related("organisation")
        .order_by("period_start", "pk")
    )


# --- the branch review ----------------------------------------------------------------------------------


def reviews(*, user, year: int, organisation: Organisation | None = None) -> QuerySet[BranchReview]:
    qs = scope.visible_to(user, BranchReview.objects.filter(year=year))
    if organisation is not None:
        qs = qs.filter(organisation.subtree_q("organisation__"))
    return (
        qs.select_related("organisation", "secretary")
        .annotate(rank=Window(Rank(), order_by=F("total").desc()))
        .order_by("-total", "organisation__path")
    )


def review_detail(*, user, pk: int) -> BranchReview:
    return scope.get_visible_or_404(
        user, BranchReview.objects.select_related("organisation", "secretary", "reviewed_by"), pk=pk
    )


def member_rollup(*, user, year: int) -> Rollup | None:
    """The year's computed roll-up of members that the secretary performance reads: the broadest one the
    user sees, the latest computed among equals."""
    return (
        scope.visible_to(user, Rollup.objects.all())
        .filter(year=year, target_kind=TargetKind.MEMBER, computed_at__isnull=False)
        .select_related("organisation")
        .order_by("organisation__depth", "-computed_at", "-pk")
        .first()
    )


def attach_member_means(reviews_page, rollup: Rollup | None) -> None:
    """Set `member_mean` and `member_count` on each review of a page: the mean year total of the branch's
    members in the roll-up. One grouped query by unit (the branch and its groups) for the whole page."""
    rows = list(reviews_page)
    for review in rows:
        review.member_mean, review.member_count = None, 0
    if rollup is None or not rows:
        return
    q = Q(pk__in=[])
    for review in rows:
        q |= review.organisation.subtree_q("unit__")
    sums: dict[str, list] = defaultdict(lambda: [Decimal(0), 0])
    grouped = (
        RollupResult.objects.filter(rollup=rollup)
        .filter(q)
        .values("unit__path")
        .annotate(total=Sum("total"), n=Count("pk"))
        .order_by()
    )
    for path, total, n in grouped.values_list("unit__path", "total", "n"):
        for review in rows:
            if path.startswith(review.organisation.path):
                sums[review.organisation.path][0] += total
                sums[review.organisation.path][1] += n
    for review in rows:
        total, n = sums.get(review.organisation.path, (Decimal(0), 0))
        if n:
            review.member_mean = (Decimal(total) / n).quantize(Decimal("0.01"))
            review.member_count = n


def review_branch_choices(*, user) -> QuerySet[Organisation]:
    """The branches an office reviews: the branches under its office roles."""
    s = scope.scope_of(user)
    qs = Organisation.objects.filter(kind=Organisation.Kind.BRANCH)
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("path", s.paths_for({Role.OFFICE})))
    return qs.order_by("path")


# --- rectification --------------------------------------------------------------------------------------


@dataclass
class RectificationFilters:
    organisation: Organisation | None = None
    member: Member | None = None
    status: str = ""  # "", "open", "overdue", "done"


def _overdue() -> Case:
    return Case(
        When(status=Rectification.Status.OPEN, deadline__lt=timezone.localdate(), then=Value(True)),
        default=Value(False),
        output_field=BooleanField(),
    )


def rectifications(*, user, filters: RectificationFilters | None = None) -> QuerySet[Rectification]:
    """Overdue first (open past the deadline), then open by deadline, then done ones by deadline."""
    filters = filters or RectificationFilters()
    qs = scope.visible_to(user, Rectification.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("member__organisation__"))
    if filters.member is not None:
        qs = qs.filter(member=filters.member)
    today = timezone.localdate()
    if filters.status == "overdue":
        qs = qs.filter(status=Rectification.Status.OPEN, deadline__lt=today)
    elif filters.status in Rectification.Status.values:
        qs = qs.filter(status=filters.status)
    return (
        qs.select_related("member__person", "member__organisation", "result__round")
        .annotate(
            overdue=_overdue(),
            open_first=Case(When(status=Rectification.Status.OPEN, then=Value(0)), default=Value(1)),
        )
        .order_by("-overdue", "open_first", "deadline", "pk")
    )


def rectification_detail(*, user, pk: int) -> Rectification:
    return scope.get_visible_or_404(
        user,
        Rectification.objects.select_related(
            "member__person", "member__organisation", "result__round", "created_by"
        ).annotate(overdue=_overdue()),
        pk=pk,
    )


def rectification_notes(rectification: Rectification):
    return rectification.notes.select_related("written_by").order_by("written_on", "pk")


def may_rectify(*, user, member: Member) -> bool:
    return scope.can_edit_under(user, member.organisation)


MEMBER_CHOICES_LIMIT = 500


def rectification_members(*, user, organisation: Organisation | None = None) -> QuerySet[Member] | None:
    """Members the user may set a rectification for, under `organisation` when given. None when there are
    too many to list (an office over a whole committee): the page then asks for an organisation first."""
    s = scope.scope_of(user)
    qs = Member.objects.select_related("person", "organisation")
    if not s.superuser:
        qs = qs.filter(scope.subtree_q("organisation__path", s.paths_for({Role.OFFICE, Role.SECRETARY})))
    if organisation is not None:
        qs = qs.filter(organisation.subtree_q("organisation__"))
    qs = qs.order_by("organisation__path", "person__name_pinyin", "pk")
    if qs[: MEMBER_CHOICES_LIMIT + 1].count() > MEMBER_CHOICES_LIMIT:
        return None
    return qs


def member_results(*, user, member: Member) -> QuerySet[Result]:
    return (
        scope.visible_to(user, Result.objects.filter(member=member))
        .select_related("round")
        .order_by("-round__period_start", "-pk")
    )


def editable_organisations(*, user) -> QuerySet[Organisation]:
    return scope.editable_organisations(user, Organisation.objects.all()).order_by("path")


# --- the democratic appraisal ---------------------------------------------------------------------------


def appraisals(*, user, year: int | None = None) -> QuerySet[Appraisal]:
    qs = scope.visible_to(user, Appraisal.objects.all())
    if year:
        qs = qs.filter(year=year)
    return (
        qs.select_related("organisation")
        .annotate(
            entry_count=Count("entries"),
            concluded_count=Count("entries", filter=~Q(entries__conclusion="")),
        )
        .order_by("-year", "organisation__path", "pk")
    )


def appraisal_detail(*, user, pk: int) -> Appraisal:
    return scope.get_visible_or_404(user, Appraisal.objects.select_related("organisation"), pk=pk)


def sees_tallies(*, user, appraisal: Appraisal) -> bool:
    """Who reads the tallies while voting is on: those who conclude (the branch's editors)."""
    return scope.can_edit_under(user, appraisal.organisation)


def _tallies() -> dict:
    return {f"votes_{grade}": Count("votes", filter=Q(votes__grade=grade)) for grade in Grade.values}


def entries(*, user, appraisal: Appraisal, with_tallies: bool) -> QuerySet[AppraisalEntry]:
    """The members of an appraisal, by organisation and name. `with_tallies` annotates the online votes per
    grade (only for those who conclude) and whether the member counts as registered at a community."""
    qs = scope.visible_to(user, AppraisalEntry.objects.filter(appraisal=appraisal)).select_related(
        "member__person", "member__organisation"
    )
    if with_tallies:
        qs = qs.annotate(**_tallies(), registered=community.confirmed_exists("member_id"))
    return qs.order_by("member__organisation__path", "member__person__name_pinyin", "pk")


def entry_detail(*, user, pk: int) -> AppraisalEntry:
    return scope.get_visible_or_404(
        user,
        AppraisalEntry.objects.select_related(
            "appraisal__organisation", "member__person", "member__organisation", "concluded_by"
        ),
        pk=pk,
    )


def entry_tallies(entry: AppraisalEntry) -> dict[str, int]:
    """The online votes of one entry per grade (for its editors, or the member themself once closed)."""
    counts = dict(entry.votes.values("grade").annotate(n=Count("pk")).values_list("grade", "n"))
    return {grade: counts.get(grade, 0) for grade in Grade.values}


def my_votes(*, user, appraisal: Appraisal) -> dict[int, str]:
    """The user's own votes in the appraisal: entry id → grade (what only the voter reads)."""
    member = own_member(user)
    if member is None:
        return {}
    return dict(
        AppraisalVote.objects.filter(entry__appraisal=appraisal, voter=member).values_list(
            "entry_id", "grade"
        )
    )


def own_entry(*, user, appraisal: Appraisal) -> AppraisalEntry | None:
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return appraisal.entries.filter(member__person_id=person_id).select_related("member__person").first()
