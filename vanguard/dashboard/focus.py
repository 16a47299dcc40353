"""Where the dashboard looks: the node of a tree its charts are narrowed to — `?organisation=<id>` for the
office, secretaries and supervisors (the organisation tree), `?cell=<id>` for community workers (the grid) —
with its breadcrumbs up to the top of the user's scope and its children one level down.

A node outside the scope answers 404, exactly like a missing one. With one top node (a secretary's branch,
a worker's community) the dashboard starts at it; with several (the secretary of two branches, the
superuser's roots) it starts above them, and they are its children.

Finding the focus costs at most three queries (the top nodes, the node asked for with its ancestors, its
children), whatever the size of the tree below it."""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

from django.db.models import Case, CharField, Q, Value, When
from django.db.models.functions import Substr
from django.http import Http404, QueryDict
from django.shortcuts import get_object_or_404
from django.urls import reverse
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.org.models import Cell, Organisation, TreeNode

ORGANISATION, CELL = "organisation", "cell"
STEP = TreeNode.steplen


@dataclass(frozen=True)
class Crumb:
    name: str
    url: str  # "" for the node the page is on


@dataclass
class Focus:
    """The node the figures are about (None: all the top nodes of the scope together), the subtrees they
    cover (`paths`; None: everything, for the superuser), its children and the way back up."""

    param: str
    node: TreeNode | None
    paths: list[str] | None
    children: list[TreeNode]
    crumbs: list[Crumb]
    query: QueryDict
    single_top: str = ""  # the path of the only top node: its address is the plain home page
    _by_path: dict[str, TreeNode] = field(default_factory=dict, repr=False)

    def __post_init__(self) -> None:
        self._by_path = {child.path: child for child in self.children}

    @property
    def anchor(self) -> str:
        return f"dash-{self.param}"

    def q(self, field_path: str) -> Q:
        """Rows whose tree path (`field_path`) lies under the focus."""
        if self.paths is None:
            return Q()
        return scope.subtree_q(field_path, self.paths)

    def child_key(self, field_path: str):
        """An SQL expression naming the child a row's path (`field_path`) lies under: the child's path, or
        anything else for a row at the node itself. Children of one node share a depth, so it is a prefix
        of the path; top nodes at different depths (rare, and few) are told apart by their ranges."""
        if not self.children:
            return Value("", output_field=CharField())
        lengths = {len(child.path) for child in self.children}
        if len(lengths) == 1:
            return Substr(field_path, 1, lengths.pop())
        return Case(
            *[
                When(scope.subtree_q(field_path, [child.path]), then=Value(child.path))
                for child in self.children
            ],
            default=Value(""),
            output_field=CharField(),
        )

    def child_of(self, path: str) -> TreeNode | None:
        """The child that `path` lies under, if any: a lookup per level of the path."""
        for end in range(STEP, len(path) + 1, STEP):
            child = self._by_path.get(path[:end])
            if child is not None:
                return child
        return None

    def url_for(self, node: TreeNode | None) -> str:
        """The home page focused on `node` (None or the only top node: the plain home page), keeping what
        the other tree's section is focused on."""
        query = self.query.copy()
        if node is None or node.path == self.single_top:
            query.pop(self.param, None)
        else:
            query[self.param] = str(node.pk)
        encoded = query.urlencode()
        return f"{reverse('home')}{'?' + encoded if encoded else ''}#{self.anchor}"


def _pk(raw: str) -> int:
    raw = raw.strip()
    if not (raw.isascii() and raw.isdigit()) or len(raw) > 12:
        raise Http404
    return int(raw)


def _focus(
    *,
    param: str,
    model: type[TreeNode],
    tops: list[TreeNode],
    lookup: Callable[[int], TreeNode],
    query: QueryDict,
    everything: bool,
) -> Focus:
    """The focus on the node asked for in `query` (`lookup` answers 404 outside the scope), or on the top."""
    raw = query.get(param, "")
    if raw:
        node = lookup(_pk(raw))
    elif len(tops) == 1:
        node = tops[0]
    else:
        node = None
    single_top = tops[0].path if len(tops) == 1 else ""
    if node is None:
        paths = None if everything else [t.path for t in tops]
        children = tops
        ancestors: list[TreeNode] = []
    else:
        paths = [node.path]
        children = list(model.children_of(node))
        top_depth = min((t.depth for t in tops if node.path.startswith(t.path)), default=node.depth)
        wanted = [p for p in node.ancestor_paths() if len(p) >= top_depth * STEP]
        ancestors = list(model.objects.filter(path__in=wanted).order_by("depth")) if wanted else []
    focus = Focus(
        param=param, node=node, paths=paths, children=children, crumbs=[], query=query, single_top=single_top
    )
    crumbs: list[Crumb] = []
    if len(tops) != 1:
        crumbs.append(Crumb(_("全部"), focus.url_for(None) if node is not None else ""))
    crumbs += [Crumb(a.name, focus.url_for(a)) for a in ancestors]
    if node is not None:
        crumbs.append(Crumb(node.name, ""))
    focus.crumbs = crumbs
    return focus


def organisation_focus(user, query: QueryDict) -> Focus | None:
    """The office's, a secretary's or a supervisor's focus in the organisation tree; None for a user with
    no organisation scope (who gets 404 for asking for one)."""
    s = scope.scope_of(user)
    if not (s.superuser or s.any_org_paths):
        if query.get(ORGANISATION):
            raise Http404
        return None
    tops_qs = (
        Organisation.objects.filter(depth=1)
        if s.superuser
        else Organisation.objects.filter(path__in=s.any_org_paths)
    )
    return _focus(
        param=ORGANISATION,
        model=Organisation,
        tops=list(tops_qs.order_by("path")),
        lookup=lambda pk: scope.get_visible_or_404(user, Organisation.objects.all(), pk=pk),
        query=query,
        everything=s.superuser,
    )


def cell_focus(user, query: QueryDict) -> Focus | None:
    """A community worker's focus in the grid; None for a user who works in no part of it. The grid's
    structure is shared reference data, so "visible" here is the worker's own subtrees."""
    s = scope.scope_of(user)
    if not s.cell_paths:
        if query.get(CELL):
            raise Http404
        return None
    return _focus(
        param=CELL,
        model=Cell,
        tops=list(Cell.objects.filter(path__in=s.cell_paths).order_by("path")),
        lookup=lambda pk: get_object_or_404(Cell.objects.filter(scope.grid_q(s, "path")), pk=pk),
        query=query,
        everything=False,
    )
