"""The roster import's write path: carry out a plan (importers.plan_workbook) in one transaction.

The plan was validated row by row with the models' full_clean() and the scope rules of org.services; this
module writes it the way those services would, in bulk: tree nodes with treebeard's path arithmetic,
people, members, activists and strengths with bulk_create / bulk_update, 2 000 rows at a time, and every
created or changed object with its audit record (audit.record_many, before and after as audit.snapshot).
One transaction holds it all: an error, a crash or a kill half-way leaves the database as it was.
"""

from __future__ import annotations

import hashlib
import os
from collections import Counter
from collections.abc import Callable, Iterable, Iterator
from itertools import islice
from typing import Any

from django.core.exceptions import PermissionDenied
from django.db import connections, models, router, transaction
from django.db.models import F, Model
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.audit.models import Action
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode

from . import importers
from .importers.plan import PERSON_FIELDS, NodeOp, PersonOp, Plan

BATCH = 2000
# bulk_update writes one CASE per field over the batch: smaller batches keep each statement cheap.
UPDATE_BATCH = 500
_PERSON_UPDATE_FIELDS = [
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "workplace",
    "residence",
    "occupation",
    "notes",
    "updated_at",
]

Progress = Callable[[int, int], None]


class ImportConflict(Exception):
    """The database changed between the plan and its application (someone else wrote meanwhile)."""


def file_sha256(path: str | os.PathLike) -> str:
    digest = hashlib.sha256()
    with open(path, "rb") as handle:
        while chunk := handle.read(1024 * 1024):
            digest.update(chunk)
    return digest.hexdigest()


def roster_plan(*, actor, path: str | os.PathLike, filename: str = "", sha256: str = "") -> Plan:
    """Phase one: read and validate the workbook as `actor`; writes nothing. Raises WorkbookError."""
    return importers.plan_workbook(
        path, actor=actor, filename=filename or os.path.basename(path), sha256=sha256 or file_sha256(path)
    )


@transaction.atomic
def roster_apply(*, actor, plan: Plan, progress: Progress | None = None) -> Plan:
    """Phase two: write a plan without errors, all or nothing, with its audit records."""
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    created = _create_nodes(actor, plan.nodes)
    strengths = _strengths(plan.strength_names)
    writer = _PeopleWriter(actor, created, strengths)
    done, total = 0, len(plan.people)
    for batch in _batched(plan.people, BATCH):
        writer.write(batch)
        done += len(batch)
        if progress is not None:
            progress(done, total)
    audit.record(
        action=Action.OTHER,
        user=actor,
        object_type="dataio.roster",
        object_repr=plan.filename,
        after={
            "file": plan.filename,
            "sha256": plan.sha256,
            "sheets": {name: summary.counts for name, summary in plan.summaries.items()},
        },
        detail=_("导入人员名册 %(file)s sha256 %(sha256)s:%(summary)s")
        % {"file": plan.filename, "sha256": plan.sha256, "summary": plan.summary_text()},
    )
    return plan


def roster_import(
    *,
    actor,
    path: str | os.PathLike,
    filename: str = "",
    dry_run: bool = False,
    progress: Progress | None = None,
    before_writing: Callable[[Plan], None] | None = None,
) -> Plan:
    """Plan, and apply when the plan has no errors and this is not a dry run."""
    plan = roster_plan(actor=actor, path=path, filename=filename)
    if plan.ok and not dry_run:
        if before_writing is not None:
            before_writing(plan)
        roster_apply(actor=actor, plan=plan, progress=progress)
    return plan


def _batched(items: list, size: int) -> Iterator[list]:
    iterator = iter(items)
    while batch := list(islice(iterator, size)):
        yield batch


# --- tree nodes --------------------------------------------------------------------------------------------


def _check_node_permission(actor, op: NodeOp, parent: TreeNode | None) -> None:
    """org.services.organisation_create / cell_create's rules, checked again on the stored parent."""
    reach = scope.scope_of(actor)
    if op.model is Cell:
        if not reach.superuser and "office" not in reach.roles:
            raise PermissionDenied
    elif parent is None:
        if not reach.superuser:
            raise PermissionDenied
    elif parent.pk is not None and not scope.can_edit_under(actor, parent):
        raise PermissionDenied


