"""The roster workbook (人员名册) out of the database: the three sheets of vanguard/dataio/roster.py.

A fixed number of queries whatever the size: each tree is read once, in path order, into a dict from id
to full path (`东风街道/南园社区`), which names every parent, workplace, residence and organisation; the
people are one query joined to their membership and activist record, with their strengths from a second
query in the same order, merged as both stream. Values come as tuples (values_list): building a model
instance per person would cost more than writing the cells.

Every sheet is ordered (trees by path: parents before children, so an import can create them in order;
people by id), so two exports of the same data are identical row by row.
"""

from __future__ import annotations

import itertools
import operator
from collections.abc import Iterator
from types import SimpleNamespace

from vanguard.accounts import scope
from vanguard.dataio import roster as contract
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, TreeNode

from .base import CHUNK_SIZE, ExportColumn, ExportSheet

# Widths by the contract's column keys; the others fit their header.
_WIDTHS = {
    "name": 24,
    "parent": 36,
    "birth_date": 12,
    "id_number": 21,
    "mobile": 14,
    "organisation": 40,
    "join_date": 12,
    "workplace": 36,
    "occupation": 14,
    "strengths": 20,
    "residence": 36,
    "notes": 30,
}
_TEXT_KEYS = {"id_number", "mobile"}


def columns_of(sheet: contract.Sheet) -> list[ExportColumn]:
    return [
        ExportColumn(c.header, width=_WIDTHS.get(c.key), text=c.key in _TEXT_KEYS, required=c.required)
        for c in sheet.columns
    ]


def _labels(mapping: dict[str, str]) -> dict[str, str]:
    """`contract.label_of` for every stored value at once: a dict lookup per cell instead of a scan."""
    return {stored: contract.label_of(mapping, stored) for stored in mapping.values()}


def _person_types() -> dict[tuple[str | None, str | None], str]:
    """人员类型 for each (membership status, activist stage) pair, asked of `contract.person_type_of`
    itself so that the rule stays in one place."""
    statuses = [None, *Member.Status.values]
    stages = [None, *Activist.Stage.values]
    return {
        (status, stage): contract.person_type_of(
            SimpleNamespace(
                member=SimpleNamespace(status=status) if status else None,
                activist=SimpleNamespace(stage=stage) if stage else None,
            )
        )
        for status in statuses
        for stage in stages
    }


def walk_tree(model: type[TreeNode], fields: tuple[str, ...] = ()) -> Iterator[tuple[int, str, str, tuple]]:
    """(id, full path, parent's full path, field values) of every node, parents first: one query over the
    whole tree in path order, each full path built from its parent's, already seen."""
    names: dict[str, str] = {}  # materialised path → full path of names
    step = model.steplen
    nodes = model.objects.order_by("path").values_list("pk", "path", "name", *fields)
    for pk, path, name, *values in nodes.iterator(chunk_size=CHUNK_SIZE):
        parent = names.get(path[:-step], "") if len(path) > step else ""
        full = f"{parent}{contract.PATH_SEPARATOR}{name}" if parent else name
        names[path] = full
        yield pk, full, parent, (name, *values)


class TreePaths:
    """Each tree's id → full path, built once per export: by the tree's own sheet as it is written, or
    on first use."""

    def __init__(self) -> None:
        self._by_model: dict[type[TreeNode], dict[int, str]] = {}

    def of(self, model: type[TreeNode]) -> dict[int, str]:
        if model not in self._by_model:
            self._by_model[model] = {pk: full for pk, full, _, _ in walk_tree(model)}
        return self._by_model[model]

    def rows(self, model: type[TreeNode], user, fields: tuple[str, ...]) -> Iterator[tuple]:
        """(parent's full path, name, *fields) of the nodes `user` may see, parents first. The whole tree
        is read, since a node's path names ancestors that may lie outside the user's scope."""
        visible = None
        if not scope.scope_of(user).superuser:
            visible = set(scope.visible_to(user, model.objects.all()).values_list("pk", flat=True))
        by_id: dict[int, str] = {}
        for pk, full, parent, values in walk_tree(model, fields):
            by_id[pk] = full
            if visible is None or pk in visible:
                yield (parent, *values)
        self._by_model[model] = by_id


