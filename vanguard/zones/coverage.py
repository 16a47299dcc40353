"""Coverage (党员全覆盖、网格化, seed 001): which cells an organisation answers for have no party member.

Targets: the leaf workplace cells (班组, 线路) and the residential cells (楼栋, 公共区域) under any
responsibility of the organisation or of the organisations below it. A target is covered when a zone of the
year covers it or one of its ancestors and some role of that zone is held by a party member.

However large the subtree, a coverage costs a fixed number of queries: the responsibility roots, the depth
of the deepest target, the two counts, the uncovered list and the names of their ancestors. The covered test
is an EXISTS that looks each ancestor of the target up by its path (`cell.path IN (substr(path, 1, 4),
substr(path, 1, 8), …)`), an index lookup per level, rather than a prefix comparison that would scan every
zone of the year for every target.
"""

from __future__ import annotations

from dataclasses import dataclass, field

from django.db.models import (
    Case,
    Count,
    Exists,
    IntegerField,
    Max,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Value,
    When,
)
from django.db.models.functions import Coalesce, Substr
from django.http import Http404

from vanguard.accounts import scope
from vanguard.accounts.scope import _outermost
from vanguard.core.pinyin import PREFIX_END
from vanguard.org.models import Cell, Member, Organisation, TreeNode

from .models import Responsibility, Zone, ZoneRole
from .selectors import branch_path, full_names

STEP = TreeNode.steplen
TARGET_KINDS = (Cell.Kind.TEAM, Cell.Kind.LINE, Cell.Kind.BUILDING, Cell.Kind.PUBLIC_AREA)
# Up to this many responsibility roots, the targets are read by an index range per root; beyond it (a city's
# office with thousands of branches) by an EXISTS per cell, since SQLite refuses an expression deeper than
# 1000 terms.
MAX_RANGES = 200
SUGGESTIONS = 10


@dataclass(frozen=True)
class UncoveredCell:
    id: int
    path: str  # the full name, "市公交公司/第一分公司/第一车队/1路"
    name: str
    kind: str

    @property
    def kind_label(self) -> str:
        return str(Cell.Kind(self.kind).label)


@dataclass
class Coverage:
    organisation: Organisation
    year: int
    cells_total: int = 0
    cells_covered: int = 0
    uncovered: list[UncoveredCell] = field(default_factory=list)

    @property
    def percent(self) -> int:
        if not self.cells_total:
            return 100
        return int(self.cells_covered * 100 / self.cells_total)


def responsibility_roots(organisation: Organisation) -> list[str]:
    """The outermost cells that `organisation` and the organisations below it answer for."""
    paths = Responsibility.objects.filter(organisation.subtree_q("organisation__")).values_list(
        "cell__path", flat=True
    )
    return _outermost(list(paths))


def _ancestor_paths(ref: str, depth: int) -> list[Substr]:
    """The paths of the cell `ref` points at and of its ancestors, as SQL (deeper levels repeat the path)."""
    return [Substr(OuterRef(ref), 1, STEP * level) for level in range(1, depth + 1)]


def _targets(organisation: Organisation, roots: list[str]) -> QuerySet[Cell]:
    cells = Cell.objects.filter(kind__in=TARGET_KINDS)
    if len(roots) <= MAX_RANGES:
        return cells.filter(scope.subtree_q("path", roots))
    # The cell's ancestors reach at most as deep as the deepest root's; the roots' own depth bounds them.
    depth = max(len(r) for r in roots) // STEP
    answering = Responsibility.objects.filter(
        organisation.subtree_q("organisation__"), cell__path__in=_ancestor_paths("path", depth)
    )
    return cells.filter(Exists(answering))


def covered(year: int, depth: int) -> Exists:
    """A zone of `year` with a party member in one of its roles covers the outer cell or an ancestor."""
    return Exists(
        Zone.cells.through.objects.filter(
            zone__year=year,
            cell__path__in=_ancestor_paths("path", depth),
            zone__roles__person__member__isnull=False,
        )
    )


