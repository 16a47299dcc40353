"""Planning the 党组织 and 网格 sheets: which nodes to create, which already exist.

These sheets are small (a city has some thousands of branches), so their rows are read whole and taken
parents first: a row may name as its parent a node on a later row of the same sheet. Each new node is
validated with the model's full_clean() exactly as org.services validates one before adding it, and the
plan later creates it through those same services.
"""

from __future__ import annotations

from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vanguard.dataio import roster
from vanguard.dataio.workbook import SheetReader
from vanguard.org.models import Cell, Organisation, TreeNode

from . import cells
from .context import Context, NodeIndex, NodeRef, message_dict, normalise_path
from .plan import CREATE, UNCHANGED, NodeOp

# As org.services._TREE_EXCLUDE: treebeard fills these when the node is added.
_TREE_EXCLUDE = ["path", "depth", "numchild"]
_SEP = roster.PATH_SEPARATOR


def required_message() -> str:
    return _("必填,不能为空。")


class _Row:
    __slots__ = ("community_type", "errors", "kind", "name", "number", "parent")

    def __init__(self, number: int):
        self.number = number
        self.errors: dict[str, str] = {}
        self.name = self.kind = self.parent = self.community_type = ""


class TreePlanner:
    model: type[TreeNode]
    kinds: dict[str, str]
    spec: roster.Sheet

    def __init__(self, context: Context, reader: SheetReader):
        self.context = context
        self.reader = reader
        self.plan = context.plan
        self.summary = context.plan.summary(reader.name)
        self.headers = {c.key: c.header for c in reader.spec.columns}
        # roster path -> the first row that names it
        self.seen: dict[str, int] = {}

    @property
    def index(self) -> NodeIndex:
        raise NotImplementedError

    def run(self) -> int:
        rows = [self._parse(number, values) for number, values in self.reader.rows()]
        # Parents first, whatever order the rows come in; rows of the same depth keep theirs.
        rows.sort(key=lambda r: (r.parent.count(_SEP) + 1 if r.parent else 0, r.number))
        for row in rows:
            self._plan(row)
        return len(rows)

    def _parse(self, number: int, values: dict[str, Any]) -> _Row:
        row = _Row(number)
        row.name = cells.text(values.get("name"))
        if not row.name:
            row.errors[self.headers["name"]] = required_message()
        try:
            row.kind = cells.choice(values.get("kind"), self.kinds, self.headers["kind"])
            if not row.kind:
                row.errors[self.headers["kind"]] = required_message()
        except cells.CellError as exc:
            row.errors[self.headers["kind"]] = exc.message
        row.parent = normalise_path(cells.text(values.get("parent")))
        if "community_type" in self.headers:
            try:
                row.community_type = cells.choice(
                    values.get("community_type"), roster.COMMUNITY_TYPES, self.headers["community_type"]
                )
            except cells.CellError as exc:
                row.errors[self.headers["community_type"]] = exc.message
        return row

    def _fail(self, row: _Row, errors: dict[str, str]) -> None:
        for column, message in errors.items():
            self.context.error(self.reader.name, row.number, column, message)

    def _plan(self, row: _Row) -> None:
        if row.errors:
            return self._fail(row, row.errors)
        key = f"{row.parent}{_SEP}{row.name}" if row.parent else row.name
        first = self.seen.setdefault(key, row.number)
        if first != row.number:
            return self._fail(row, {self.headers["name"]: _("与第%(row)d行重复。") % {"row": first}})
        existing = self.index.get(key)
        if existing is not None and self.may_see(existing):
            return self._existing(row, existing)
        parent: NodeRef | None = None
        if row.parent:
            parent = self.index.get(row.parent)
            if parent is None or not self.may_add_under(parent):
                return self._fail(row, {self.headers["parent"]: self.unknown_parent_message(row.parent)})
        self._create(row, key, parent)

    def _existing(self, row: _Row, node: NodeRef) -> None:
        instance = node.instance
        if instance.kind != row.kind:
            return self._fail(
                row,
                {
                    self.headers["kind"]: _("已有“%(path)s”,类型是%(kind)s;导入不修改已有节点的类型。")
                    % {"path": node.key, "kind": roster.label_of(self.kinds, instance.kind)}
                },
            )
        if row.community_type and getattr(instance, "community_type", "") != row.community_type:
            return self._fail(
                row,
                {
                    self.headers["community_type"]: _(
                        "已有“%(path)s”,社区类型是%(type)s;导入不修改已有网格。"
                    )
                    % {
                        "path": node.key,
                        "type": roster.label_of(roster.COMMUNITY_TYPES, instance.community_type) or _("空"),
                    }
                },
            )
        self.summary.add(UNCHANGED, row.number, node.key, roster.label_of(self.kinds, row.kind))

    def _create(self, row: _Row, key: str, parent: NodeRef | None) -> None:
        refusal = self.may_create(parent)
        if refusal:
            return self._fail(row, refusal)
        fields: dict[str, Any] = {"name": row.name, "kind": row.kind}
        if "community_type" in self.headers:
            fields["community_type"] = row.community_type
        node = self.model(**fields)
        node._new_parent = parent.instance if parent else None
        # The path map has just shown that no sibling, stored or planned, has this name (`key` is new).
        node.siblings_checked = True
        try:
            node.full_clean(exclude=_TREE_EXCLUDE)
        except ValidationError as exc:
            columns = {"name": "name", "kind": "kind", "community_type": "community_type", "parent": "parent"}
            errors = {}
            for field, messages in message_dict(exc).items():
                column = self.headers.get(columns.get(field, ""), "")
                errors[column] = ";".join(messages)
            return self._fail(row, errors)
        finally:
            del node._new_parent
        self.index.plan(key, node, parent=parent, editable=parent.editable if parent else True)
        self.plan.nodes.append(
            NodeOp(
                model=self.model,
                key=key,
                name=row.name,
                kind=row.kind,
                community_type=fields.get("community_type", ""),
                parent=parent.ref if parent else None,
                row=row.number,
            )
        )
        self.summary.add(CREATE, row.number, key, roster.label_of(self.kinds, row.kind))

    # --- who may do what: the rules of org.services, for each tree -------------------------------------

    def may_add_under(self, parent: NodeRef) -> bool:
        return True

    def may_see(self, node: NodeRef) -> bool:
        return True

    def may_create(self, parent: NodeRef | None) -> dict[str, str]:
        return {}

    def unknown_parent_message(self, path: str) -> str:
        raise NotImplementedError


