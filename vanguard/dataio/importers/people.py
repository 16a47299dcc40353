"""Planning the 人员 sheet: for each row, the person it is (new, or one already registered) and what
changes, validated by the models' own rules as org.services validates a person and a member: the fields'
validators and the rules of the models' clean() (checks.py), over the row's values, with no model
instances built for the rows (only the registered people a batch names are read as instances).

Rows are read as a stream and handled 2 000 at a time: one query finds the registered people a batch names
by 身份证号, one by 手机号 (then matched by name), one their strengths. So the database is asked a few
times per batch, never per row, and the models' per-row duplicate query is replaced by the batch's.
What is kept of a row is the small tuple the write needs (plan.PersonOp).

A blank cell, or a column the sheet does not have, leaves the registered value as it is: a re-import of a
partial roster never wipes out what it does not mention.
"""

from __future__ import annotations

from collections import defaultdict
from operator import itemgetter
from typing import Any

from django.db import connections, router
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.dataio import roster
from vanguard.dataio.workbook import SheetReader
from vanguard.org.models import Activist, Member, Person, activist_errors, member_errors, person_errors
from vanguard.org.services import strengths_from_text
from vanguard.org.validators import effective_birth_date, normalise_id_number

from . import cells
from .checks import FieldCheck, full_errors
from .context import Context, NodeRef, normalise_path
from .plan import CREATE, PERSON_FIELDS, UNCHANGED, UPDATE, PersonOp
from .trees import required_message

BATCH = 2000

# Foreign keys the planner resolved from the trees itself; their field validation would query per row.
_PERSON_EXCLUDE = ["workplace", "residence", "user"]
_RELATED_EXCLUDE = ["person", "organisation"]
_RELATED = ("member__organisation", "activist__organisation")
# What a new person, membership or activist record starts as (the models' defaults) before a row's values.
_NEW_PERSON = {f: None if f in ("birth_date", "workplace_id", "residence_id") else "" for f in PERSON_FIELDS}
_NEW_MEMBER = {
    "organisation_id": None,
    "status": Member.Status.FULL,
    "category": Member.Category.IN_SERVICE,
    "join_date": None,
}
_NEW_ACTIVIST = {"organisation_id": None, "stage": Activist.Stage.APPLICANT}
_ACTIVIST_DATES = ("applied_on", "activist_on", "candidate_on", "admitted_on")
# The row's values a person takes (a blank cell, or one in error, leaves the stored value).
_ROW_PERSON_KEYS = ("name", "gender", "id_number", "mobile", "occupation", "notes", "birth_date")
_person_values = itemgetter(*PERSON_FIELDS)

# model field -> the sheet's column key, for reporting a model's ValidationError beside its cell
_PERSON_COLUMNS = {
    "name": "name",
    "gender": "gender",
    "birth_date": "birth_date",
    "id_number": "id_number",
    "mobile": "mobile",
    "workplace": "workplace",
    "residence": "residence",
    "occupation": "occupation",
    "notes": "notes",
}
_MEMBER_COLUMNS = {
    "organisation": "organisation",
    "status": "person_type",
    "category": "category",
    "join_date": "join_date",
}
_ACTIVIST_COLUMNS = {
    "organisation": "organisation",
    "stage": "person_type",
    "applied_on": "person_type",
    "activist_on": "person_type",
    "candidate_on": "person_type",
    "admitted_on": "join_date",
}
# The sheet's columns in the contract's order, as _parse() takes them.
_KEYS = tuple(c.key for c in roster.PEOPLE.columns)


class _Row:
    """One row as read: converted values ("" or None where blank) and the errors found so far."""

    __slots__ = (
        "birth_date",
        "category",
        "errors",
        "gender",
        "id_number",
        "join_date",
        "mobile",
        "name",
        "notes",
        "number",
        "occupation",
        "organisation",
        "person_type",
        "residence",
        "strengths",
        "type_label",
        "workplace",
    )

    def __init__(self, number: int):
        self.number = number
        self.errors: dict[str, list[str]] = {}

    def add(self, key: str, message: str) -> None:
        self.errors.setdefault(key, []).append(message)