def coverage(*, organisation: Organisation, year: int) -> Coverage:
    """The coverage of `organisation`'s responsibilities in `year`. The caller checks that the user sees the
    organisation; the counts take every zone into account, whichever branch holds it."""
    result = Coverage(organisation=organisation, year=year)
    roots = responsibility_roots(organisation)
    if not roots:
        return result
    targets = _targets(organisation, roots)
    depth = targets.aggregate(depth=Max("depth"))["depth"]
    if depth is None:
        return result
    is_covered = covered(year, depth)
    # The EXISTS itself as the filter: filtering on an annotation of it (`Q(covered=True)`) loses the
    # annotation in Django 5.2's aggregate subquery.
    counts = targets.aggregate(total=Count("pk"), covered=Count("pk", filter=is_covered))
    result.cells_total, result.cells_covered = counts["total"], counts["covered"]
    if result.cells_covered == result.cells_total:
        return result
    rows = list(targets.filter(~is_covered).order_by("path").values_list("pk", "path", "name", "kind"))
    names = full_names([r[1] for r in rows], {r[1]: r[2] for r in rows})
    result.uncovered = [UncoveredCell(pk, names[path], name, kind) for pk, path, name, kind in rows]
    return result


# --- filling a gap ---------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Suggestion:
    member: Member
    near: str  # the cell (the target or an ancestor) the member works or lives in
    via: str  # "work" or "home"
    zone_count: int  # zones in which the member holds a role this year


@dataclass
class FillOptions:
    organisation: Organisation
    cell: Cell
    path: str
    year: int
    responsible: list[Organisation]
    suggestions: list[Suggestion]
    zones: list[Zone]  # this year's zones already covering the cell, with no party member in them

    @property
    def new_zone_organisation(self) -> Organisation:
        """Where a new zone for the cell goes: the deepest organisation answering for it."""
        return max(self.responsible, key=lambda o: o.depth)


def _within(field: str, path: str) -> Q:
    return Q(**{f"{field}__gte": path, f"{field}__lt": path + PREFIX_END})


def _suggestions(*, user, branches: list[str], levels: list[Cell], year: int) -> list[Suggestion]:
    """Members of the branches who work or live nearest the cell (its own subtree first, then its parent's
    …), those with the fewest zones this year first."""
    nearness = Case(
        *[
            When(
                _within("person__workplace__path", cell.path) | _within("person__residence__path", cell.path),
                then=Value(level),
            )
            for level, cell in enumerate(levels)
        ],
        default=None,
        output_field=IntegerField(),
    )
    zones = (
        ZoneRole.objects.filter(person_id=OuterRef("person_id"), zone__year=year)
        .order_by()
        .values("person_id")
        .annotate(n=Count("zone_id", distinct=True))
        .values("n")
    )
    members = (
        scope.visible_to(user, Member.objects.all())
        .filter(scope.subtree_q("organisation__path", branches))
        .annotate(level=nearness, zone_count=Coalesce(Subquery(zones, output_field=IntegerField()), 0))
        .filter(level__isnull=False)
        .select_related("person", "organisation", "person__workplace", "person__residence")
        .order_by("level", "zone_count", "person__name_pinyin", "pk")[:SUGGESTIONS]
    )
    result = []
    for member in members:
        near = levels[member.level]
        works = member.person.workplace is not None and member.person.workplace.path.startswith(near.path)
        result.append(Suggestion(member, near.name, "work" if works else "home", member.zone_count))
    return result


def fill_options(*, user, organisation: Organisation, cell: Cell, year: int) -> FillOptions:
    """What can fill the gap at `cell` in `organisation`'s coverage: 404 when the cell is not one that
    the organisation answers for."""
    own = [*cell.ancestor_paths(), cell.path]
    responsible = list(
        Responsibility.objects.filter(organisation.subtree_q("organisation__"), cell__path__in=own)
        .select_related("organisation")
        .order_by("organisation__path")
    )
    if cell.kind not in TARGET_KINDS or not responsible:
        raise Http404
    organisations = list({r.organisation.pk: r.organisation for r in responsible}.values())
    ancestors = list(Cell.objects.filter(path__in=cell.ancestor_paths()).order_by("-depth"))
    names = full_names([cell.path], {a.path: a.name for a in [cell, *ancestors]})
    branches = _outermost([branch_path(o) for o in organisations])
    suggestions = _suggestions(user=user, branches=branches, levels=[cell, *ancestors], year=year)
    covering = (
        scope.visible_to(user, Zone.objects.all())
        .filter(year=year, cells__path__in=own)
        .select_related("organisation")
        .order_by("organisation__path", "name")
        .distinct()
    )
    return FillOptions(
        organisation=organisation,
        cell=cell,
        path=names[cell.path],
        year=year,
        responsible=organisations,
        suggestions=suggestions,
        zones=list(covering),
    )