def _create_nodes(actor, ops: list[NodeOp]) -> dict[type, dict[str, TreeNode]]:
    """Add the planned nodes as treebeard's add_root / add_child would, a tree at a time in one INSERT per
    batch: each new node takes the next step after its parent's last child."""
    created: dict[type, dict[str, TreeNode]] = {Organisation: {}, Cell: {}}
    for model in (Organisation, Cell):
        model_ops = [op for op in ops if op.model is model]
        if not model_ops:
            continue
        stored_ids = {op.parent for op in model_ops if isinstance(op.parent, int)}
        # Lock the stored parents, as add_child does, so a concurrent add cannot take the same path.
        stored = {n.pk: n for n in model.objects.select_for_update().filter(pk__in=stored_ids)}
        last_path: dict[Any, str | None] = {}
        added_under: Counter[int] = Counter()
        nodes: list[TreeNode] = []
        for op in model_ops:
            if op.parent is None:
                parent = None
            elif isinstance(op.parent, int):
                if op.parent not in stored:
                    raise ImportConflict(op.key)
                parent = stored[op.parent]
            else:
                parent = created[model][op.parent]
            _check_node_permission(actor, op, parent)
            slot = ("root",) if parent is None else (id(parent),)
            if slot not in last_path:
                if parent is None:
                    last = model.objects.get_last_root_node()
                    last_path[slot] = last.path if last else None
                elif parent.pk is not None:
                    last = model.children_of(parent).last()
                    last_path[slot] = last.path if last else None
                else:
                    last_path[slot] = None
            depth = parent.depth + 1 if parent else 1
            previous = last_path[slot]
            if previous is None:
                path = model._get_path(parent.path if parent else None, depth, 1)
            else:
                path = model(path=previous)._inc_path()
            last_path[slot] = path
            fields: dict[str, Any] = {"name": op.name, "kind": op.kind}
            if model is Cell:
                fields["community_type"] = op.community_type
            node = model(path=path, depth=depth, numchild=0, **fields)
            if parent is None:
                pass
            elif parent.pk is None:
                parent.numchild += 1
            else:
                added_under[parent.pk] += 1
            created[model][op.key] = node
            nodes.append(node)
        model.objects.bulk_create(nodes, batch_size=BATCH)
        for pk, count in added_under.items():
            model.objects.filter(pk=pk).update(numchild=F("numchild") + count)
        audit.record_many(({"obj": node, "before": None} for node in nodes), user=actor)
    return created


def _next_ids(connection, model: type[Model], count: int) -> list[int] | None:
    """`count` new primary keys for `model`, reserved inside the current transaction; None where the
    database gives no cheap way (then bulk_create assigns them)."""
    table = model._meta.db_table
    column = model._meta.pk.column
    with connection.cursor() as cursor:
        if connection.vendor == "postgresql":
            cursor.execute(
                "SELECT nextval(pg_get_serial_sequence(%s, %s)) FROM generate_series(1, %s)",
                [connection.ops.quote_name(table), column, count],
            )
            return sorted(row[0] for row in cursor.fetchall())
        if connection.vendor == "sqlite":
            # The transaction began with BEGIN IMMEDIATE (settings): no other writer until it ends, so
            # the ids after the largest ever used (AUTOINCREMENT's sqlite_sequence) are ours.
            quoted = connection.ops.quote_name(table)
            cursor.execute(f"SELECT max({connection.ops.quote_name(column)}) FROM {quoted}")
            largest = cursor.fetchone()[0] or 0
            cursor.execute("SELECT seq FROM sqlite_sequence WHERE name = %s", [table])
            row = cursor.fetchone()
            start = max(largest, row[0] if row else 0) + 1
            return list(range(start, start + count))
    return None


