"""Reads of model posts for their pages: the scoped list with its filters, one post with its members, star
timeline, monthly evaluations and opinion book, the closed star rounds awaiting evaluation, the office's rules
and their versions, and what the public board shows.

Every private read goes through the scoping module; each page runs a fixed number of queries whatever the
number of posts, members, events or opinions (related rows are joined, counts are SQL aggregates)."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Case, Count, Exists, IntegerField, OuterRef, QuerySet, Subquery, Value, When
from django.db.models.functions import Coalesce
from django.http import Http404

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.assessment.models import Purpose, Result, Round
from vanguard.org.models import Member, Organisation

from . import services
from .models import Evaluation, ModelPost, Opinion, PostMember, PostRules, StarEvent

Status = ModelPost.Status

# A value of the list's status filter besides the model's own: approved and named (授牌命名).
NAMED = "named"
# How many answered entries of the opinion book the public board shows, newest first.
PUBLIC_OPINIONS = 20
# How many closed star rounds the list offers to the office.
STAR_ROUNDS_SHOWN = 6


# --- who is who ------------------------------------------------------------------------------------------


def reads_posts(user) -> bool:
    """Office, secretaries, supervisors (their organisations' posts) and members (the posts they are on):
    the same people the navigation offers the list to."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.any_org_paths) or s.person_id is not None


def is_office(user) -> bool:
    s = scope.scope_of(user)
    return s.superuser or bool(s.paths_for({Role.OFFICE}))


def office_over(user, organisation: Organisation) -> bool:
    return scope.acts_as(user, {Role.OFFICE}, organisation)


def edits_under(user, organisation: Organisation) -> bool:
    """The branch's secretary and the office above it: answer the opinion book, enter paper entries."""
    return scope.can_edit_under(user, organisation)


def applies(user) -> bool:
    """Secretaries and the office may apply for a post in the branches they edit."""
    return scope.edits_organisations(user)


# --- the list --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class PostFilters:
    status: str = ""
    stars: int | None = None
    organisation: Organisation | None = None


_STATUS_ORDER = Case(
    When(status=Status.APPROVED, then=Value(0)),
    When(status=Status.APPLIED, then=Value(1)),
    When(status=Status.REMOVED, then=Value(2)),
    default=Value(3),
    output_field=IntegerField(),
)


def post_list(*, user, filters: PostFilters | None = None) -> QuerySet[ModelPost]:
    """The posts the user sees: those on the wall first, most stars first."""
    filters = filters or PostFilters()
    qs = scope.visible_to(user, ModelPost.objects.all())
    if filters.status == NAMED:
        qs = qs.filter(status=Status.APPROVED, named_at__isnull=False)
    elif filters.status:
        qs = qs.filter(status=filters.status)
    if filters.stars is not None:
        qs = qs.filter(stars=filters.stars)
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("organisation__"))
    counted = (
        PostMember.objects.filter(post=OuterRef("pk"))
        .order_by()
        .values("post")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return (
        qs.select_related("organisation")
        .annotate(member_count=Coalesce(Subquery(counted), 0), status_order=_STATUS_ORDER)
        .order_by("status_order", "-stars", "organisation__path", "name", "pk")
    )


def filter_organisations(*, user) -> QuerySet[Organisation]:
    return scope.visible_to(user, Organisation.objects.all()).order_by("path")


def star_rounds(*, user) -> QuerySet[Round]:
    """The latest closed rounds of monthly star schemes that the office may evaluate posts from, each
    marked whether any post has been evaluated from it yet."""
    done = Evaluation.objects.filter(result__round=OuterRef("pk"))
    return (
        scope.visible_to(user, Round.objects.all())
        .filter(
            version__scheme__purpose=Purpose.STAR,
            status__in=[Round.Status.CLOSED, Round.Status.PUBLISHED, Round.Status.ARCHIVED],
        )
        .select_related("organisation")
        .annotate(evaluated=Exists(done))
        .order_by("-period_start", "-pk")[:STAR_ROUNDS_SHOWN]
    )


# --- one post --------------------------------------------------------------------------------------------


def post_detail(*, user, pk: int) -> ModelPost:
    return scope.get_visible_or_404(
        user, ModelPost.objects.select_related("organisation", "decided_by"), pk=pk
    )


def post_members(post: ModelPost) -> QuerySet[PostMember]:
    return (
        PostMember.objects.filter(post=post)
        .select_related("member__person", "member__organisation")
        .order_by("order", "pk")
    )


def timeline(post: ModelPost) -> QuerySet[StarEvent]:
    """The star history, newest first."""
    return StarEvent.objects.filter(post=post).select_related("evaluation", "created_by").order_by("-pk")


def evaluations(*, user, post: ModelPost) -> tuple[list[Evaluation], set[int]]:
    """The post's monthly evaluations, newest first, and which of their engine results the user may open
    (a member of the post sees the post, not necessarily the round's result page)."""
    rows = list(
        Evaluation.objects.filter(post=post)
        .select_related("rules__organisation", "result__round", "created_by")
        .order_by("-month")
    )
    ids = [e.result_id for e in rows if e.result_id]
    visible: set[int] = set()
    if ids:
        visible = set(scope.visible_to(user, Result.objects.filter(pk__in=ids)).values_list("pk", flat=True))
    return rows, visible


def opinions(post: ModelPost) -> QuerySet[Opinion]:
    return (
        Opinion.objects.filter(post=post)
        .select_related("answered_by", "entered_by")
        .order_by("-received_on", "-pk")
    )


def opinion_for_answer(*, user, pk: int) -> Opinion:
    return scope.get_visible_or_404(
        user, Opinion.objects.select_related("post__organisation", "post__decided_by"), pk=pk
    )


def member_choices(organisation: Organisation) -> list[Member]:
    """The members a branch (with its groups) may put on a post, by name."""
    return list(
        Member.objects.filter(organisation.subtree_q("organisation__"))
        .select_related("person", "organisation")
        .order_by("person__name", "pk")
    )


def apply_organisations(*, user) -> QuerySet[Organisation]:
    """The branches and groups the user may apply for a post in."""
    qs = Organisation.objects.filter(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.GROUP])
    return scope.editable_organisations(user, qs).order_by("path")