class _Found:
    """The registered people a batch of rows names, and their strengths."""

    def __init__(self, rows: list[_Row]):
        ids = {r.id_number for r in rows if r.id_number}
        mobiles = {r.mobile for r in rows if r.name and r.mobile}
        pks = _pks("id_number", ids) | _pks("mobile", mobiles)
        people: dict[int, Person] = {}
        if pks:
            people = Person.objects.select_related(*_RELATED).in_bulk(sorted(pks))
        self.by_id = {p.id_number: p for p in people.values() if p.id_number}
        self.by_name: dict[tuple[str, str], list[Person]] = defaultdict(list)
        for person in people.values():
            if person.mobile:
                self.by_name[(person.name, person.mobile)].append(person)
        self.strengths: dict[int, set[str]] = defaultdict(set)
        if people:
            through = Person.strengths.through.objects.filter(person_id__in=list(people))
            for person_id, name in through.values_list("person_id", "strength__name"):
                self.strengths[person_id].add(name)


def _pks(field: str, values: set[str]) -> set[int]:
    """The ids of the people whose `field` is one of `values`, in one plain query: the ORM's `__in`
    prepares each of a batch's thousands of values on its own, and mostly finds nobody (a new roster).
    Each value is prepared as its field stores it (the numbers are encrypted at rest)."""
    if not values:
        return set()
    prepare = Person._meta.get_field(field).get_prep_value
    values = {prepare(value) for value in values}
    connection = connections[router.db_for_read(Person)]
    quote = connection.ops.quote_name
    sql = "SELECT {} FROM {} WHERE {} IN ({})".format(
        quote(Person._meta.pk.column),
        quote(Person._meta.db_table),
        quote(Person._meta.get_field(field).column),
        ", ".join(["%s"] * len(values)),
    )
    with connection.cursor() as cursor:
        cursor.execute(sql, list(values))
        return {pk for (pk,) in cursor.fetchall()}


def _related(person: Person | None, name: str):
    return getattr(person, name, None) if person is not None else None


def _stored(obj, name: str):
    """A stored object's foreign key `name` as an instance (read with it), or None when it has none."""
    if obj is None or getattr(obj, f"{name}_id") is None:
        return None
    return getattr(obj, name)