def _arranged(sheet: contract.Sheet, keys: tuple[str, ...], rows: Iterator[tuple]) -> Iterator[tuple]:
    """The rows in the contract's column order. The generators below build them in `keys` order; should
    the contract reorder its columns the rows follow, and a column it adds stays blank until written."""
    wanted = [c.key for c in sheet.columns]
    if wanted == list(keys):
        return rows
    blank = len(keys)
    pick = operator.itemgetter(*[keys.index(k) if k in keys else blank for k in wanted])
    return (pick((*row, "")) for row in rows)


_ORGANISATION_KEYS = ("name", "kind", "parent")
_CELL_KEYS = ("name", "kind", "parent", "community_type")
_PERSON_KEYS = (
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "person_type",
    "category",
    "organisation",
    "join_date",
    "workplace",
    "occupation",
    "strengths",
    "residence",
    "notes",
)


def organisation_rows(user, paths: TreePaths) -> Iterator[tuple]:
    kinds = _labels(contract.ORGANISATION_KINDS)
    for parent, name, kind in paths.rows(Organisation, user, ("kind",)):
        yield (name, kinds.get(kind, ""), parent)


def cell_rows(user, paths: TreePaths) -> Iterator[tuple]:
    kinds = _labels(contract.CELL_KINDS)
    community_types = _labels(contract.COMMUNITY_TYPES)
    for parent, name, kind, community_type in paths.rows(Cell, user, ("kind", "community_type")):
        yield (name, kinds.get(kind, ""), parent, community_types.get(community_type, ""))


_PERSON_FIELDS = (
    "pk",
    "name",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "member__status",
    "member__category",
    "member__organisation_id",
    "member__join_date",
    "activist__stage",
    "activist__organisation_id",
    "workplace_id",
    "residence_id",
    "occupation",
    "notes",
)


def _strengths_by_person(user, people) -> Iterator[tuple[int, str]]:
    """(person id, strengths joined by 、) in person id order, for the people of `people` with any."""
    through = Person.strengths.through.objects.all()
    if not scope.scope_of(user).superuser:
        through = through.filter(person__in=people.values("pk"))
    rows = (
        through.order_by("person_id", "strength__name")
        .values_list("person_id", "strength__name")
        .iterator(chunk_size=CHUNK_SIZE)
    )
    for person_id, group in itertools.groupby(rows, key=lambda r: r[0]):
        yield person_id, contract.STRENGTH_SEPARATOR.join(name for _, name in group)


def person_rows(user, paths: TreePaths) -> Iterator[tuple]:
    org_paths = paths.of(Organisation)
    cell_paths = paths.of(Cell)
    genders = _labels(contract.GENDERS)
    categories = _labels(contract.MEMBER_CATEGORIES)
    person_types = _person_types()
    people = scope.visible_to(user, Person.objects.all())
    strengths = _strengths_by_person(user, people)
    next_strengths = next(strengths, None)
    rows = people.order_by("pk").values_list(*_PERSON_FIELDS).iterator(chunk_size=CHUNK_SIZE)
    for (
        pk,
        name,
        gender,
        birth_date,
        id_number,
        mobile,
        status,
        category,
        member_org,
        join_date,
        stage,
        activist_org,
        workplace,
        residence,
        occupation,
        notes,
    ) in rows:
        joined = ""
        # Both streams are in person id order; the strengths' one only has the people with any.
        while next_strengths is not None and next_strengths[0] <= pk:
            if next_strengths[0] == pk:
                joined = next_strengths[1]
            next_strengths = next(strengths, None)
        organisation = member_org or activist_org
        yield (
            name,
            genders.get(gender, ""),
            birth_date,
            id_number,
            mobile,
            person_types[(status, stage)],
            categories.get(category, "") if status else "",
            org_paths.get(organisation, "") if organisation else "",
            join_date,
            cell_paths.get(workplace, "") if workplace else "",
            occupation,
            joined,
            cell_paths.get(residence, "") if residence else "",
            notes,
        )


def roster_sheets(user) -> Iterator[ExportSheet]:
    """The three sheets, within what `user` may see: the organisations in scope, every grid cell (shared
    reference data) and the people in scope. The console's actor sees everything."""
    paths = TreePaths()
    for sheet, keys, rows in (
        (contract.ORGANISATIONS, _ORGANISATION_KEYS, organisation_rows),
        (contract.GRID, _CELL_KEYS, cell_rows),
        (contract.PEOPLE, _PERSON_KEYS, person_rows),
    ):
        yield ExportSheet(sheet.name, columns_of(sheet), _arranged(sheet, keys, rows(user, paths)))
