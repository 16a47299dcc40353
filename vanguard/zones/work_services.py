"""Writes of a zone's work: its tasks (with their state machine), its work plan (工作运行表) and the
activities of a branch with their participants.

Every write takes the acting user, checks the scope (`scope.can` for the object as stored,
`scope.can_edit_under` for every organisation a foreign key would put it in), validates with full_clean and
is recorded in the audit trail, in the same transaction. Pages, the API and the demo share these."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import NON_FIELD_ERRORS, PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.audit.models import Action
from vanguard.org.models import Member, Organisation, Person, TreeNode
from vanguard.org.validators import today

from .models import Activity, ActivityParticipant, Task, WorkPlanEntry, Zone

MAX_HOURS = Decimal(24)


def _may_edit_somewhere(actor) -> bool:
    s = scope.scope_of(actor)
    return s.superuser or bool(s.paths_for({"office", "secretary"}))


def _branch_path(organisation: Organisation) -> str:
    """The path of the branch an organisation belongs to: itself, or the branch above a group."""
    if organisation.kind == Organisation.Kind.GROUP:
        return organisation.path[: -TreeNode.steplen]
    return organisation.path


# --- tasks ---------------------------------------------------------------------------------------------

_TASK_FIELDS = ("zone", "member", "category", "title", "description", "due_date")


def _check_task_targets(actor, task: Task) -> None:
    """Where a task hangs: a zone or a member (or both, a member's task in a zone), each in the actor's
    organisations. Checked before full_clean, whose message for the check constraint names no field."""
    zone: Zone | None = task.zone if task.zone_id else None
    member: Member | None = task.member if task.member_id else None
    if zone is None and member is None:
        raise ValidationError({NON_FIELD_ERRORS: _("任务须指定责任区或党员(至少一项)。")})
    errors: dict[str, str] = {}
    if zone is not None and not scope.can_edit_under(actor, zone.organisation):
        errors["zone"] = _("所选责任区不存在或不在您的管理范围内。")
    if member is not None and not scope.can_edit_under(actor, member.organisation):
        errors["member"] = _("所选党员不在您管理的党组织内。")
    if (
        not errors
        and zone is not None
        and member is not None
        and _branch_path(zone.organisation) != _branch_path(member.organisation)
    ):
        errors["member"] = _("党员须属于该责任区所在的党支部(%(branch)s)。") % {
            "branch": zone.organisation.name
        }
    if errors:
        raise ValidationError(errors)


def _locked_task(task: Task) -> Task:
    # Re-read under a row lock (PostgreSQL; SQLite's IMMEDIATE transaction already holds the write lock), so
    # two transitions at once cannot both start from "open".
    return (
        Task.objects.select_for_update(of=("self",))
        .select_related("zone__organisation", "member__organisation", "member__person")
        .get(pk=task.pk)
    )


@transaction.atomic
def task_create(
    *,
    actor,
    category: str,
    title: str,
    zone: Zone | None = None,
    member: Member | None = None,
    description: str = "",
    due_date: dt.date | None = None,
) -> Task:
    if not _may_edit_somewhere(actor):
        raise PermissionDenied
    task = Task(
        zone=zone,
        member=member,
        category=category,
        title=(title or "").strip(),
        description=description or "",
        due_date=due_date,
        status=Task.Status.OPEN,
    )
    _check_task_targets(actor, task)
    task.full_clean()
    task.save()
    audit.record_save(user=actor, obj=task, before=None)
    return task


@transaction.atomic
def task_update(*, actor, task: Task, fields: Mapping[str, Any]) -> Task:
    """Change what a task asks (not its status: that is the transitions' job below). Only an open task
    changes; a finished one is reopened first, so its record is never rewritten behind its status."""
    stored = _locked_task(task)
    if not scope.can(actor, scope.CHANGE, stored):
        raise PermissionDenied
    if stored.status != Task.Status.OPEN:
        raise ValidationError(
            {
                NON_FIELD_ERRORS: _("任务%(status)s,不能修改;如需修改,请先重新打开。")
                % {"status": stored.get_status_display()}
            }
        )
    unknown = set(fields) - set(_TASK_FIELDS)
    if unknown:
        raise ValueError(f"task_update cannot change {sorted(unknown)}")
    before = audit.snapshot(stored)
    for key, value in fields.items():
        setattr(stored, key, value.strip() if key == "title" and isinstance(value, str) else value)
    _check_task_targets(actor, stored)
    stored.full_clean()
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    _copy_state(stored, task)
    return stored


def _copy_state(source: Task, target: Task) -> None:
    if target is not source:
        for field in Task._meta.concrete_fields:
            setattr(target, field.attname, getattr(source, field.attname))


# The state machine of a task, in one place: each transition, the states it leaves from, where it goes.
_TRANSITIONS: dict[str, tuple[frozenset[str], str]] = {
    "complete": (frozenset({Task.Status.OPEN}), Task.Status.DONE),
    "cancel": (frozenset({Task.Status.OPEN}), Task.Status.CANCELLED),
    "reopen": (frozenset({Task.Status.DONE, Task.Status.CANCELLED}), Task.Status.OPEN),
}


def _refusal(transition: str, task: Task) -> str:
    """Why `transition` does not apply to `task`, in words a secretary or member understands."""
    if transition == "reopen":
        return _("任务正在进行中,无需重新打开。")
    if task.status == Task.Status.DONE:
        when = task.done_on.isoformat() if task.done_on else ""
        return _("该任务已于%(date)s完成,不能再%(action)s;如有需要,请支部书记重新打开。") % {
            "date": when,
            "action": _("标记完成") if transition == "complete" else _("取消"),
        }
    return _("该任务已取消,不能再%(action)s;如有需要,请支部书记重新打开。") % {
        "action": _("标记完成") if transition == "complete" else _("取消")
    }


def may_complete(actor, task: Task) -> bool:
    """Whoever may change the task (its branch's secretary, the office above), and the member whose own
    task it is: they report it done themself."""
    if scope.can(actor, scope.CHANGE, task):
        return True
    person_id = scope.scope_of(actor).person_id
    return person_id is not None and task.member_id is not None and task.member.person_id == person_id


def _transition(actor, task: Task, name: str, *, done_on: dt.date | None = None) -> Task:
    stored = _locked_task(task)
    allowed = may_complete(actor, stored) if name == "complete" else scope.can(actor, scope.CHANGE, stored)
    if not allowed:
        raise PermissionDenied
    sources, target = _TRANSITIONS[name]
    if stored.status not in sources:
        raise ValidationError({"status": _refusal(name, stored)})
    before = audit.snapshot(stored)
    stored.status = target
    if target == Task.Status.DONE:
        done_on = done_on or today()
        if done_on > today():
            raise ValidationError({"done_on": _("完成日期不能晚于今天。")})
        stored.done_on = done_on
    else:
        stored.done_on = None
    stored.full_clean()
    stored.save()
    detail = {
        "complete": _("标记完成"),
        "cancel": _("取消任务"),
        "reopen": _("重新打开"),
    }[name]
    audit.record_save(user=actor, obj=stored, before=before, detail=detail)
    _copy_state(stored, task)
    return stored


@transaction.atomic
def task_complete(*, actor, task: Task, done_on: dt.date | None = None) -> Task:
    """open → done, on `done_on` (today by default, never in the future)."""
    return _transition(actor, task, "complete", done_on=done_on)


@transaction.atomic
def task_cancel(*, actor, task: Task) -> Task:
    """open → cancelled, by the secretary or the office."""
    return _transition(actor, task, "cancel")


@transaction.atomic
def task_reopen(*, actor, task: Task) -> Task:
    """done or cancelled → open again, by the secretary or the office; the completion date is cleared."""
    return _transition(actor, task, "reopen")


# --- the work plan (工作运行表) ---------------------------------------------------------------------------

_PLAN_FIELDS = ("zone", "title", "recurrence", "starts_on", "ends_on", "person", "notes")


def _check_plan_entry(actor, entry: WorkPlanEntry) -> None:
    errors: dict[str, str] = {}
    if entry.zone_id and not scope.can_edit_under(actor, entry.zone.organisation):
        errors["zone"] = _("所选责任区不存在或不在您的管理范围内。")
    if entry.ends_on and entry.starts_on and entry.ends_on < entry.starts_on:
        errors["ends_on"] = _("截止日期不能早于开始日期。")
    elif entry.ends_on and entry.recurrence == WorkPlanEntry.Recurrence.ONCE:
        errors["ends_on"] = _("一次性工作只有一个日期,不填截止日期;按期重复的工作才需要截止日期。")
    if entry.person_id and not scope.visible_to(actor, Person.objects.filter(pk=entry.person_id)).exists():
        errors["person"] = _("所选负责人不存在或不在您的可见范围内。")
    if errors:
        raise ValidationError(errors)


@transaction.atomic
def plan_entry_create(
    *,
    actor,
    zone: Zone,
    title: str,
    starts_on: dt.date,
    recurrence: str = WorkPlanEntry.Recurrence.ONCE,
    ends_on: dt.date | None = None,
    person: Person | None = None,
    notes: str = "",
) -> WorkPlanEntry:
    if not _may_edit_somewhere(actor):
        raise PermissionDenied
    entry = WorkPlanEntry(
        zone=zone,
        title=(title or "").strip(),
        recurrence=recurrence,
        starts_on=starts_on,
        ends_on=ends_on,
        person=person,
        notes=notes or "",
    )
    _check_plan_entry(actor, entry)
    entry.full_clean()
    entry.save()
    audit.record_save(user=actor, obj=entry, before=None)
    return entry


def _stored_entry(actor, entry: WorkPlanEntry) -> WorkPlanEntry:
    stored = WorkPlanEntry.objects.select_related("zone__organisation").get(pk=entry.pk)
    if not scope.can(actor, scope.CHANGE, stored):
        raise PermissionDenied
    return stored


@transaction.atomic
def plan_entry_update(*, actor, entry: WorkPlanEntry, fields: Mapping[str, Any]) -> WorkPlanEntry:
    stored = _stored_entry(actor, entry)
    unknown = set(fields) - set(_PLAN_FIELDS)
    if unknown:
        raise ValueError(f"plan_entry_update cannot change {sorted(unknown)}")
    before = audit.snapshot(stored)
    for key, value in fields.items():
        setattr(stored, key, value.strip() if key == "title" and isinstance(value, str) else value)
    _check_plan_entry(actor, stored)
    stored.full_clean()
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


@transaction.atomic
def plan_entry_delete(*, actor, entry: WorkPlanEntry) -> None:
    stored = _stored_entry(actor, entry)
    audit.record_delete(user=actor, obj=stored)
    stored.delete()


# --- activities ------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Participation:
    """One participant of an activity and the hours they gave."""

    person: Person
    hours: Decimal = Decimal(0)


def _hours(value: Any) -> Decimal | None:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        return None
    return hours if hours.is_finite() else None


def _check_participants(actor, participants: list[Participation]) -> None:
    problems: list[str] = []
    seen: set[int] = set()
    for p in participants:
        hours = _hours(p.hours)
        if hours is None or not Decimal(0) <= hours <= MAX_HOURS:
            problems.append(_("%(name)s的时长应在0至24小时之间。") % {"name": p.person.name})
        elif hours != hours.quantize(Decimal("0.1")):
            problems.append(_("%(name)s的时长最多保留一位小数,如1.5小时。") % {"name": p.person.name})
        if p.person.pk in seen:
            problems.append(_("%(name)s在参加人员中重复出现。") % {"name": p.person.name})
        seen.add(p.person.pk)
    if seen:
        visible = set(
            scope.visible_to(actor, Person.objects.filter(pk__in=seen)).values_list("pk", flat=True)
        )
        if seen - visible:
            # No names: they are out of sight, and the answer must not tell who they are.
            problems.append(_("参加人员中有人不存在或不在您的可见范围内。"))
    if problems:
        raise ValidationError({"participants": problems})


def _check_activity(actor, activity: Activity) -> None:
    errors: dict[str, str] = {}
    organisation = activity.organisation if activity.organisation_id else None
    if organisation is not None and not scope.can_edit_under(actor, organisation):
        errors["organisation"] = _("所选党组织不存在或不在您的管理范围内。")
    if activity.held_on and activity.held_on > today():
        errors["held_on"] = _("活动日期不能晚于今天:活动办完后再记录。")
    if (
        activity.zone_id
        and organisation is not None
        and "organisation" not in errors
        and not activity.zone.organisation.path.startswith(organisation.path)
    ):
        errors["zone"] = _("责任区须属于该组织单位或其下级党组织。")
    if errors:
        raise ValidationError(errors)


def _participant_rows(activity: Activity) -> list[list[Any]]:
    rows = activity.attendance.order_by("person_id").values_list("person_id", "hours")
    return [[person_id, str(hours)] for person_id, hours in rows]


def _activity_state(activity: Activity) -> dict[str, Any]:
    # The trail keeps who took part and for how long with the activity itself: one record per write.
    return {**audit.snapshot(activity), "participants": _participant_rows(activity)}


def _set_participants(activity: Activity, participants: list[Participation]) -> None:
    wanted = {p.person.pk: _hours(p.hours) for p in participants}
    existing = {a.person_id: a for a in activity.attendance.all()}
    activity.attendance.exclude(person_id__in=wanted).delete()
    changed = []
    for person_id, hours in wanted.items():
        row = existing.get(person_id)
        if row is not None and row.hours != hours:
            row.hours = hours
            changed.append(row)
    if changed:
        ActivityParticipant.objects.bulk_update(changed, ["hours"])
    new = [
        ActivityParticipant(activity=activity, person_id=person_id, hours=hours)
        for person_id, hours in wanted.items()
        if person_id not in existing
    ]
    ActivityParticipant.objects.bulk_create(new)


@transaction.atomic
def activity_create(
    *,
    actor,
    organisation: Organisation,
    title: str,
    held_on: dt.date,
    zone: Zone | None = None,
    record: str = "",
    participants: Iterable[Participation] = (),
) -> Activity:
    if not _may_edit_somewhere(actor):
        raise PermissionDenied
    participants = list(participants)
    activity = Activity(
        organisation=organisation,
        zone=zone,
        title=(title or "").strip(),
        held_on=held_on,
        record=record or "",
    )
    _check_activity(actor, activity)
    _check_participants(actor, participants)
    activity.full_clean()
    activity.save()
    _set_participants(activity, participants)
    audit.record(action=Action.CREATE, user=actor, obj=activity, after=_activity_state(activity))
    return activity


_ACTIVITY_FIELDS = ("organisation", "zone", "title", "held_on", "record")


@transaction.atomic
def activity_update(
    *,
    actor,
    activity: Activity,
    fields: Mapping[str, Any],
    participants: Iterable[Participation] | None = None,
) -> Activity:
    """Change an activity; `participants`, when given, replaces the list (hours included)."""
    stored = (
        Activity.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=activity.pk)
    )
    if not scope.can(actor, scope.CHANGE, stored):
        raise PermissionDenied
    unknown = set(fields) - set(_ACTIVITY_FIELDS)
    if unknown:
        raise ValueError(f"activity_update cannot change {sorted(unknown)}")
    before = _activity_state(stored)
    for key, value in fields.items():
        setattr(stored, key, value.strip() if key == "title" and isinstance(value, str) else value)
    _check_activity(actor, stored)
    if participants is not None:
        participants = list(participants)
        _check_participants(actor, participants)
    stored.full_clean()
    stored.save()
    if participants is not None:
        _set_participants(stored, participants)
    audit.record(action=Action.UPDATE, user=actor, obj=stored, before=before, after=_activity_state(stored))
    return stored
