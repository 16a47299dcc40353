"""Planning the 人员 sheet: for each row, the person it is (new, or one already registered) and what
changes, validated by the models' own full_clean() as org.services validates a person and a member.

Rows are read as a stream and handled 2 000 at a time: one query finds the registered people a batch names
by 身份证号, one by 手机号 (then matched by name), one their strengths. So the database is asked a few
times per batch, never per row, and the models' per-row duplicate query is replaced by the batch's
(Person.id_number_checked). What is kept of a row is the small tuple the write needs (plan.PersonOp).

A blank cell, or a column the sheet does not have, leaves the registered value as it is: a re-import of a
partial roster never wipes out what it does not mention.
"""

from __future__ import annotations

from collections import defaultdict
from typing import Any

from django.core.exceptions import ValidationError
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.dataio import roster
from vanguard.dataio.workbook import SheetReader
from vanguard.org.models import Activist, Member, Person
from vanguard.org.services import strengths_from_text
from vanguard.org.validators import normalise_id_number

from . import cells
from .context import Context, NodeRef, message_dict, normalise_path
from .plan import CREATE, PERSON_FIELDS, UNCHANGED, UPDATE, PersonOp
from .trees import required_message

BATCH = 2000

# Foreign keys the planner resolved from the trees itself; their field validation would query per row.
_PERSON_EXCLUDE = ["workplace", "residence", "user"]
_RELATED_EXCLUDE = ["person", "organisation"]
_RELATED = ("member__organisation", "activist__organisation")

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
_TEXT_KEYS = ("name", "mobile", "occupation", "notes")
_DATE_KEYS = ("birth_date", "join_date")
_PATH_KEYS = ("organisation", "workplace", "residence")


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
        people: dict[int, Person] = {}
        if ids:
            for person in Person.objects.filter(id_number__in=ids).select_related(*_RELATED):
                people[person.pk] = person
        if mobiles:
            others = Person.objects.filter(mobile__in=mobiles).exclude(pk__in=list(people))
            for person in others.select_related(*_RELATED):
                people[person.pk] = person
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


