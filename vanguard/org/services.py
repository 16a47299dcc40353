"""Writes to the trees and the roster. Every write takes the acting user and validates with full_clean,
so pages, the API and the importers share one write path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit

from .models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode

_TREE_EXCLUDE = ["path", "depth", "numchild"]


def _node_add(model: type[TreeNode], *, parent: TreeNode | None, **fields: Any) -> TreeNode:
    node = model(**fields)
    node._new_parent = parent
    node.full_clean(exclude=_TREE_EXCLUDE)
    del node._new_parent
    if parent is None:
        return model.objects.add_root(instance=node)
    # treebeard keeps a stale numchild on the in-memory parent; re-read it.
    parent.refresh_from_db()
    return model.objects.add_child(parent, instance=node)


def _audited_add(actor, model: type[TreeNode], *, parent: TreeNode | None, **fields: Any) -> TreeNode:
    node = _node_add(model, parent=parent, **fields)
    audit.record_save(user=actor, obj=node, before=None)
    return node


@transaction.atomic
def organisation_create(*, actor, parent: Organisation | None, name: str, kind: str) -> Organisation:
    if parent is not None and not scope.can_edit_under(actor, parent):
        raise PermissionDenied
    if parent is None and not scope.scope_of(actor).superuser:
        raise PermissionDenied
    return _audited_add(actor, Organisation, parent=parent, name=name, kind=kind)


@transaction.atomic
def cell_create(*, actor, parent: Cell | None, name: str, kind: str, community_type: str = "") -> Cell:
    if not scope.scope_of(actor).superuser and not scope.scope_of(actor).roles & {"office"}:
        raise PermissionDenied
    return _audited_add(actor, Cell, parent=parent, name=name, kind=kind, community_type=community_type)


def _node_move(node: TreeNode, new_parent: TreeNode | None, *, actor) -> TreeNode:
    # Both paths are re-read first: an instance read before an earlier move still has its old path, and
    # the descendant check below would pass where treebeard then fails with InvalidMoveToDescendant.
    node.refresh_from_db(fields=_TREE_EXCLUDE)
    if new_parent is not None:
        new_parent.refresh_from_db(fields=_TREE_EXCLUDE)
    if new_parent is not None and (new_parent.pk == node.pk or new_parent.path.startswith(node.path)):
        raise ValidationError({"parent": _("不能把节点移到它自己或它的下级之下。")})
    before = audit.snapshot(node)
    node._new_parent = new_parent
    node.full_clean(exclude=_TREE_EXCLUDE)
    del node._new_parent
    manager = type(node).objects
    if new_parent is None:
        manager.move(node, type(node).children_of(None).first(), "last-sibling")
    else:
        manager.move(node, new_parent, "last-child")
    node.refresh_from_db()
    # One record for the moved node; its descendants' paths follow it and are not recorded one by one.
    audit.record_save(
        user=actor,
        obj=node,
        before=before,
        detail=_("移动到%(parent)s") % {"parent": new_parent.name if new_parent else _("顶层")},
    )
    return node


@transaction.atomic
def organisation_move(*, actor, node: Organisation, new_parent: Organisation | None) -> Organisation:
    if not scope.can_edit_under(actor, node) or (
        new_parent is not None and not scope.can_edit_under(actor, new_parent)
    ):
        raise PermissionDenied
    return _node_move(node, new_parent, actor=actor)


@transaction.atomic
def cell_move(*, actor, node: Cell, new_parent: Cell | None) -> Cell:
    if not scope.scope_of(actor).superuser and not scope.scope_of(actor).roles & {"office"}:
        raise PermissionDenied
    return _node_move(node, new_parent, actor=actor)


def strengths_from_text(text: str) -> list[str]:
    """特长 as people write them: separated by 、 , , ; or spaces."""
    for sep in ("、", ",", ";", ";", " "):
        text = text.replace(sep, ",")
    seen: list[str] = []
    for part in text.split(","):
        # Cut to the column's length before comparing, or two long names that differ past it repeat.
        part = part.strip()[:30]
        if part and part not in seen:
            seen.append(part)
    return seen


def _set_strengths(person: Person, names: Iterable[str]) -> None:
    names = list(names)
    existing = {s.name: s for s in Strength.objects.filter(name__in=names)}
    missing = [Strength(name=n) for n in names if n not in existing]
    if missing:
        Strength.objects.bulk_create(missing, ignore_conflicts=True)
        existing = {s.name: s for s in Strength.objects.filter(name__in=names)}
    person.strengths.set([existing[n] for n in names])


def _check_organisation(actor, organisation: Organisation | None) -> None:
    if organisation is not None and not scope.can_edit_under(actor, organisation):
        # Out of the actor's scope: the same answer as a field pointing nowhere.
        raise ValidationError({"organisation": _("所选党组织不存在或不在您的管理范围内。")})


@transaction.atomic
def person_save(
    *, actor, person: Person, strengths: Iterable[str] | None = None, fields: dict[str, Any] | None = None
) -> Person:
    """Create or update a person; `fields` are applied before validation."""
    before = None
    if person.pk is not None:
        stored = Person.objects.select_related("member", "activist", "residence", "workplace").get(
            pk=person.pk
        )
        if not scope.can(actor, scope.CHANGE, stored):
            raise PermissionDenied
        before = audit.snapshot(stored)
    for key, value in (fields or {}).items():
        setattr(person, key, value)
    if not scope.can(actor, scope.CREATE if person.pk is None else scope.CHANGE, person):
        if not scope.scope_of(actor).cell_paths:
            raise PermissionDenied
        # A community worker whose new values would put the person out of their grid (another community).
        raise ValidationError({"residence": _("居住社区或工作单位须在您负责的网格内。")})
    person.full_clean()
    person.save()
    if strengths is not None:
        _set_strengths(person, strengths)
    audit.record_save(user=actor, obj=person, before=before)
    return person


@transaction.atomic
def member_save(
    *,
    actor,
    person: Person,
    member: Member,
    strengths: Iterable[str] | None = None,
) -> Member:
    """Create or update a member together with their person record, validating both first."""
    member_before = person_before = None
    if member.pk is not None:
        previous = Member.objects.select_related("organisation").get(pk=member.pk)
        if not scope.can_edit_under(actor, previous.organisation):
            raise PermissionDenied
        member_before = audit.snapshot(previous)
    if person.pk is not None:
        # The form has already written its values into `person`: "before" comes from the database.
        person_before = audit.snapshot(Person.objects.get(pk=person.pk))
    _check_organisation(actor, member.organisation if member.organisation_id else None)
    errors: dict[str, list[str]] = {}
    try:
        person.full_clean()
    except ValidationError as exc:
        errors.update(exc.message_dict)
    member.person = person
    try:
        member.full_clean(exclude=["person"])
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if errors:
        raise ValidationError(errors)
    person.save()
    member.person = person
    member.save()
    if strengths is not None:
        _set_strengths(person, strengths)
    audit.record_save(user=actor, obj=person, before=person_before)
    audit.record_save(user=actor, obj=member, before=member_before)
    # A person who joined is no longer only an activist on the way in; their record keeps the dates.
    activist = Activist.objects.filter(person=person).exclude(stage=Activist.Stage.ADMITTED).first()
    if activist is not None:
        activist_before = audit.snapshot(activist)
        activist.stage = Activist.Stage.ADMITTED
        activist.admitted_on = member.join_date
        try:
            activist.full_clean()
        except ValidationError as exc:
            raise ValidationError(
                {"join_date": _("入党日期不能早于此人作为入党积极分子各阶段的日期。")}
            ) from exc
        activist.save()
        audit.record_save(user=actor, obj=activist, before=activist_before)
    return member


_STAGE_DATE = {
    Activist.Stage.APPLICANT: "applied_on",
    Activist.Stage.ACTIVIST: "activist_on",
    Activist.Stage.CANDIDATE: "candidate_on",
    Activist.Stage.ADMITTED: "admitted_on",
}


@transaction.atomic
def activist_advance(*, actor, activist: Activist, stage: str, on) -> Activist:
    """Move an activist forward; admission to the party makes them a probationary member."""
    if not scope.can_edit_under(actor, activist.organisation):
        raise PermissionDenied
    order = Activist.STAGE_ORDER
    if order.index(stage) <= order.index(activist.stage):
        raise ValidationError(
            {"stage": _("只能向后推进阶段:当前为%(stage)s。") % {"stage": activist.get_stage_display()}}
        )
    before = audit.snapshot(activist)
    activist.stage = stage
    setattr(activist, _STAGE_DATE[stage], on)
    activist.full_clean()
    activist.save()
    audit.record_save(user=actor, obj=activist, before=before)
    if stage == Activist.Stage.ADMITTED:
        member_save(
            actor=actor,
            person=activist.person,
            member=Member(
                organisation=activist.organisation, status=Member.Status.PROBATIONARY, join_date=on
            ),
        )
    return activist
