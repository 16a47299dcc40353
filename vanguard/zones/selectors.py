"""Reads of zones, their roles and the responsibilities they hang on, always through the scoping module.

Coverage (党员全覆盖) has its own module, coverage.py."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass

from django.db.models import Count, IntegerField, OuterRef, Prefetch, Q, QuerySet, Subquery
from django.db.models.functions import Coalesce, Length, Substr

from vanguard.accounts import scope
from vanguard.accounts.scope import _outermost
from vanguard.org.models import Cell, Organisation, Person, TreeNode
from vanguard.org.validators import today

from .models import Responsibility, Zone, ZoneRole, ZoneRoleKind

STEP = TreeNode.steplen
# Parameters per `path IN (...)` query: far below SQLite's and PostgreSQL's limits, and large enough that a
# page never needs a second one.
_IN_CHUNK = 10_000


def this_year() -> int:
    return today().year


def branch_path(organisation: Organisation) -> str:
    """The branch an organisation answers through: itself, or the branch above a group."""
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.path[:-STEP]
    return organisation.path


# --- names ----------------------------------------------------------------------------------------------


def _prefixes(path: str, *, proper: bool = False) -> list[str]:
    end = len(path) if proper else len(path) + 1
    return [path[:i] for i in range(STEP, end, STEP)]


def full_names(paths: Iterable[str], known: dict[str, str] | None = None) -> dict[str, str]:
    """The roster's name of each cell path ("东风街道/南园社区/1号楼"), reading all their ancestors in one
    query. `known` gives names the caller already has (the cells themselves), which are not read again."""
    paths = set(paths)
    names = dict(known or {})
    wanted = sorted({p for path in paths for p in _prefixes(path)} - names.keys())
    for start in range(0, len(wanted), _IN_CHUNK):
        names.update(
            Cell.objects.filter(path__in=wanted[start : start + _IN_CHUNK]).values_list("path", "name")
        )
    return {path: "/".join(names.get(p, "?") for p in _prefixes(path)) for path in paths}


def full_name(cell: Cell) -> str:
    return full_names([cell.path], {cell.path: cell.name})[cell.path]


# --- responsibilities -------------------------------------------------------------------------------------


def allowed_root_paths(organisation: Organisation) -> list[str]:
    """The grid a zone of `organisation` may cover: the responsibilities of the organisation itself and, for
    a group, of its branch."""
    owners = {organisation.path, branch_path(organisation)}
    paths = Responsibility.objects.filter(organisation__path__in=owners).values_list("cell__path", flat=True)
    return _outermost(list(paths))


def responsibility_list(*, user, organisation: Organisation) -> QuerySet[Responsibility]:
    """The responsibilities of `organisation` and the organisations under it, as far as `user` sees."""
    return (
        scope.visible_to(user, Responsibility.objects.all())
        .filter(organisation.subtree_q("organisation__"))
        .select_related("organisation", "cell")
        .order_by("organisation__path", "cell__path")
    )


def cells_under(root_paths: list[str], *, keep: Iterable[int] = ()) -> QuerySet[Cell]:
    """The cells a zone may choose from: everything under the roots but households, in tree order, and the
    cells `keep` (a zone's current cells, which may have left the responsibilities since)."""
    return (
        Cell.objects.filter(scope.subtree_q("path", root_paths) | Q(pk__in=list(keep)))
        .exclude(kind=Cell.Kind.HOUSEHOLD)
        .order_by("path")
    )


class CellLabeller:
    """Labels cells with their full path while a choice field iterates them in path order: the roots'
    ancestors are read once, and every other ancestor was iterated before its children."""

    def __init__(self, root_paths: list[str]) -> None:
        ancestors = {p for root in root_paths for p in _prefixes(root, proper=True)}
        self.names = dict(Cell.objects.filter(path__in=ancestors).values_list("path", "name"))

    def __call__(self, cell: Cell) -> str:
        self.names[cell.path] = cell.name
        return "/".join(self.names.get(p, "?") for p in _prefixes(cell.path))


def cell_by_full_name(text: str) -> Cell | None:
    """The cell a roster path ("东风街道/南园社区") names, or None."""
    parts = [p.strip() for p in text.strip().strip("/").split("/") if p.strip()]
    if not parts:
        return None
    candidates = list(Cell.objects.filter(depth=len(parts), name=parts[-1]))
    if not candidates:
        return None
    names = full_names([c.path for c in candidates], {c.path: c.name for c in candidates})
    wanted = "/".join(parts)
    return next((c for c in candidates if names[c.path] == wanted), None)


# --- zones ----------------------------------------------------------------------------------------------


@dataclass
class ZoneFilters:
    organisation: Organisation | None = None
    year: int | None = None
    kind: str = ""
    q: str = ""


def _cell_count() -> Coalesce:
    counts = (
        Zone.cells.through.objects.filter(zone_id=OuterRef("pk"))
        .order_by()
        .values("zone_id")
        .annotate(n=Count("pk"))
        .values("n")
    )
    return Coalesce(Subquery(counts, output_field=IntegerField()), 0)


def _branch_name() -> Subquery:
    """The name of the organisation's parent: a group's branch (every fleet's group has the same name)."""
    path = OuterRef("organisation__path")
    parents = Organisation.objects.filter(path=Substr(path, 1, Length(path) - STEP)).values("name")[:1]
    return Subquery(parents)


def _lead_roles() -> Prefetch:
    return Prefetch(
        "roles",
        queryset=ZoneRole.objects.filter(kind__is_lead=True)
        .select_related("person", "kind")
        .order_by("kind__order", "pk"),
        to_attr="lead_roles",
    )


def zone_list(*, user, filters: ZoneFilters | None = None) -> QuerySet[Zone]:
    """The zones the user sees, newest year first, then in the order of the organisation tree. Each carries
    `cell_count` and `lead_roles` (the 负责人), so a page of them costs two queries."""
    filters = filters or ZoneFilters()
    qs = scope.visible_to(user, Zone.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("organisation__"))
    if filters.year:
        qs = qs.filter(year=filters.year)
    if filters.kind:
        qs = qs.filter(kind=filters.kind)
    if filters.q:
        qs = qs.filter(name__icontains=filters.q.strip())
    return (
        qs.select_related("organisation")
        .annotate(cell_count=_cell_count(), branch_name=_branch_name())
        .prefetch_related(_lead_roles())
        .order_by("-year", "organisation__path", "name", "pk")
    )


def _roles() -> QuerySet[ZoneRole]:
    return ZoneRole.objects.select_related(
        "kind", "person", "person__member", "person__member__organisation"
    ).order_by("kind__order", "kind_id", "pk")


def zone_detail(*, user, pk: int) -> Zone:
    """One zone the user sees (404 otherwise) with `role_list` and `cell_list` prefetched."""
    return scope.get_visible_or_404(
        user,
        Zone.objects.select_related("organisation", "copied_from").prefetch_related(
            Prefetch("roles", queryset=_roles(), to_attr="role_list"),
            Prefetch("cells", queryset=Cell.objects.order_by("path"), to_attr="cell_list"),
        ),
        pk=pk,
    )


def zone_cells_named(zone: Zone) -> list[tuple[Cell, str]]:
    """The zone's cells with their full paths (after zone_detail, which prefetches them)."""
    cells = getattr(zone, "cell_list", None)
    if cells is None:
        cells = list(zone.cells.order_by("path"))
    names = full_names([c.path for c in cells], {c.path: c.name for c in cells})
    return [(c, names[c.path]) for c in cells]


def role_kinds() -> QuerySet[ZoneRoleKind]:
    return ZoneRoleKind.objects.order_by("order", "pk")


def lead_kind() -> ZoneRoleKind | None:
    return ZoneRoleKind.objects.filter(is_lead=True).order_by("order", "pk").first()


def role_candidates(*, user, zone: Zone) -> QuerySet[Person]:
    """Whom a role of `zone` may go to on the page: the members and activists of the zone's branch (its
    groups included) whom the user sees. The API takes any person the user sees."""
    root = [branch_path(zone.organisation)]
    in_branch = scope.subtree_q("member__organisation__path", root) | scope.subtree_q(
        "activist__organisation__path", root
    )
    return (
        scope.visible_to(user, Person.objects.all())
        .filter(in_branch)
        .select_related("member")
        .order_by("name_pinyin", "pk")
    )
