"""Reads of post standards and their three cards (定标公示卡, 对标记录卡, 达标评议卡).

Everything private goes through the scoping module; the public page reads only a standard that is being
discussed (proposed) or published. Each read is a fixed number of queries: the branch's list annotates its
counts with subqueries, a card reads its rows in one or two queries. The 达标评议卡 reads the assessment
engine's stored rows (Result, Score, IndicatorResult) of the year's round of a `standard` scheme; it only
reads them, through `scope.visible_to` like any other read."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

from django.db.models import Case, Count, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.assessment.models import Indicator, IndicatorResult, Purpose, Result, Round, Score, Source
from vanguard.assessment.selectors import SOURCE_ORDER, indicator_tree
from vanguard.org.models import Member, Organisation
from vanguard.org.selectors import person_search_q

from .models import BenchmarkRecord, Standard, StandardComment

Status = Standard.Status
PUBLIC_STATUSES = (Status.PROPOSED, Status.PUBLISHED)


# --- who is who ------------------------------------------------------------------------------------------


def own_member(*, user) -> Member | None:
    """The member record of the user's own person, when the user acts as a member."""
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person", "organisation").filter(person_id=person_id).first()


def reads_organisations(*, user) -> bool:
    """Office, secretaries and supervisors: the roles that read a branch's standards, not only their own."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths)


def manages_any(*, user) -> bool:
    """Office and secretaries: who set, publish and enter paper comments somewhere."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE, Role.SECRETARY}))


def manages(*, user, standard: Standard) -> bool:
    """Whether the user works for the member's branch (secretary) or above it (office)."""
    return scope.can_edit_under(user, standard.member.organisation)


def may_set(*, user, standard: Standard) -> bool:
    """The branch sets a standard, but nobody sets their own (the service says so too)."""
    own = standard.member.person.user_id is not None and standard.member.person.user_id == getattr(
        user, "pk", None
    )
    return not own and manages(user=user, standard=standard)


def is_own(*, user, standard: Standard) -> bool:
    person_id = scope.scope_of(user).person_id
    return person_id is not None and standard.member.person_id == person_id


# --- lists -----------------------------------------------------------------------------------------------


@dataclass
class StandardFilters:
    organisation: Organisation | None = None
    year: int | None = None
    status: str = ""
    q: str = ""


def _count(model) -> Coalesce:
    counted = (
        model.objects.filter(standard_id=OuterRef("pk"))
        .order_by()
        .values("standard_id")
        .annotate(n=Count("pk"))
        .values("n")[:1]
    )
    return Coalesce(Subquery(counted, output_field=IntegerField()), Value(0))


def standard_list(*, user, filters: StandardFilters | None = None) -> QuerySet[Standard]:
    """The standards the user sees, with their number of comments and records: one query per page."""
    filters = filters or StandardFilters()
    qs = scope.visible_to(user, Standard.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("member__organisation__"))
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.status:
        qs = qs.filter(status=filters.status)
    q = filters.q.strip()
    if q:
        qs = qs.filter(person_search_q(q, "member__person__"))
    return (
        qs.select_related("member__person", "member__organisation")
        .annotate(comment_count=_count(StandardComment), record_count=_count(BenchmarkRecord))
        .order_by("-year", "member__organisation__path", "member__person__name_pinyin", "pk")
    )


def my_standards(*, user, member: Member) -> QuerySet[Standard]:
    return (
        scope.visible_to(user, Standard.objects.filter(member=member))
        .annotate(comment_count=_count(StandardComment), record_count=_count(BenchmarkRecord))
        .order_by("-year")
    )


def standard_detail(*, user, pk: int) -> Standard:
    return scope.get_visible_or_404(
        user,
        Standard.objects.select_related("member__person", "member__organisation", "set_by"),
        pk=pk,
    )


def comments(standard: Standard) -> list[StandardComment]:
    return list(standard.comments.select_related("entered_by").order_by("created_at", "pk"))


def records(standard: Standard) -> list[BenchmarkRecord]:
    return list(standard.records.select_related("created_by").order_by("recorded_on", "pk"))


def archive_standard(*, user, member: Member, year: int) -> Standard | None:
    """The member's standard of the year for their archive book, if any: one query."""
    return scope.visible_to(user, Standard.objects.filter(member=member, year=year)).first()


def public_standard(*, pk: int) -> Standard:
    """A standard the public may read: being discussed (proposed) or published; anything else is a 404."""
    standard = (
        Standard.objects.filter(pk=pk, status__in=PUBLIC_STATUSES)
        .select_related("member__person", "member__organisation")
        .first()
    )
    if standard is None:
        raise Http404
    return standard


# --- the 达标评议卡 -----------------------------------------------------------------------------------------


@dataclass
class CardRow:
    """One leaf indicator: each source's points on the indicator's scale, and its points towards the
    total."""

    indicator: Indicator
    path: list[str]
    points: list[Decimal | None]
    total_points: Decimal | None


@dataclass
class EvaluationCard:
    standard: Standard
    result: Result | None = None
    sources: list[tuple[str, str, Decimal]] = field(default_factory=list)
    rows: list[CardRow] = field(default_factory=list)

    @property
    def round(self) -> Round | None:
        return self.result.round if self.result is not None else None

    @property
    def finished(self) -> bool:
        """The round has closed: the total and the points are computed."""
        return self.result is not None and self.result.round.is_locked


def _year_result(user, standard: Standard) -> Result | None:
    """The member's result in the year's round of a `standard` scheme: a closed, published or archived one
    first, then the latest."""
    locked = (Round.Status.CLOSED, Round.Status.PUBLISHED, Round.Status.ARCHIVED)
    return (
        scope.visible_to(
            user,
            Result.objects.filter(
                member_id=standard.member_id,
                round__version__scheme__purpose=Purpose.STANDARD,
                round__period_start__year=standard.year,
            ),
        )
        .select_related("round__version__scheme")
        .annotate(ended=Case(When(round__status__in=locked, then=Value(0)), default=Value(1)))
        .order_by("ended", "-round__period_end", "-round_id")
        .first()
    )


def evaluation_card(*, user, standard: Standard) -> EvaluationCard:
    """The 达标评议卡: the standard's fulfilment scored by self, masses and organisation — each source's
    points per leaf indicator from the stored scores, the indicator's points towards the total and the
    total. Four queries."""
    card = EvaluationCard(standard=standard, result=_year_result(user, standard))
    if card.result is None:
        return card
    version = card.result.round.version
    active = version.active_sources()
    weights = version.source_weights()
    card.sources = [(s, str(Source(s).label), weights[s]) for s in SOURCE_ORDER if s in active]
    scores: dict[tuple[int, str], Decimal] = {
        (indicator_id, source): points
        for indicator_id, source, points in Score.objects.filter(result=card.result).values_list(
            "indicator_id", "source", "points"
        )
    }
    outcomes = dict(IndicatorResult.objects.filter(result=card.result).values_list("indicator_id", "points"))
    card.rows = [
        CardRow(
            indicator=row.indicator,
            path=row.path,
            points=[scores.get((row.indicator.pk, s)) for s, _label, _weight in card.sources],
            total_points=outcomes.get(row.indicator.pk),
        )
        for row in indicator_tree(version)
        if row.is_leaf
    ]
    return card