def _insert(objs: list[Model]) -> None:
    """bulk_create, minus the ORM's SQL compilation per value: ids reserved first, then one executemany
    with each value prepared by its field as an ORM insert prepares it (auto_now fields included). Like
    bulk_create it calls no save() and sends no signals."""
    if not objs:
        return
    model = type(objs[0])
    connection = connections[router.db_for_write(model)]
    ids = _next_ids(connection, model, len(objs))
    if ids is None:
        model.objects.bulk_create(objs, batch_size=BATCH)
        return
    opts = model._meta
    fields = [f for f in opts.concrete_fields if not f.primary_key]
    now = timezone.now()
    stamped = [
        f.attname for f in fields if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
    ]
    for obj, pk in zip(objs, ids, strict=True):
        obj.pk = pk
        for name in stamped:
            setattr(obj, name, now)
        obj._state.adding = False
        obj._state.db = connection.alias
    quote = connection.ops.quote_name
    sql = "INSERT INTO {} ({}) VALUES ({})".format(
        quote(opts.db_table),
        ", ".join(quote(f.column) for f in [opts.pk, *fields]),
        ", ".join(["%s"] * (len(fields) + 1)),
    )
    # Text needs no preparing (CharField and TextField hand a str through as it is): skip the call.
    text = [isinstance(f, models.CharField | models.TextField) for f in fields]

    def prepared(obj: Model) -> list[Any]:
        row: list[Any] = [obj.pk]
        for field, plain in zip(fields, text, strict=True):
            value = getattr(obj, field.attname)
            row.append(value if plain and type(value) is str else field.get_db_prep_save(value, connection))
        return row

    with connection.cursor() as cursor:
        for batch in _batched(objs, BATCH):
            cursor.executemany(sql, [prepared(obj) for obj in batch])


def _strengths(names: Iterable[str]) -> dict[str, int]:
    names = sorted(set(names))
    if not names:
        return {}
    existing = dict(Strength.objects.filter(name__in=names).values_list("name", "pk"))
    missing = [Strength(name=n) for n in names if n not in existing]
    if missing:
        Strength.objects.bulk_create(missing, ignore_conflicts=True)
        existing = dict(Strength.objects.filter(name__in=names).values_list("name", "pk"))
    return existing


# --- people ------------------------------------------------------------------------------------------------


