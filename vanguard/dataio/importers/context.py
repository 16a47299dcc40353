"""What the planners share: the acting user's reach, both trees indexed by their roster paths, the plan.

The trees are read once, as plain tuples, into a map from the roster path (`东风街道/南园社区`) to the node:
one query per tree instead of one per row. Nodes that an earlier sheet (or an earlier row) of the same
workbook will create join the map as *planned* nodes, so later rows can name them.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError

from vanguard.accounts import scope
from vanguard.accounts.models import Role
from vanguard.dataio import roster
from vanguard.org.models import Cell, Organisation, TreeNode

from .plan import Plan, RowError

# Provisional paths of planned nodes start with a character above treebeard's alphabet (0-9A-Z): the
# sibling check in TreeNode.clean() then finds no stored node under a node that does not exist yet.
_PLANNED_PATH = "~"


def normalise_path(value: str) -> str:
    """A roster path as people type it, tidied: `东风街道 / 南园社区/` → `东风街道/南园社区`."""
    parts = (part.strip() for part in value.replace("／", roster.PATH_SEPARATOR).split(roster.PATH_SEPARATOR))
    return roster.PATH_SEPARATOR.join(part for part in parts if part)


@dataclass
class NodeRef:
    """A node a row names: stored (`pk` set) or planned by this import (`pk` None, `key` its path).

    `instance` is a model instance good enough for the models' clean(): kind, name, path and depth are
    real; a planned node's pk is a negative stand-in so that a foreign key to it counts as set."""

    key: str
    instance: TreeNode
    editable: bool
    planned: bool = False

    @property
    def ref(self) -> int | str:
        """What the plan stores for a foreign key to this node: a pk, or the key of a planned node."""
        return self.key if self.planned else self.instance.pk


class NodeIndex:
    def __init__(self, model: type[TreeNode], editable):
        self.model = model
        self._editable = editable
        self._stored: dict[str, tuple] | None = None
        self._by_pk: dict[int, tuple] = {}
        self._refs: dict[str, NodeRef] = {}
        self._planned: dict[str, NodeRef] = {}

    def _load(self) -> dict[str, tuple]:
        if self._stored is None:
            names: dict[str, str] = {}
            stored: dict[str, tuple] = {}
            extra = ("community_type",) if self.model is Cell else ()
            rows = self.model.objects.order_by("path").values_list(
                "pk", "path", "depth", "name", "kind", *extra
            )
            for row in rows.iterator(chunk_size=5000):
                path, name = row[1], row[3]
                parent = names.get(path[: -self.model.steplen]) if row[2] > 1 else None
                full = f"{parent}{roster.PATH_SEPARATOR}{name}" if parent else name
                names[path] = full
                # The first of two same-named siblings wins (clean() refuses them; old data might not).
                stored.setdefault(full, row)
                self._by_pk[row[0]] = row
            self._stored = stored
        return self._stored

    def get(self, key: str) -> NodeRef | None:
        if key in self._planned:
            return self._planned[key]
        if key in self._refs:
            return self._refs[key]
        row = self._load().get(key)
        if row is None:
            return None
        instance = self._instance(row)
        ref = NodeRef(key=key, instance=instance, editable=self._editable(instance))
        self._refs[key] = ref
        return ref

    def stored(self, pk: int | None) -> TreeNode | None:
        """The stored node with this pk (a registered person's cell, say), as get()'s instances are."""
        if pk is None:
            return None
        self._load()
        row = self._by_pk.get(pk)
        return self._instance(row) if row is not None else None

    def _instance(self, row: tuple) -> TreeNode:
        fields: dict[str, Any] = dict(zip(("pk", "path", "depth", "name", "kind"), row[:5], strict=True))
        if self.model is Cell:
            fields["community_type"] = row[5]
        return self.model(**fields)

    def plan(self, key: str, instance: TreeNode, *, parent: NodeRef | None, editable: bool) -> NodeRef:
        number = len(self._planned) + 1
        instance.pk = -number
        instance.depth = parent.instance.depth + 1 if parent else 1
        instance.path = f"{_PLANNED_PATH}{number:08d}"
        instance.numchild = 0
        ref = NodeRef(key=key, instance=instance, editable=editable, planned=True)
        self._planned[key] = ref
        return ref


class Context:
    """One import's shared state. `actor` is the logged-in user of the page or scope.SYSTEM (the console)."""

    def __init__(self, actor, plan: Plan):
        self.actor = actor
        self.plan = plan
        reach = scope.scope_of(actor)
        self.superuser = reach.superuser
        # services.cell_create: the grid is drawn by the committee office.
        self.may_create_cells = reach.superuser or Role.OFFICE in reach.roles
        self.organisations = NodeIndex(Organisation, lambda node: scope.can_edit_under(actor, node))
        self.cells = NodeIndex(Cell, lambda node: True)
        self._sheet_order = {s.name: i for i, s in enumerate(roster.SHEETS)}
        self._column_order = {(s.name, c.header): i for s in roster.SHEETS for i, c in enumerate(s.columns)}

    def error(self, sheet: str, row: int, column: str, message: str) -> None:
        self.plan.errors.append(
            RowError(
                self._sheet_order.get(sheet, 99),
                row,
                self._column_order.get((sheet, column), -1),
                sheet,
                column,
                message,
            )
        )


def message_dict(exc: ValidationError) -> dict[str, list[str]]:
    if hasattr(exc, "error_dict"):
        return exc.message_dict
    return {"__all__": exc.messages}