def _related(person: Person | None, name: str):
    return getattr(person, name, None) if person is not None else None


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

    def run(self) -> int:
        count = 0
        batch: list[_Row] = []
        for number, values in self.reader.rows():
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

    def _parse(self, number: int, values: dict[str, Any]) -> _Row:
        row = _Row(number)
        for key in _TEXT_KEYS:
            setattr(row, key, cells.text(values.get(key)))
        for key in _PATH_KEYS:
            setattr(row, key, normalise_path(cells.text(values.get(key))))
        for key in _DATE_KEYS:
            try:
                setattr(row, key, cells.date(values.get(key)))
            except cells.CellError as exc:
                setattr(row, key, None)
                row.add(key, exc.message)
        try:
            row.id_number = normalise_id_number(cells.id_number(values.get("id_number")))
        except cells.CellError as exc:
            row.id_number = ""
            row.add("id_number", exc.message)
        row.gender = self._choice(row, values, "gender", roster.GENDERS)
        row.category = self._choice(row, values, "category", roster.MEMBER_CATEGORIES)
        row.person_type = self._choice(row, values, "person_type", roster.PERSON_TYPES) or None
        row.type_label = cells.text(values.get("person_type"))
        strengths = cells.text(values.get("strengths"))
        row.strengths = tuple(strengths_from_text(strengths)) if strengths else None
        if not row.name:
            row.add("name", required_message())
        if row.person_type is None and "person_type" not in row.errors:
            row.add("person_type", required_message())
        return row

    def _choice(self, row: _Row, values: dict[str, Any], key: str, mapping: dict[str, Any]) -> Any:
        try:
            return cells.choice(values.get(key), mapping, self.headers[key])
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
        # As stored: the instances below are changed in place to be validated.
        stored_member = (
            (member.organisation_id, member.status, member.category, member.join_date) if member else None
        )
        stored_activist = (activist.organisation_id, activist.stage) if activist else None
        if kind is not None and person is not None:
            self._check_change_of_type(row, kind, member, activist)

        target, before = self._person(row, person, workplace, residence)
        new_member = new_activist = None
        if is_member:
            new_member = self._member(row, target, member, kind, organisation)
            if activist is not None and activist.stage != Activist.Stage.ADMITTED:
                self._admit(row, activist, new_member)
        elif is_activist:
            new_activist = self._activist(row, target, activist, kind, organisation)
        if kind is not None and not (is_member or is_activist):
            self._check_may_register(row, target, person)
        if row.errors:
            for key, messages in row.errors.items():
                column = self.headers.get(key, "")
                self.context.error(self.reader.name, row.number, column, ";".join(messages))
            return

        values = (
            target.name,
            target.gender,
            target.birth_date,
            target.id_number,
            target.mobile,
            workplace.ref if workplace else target.workplace_id,
            residence.ref if residence else target.residence_id,
            target.occupation,
            target.notes,
        )
        member_values = activist_values = None
        if new_member is not None:
            member_values = (
                organisation.ref if organisation else new_member.organisation_id,
                new_member.status,
                new_member.category,
                new_member.join_date,
            )
        if new_activist is not None:
            activist_values = (
                organisation.ref if organisation else new_activist.organisation_id,
                new_activist.stage,
            )
        changed = self._changes(
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
        detail = " · ".join(
            part
            for part in (
                row.type_label,
                organisation.key if organisation else "",
                _("改动:%(columns)s") % {"columns": "、".join(changed)} if action == UPDATE else "",
            )
            if part
        )
        self.summary.add(action, row.number, target.name, detail)

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
    ) -> tuple[Person, tuple | None]:
        target = person if person is not None else Person()
        before = tuple(getattr(target, f) for f in PERSON_FIELDS) if person is not None else None
        for key in ("name", "gender", "id_number", "mobile", "occupation", "notes", "birth_date"):
            value = getattr(row, key)
            if value and key not in row.errors:
                setattr(target, key, value)
        if workplace is not None:
            target.workplace = workplace.instance
        if residence is not None:
            target.residence = residence.instance
        target.id_number_checked = True
        try:
            target.full_clean(exclude=_PERSON_EXCLUDE, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self._report(row, exc, _PERSON_COLUMNS)
        return target, before

    def _member(self, row: _Row, person: Person, member: Member | None, kind, organisation) -> Member:
        target = member if member is not None else Member(category=Member.Category.IN_SERVICE)
        target.status = kind.member_status
        if row.category:
            target.category = row.category
        if row.join_date and "join_date" not in row.errors:
            target.join_date = row.join_date
        if organisation is not None:
            target.organisation = organisation.instance
        target.person = person
        try:
            target.full_clean(exclude=_RELATED_EXCLUDE, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self._report(row, exc, _MEMBER_COLUMNS)
        return target

    def _admit(self, row: _Row, activist: Activist, member: Member) -> None:
        # member_save: an activist who joins is admitted on their join date, after each earlier stage.
        activist.stage = Activist.Stage.ADMITTED
        activist.admitted_on = member.join_date
        try:
            activist.full_clean(exclude=_RELATED_EXCLUDE, validate_unique=False, validate_constraints=False)
        except ValidationError:
            row.add("join_date", _("入党日期不能早于此人作为入党积极分子各阶段的日期。"))

    def _activist(self, row: _Row, person: Person, activist: Activist | None, kind, organisation) -> Activist:
        target = activist if activist is not None else Activist()
        target.stage = kind.activist_stage
        if organisation is not None:
            target.organisation = organisation.instance
        target.person = person
        try:
            target.full_clean(exclude=_RELATED_EXCLUDE, validate_unique=False, validate_constraints=False)
        except ValidationError as exc:
            self._report(row, exc, _ACTIVIST_COLUMNS)
        return target

    def _check_may_register(self, row: _Row, target: Person, person: Person | None) -> None:
        """A resident (群众) is registered by their community (person_save through scope.can)."""
        action = scope.CREATE if person is None else scope.CHANGE
        if scope.can(self.actor, action, target):
            return
        if not scope.scope_of(self.actor).cell_paths:
            row.add("person_type", _("您无权登记群众:群众由其居住社区或工作单位所在网格的社区工作人员登记。"))
        else:
            row.add("residence", _("居住社区或工作单位须在您负责的网格内。"))

    def _report(self, row: _Row, exc: ValidationError, columns: dict[str, str]) -> None:
        for field, messages in message_dict(exc).items():
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