class OrganisationPlanner(TreePlanner):
    model = Organisation
    kinds = roster.ORGANISATION_KINDS

    @property
    def index(self) -> NodeIndex:
        return self.context.organisations

    def may_add_under(self, parent: NodeRef) -> bool:
        return parent.editable

    def may_see(self, node: NodeRef) -> bool:
        # A branch outside the user's reach reads as missing, exactly as an unknown one does.
        return node.editable

    def may_create(self, parent: NodeRef | None) -> dict[str, str]:
        # services.organisation_create: a root is for the superuser (and the console) only.
        if parent is None and not self.context.superuser:
            return {self.headers["parent"]: _("只有系统管理员可以新建顶层党组织,请填写上级。")}
        return {}

    def unknown_parent_message(self, path: str) -> str:
        return _("上级党组织“%(path)s”不存在或不在您的管理范围内。") % {"path": path}


class CellPlanner(TreePlanner):
    model = Cell
    kinds = roster.CELL_KINDS

    @property
    def index(self) -> NodeIndex:
        return self.context.cells

    def may_create(self, parent: NodeRef | None) -> dict[str, str]:
        # services.cell_create: the grid is drawn by the committee office.
        if not self.context.may_create_cells:
            return {self.headers["name"]: _("只有党委办公室可以新建网格。")}
        return {}

    def unknown_parent_message(self, path: str) -> str:
        return _("上级网格“%(path)s”不存在(须是系统中已有的,或本表中无误的另一行)。") % {"path": path}
