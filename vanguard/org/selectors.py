"""Reads of the trees and the roster, always through the scoping module."""

from __future__ import annotations

from dataclasses import dataclass

from django.db.models import Count, Q, QuerySet
from django.db.models.functions import Substr

from vanguard.accounts import scope
from vanguard.accounts.scope import _outermost
from vanguard.core import pinyin

from .models import Cell, Member, Organisation, Person, TreeNode


@dataclass
class MemberFilters:
    organisation: Organisation | None = None
    category: str = ""
    status: str = ""
    occupation: str = ""
    residence: Cell | None = None
    q: str = ""


def person_search_q(query: str, prefix: str = "") -> Q:
    """Name prefix, full-pinyin prefix or initials prefix; each an index range scan."""
    query = query.strip()
    if not query:
        return Q()
    end = pinyin.PREFIX_END

    def rng(field: str, value: str) -> Q:
        return Q(**{f"{prefix}{field}__gte": value, f"{prefix}{field}__lt": value + end})

    q = rng("name", query)
    if pinyin.is_pinyin_query(query):
        key = pinyin.search_key(query)
        q |= rng("name_pinyin", key) | rng("name_initials", key)
    if query.isdigit() and len(query) == 11:
        q |= Q(**{f"{prefix}mobile": query})
    return q


def member_list(*, user, filters: MemberFilters | None = None) -> QuerySet[Member]:
    filters = filters or MemberFilters()
    qs = scope.visible_to(user, Member.objects.all())
    if filters.organisation is not None:
        qs = qs.filter(filters.organisation.subtree_q("organisation__"))
    if filters.residence is not None:
        qs = qs.filter(filters.residence.subtree_q("person__residence__"))
    if filters.category:
        qs = qs.filter(category=filters.category)
    if filters.status:
        qs = qs.filter(status=filters.status)
    if filters.occupation:
        qs = qs.filter(person__occupation=filters.occupation)
    if filters.q:
        qs = qs.filter(person_search_q(filters.q, prefix="person__"))
    return qs.select_related("person", "organisation", "person__workplace", "person__residence").order_by(
        "person__name_pinyin", "pk"
    )


def person_list(*, user, q: str = "") -> QuerySet[Person]:
    qs = scope.visible_to(user, Person.objects.all())
    if q:
        qs = qs.filter(person_search_q(q))
    return qs.select_related("member", "member__organisation", "residence", "workplace").order_by(
        "name_pinyin", "pk"
    )


def member_detail(*, user, pk: int) -> Member:
    return scope.get_visible_or_404(
        user,
        Member.objects.select_related(
            "person", "organisation", "person__workplace", "person__residence"
        ).prefetch_related("person__strengths"),
        pk=pk,
    )


def occupations(*, user) -> list[str]:
    qs = scope.visible_to(user, Member.objects.all()).exclude(person__occupation="")
    return list(
        qs.values_list("person__occupation", flat=True).distinct().order_by("person__occupation")[:200]
    )


@dataclass
class TreeRow:
    node: TreeNode
    counts: dict[str, int]

    @property
    def has_children(self) -> bool:
        return self.node.numchild > 0  # kept up to date in the database by treebeard on every add and move


def _level_counts(members: QuerySet, field: str, nodes: list[TreeNode], depth_len: int) -> dict[str, int]:
    """Members in the subtree of each node of one level, in one grouped query."""
    if not nodes:
        return {}
    parent_prefix = nodes[0].path[: depth_len - TreeNode.steplen]
    rows = (
        members.filter(
            **{f"{field}__path__gte": parent_prefix, f"{field}__path__lt": parent_prefix + pinyin.PREFIX_END}
        )
        .annotate(prefix=Substr(f"{field}__path", 1, depth_len))
        .values("prefix")
        .annotate(n=Count("pk"))
        .values_list("prefix", "n")
    )
    return dict(rows)


def organisation_roots(*, user) -> QuerySet[Organisation]:
    s = scope.scope_of(user)
    if s.superuser:
        return Organisation.children_of(None)
    return Organisation.objects.filter(path__in=s.any_org_paths).order_by("path")


def cell_roots(*, user) -> QuerySet[Cell]:
    s = scope.scope_of(user)
    if s.cell_paths:
        return Cell.objects.filter(path__in=_outermost(s.cell_paths)).order_by("path")
    if s.superuser or scope.has_any_role(user):
        return Cell.children_of(None)
    return Cell.objects.none()


def organisation_level(*, user, nodes: list[Organisation]) -> list[TreeRow]:
    """One level of the organisation tree with the member count of each node's subtree."""
    if not nodes:
        return []
    members = scope.visible_to(user, Member.objects.all())
    rows: list[TreeRow] = []
    # Nodes of one level share a depth; the roots of a secretary's scope may not, so group by depth.
    by_depth: dict[int, list[Organisation]] = {}
    for node in nodes:
        by_depth.setdefault(node.depth, []).append(node)
    counts: dict[str, int] = {}
    for depth, level in by_depth.items():
        if depth == 1 or len({n.path[: -TreeNode.steplen] for n in level}) == 1:
            counts.update(_level_counts(members, "organisation", level, depth * TreeNode.steplen))
        else:
            for node in level:
                counts.update(_level_counts(members, "organisation", [node], depth * TreeNode.steplen))
    for node in nodes:
        rows.append(TreeRow(node=node, counts={"members": counts.get(node.path, 0)}))
    return rows


def organisation_children(*, user, parent: Organisation) -> list[TreeRow]:
    parent = scope.get_visible_or_404(user, Organisation.objects.all(), pk=parent.pk)
    return organisation_level(user=user, nodes=list(type(parent).children_of(parent)))


def cell_level(*, user, nodes: list[Cell]) -> list[TreeRow]:
    """One level of the grid with the members living and working in each node's subtree."""
    if not nodes:
        return []
    members = scope.visible_to(user, Member.objects.all())
    living: dict[str, int] = {}
    working: dict[str, int] = {}
    by_parent: dict[str, list[Cell]] = {}
    for node in nodes:
        by_parent.setdefault(node.path[: -TreeNode.steplen], []).append(node)
    for level in by_parent.values():
        depth_len = level[0].depth * TreeNode.steplen
        living.update(_level_counts(members, "person__residence", level, depth_len))
        working.update(_level_counts(members, "person__workplace", level, depth_len))
    return [
        TreeRow(node=n, counts={"living": living.get(n.path, 0), "working": working.get(n.path, 0)})
        for n in nodes
    ]


def cell_children(*, user, parent: Cell) -> list[TreeRow]:
    parent = scope.get_visible_or_404(user, Cell.objects.all(), pk=parent.pk)
    return cell_level(user=user, nodes=list(type(parent).children_of(parent)))
