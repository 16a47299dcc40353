"""Writes to the trees and the roster. Every write takes the acting user and validates with full_clean,
so pages, the API and the importers share one write path."""

from __future__ import annotations

from collections.abc import Iterable
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope

from .models import Activist, Cell, Member, Organisation, Person, Strength, TreeNode

_TREE_EXCLUDE = ["path", "depth", "numchild"]


def _node_add(model: type[TreeNode], *, parent: TreeNode | None, **fields: Any) -> TreeNode:
    node = model(**fields)
    node._new_parent = parent
    node.full_clean(exclude=_TREE_EXCLUDE)
    del node._new_parent
    if parent is None:
        return model.add_root(instance=node)
    # treebeard keeps a stale numchild on the in-memory parent; re-read it.
    parent.refresh_from_db()
    return parent.add_child(instance=node)


@transaction.atomic
def organisation_create(*, actor, parent: Organisation | None, name: str, kind: str) -> Organisation:
    if parent is not None and not scope.can_edit_under(actor, parent):
        raise PermissionDenied
    if parent is None and not scope.scope_of(actor).superuser:
        raise PermissionDenied
    return _node_add(Organisation, parent=parent, name=name, kind=kind)


@transaction.atomic
def cell_create(*, actor, parent: Cell | None, name: str, kind: str, community_type: str = "") -> Cell:
    if not scope.scope_of(actor).superuser and not scope.scope_of(actor).roles & {"office"}:
        raise PermissionDenied
    return _node_add(Cell, parent=parent, name=name, kind=kind, community_type=community_type)


def _node_move(node: TreeNode, new_parent: TreeNode | None) -> TreeNode:
    if new_parent is not None and (new_parent.pk == node.pk or new_parent.path.startswith(node.path)):
        raise ValidationError({"parent": _("不能把节点移到它自己或它的下级之下。")})
    node._new_parent = new_parent
    node.full_clean(exclude=_TREE_EXCLUDE)
    del node._new_parent
    if new_parent is None:
        first_root = type(node).get_first_root_node()
        node.move(first_root, "last-sibling")
    else:
        new_parent.refresh_from_db()
        node.move(new_parent, "last-child")
    node.refresh_from_db()
    return node


@transaction.atomic
def organisation_move(*, actor, node: Organisation, new_parent: Organisation | None) -> Organisation:
    if not scope.can_edit_under(actor, node) or (
        new_parent is not None and not scope.can_edit_under(actor, new_parent)
    ):
        raise PermissionDenied
    return _node_move(node, new_parent)


@transaction.atomic
def cell_move(*, actor, node: Cell, new_parent: Cell | None) -> Cell:
    if not scope.scope_of(actor).superuser and not scope.scope_of(actor).roles & {"office"}:
        raise PermissionDenied
    return _node_move(node, new_parent)


def strengths_from_text(text: str) -> list[str]:
    """特长 as people write them: separated by 、 , , ; or spaces."""
    for sep in ("、", ",", ";", ";", " "):
        text = text.replace(sep, ",")
    seen: list[str] = []
    for part in text.split(","):
        part = part.strip()
        if part and part not in seen:
            seen.append(part[:30])
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
    for key, value in (fields or {}).items():
        setattr(person, key, value)
    person.full_clean()
    person.save()
    if strengths is not None:
        _set_strengths(person, strengths)
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
    if member.pk is not None:
        previous = Member.objects.select_related("organisation").get(pk=member.pk)
        if not scope.can_edit_under(actor, previous.organisation):
            raise PermissionDenied
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
    # A person who joined is no longer only an activist on the way in.
    Activist.objects.filter(person=person).exclude(stage=Activist.Stage.ADMITTED).update(
        stage=Activist.Stage.ADMITTED, admitted_on=member.join_date
    )
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
    activist.stage = stage
    setattr(activist, _STAGE_DATE[stage], on)
    activist.full_clean()
    activist.save()
    if stage == Activist.Stage.ADMITTED:
        member_save(
            actor=actor,
            person=activist.person,
            member=Member(
                organisation=activist.organisation, status=Member.Status.PROBATIONARY, join_date=on
            ),
        )
    return activist