# --- a star round's evaluation ---------------------------------------------------------------------------


def star_round(*, user, pk: int) -> Round:
    """A round of a star scheme the user sees; any other round is not a page here (404)."""
    return scope.get_visible_or_404(
        user,
        Round.objects.filter(version__scheme__purpose=Purpose.STAR).select_related(
            "version__scheme", "organisation"
        ),
        pk=pk,
    )


@dataclass
class RoundPostRow:
    result: Result
    evaluation: Evaluation | None


def round_posts(*, user, round_: Round) -> list[RoundPostRow]:
    """The round's results for posts, each with the post's evaluation of the round's month if any."""
    month = round_.period_start.replace(day=1)
    results = list(
        scope.visible_to(user, Result.objects.filter(round=round_, post__isnull=False))
        .select_related("post__organisation")
        .order_by("rank", "name", "pk")
    )
    done = {
        e.post_id: e for e in Evaluation.objects.filter(month=month, post_id__in=[r.post_id for r in results])
    }
    return [RoundPostRow(r, done.get(r.post_id)) for r in results]


# --- rules -----------------------------------------------------------------------------------------------


def rules_organisations(*, user) -> QuerySet[Organisation]:
    """Where the user sets rules: the organisations of their office assignments (the roots for a
    superuser)."""
    s = scope.scope_of(user)
    if s.superuser:
        return Organisation.objects.filter(depth=1).order_by("path")
    return Organisation.objects.filter(path__in=s.org_paths.get(Role.OFFICE, [])).order_by("path")


@dataclass
class RulesView:
    organisation: Organisation
    current: PostRules
    history: list[PostRules]

    @property
    def inherited(self) -> bool:
        """The rules in force come from an organisation above: this one has none of its own yet."""
        return self.current.organisation_id != self.organisation.pk

    @property
    def own_number(self) -> int:
        """The latest version of this organisation's own rules (0 for none): a stale form is refused."""
        return self.history[0].number if self.history else 0


def rules_view(organisation: Organisation) -> RulesView:
    # First: the root's default rules are made on first use.
    current = services.rules_for(organisation)
    history = list(
        PostRules.objects.filter(organisation=organisation).select_related("created_by").order_by("-number")
    )
    return RulesView(organisation, current, history)


# --- the public board ------------------------------------------------------------------------------------


def public_post(pk: int) -> ModelPost:
    """A post on the wall (approved, named or not); anything else is not on a public board."""
    try:
        return ModelPost.objects.select_related("organisation").get(pk=pk, status=Status.APPROVED)
    except ModelPost.DoesNotExist as exc:
        raise Http404 from exc


def public_opinions(post: ModelPost) -> list[Opinion]:
    return list(
        Opinion.objects.filter(post=post, answered_at__isnull=False)
        .only("kind", "content", "name", "received_on", "answer", "answered_at")
        .order_by("-received_on", "-pk")[:PUBLIC_OPINIONS]
    )


def photo_of(*, user, pk: int) -> tuple[PostMember, bool]:
    """A post member's photo and whether it is public: the photo of a post on the wall is on its public
    board; any other is seen by those who see the post. 404 when there is no photo or it is out of sight."""
    entry = PostMember.objects.select_related("post").filter(pk=pk).exclude(photo="").first()
    if entry is None:
        raise Http404
    if entry.post.status == Status.APPROVED:
        return entry, True
    if not scope.visible_to(user, PostMember.objects.filter(pk=pk)).exists():
        raise Http404
    return entry, False