class _PeopleWriter:
    def __init__(self, actor, created: dict[type, dict[str, TreeNode]], strengths: dict[str, int]):
        self.actor = actor
        self.organisations = created[Organisation]
        self.cells = created[Cell]
        self.strengths = strengths
        self.through = Person.strengths.through
        self._search_keys: dict[str, tuple[str, str]] = {}

    def _org(self, ref: int | str | None) -> int | None:
        return self.organisations[ref].pk if isinstance(ref, str) else ref

    def _cell(self, ref: int | str | None) -> int | None:
        return self.cells[ref].pk if isinstance(ref, str) else ref

    def _set_person(self, person: Person, values: tuple) -> None:
        fields = dict(zip(PERSON_FIELDS, values, strict=True))
        fields["workplace_id"] = self._cell(fields["workplace_id"])
        fields["residence_id"] = self._cell(fields["residence_id"])
        for name, value in fields.items():
            setattr(person, name, value)
        # Person.fill_search_keys() once per distinct name: pinyin is the dearest part of a row.
        keys = self._search_keys.get(person.name)
        if keys is None:
            person.fill_search_keys()
            self._search_keys[person.name] = (person.name_pinyin, person.name_initials)
        else:
            person.name_pinyin, person.name_initials = keys

    def write(self, ops: list[PersonOp]) -> None:
        entries: list[dict[str, Any]] = []
        self._create([op for op in ops if op.person_pk is None], entries)
        self._update([op for op in ops if op.person_pk is not None], entries)
        audit.record_many(entries, user=self.actor)

    def _member(self, person: Person, values: tuple) -> Member:
        organisation, status, category, join_date = values
        return Member(
            person=person,
            organisation_id=self._org(organisation),
            status=status,
            category=category,
            join_date=join_date,
        )

    def _create(self, ops: list[PersonOp], entries: list[dict[str, Any]]) -> None:
        if not ops:
            return
        people = []
        for op in ops:
            person = Person()
            self._set_person(person, op.person)
            people.append(person)
        _insert(people)
        members, activists, links = [], [], []
        for op, person in zip(ops, people, strict=True):
            entries.append({"obj": person, "before": None})
            if op.member is not None:
                member = self._member(person, op.member)
                members.append(member)
                entries.append({"obj": member, "before": None})
            if op.activist is not None:
                organisation, stage = op.activist
                activist = Activist(person=person, organisation_id=self._org(organisation), stage=stage)
                activists.append(activist)
                entries.append({"obj": activist, "before": None})
            for name in op.strengths or ():
                links.append(self.through(person_id=person.pk, strength_id=self.strengths[name]))
        # The entries hold the instances: these inserts fill in their ids before the trail is written.
        _insert(members)
        _insert(activists)
        _insert(links)

    def _update(self, ops: list[PersonOp], entries: list[dict[str, Any]]) -> None:
        if not ops:
            return
        now = timezone.now()
        stored = Person.objects.select_related("member", "activist").in_bulk([op.person_pk for op in ops])
        current_links: dict[int, set[int]] = {}
        for person_id, strength_id in self.through.objects.filter(person_id__in=list(stored)).values_list(
            "person_id", "strength_id"
        ):
            current_links.setdefault(person_id, set()).add(strength_id)
        people, members, activists = [], [], []
        new_members, new_activists, relinked, links = [], [], [], []
        for op in ops:
            person = stored.get(op.person_pk)
            if person is None:
                raise ImportConflict(str(op.row))
            before = audit.snapshot(person)
            old = tuple(getattr(person, f) for f in PERSON_FIELDS)
            self._set_person(person, op.person)
            person_changed = tuple(getattr(person, f) for f in PERSON_FIELDS) != old
            detail = ""
            if op.strengths is not None:
                wanted = {self.strengths[n] for n in op.strengths}
                if wanted != current_links.get(person.pk, set()):
                    relinked.append(person.pk)
                    links += [self.through(person_id=person.pk, strength_id=s) for s in wanted]
                    detail = _("特长:%(strengths)s") % {"strengths": "、".join(op.strengths) or _("无")}
            if person_changed:
                person.updated_at = now
                people.append(person)
            if person_changed or detail:
                entries.append({"obj": person, "before": before, "detail": detail})
            member = getattr(person, "member", None)
            if op.member is not None:
                if member is None:
                    member = self._member(person, op.member)
                    new_members.append(member)
                    entries.append({"obj": member, "before": None})
                else:
                    organisation, status, category, join_date = op.member
                    fields = {
                        "organisation_id": self._org(organisation),
                        "status": status,
                        "category": category,
                        "join_date": join_date,
                    }
                    self._change(member, fields, members, entries, now)
                activist = getattr(person, "activist", None)
                if activist is not None and activist.stage != Activist.Stage.ADMITTED:
                    # member_save: an activist who joins is admitted on the join date.
                    self._change(
                        activist,
                        {"stage": Activist.Stage.ADMITTED, "admitted_on": member.join_date},
                        activists,
                        entries,
                        now,
                    )
            if op.activist is not None:
                organisation, stage = op.activist
                activist = getattr(person, "activist", None)
                if activist is None:
                    activist = Activist(person=person, organisation_id=self._org(organisation), stage=stage)
                    new_activists.append(activist)
                    entries.append({"obj": activist, "before": None})
                else:
                    fields = {"organisation_id": self._org(organisation), "stage": stage}
                    self._change(activist, fields, activists, entries, now)
        Person.objects.bulk_update(people, _PERSON_UPDATE_FIELDS, batch_size=UPDATE_BATCH)
        member_fields = ["organisation", "status", "category", "join_date", "updated_at"]
        Member.objects.bulk_update(members, member_fields, batch_size=UPDATE_BATCH)
        Activist.objects.bulk_update(
            activists, ["organisation", "stage", "admitted_on", "updated_at"], batch_size=UPDATE_BATCH
        )
        _insert(new_members)
        _insert(new_activists)
        if relinked:
            self.through.objects.filter(person_id__in=relinked).delete()
            _insert(links)

    @staticmethod
    def _change(obj, fields: dict[str, Any], changed: list, entries: list[dict[str, Any]], now) -> None:
        before = audit.snapshot(obj)
        old = {name: getattr(obj, name) for name in fields}
        for name, value in fields.items():
            setattr(obj, name, value)
        if old != fields:
            obj.updated_at = now
            changed.append(obj)
            entries.append({"obj": obj, "before": before})