class PeoplePlanner:
    def __init__(self, context: Context, reader: SheetReader):
        self.context = context
        self.reader = reader
        self.plan = context.plan
        self.summary = context.plan.summary(reader.name)
        self.headers = {c.key: c.header for c in reader.spec.columns}
        self.actor = context.actor
        # Across the whole sheet: the first row of each 身份证号, of each name and mobile, of each person.
        self.seen_ids: dict[str, int] = {}
        self.seen_names: dict[tuple[str, str], tuple[int, str]] = {}
        self.claimed: dict[int, int] = {}
        self._paths: dict[str, str] = {}
        self._strengths: dict[str, tuple[str, ...]] = {}
        # clean_fields() of each model: over the values an import sets (a new object's others are its
        # defaults), and over every field (a registered object, as full_clean() checks it).
        self.person_new = FieldCheck(Person, exclude=_PERSON_EXCLUDE, only=_NEW_PERSON)
        self.person_stored = FieldCheck(Person, exclude=_PERSON_EXCLUDE)
        self.member_new = FieldCheck(Member, exclude=_RELATED_EXCLUDE, only=_NEW_MEMBER)
        self.member_stored = FieldCheck(Member, exclude=_RELATED_EXCLUDE)
        self.activist_new = FieldCheck(Activist, exclude=_RELATED_EXCLUDE, only=_NEW_ACTIVIST)
        self.activist_stored = FieldCheck(Activist, exclude=_RELATED_EXCLUDE)

    def run(self) -> int:
        count = 0
        batch: list[_Row] = []
        for number, values in self.reader.records(_KEYS):
            batch.append(self._parse(number, values))
            if len(batch) >= BATCH:
                count += self._batch(batch)
                batch = []
        if batch:
            count += self._batch(batch)
        return count

    def _batch(self, rows: list[_Row]) -> int:
        found = _Found(rows)
        for row in rows:
            self._plan(row, found)
        return len(rows)

    # --- reading ----------------------------------------------------------------------------------------

    def _parse(self, number: int, values: tuple[Any, ...]) -> _Row:
        (
            name,
            gender,
            birth_date,
            id_number,
            mobile,
            person_type,
            category,
            organisation,
            join_date,
            workplace,
            occupation,
            strengths,
            residence,
            notes,
        ) = values
        row = _Row(number)
        text = cells.text
        row.name = text(name)
        row.mobile = text(mobile)
        row.occupation = text(occupation)
        row.notes = text(notes)
        row.organisation = self._path(organisation)
        row.workplace = self._path(workplace)
        row.residence = self._path(residence)
        row.birth_date = self._date(row, "birth_date", birth_date)
        row.join_date = self._date(row, "join_date", join_date)
        try:
            row.id_number = normalise_id_number(cells.id_number(id_number))
        except cells.CellError as exc:
            row.id_number = ""
            row.add("id_number", exc.message)
        row.gender = self._choice(row, gender, "gender", roster.GENDERS)
        row.category = self._choice(row, category, "category", roster.MEMBER_CATEGORIES)
        row.person_type = self._choice(row, person_type, "person_type", roster.PERSON_TYPES) or None
        row.type_label = text(person_type)
        strengths = text(strengths)
        if strengths:
            parsed = self._strengths.get(strengths)
            if parsed is None:
                parsed = self._strengths[strengths] = tuple(strengths_from_text(strengths))
            row.strengths = parsed
        else:
            row.strengths = None
        if not row.name:
            row.add("name", required_message())
        if row.person_type is None and "person_type" not in row.errors:
            row.add("person_type", required_message())
        return row

    @staticmethod
    def _date(row: _Row, key: str, value: Any):
        try:
            return cells.date(value)
        except cells.CellError as exc:
            row.add(key, exc.message)
            return None

    def _path(self, value: Any) -> str:
        # A roster names the same few thousand nodes again and again: tidy each spelling once.
        path = self._paths.get(value) if type(value) is str else None
        if path is None:
            path = normalise_path(cells.text(value))
            if type(value) is str:
                self._paths[value] = path
        return path

    def _choice(self, row: _Row, value: Any, key: str, mapping: dict[str, Any]) -> Any:
        try:
            return cells.choice(value, mapping, self.headers[key])
        except cells.CellError as exc:
            row.add(key, exc.message)
            return ""

    # --- planning ---------------------------------------------------------------------------------------

    def _plan(self, row: _Row, found: _Found) -> None:
        duplicate = self._duplicates(row)
        person = None if duplicate else self._match(row, found)
        kind: roster.PersonType | None = row.person_type
        is_member = bool(kind and kind.member_status)
        is_activist = bool(kind and kind.activist_stage)
        organisation = self._organisation(row, is_member or is_activist, kind is not None)
        workplace = self._cell(row, "workplace")
        residence = self._cell(row, "residence")
        if kind is not None and not is_member:
            for key in ("category", "join_date"):
                if getattr(row, key):
                    row.add(key, _("只有党员和预备党员填写%(column)s。") % {"column": self.headers[key]})
        member = _related(person, "member")
        activist = _related(person, "activist")
        stored_member = (
            (member.organisation_id, member.status, member.category, member.join_date) if member else None
        )
        stored_activist = (activist.organisation_id, activist.stage) if activist else None
        if kind is not None and person is not None:
            self._check_change_of_type(row, kind, member, activist)

        target, before = self._person(row, person, workplace, residence)
        member_values = activist_values = None
        if is_member:
            member_values = self._member(row, target, member, kind, organisation)
            if activist is not None and activist.stage != Activist.Stage.ADMITTED:
                self._admit(row, activist, member_values[3])
        elif is_activist:
            activist_values = self._activist(row, activist, kind, organisation)
        if kind is not None and not (is_member or is_activist):
            self._check_may_register(row, person, workplace, residence)
        if row.errors:
            for key, messages in row.errors.items():
                column = self.headers.get(key, "")
                self.context.error(self.reader.name, row.number, column, ";".join(messages))
            return

        values = _person_values(target)
        changed = (
            self._changes(
                person,
                before,
                values,
                stored_member,
                member_values,
                stored_activist,
                activist_values,
                row.strengths,
                found,
            )
            if person is not None
            else []
        )
        action = CREATE if person is None else UPDATE if changed else UNCHANGED
        if action != UNCHANGED:
            self.plan.people.append(
                PersonOp(
                    row=row.number,
                    person_pk=person.pk if person is not None else None,
                    person=values,
                    member=member_values,
                    activist=activist_values,
                    strengths=row.strengths,
                )
            )
            if row.strengths:
                self.plan.strength_names.update(row.strengths)
        parts = [row.type_label] if row.type_label else []
        if organisation is not None:
            parts.append(organisation.key)
        if action == UPDATE:
            parts.append(_("改动:%(columns)s") % {"columns": "、".join(changed)})
        detail = " · ".join(parts)
        self.summary.add(action, row.number, target["name"], detail)

    def _duplicates(self, row: _Row) -> bool:
        """Report a row that repeats an earlier row's person; True when it does."""
        duplicate = False
        if row.id_number:
            first = self.seen_ids.setdefault(row.id_number, row.number)
            if first != row.number:
                row.add(
                    "id_number",
                    _("与第%(row)d行的身份证号相同:同一人在名册中只能出现一次。") % {"row": first},
                )
                duplicate = True
        if row.name and row.mobile:
            key = (row.name, row.mobile)
            earlier = self.seen_names.get(key)
            if earlier is None:
                self.seen_names[key] = (row.number, row.id_number)
            elif not earlier[1] or not row.id_number:
                # Two rows with the same name and mobile are one person unless their 身份证号 tell them apart.
                row.add(
                    "name",
                    _("与第%(row)d行的姓名和手机号相同:同一人在名册中只能出现一次。") % {"row": earlier[0]},
                )
                duplicate = True
        return duplicate

    def _match(self, row: _Row, found: _Found) -> Person | None:
        """The registered person this row is: the same 身份证号, or the same name and mobile (and no
        other 身份证号)."""
        person = found.by_id.get(row.id_number) if row.id_number else None
        key = "id_number"
        if person is None and row.name and row.mobile:
            candidates = [
                p
                for p in found.by_name.get((row.name, row.mobile), ())
                if not row.id_number or not p.id_number or p.id_number == row.id_number
            ]
            if len(candidates) > 1:
                row.add(
                    "name",
                    _("系统中有%(count)d位人员的姓名和手机号都与本行相同,请填写身份证号以确定是哪一位。")
                    % {"count": len(candidates)},
                )
                return None
            if candidates:
                person, key = candidates[0], "name"
        if person is None:
            return None
        first = self.claimed.setdefault(person.pk, row.number)
        if first != row.number:
            row.add(key, _("与第%(row)d行是系统中的同一人员:同一人在名册中只能出现一次。") % {"row": first})
            return None
        if not self._may_change(person, row):
            row.add(key, _("此人已在系统中登记,但不在您的管理范围内,不能由您导入修改。"))
            return None
        return person

    def _may_change(self, person: Person, row: _Row) -> bool:
        if scope.can(self.actor, scope.CHANGE, person):
            return True
        # A resident (neither member nor activist) who joins or applies in a branch the user runs: the
        # member and activist services let the branch take them on.
        kind = row.person_type
        return (
            kind is not None
            and bool(kind.member_status or kind.activist_stage)
            and _related(person, "member") is None
            and _related(person, "activist") is None
        )

    def _organisation(self, row: _Row, needed: bool, typed: bool) -> NodeRef | None:
        if not row.organisation:
            if needed:
                row.add(
                    "organisation",
                    _("人员类型为%(type)s时必须填写所在党组织。") % {"type": row.type_label},
                )
            return None
        if typed and not needed:
            row.add("organisation", _("人员类型为群众时不填所在党组织。"))
            return None
        node = self.context.organisations.get(row.organisation)
        if node is None or not node.editable:
            # Out of the user's reach reads exactly like unknown (org.services._check_organisation).
            row.add(
                "organisation",
                _("所在党组织不存在或不在您的管理范围内:%(path)s。") % {"path": row.organisation},
            )
            return None
        return node

    def _cell(self, row: _Row, key: str) -> NodeRef | None:
        path = getattr(row, key)
        if not path:
            return None
        node = self.context.cells.get(path)
        if node is None:
            row.add(key, _("网格中没有“%(path)s”(路径从最上级写起,用“/”分隔)。") % {"path": path})
        return node

    def _check_change_of_type(self, row: _Row, kind, member, activist) -> None:
        if member is not None and not kind.member_status:
            row.add(
                "person_type",
                _("此人已是%(status)s,导入不能改为%(type)s。")
                % {"status": roster.label_of(_MEMBER_STATUSES, member.status), "type": row.type_label},
            )
        elif activist is not None and activist.stage != Activist.Stage.ADMITTED and not kind.member_status:
            current = roster.label_of(_ACTIVIST_STAGES, activist.stage)
            if not kind.activist_stage:
                row.add("person_type", _("此人是%(stage)s,导入不能改为群众。") % {"stage": current})
            elif Activist.STAGE_ORDER.index(kind.activist_stage) < Activist.STAGE_ORDER.index(activist.stage):
                # activist_advance's rule: stages only move forward.
                row.add("person_type", _("只能向后推进阶段:当前为%(stage)s。") % {"stage": current})

    def _person(
        self, row: _Row, person: Person | None, workplace: NodeRef | None, residence: NodeRef | None
    ) -> tuple[dict[str, Any], tuple | None]:
        """The person's values after this row (attribute -> value), checked as Person.full_clean() checks
        them, and their stored values (None for someone new)."""
        if person is None:
            check = self.person_new
            before = None
            # A blank cell's value is the default already ("" or None); a cell in error keeps the default.
            values = {
                "name": row.name,
                "gender": row.gender,
                "birth_date": row.birth_date,
                "id_number": row.id_number,
                "mobile": row.mobile,
                "workplace_id": None,
                "residence_id": None,
                "occupation": row.occupation,
                "notes": row.notes,
            }
            for key in row.errors:
                if key in _NEW_PERSON:
                    values[key] = _NEW_PERSON[key]
        else:
            check = self.person_stored
            values = {name: getattr(person, name) for name in check.attnames}
            values["workplace_id"], values["residence_id"] = person.workplace_id, person.residence_id
            before = _person_values(values)
            for key in _ROW_PERSON_KEYS:
                value = getattr(row, key)
                if value and key not in row.errors:
                    values[key] = value
        if workplace is not None:
            values["workplace_id"] = workplace.ref
        if residence is not None:
            values["residence_id"] = residence.ref
        field_errors = check.errors(values)
        # Person.clean() tidies these before its rules (the reader has mostly done it already).
        values["name"] = (values["name"] or "").strip()
        values["id_number"] = normalise_id_number(values["id_number"])
        values["mobile"] = (values["mobile"] or "").strip()
        rules = person_errors(
            id_number=values["id_number"],
            birth_date=values["birth_date"],
            gender=values["gender"],
            workplace=workplace.instance
            if workplace is not None
            else self._stored_cell(person, "workplace_id"),
            residence=residence.instance
            if residence is not None
            else self._stored_cell(person, "residence_id"),
        )
        self._report(row, full_errors(field_errors, rules), _PERSON_COLUMNS)
        return values, before

    def _stored_cell(self, person: Person | None, attname: str):
        """A registered person's cell, from the grid read once (no query per person)."""
        return self.context.cells.stored(getattr(person, attname)) if person is not None else None

    def _member(self, row: _Row, person: dict[str, Any], member: Member | None, kind, organisation) -> tuple:
        """The membership after this row, as PersonOp.member, checked as Member.full_clean() checks it."""
        if member is None:
            check = self.member_new
            values = dict(_NEW_MEMBER)
        else:
            check = self.member_stored
            values = {name: getattr(member, name) for name in check.attnames}
            values["organisation_id"] = member.organisation_id
        values["status"] = kind.member_status
        if row.category:
            values["category"] = row.category
        if row.join_date and "join_date" not in row.errors:
            values["join_date"] = row.join_date
        if organisation is not None:
            values["organisation_id"] = organisation.ref
        rules = member_errors(
            organisation=organisation.instance
            if organisation is not None
            else _stored(member, "organisation"),
            join_date=values["join_date"],
            birth=effective_birth_date(person["birth_date"], person["id_number"]),
        )
        self._report(row, full_errors(check.errors(values), rules), _MEMBER_COLUMNS)
        return (values["organisation_id"], values["status"], values["category"], values["join_date"])

    def _admit(self, row: _Row, activist: Activist, join_date) -> None:
        # member_save: an activist who joins is admitted on their join date, after each earlier stage.
        values = {name: getattr(activist, name) for name in self.activist_stored.attnames}
        values["stage"] = Activist.Stage.ADMITTED
        values["admitted_on"] = join_date
        rules = activist_errors(
            organisation=_stored(activist, "organisation"), dates=tuple(values[d] for d in _ACTIVIST_DATES)
        )
        if self.activist_stored.errors(values) or rules:
            row.add("join_date", _("入党日期不能早于此人作为入党积极分子各阶段的日期。"))

    def _activist(self, row: _Row, activist: Activist | None, kind, organisation) -> tuple:
        """The activist record after this row, as PersonOp.activist, checked as Activist.full_clean()."""
        if activist is None:
            check = self.activist_new
            values: dict[str, Any] = dict(_NEW_ACTIVIST)
        else:
            check = self.activist_stored
            values = {name: getattr(activist, name) for name in check.attnames}
            values["organisation_id"] = activist.organisation_id
        values["stage"] = kind.activist_stage
        if organisation is not None:
            values["organisation_id"] = organisation.ref
        rules = activist_errors(
            organisation=organisation.instance
            if organisation is not None
            else _stored(activist, "organisation"),
            dates=tuple(values.get(d) for d in _ACTIVIST_DATES),
        )
        self._report(row, full_errors(check.errors(values), rules), _ACTIVIST_COLUMNS)
        return (values["organisation_id"], values["stage"])

    def _check_may_register(
        self, row: _Row, person: Person | None, workplace: NodeRef | None, residence: NodeRef | None
    ) -> None:
        """A resident (群众) is registered by their community (person_save through scope.can)."""
        if self.context.superuser:
            return
        # scope.can() judges the person as they will be: their cells after this row.
        target = person if person is not None else Person()
        if workplace is not None:
            target.workplace = workplace.instance
        if residence is not None:
            target.residence = residence.instance
        action = scope.CREATE if person is None else scope.CHANGE
        if scope.can(self.actor, action, target):
            return
        if not scope.scope_of(self.actor).cell_paths:
            row.add("person_type", _("您无权登记群众:群众由其居住社区或工作单位所在网格的社区工作人员登记。"))
        else:
            row.add("residence", _("居住社区或工作单位须在您负责的网格内。"))

    def _report(self, row: _Row, errors: dict[str, list[str]], columns: dict[str, str]) -> None:
        """A model's errors (full_clean()'s message_dict) beside the row's cells."""
        for field, messages in errors.items():
            key = columns.get(field, "")
            # A cell already reported (blank, unreadable, unknown) is not reported twice.
            if key and key in row.errors:
                continue
            for message in messages:
                row.add(key, message)

    def _changes(
        self,
        person: Person | None,
        before: tuple | None,
        values: tuple,
        member: tuple | None,
        member_values: tuple | None,
        activist: tuple | None,
        activist_values: tuple | None,
        strengths: tuple[str, ...] | None,
        found: _Found,
    ) -> list[str]:
        """The headers of the columns this row changes for a registered person (empty: unchanged)."""
        if person is None:
            return []
        changed: list[str] = []
        for field, old, new in zip(PERSON_FIELDS, before, values, strict=True):
            if old != new:
                changed.append(self.headers[_PERSON_COLUMNS[field.removesuffix("_id")]])
        if member_values is not None:
            if member is None:
                changed.append(self.headers["person_type"])
            else:
                for key, a, b in zip(_MEMBER_KEYS, member, member_values, strict=True):
                    if a != b:
                        changed.append(self.headers[key])
        if activist_values is not None:
            if activist is None:
                changed.append(self.headers["person_type"])
            else:
                for key, a, b in zip(("organisation", "person_type"), activist, activist_values, strict=True):
                    if a != b:
                        changed.append(self.headers[key])
        if strengths is not None and set(strengths) != found.strengths.get(person.pk, set()):
            changed.append(self.headers["strengths"])
        return list(dict.fromkeys(changed))


_MEMBER_KEYS = ("organisation", "person_type", "category", "join_date")
_MEMBER_STATUSES = {k: v.member_status for k, v in roster.PERSON_TYPES.items() if v.member_status}
_ACTIVIST_STAGES = {k: v.activist_stage for k, v in roster.PERSON_TYPES.items() if v.activist_stage}
