"""The roster import's write path: carry out a plan (importers.plan_workbook) in one transaction.

The plan was validated row by row with the models' rules (field validators and the rule functions their
clean() methods call) and the scope rules of org.services; this module writes it the way those services
would, in bulk: tree nodes with treebeard's path arithmetic, people, members, activists and strengths as
plain INSERTs of tuples (_Table) and bulk_update, 2 000 rows at a time. The audit trail gets one record
per 1 000 objects of a model written (audit.batch_entry): every value of every object created, and every
value before and after of every object changed, with the file and its rows; one more record sums the
import up. One transaction holds it all: an error, a crash or a kill half-way leaves the database as it
was.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import gc
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
from vanguard.core import pinyin
from vanguard.core.crypto import EncryptedCharField
from vanguard.core.masking import mask_id_number, mask_phone
from vanguard.org.models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode

from . import importers
from .importers.plan import PERSON_FIELDS, NodeOp, PersonOp, Plan

BATCH = 2000
# The audit trail records the objects an import writes in batches of this many, one record per batch.
AUDIT_CHUNK = 1000
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


@contextlib.contextmanager
def _collector_paused() -> Iterator[None]:
    """Python's cycle collector far less often while an import reads or writes. An import makes millions
    of small objects and keeps a plan of a few hundred thousand, which each of the collector's passes
    walks again: a tenth of a 100 000-row import's time at the default thresholds. It still runs, for the
    cycles that registered people read with their memberships make; the thresholds are put back after."""
    thresholds = gc.get_threshold()
    gc.set_threshold(GC_THRESHOLD, *thresholds[1:])
    try:
        yield
    finally:
        gc.set_threshold(*thresholds)


# Allocations between two of the collector's passes over new objects during an import (Python's default:
# 700); its older generations follow at their usual ratios.
GC_THRESHOLD = 100_000


def roster_plan(*, actor, path: str | os.PathLike, filename: str = "", sha256: str = "") -> Plan:
    """Phase one: read and validate the workbook as `actor`; writes nothing. Raises WorkbookError."""
    with _collector_paused():
        return importers.plan_workbook(
            path, actor=actor, filename=filename or os.path.basename(path), sha256=sha256 or file_sha256(path)
        )


def roster_apply(*, actor, plan: Plan, progress: Progress | None = None) -> Plan:
    """Phase two: write a plan without errors, all or nothing, with its audit records."""
    if not plan.ok:
        raise ValueError("a plan with errors is never applied")
    from vanguard.public import cache as public_cache

    with _collector_paused(), _page_cache(connections[router.db_for_write(Person)]), transaction.atomic():
        applied = _apply(actor, plan, progress)
        # Bulk writes send no model signals: the public pages that print names and trees are told here.
        public_cache.bump(public_cache.TREES, public_cache.PEOPLE)
        return applied


# SQLite's page cache while an import writes, in KiB: the people table's eight indexes and the members'
# four are written together, and SQLite's default 2 MiB cache spills their pages to the WAL again and again.
# Memory only: what is written, and when it is durable, does not change.
IMPORT_CACHE_KIB = 100_000


@contextlib.contextmanager
def _page_cache(connection) -> Iterator[None]:
    if connection.vendor != "sqlite":
        yield
        return
    with connection.cursor() as cursor:
        cursor.execute("PRAGMA cache_size")
        (previous,) = cursor.fetchone()
        cursor.execute(f"PRAGMA cache_size = -{IMPORT_CACHE_KIB:d}")
    try:
        yield
    finally:
        with connection.cursor() as cursor:
            cursor.execute(f"PRAGMA cache_size = {int(previous):d}")


def _apply(actor, plan: Plan, progress: Progress | None) -> Plan:
    created = _create_nodes(actor, plan.nodes, plan.filename)
    strengths = _strengths(plan.strength_names)
    writer = _PeopleWriter(actor, plan, created, strengths)
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


def _create_nodes(actor, ops: list[NodeOp], filename: str) -> dict[type, dict[str, TreeNode]]:
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
        fields = model._meta.concrete_fields
        audit.record_many(
            (
                audit.batch_entry(
                    action=Action.CREATE,
                    model=model,
                    fields=[f.name for f in fields],
                    rows=[
                        [f.value_from_object(node) for f in fields]
                        for node in nodes[start : start + AUDIT_CHUNK]
                    ],
                    detail=_import_detail(
                        filename, [op.row for op in model_ops[start : start + AUDIT_CHUNK]]
                    ),
                )
                for start in range(0, len(nodes), AUDIT_CHUNK)
            ),
            user=actor,
        )
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


class _Table:
    """Plain INSERTs of one model's rows, given as tuples of attribute values in `columns`' order: what
    bulk_create does, minus building an instance per row and the ORM's SQL compilation per value.

    Ids are reserved first (_next_ids), so the caller knows each row's id without reading it back. Each
    value is prepared by its field as an ORM insert prepares it; the fields not in `columns` take their
    default, and auto_now / auto_now_add fields the time of the insert. Like bulk_create it calls no
    save() and sends no signals."""

    def __init__(self, model: type[Model], columns: tuple[str, ...]):
        self.model = model
        self.connection = connections[router.db_for_write(model)]
        opts = model._meta
        by_attname = {f.attname: f for f in opts.concrete_fields if not f.primary_key}
        self.given = [by_attname[name] for name in columns]
        self.rest = [f for name, f in by_attname.items() if name not in columns]
        quote = self.connection.ops.quote_name
        names = [opts.pk, *self.given, *self.rest]
        self.sql = "INSERT INTO {} ({}) VALUES ({})".format(
            quote(opts.db_table), ", ".join(quote(f.column) for f in names), ", ".join(["%s"] * len(names))
        )
        # Text, integers and None need no preparing (CharField hands a str through as it is, an integer
        # field an int): only the other values are prepared, each by its own field (an encrypted field
        # encrypts), and a date as DateField.get_db_prep_save() prepares one.
        plain = models.CharField | models.TextField | models.IntegerField | models.ForeignKey
        adapt_date = self.connection.ops.adapt_datefield_value
        self.prepare = [
            (i, f, adapt_date if type(f) is models.DateField else None)
            for i, f in enumerate(self.given)
            if not isinstance(f, plain) or isinstance(f, EncryptedCharField)
        ]
        self.columns = columns

    def insert(self, rows: list[tuple], now) -> list[int]:
        """Insert `rows`; their ids, in order."""
        if not rows:
            return []
        connection = self.connection
        ids = _next_ids(connection, self.model, len(rows))
        if ids is None:
            objs = [self.model(**dict(zip(self.columns, row, strict=True))) for row in rows]
            self.model.objects.bulk_create(objs, batch_size=BATCH)
            return [obj.pk for obj in objs]
        tail = tuple(
            f.get_db_prep_save(
                now
                if getattr(f, "auto_now", False) or getattr(f, "auto_now_add", False)
                else f.get_default(),
                connection,
            )
            for f in self.rest
        )
        prepare = self.prepare
        params = []
        for pk, row in zip(ids, rows, strict=True):
            if prepare:
                row = list(row)
                for i, field, adapt_date in prepare:
                    value = row[i]
                    if value is None:
                        continue
                    if adapt_date is not None and type(value) is dt.date:
                        row[i] = adapt_date(value)
                    else:
                        row[i] = field.get_db_prep_save(value, connection)
            params.append((pk, *row, *tail))
        with connection.cursor() as cursor:
            for chunk in _batched(params, BATCH):
                cursor.executemany(self.sql, chunk)
        return ids


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

# The columns the writer gives, and the same, with "strengths", in the audit trail's batch records (the
# values of created_at, updated_at, user and badge_no are one per batch and go in its "same").
_PERSON_COLUMNS = (
    "name",
    "name_pinyin",
    "name_initials",
    "gender",
    "birth_date",
    "id_number",
    "mobile",
    "workplace_id",
    "residence_id",
    "occupation",
    "notes",
)
_PERSON_TRAIL = (
    "id",
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
    "strengths",
)
_MEMBER_COLUMNS = ("person_id", "organisation_id", "status", "category", "join_date")
_ACTIVIST_COLUMNS = ("person_id", "organisation_id", "stage")
_LINK_COLUMNS = ("person_id", "strength_id")
_MEMBER_TRAIL = ("id", "person", "organisation", "status", "category", "join_date")
_ACTIVIST_TRAIL = ("id", "person", "organisation", "stage")


def _iso(value):
    return value.isoformat() if value is not None else None


class _PeopleWriter:
    def __init__(
        self, actor, plan: Plan, created: dict[type, dict[str, TreeNode]], strengths: dict[str, int]
    ):
        self.actor = actor
        self.plan = plan
        self.organisations = created[Organisation]
        self.cells = created[Cell]
        self.strengths = strengths
        self.strength_names = {pk: name for name, pk in strengths.items()}
        self.through = Person.strengths.through
        self.pinyin = pinyin.KeyCache()
        self.people = _Table(Person, _PERSON_COLUMNS)
        self.members = _Table(Member, _MEMBER_COLUMNS)
        self.activists = _Table(Activist, _ACTIVIST_COLUMNS)
        self.links = _Table(self.through, _LINK_COLUMNS)

    def _org(self, ref: int | str | None) -> int | None:
        return self.organisations[ref].pk if isinstance(ref, str) else ref

    def _cell(self, ref: int | str | None) -> int | None:
        return self.cells[ref].pk if isinstance(ref, str) else ref

    def write(self, ops: list[PersonOp]) -> None:
        entries: list[dict[str, Any]] = []
        self._create([op for op in ops if op.person_pk is None], entries)
        self._update([op for op in ops if op.person_pk is not None], entries)
        audit.record_many(entries, user=self.actor)

    def _detail(self, ops: list[PersonOp]) -> str:
        return _import_detail(self.plan.filename, [op.row for op in ops])

    # --- new people ---------------------------------------------------------------------------------------

    def _create(self, ops: list[PersonOp], entries: list[dict[str, Any]]) -> None:
        if not ops:
            return
        now = timezone.now()
        keys = self.pinyin.keys
        cells, organisations, strengths = self.cells, self.organisations, self.strengths
        # The rows as inserted, and as the trail keeps them (with the id first, a date as its ISO text and
        # the names of the strengths last).
        people, trail = [], []
        members, activists, links = [], [], []
        for op in ops:
            name, gender, birth, ident, mobile, workplace, residence, occupation, notes = op.person
            if type(workplace) is str:
                workplace = cells[workplace].pk
            if type(residence) is str:
                residence = cells[residence].pk
            name_pinyin, initials = keys(name)
            people.append(
                (
                    name,
                    name_pinyin,
                    initials,
                    gender,
                    birth,
                    ident,
                    mobile,
                    workplace,
                    residence,
                    occupation,
                    notes,
                )
            )
            trail.append(
                [
                    None,
                    name,
                    name_pinyin,
                    initials,
                    gender,
                    birth.isoformat() if birth is not None else None,
                    # The trail keeps the numbers masked, as audit.snapshot() does.
                    mask_id_number(ident),
                    mask_phone(mobile),
                    workplace,
                    residence,
                    occupation,
                    notes,
                    list(op.strengths or ()),
                ]
            )
        person_ids = self.people.insert(people, now)
        for op, person_id, row in zip(ops, person_ids, trail, strict=True):
            row[0] = person_id
            if op.member is not None:
                organisation, status, category, join_date = op.member
                if type(organisation) is str:
                    organisation = organisations[organisation].pk
                members.append((person_id, organisation, status, category, join_date))
            if op.activist is not None:
                organisation, stage = op.activist
                if type(organisation) is str:
                    organisation = organisations[organisation].pk
                activists.append((person_id, organisation, stage))
            for name in op.strengths or ():
                links.append((person_id, strengths[name]))
        member_ids = self.members.insert(members, now)
        activist_ids = self.activists.insert(activists, now)
        self.links.insert(links, now)

        # The trail: one record per AUDIT_CHUNK objects of a model, holding every value written.
        stamps = {"created_at": now, "updated_at": now}
        member_trail = [
            [pk, person, organisation, status, category, _iso(joined)]
            for pk, (person, organisation, status, category, joined) in zip(member_ids, members, strict=True)
        ]
        activist_trail = [[pk, *row] for pk, row in zip(activist_ids, activists, strict=True)]
        for model, fields, rows, same, detail in (
            (Person, _PERSON_TRAIL, trail, {**stamps, "user": None}, True),
            (Member, _MEMBER_TRAIL, member_trail, {**stamps, "badge_no": ""}, False),
            (Activist, _ACTIVIST_TRAIL, activist_trail, {**stamps, **dict.fromkeys(_ACTIVIST_DATES)}, False),
        ):
            for start in range(0, len(rows), AUDIT_CHUNK):
                entries.append(
                    audit.batch_entry(
                        action=Action.CREATE,
                        model=model,
                        fields=fields,
                        rows=rows[start : start + AUDIT_CHUNK],
                        same=same,
                        detail=self._detail(ops[start : start + AUDIT_CHUNK] if detail else []),
                    )
                )

    # --- registered people ----------------------------------------------------------------------------------

    def _update(self, ops: list[PersonOp], entries: list[dict[str, Any]]) -> None:
        if not ops:
            return
        now = timezone.now()
        stored = Person.objects.select_related("member", "activist").in_bulk([op.person_pk for op in ops])
        current_links: dict[int, set[int]] = {}
        for person_id, strength_id, name in self.through.objects.filter(
            person_id__in=list(stored)
        ).values_list("person_id", "strength_id", "strength__name"):
            current_links.setdefault(person_id, set()).add(strength_id)
            self.strength_names.setdefault(strength_id, name)
        changes = _Changes()
        people, members, activists = [], [], []
        new_members, new_activists, relinked, links = [], [], [], []
        for op in ops:
            person = stored.get(op.person_pk)
            if person is None:
                raise ImportConflict(str(op.row))
            before = audit.snapshot(person)
            current = current_links.get(person.pk, set())
            before["strengths"] = self._names(current)
            old = tuple(getattr(person, f) for f in PERSON_FIELDS)
            fields = dict(zip(PERSON_FIELDS, op.person, strict=True))
            fields["workplace_id"] = self._cell(fields["workplace_id"])
            fields["residence_id"] = self._cell(fields["residence_id"])
            for name, value in fields.items():
                setattr(person, name, value)
            person.name_pinyin, person.name_initials = self.pinyin.keys(person.name)
            person_changed = tuple(getattr(person, f) for f in PERSON_FIELDS) != old
            wanted = current
            if op.strengths is not None:
                wanted = {self.strengths[n] for n in op.strengths}
                if wanted != current:
                    relinked.append(person.pk)
                    links += [(person.pk, s) for s in sorted(wanted)]
            if person_changed:
                person.updated_at = now
                people.append(person)
            if person_changed or wanted != current:
                after = audit.snapshot(person)
                after["strengths"] = self._names(wanted)
                changes.add(Person, before, after, op.row)
            member = getattr(person, "member", None)
            if op.member is not None:
                organisation, status, category, join_date = op.member
                if member is None:
                    member = Member(
                        person=person,
                        organisation_id=self._org(organisation),
                        status=status,
                        category=category,
                        join_date=join_date,
                    )
                    new_members.append((member, op.row))
                else:
                    values = {
                        "organisation_id": self._org(organisation),
                        "status": status,
                        "category": category,
                        "join_date": join_date,
                    }
                    _change(member, values, members, changes, now, op.row)
                activist = getattr(person, "activist", None)
                if activist is not None and activist.stage != Activist.Stage.ADMITTED:
                    # member_save: an activist who joins is admitted on the join date.
                    values = {"stage": Activist.Stage.ADMITTED, "admitted_on": member.join_date}
                    _change(activist, values, activists, changes, now, op.row)
            if op.activist is not None:
                organisation, stage = op.activist
                activist = getattr(person, "activist", None)
                if activist is None:
                    activist = Activist(person=person, organisation_id=self._org(organisation), stage=stage)
                    new_activists.append((activist, op.row))
                else:
                    values = {"organisation_id": self._org(organisation), "stage": stage}
                    _change(activist, values, activists, changes, now, op.row)
        Person.objects.bulk_update(people, _PERSON_UPDATE_FIELDS, batch_size=UPDATE_BATCH)
        member_fields = ["organisation", "status", "category", "join_date", "updated_at"]
        Member.objects.bulk_update(members, member_fields, batch_size=UPDATE_BATCH)
        Activist.objects.bulk_update(
            activists, ["organisation", "stage", "admitted_on", "updated_at"], batch_size=UPDATE_BATCH
        )
        for model, table, created in (
            (Member, self.members, new_members),
            (Activist, self.activists, new_activists),
        ):
            rows = [tuple(getattr(obj, c) for c in table.columns) for obj, _row in created]
            for (obj, row), pk in zip(created, table.insert(rows, now), strict=True):
                obj.pk, obj.created_at, obj.updated_at = pk, now, now
                obj._state.adding = False
                changes.add(model, None, audit.snapshot(obj), row)
        if relinked:
            self.through.objects.filter(person_id__in=relinked).delete()
            self.links.insert(links, now)
        entries.extend(changes.entries(self.plan.filename))

    def _names(self, strength_ids: set[int]) -> list[str]:
        return sorted(self.strength_names[s] for s in strength_ids)


def _change(obj, values: dict[str, Any], changed: list, changes: _Changes, now, row: int) -> None:
    before = audit.snapshot(obj)
    old = {name: getattr(obj, name) for name in values}
    for name, value in values.items():
        setattr(obj, name, value)
    if old != values:
        obj.updated_at = now
        changed.append(obj)
        changes.add(type(obj), before, audit.snapshot(obj), row)


class _Changes:
    """Objects created or changed one by one (the registered people a roster names), gathered into batch
    records per model and action: snapshots before and after, row by row."""

    def __init__(self):
        self._by: dict[tuple[type, str], list[tuple[dict | None, dict, int]]] = {}

    def add(self, model: type, before: dict | None, after: dict, row: int) -> None:
        action = Action.CREATE if before is None else Action.UPDATE
        self._by.setdefault((model, action), []).append((before, after, row))

    def entries(self, filename: str) -> Iterator[dict[str, Any]]:
        for (model, action), items in self._by.items():
            fields = list(items[0][1])
            for start in range(0, len(items), AUDIT_CHUNK):
                chunk = items[start : start + AUDIT_CHUNK]
                rows = sorted({row for _b, _a, row in chunk})
                yield audit.batch_entry(
                    action=action,
                    model=model,
                    fields=fields,
                    rows=[[after[f] for f in fields] for _b, after, _r in chunk],
                    before_rows=None
                    if action == Action.CREATE
                    else [[b[f] for f in fields] for b, _a, _r in chunk],
                    detail=_import_detail(filename, rows),
                )


def _import_detail(filename: str, rows: list[int]) -> str:
    """What a batch record of the import says: the file, and the rows the batch's objects come from."""
    if not rows:
        return _("导入人员名册 %(file)s") % {"file": filename}
    return _("导入人员名册 %(file)s 第%(rows)s行") % {"file": filename, "rows": "、".join(_row_ranges(rows))}


def _row_ranges(rows: list[int]) -> list[str]:
    """Excel row numbers as ranges: [2, 3, 4, 7] -> ["2-4", "7"]."""
    ranges: list[str] = []
    start = previous = None
    for row in sorted(rows):
        if start is None:
            start = previous = row
        elif row == previous + 1:
            previous = row
        else:
            ranges.append(str(start) if start == previous else f"{start}-{previous}")
            start = previous = row
    if start is not None:
        ranges.append(str(start) if start == previous else f"{start}-{previous}")
    return ranges


_ACTIVIST_DATES = ("applied_on", "activist_on", "candidate_on", "admitted_on")
