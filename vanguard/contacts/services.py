"""Writes of the contacts app: which people a member keeps in touch with in a year, and the log of the talks
and visits with them. Every write takes the acting user, validates with full_clean and is audited.

Who may do what:
- assignments (create, update, delete): office and the branch's secretary, over the member's organisation
  (seed 001: 党支部要给党员确定重点联系人). The scoping policy would let a member write their own
  assignments as their owner; the services narrow that to the branch.
- talks (create, update): the member themself (the policy's owner) or an editor of the member's
  organisation; a supervisor reads only.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.audit.models import Action
from vanguard.org.models import Activist, Cell, Member, Person
from vanguard.org.validators import today

from . import selectors
from .models import ContactAssignment, Talk


@dataclass(frozen=True)
class NewPerson:
    """A contact the system does not know yet, entered with the assignment: a resident, a colleague."""

    name: str
    mobile: str = ""
    residence: Cell | None = None


def _require_manager(actor, member: Member) -> None:
    if not selectors.may_manage(actor, member):
        raise PermissionDenied


def _errors(exc: ValidationError) -> dict[str, list[str]]:
    return exc.message_dict if hasattr(exc, "error_dict") else {"__all__": exc.messages}


def _check_year(assignment: ContactAssignment, errors: dict[str, list[str]]) -> None:
    # Next year's contacts are settled at the end of this one (seed 001: 根据分公司重点工作,确定下一年度…).
    on, year = assignment.assigned_on, assignment.year
    if on and year and not year - 1 <= on.year <= year:
        errors.setdefault("assigned_on", []).append(
            _("确定日期应在%(year)d年内,或在上一年内提前确定。") % {"year": year}
        )


def _check_person(assignment: ContactAssignment, person: Person, errors: dict[str, list[str]]) -> None:
    if getattr(person, "member", None) is not None and person.pk != assignment.member.person_id:
        errors.setdefault("person", []).append(
            _("%(name)s是党员;联系对象应是党员身边的群众或入党积极分子。") % {"name": person.name}
        )
    _check_kind(assignment, person, errors)


def _check_kind(assignment: ContactAssignment, person: Person, errors: dict[str, list[str]]) -> None:
    activist = getattr(person, "activist", None)
    if assignment.kind == ContactAssignment.Kind.CULTIVATION and (
        activist is None or activist.stage == Activist.Stage.ADMITTED
    ):
        errors.setdefault("kind", []).append(
            _("培养对象须是入党申请人、入党积极分子或发展对象;%(name)s不是。") % {"name": person.name}
        )


def _find_or_build_person(new: NewPerson) -> Person:
    """The same name and mobile is the same person (as in the roster import), so entering a resident who is
    already known does not make a second record of them."""
    name, mobile = (new.name or "").strip(), (new.mobile or "").strip()
    if name and mobile:
        known = (
            Person.objects.select_related("member", "activist")
            .filter(name=name, mobile=mobile)
            .order_by("pk")
            .first()
        )
        if known is not None:
            return known
    return Person(name=name, mobile=mobile, residence=new.residence)


@transaction.atomic
def assignment_create(
    *,
    actor,
    member: Member,
    year: int,
    assigned_on: dt.date,
    kind: str = ContactAssignment.Kind.KEY,
    notes: str = "",
    person: Person | None = None,
    new_person: NewPerson | None = None,
) -> ContactAssignment:
    """Give `member` a contact for `year`: an existing `person` the actor may name (see
    selectors.contact_candidates), or a `new_person` registered here — the contact is then the branch's to
    keep, and their creation is recorded in the trail like the assignment."""
    _require_manager(actor, member)
    if (person is None) == (new_person is None):
        raise ValidationError({"person": _("请选择一名已有人员,或填写新联系对象的姓名(二者选一)。")})
    if (
        person is not None
        and person.pk != member.person_id  # the model's own message says why not
        and not selectors.contact_candidates(user=actor).filter(pk=person.pk).exists()
    ):
        raise ValidationError({"person": _("所选人员不存在或不在您的管理范围内。")})
    if new_person is not None:
        person = _find_or_build_person(new_person)

    errors: dict[str, list[str]] = {}
    if person.pk is None:
        try:
            person.full_clean()
        except ValidationError as exc:
            for field, messages in _errors(exc).items():
                errors.setdefault("name" if field == "__all__" else field, []).extend(messages)
    assignment = ContactAssignment(
        member=member, person=person, year=year, kind=kind, assigned_on=assigned_on, notes=notes.strip()
    )
    _check_year(assignment, errors)
    _check_person(assignment, person, errors)
    if (
        person.pk is not None
        and year
        and ContactAssignment.objects.filter(member=member, person=person, year=year).exists()
    ):
        errors.setdefault("person", []).append(
            _("%(name)s已是%(member)s%(year)s年的联系对象。")
            % {"name": person.name, "member": member.person.name, "year": year}
        )
    try:
        # A new person has no id yet: no unique check to make; the person was validated above.
        assignment.full_clean(exclude=["person"] if person.pk is None else None)
    except ValidationError as exc:
        for field, messages in _errors(exc).items():
            if field == "__all__" and "person" in errors:
                continue  # the duplicate, already said in words
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)

    if person.pk is None:
        person.save()
        audit.record_save(
            user=actor,
            obj=person,
            before=None,
            detail=_("登记为%(member)s的联系对象") % {"member": member.person.name},
        )
    assignment.person = person
    assignment.save()
    audit.record_save(user=actor, obj=assignment, before=None)
    return assignment


@transaction.atomic
def assignment_update(
    *, actor, assignment: ContactAssignment, kind: str, assigned_on: dt.date, notes: str = ""
) -> ContactAssignment:
    """Change the kind, the date or the notes. The member, the person and the year stay: a different
    contact is a new assignment."""
    stored = ContactAssignment.objects.select_related(
        "member__organisation", "member__person", "person__member", "person__activist"
    ).get(pk=assignment.pk)
    _require_manager(actor, stored.member)
    before = audit.snapshot(stored)
    stored.kind, stored.assigned_on, stored.notes = kind, assigned_on, (notes or "").strip()
    errors: dict[str, list[str]] = {}
    _check_year(stored, errors)
    if kind != before["kind"]:
        _check_kind(stored, stored.person, errors)
    first_talk = stored.talks.order_by("held_on").values_list("held_on", flat=True).first()
    if first_talk is not None and assigned_on and assigned_on > first_talk:
        errors.setdefault("assigned_on", []).append(
            _("已有%(date)s的谈话记录,确定日期不能晚于最早的谈话日期。") % {"date": first_talk.isoformat()}
        )
    try:
        stored.full_clean()
    except ValidationError as exc:
        for field, messages in _errors(exc).items():
            errors.setdefault(field, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


@transaction.atomic
def assignment_delete(*, actor, assignment: ContactAssignment) -> None:
    """Remove a contact of this year or next, with their talks; a past year's contacts and talks are the
    member's archive (活动档案簿册) and its assessment's evidence, and stay."""
    stored = ContactAssignment.objects.select_related("member__organisation", "member__person", "person").get(
        pk=assignment.pk
    )
    _require_manager(actor, stored.member)
    if stored.year < today().year:
        raise ValidationError(
            _("%(year)s年的联系对象和谈话记录已归入活动档案,不能删除。") % {"year": stored.year}
        )
    talks = list(stored.talks.all())
    if talks:
        # The talks go with the assignment (CASCADE); the trail keeps each one's last values.
        audit.record_many(
            ({"obj": talk, "action": Action.DELETE, "before": audit.snapshot(talk)} for talk in talks),
            user=actor,
        )
    audit.record_delete(
        user=actor,
        obj=stored,
        detail=_("连同%(n)d条谈心走访记录") % {"n": len(talks)} if talks else "",
    )
    stored.delete()


def _require_talk_writer(actor, talk: Talk, action: str) -> None:
    if not scope.can(actor, action, talk):
        raise PermissionDenied


def _validate_talk(talk: Talk) -> None:
    for field in ("content", "problems", "follow_up"):
        setattr(talk, field, (getattr(talk, field) or "").strip())
    errors: dict[str, list[str]] = {}
    try:
        talk.full_clean()
    except ValidationError as exc:
        errors = _errors(exc)
    assignment = talk.assignment
    if talk.held_on and talk.held_on.year > assignment.year and "held_on" not in errors:
        errors["held_on"] = [
            _("这是%(year)s年度的联系对象,谈话日期不能晚于%(year)s年。") % {"year": assignment.year}
        ]
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def talk_create(
    *,
    actor,
    assignment: ContactAssignment,
    held_on: dt.date,
    content: str,
    kind: str = Talk.Kind.TALK,
    problems: str = "",
    follow_up: str = "",
) -> Talk:
    """Log a talk or visit: not in the future, not before the contact was assigned, with what was said."""
    assignment = ContactAssignment.objects.select_related("member__organisation", "member__person").get(
        pk=assignment.pk
    )
    talk = Talk(
        assignment=assignment,
        held_on=held_on,
        kind=kind,
        content=content,
        problems=problems,
        follow_up=follow_up,
    )
    _require_talk_writer(actor, talk, scope.CREATE)
    _validate_talk(talk)
    talk.save()
    audit.record_save(user=actor, obj=talk, before=None)
    return talk


@transaction.atomic
def talk_update(
    *,
    actor,
    talk: Talk,
    held_on: dt.date,
    content: str,
    kind: str = Talk.Kind.TALK,
    problems: str = "",
    follow_up: str = "",
) -> Talk:
    stored = Talk.objects.select_related(
        "assignment__member__organisation", "assignment__member__person", "assignment__person"
    ).get(pk=talk.pk)
    _require_talk_writer(actor, stored, scope.CHANGE)
    before = audit.snapshot(stored)
    stored.held_on, stored.kind, stored.content = held_on, kind, content
    stored.problems, stored.follow_up = problems, follow_up
    _validate_talk(stored)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored
