"""Which write changes which public page: receivers of other apps' model signals that bump the keys of
cache.py. They run in the writer's transaction, so a page's new version and its new content are committed
together.

Deletions are followed only for the models whose rows the services delete (zones, roles, responsibilities,
teams …): a post_delete receiver makes Django load and signal every row of a cascade instead of deleting them
in one statement, which would slow the mass deletes of the demo's reset on the large models (requests,
service records) whose rows are never deleted in use."""

from __future__ import annotations

from collections.abc import Callable, Iterable
from typing import Any

from django.db.models import Model
from django.db.models.signals import m2m_changed, post_delete, post_save

from . import cache

Keys = Callable[[Any], Iterable[str]]


def _organisation_and_above(organisation_id: int | None) -> list[str]:
    """The keys of an organisation and of every organisation above it (a committee's screen counts the
    requests of its branches)."""
    from vanguard.org.models import Organisation

    if organisation_id is None:
        return []
    path = Organisation.objects.filter(pk=organisation_id).values_list("path", flat=True).first()
    if path is None:
        return []
    step = Organisation.steplen
    prefixes = [path[:end] for end in range(step, len(path) + 1, step)]
    ids = Organisation.objects.filter(path__in=prefixes).values_list("pk", flat=True)
    return [cache.organisation_key(pk) for pk in ids]


def _member_organisations(member_id: int | None) -> list[str]:
    from vanguard.org.models import Member

    if member_id is None:
        return []
    organisation_id = Member.objects.filter(pk=member_id).values_list("organisation_id", flat=True).first()
    return _organisation_and_above(organisation_id)


def _community(cell_id: int | None) -> list[str]:
    return [cache.cell_key(cell_id)] if cell_id is not None else []


def _revision(revision) -> list[str]:
    return [cache.round_key(revision.result.round_id), cache.ROUNDS]


def _request(req) -> list[str]:
    return [*_community(req.community_id), *_organisation_and_above(req.organisation_id)]


def _record(record) -> list[str]:
    return [*_community(record.community_id), *_member_organisations(record.member_id)]


def _task(task) -> list[str]:
    return [cache.zone_key(task.zone_id)] if task.zone_id else []


def _connect(model: type[Model], keys: Keys, *, deletes: bool) -> None:
    def receiver(sender, instance, raw: bool = False, **kwargs) -> None:
        if raw:
            return  # loaddata: no page has been built on these rows
        cache.bump(*keys(instance))

    uid = f"vanguard.public.{model._meta.label_lower}"
    post_save.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.save")
    if deletes:
        post_delete.connect(receiver, sender=model, weak=False, dispatch_uid=f"{uid}.delete")


def _connect_m2m(through: type[Model], keys: Callable[[Any, bool, set | None], Iterable[str]]) -> None:
    def receiver(sender, instance, action: str, reverse: bool, pk_set, **kwargs) -> None:
        if action in ("post_add", "post_remove", "post_clear"):
            cache.bump(*keys(instance, reverse, pk_set))

    uid = f"vanguard.public.{through._meta.label_lower}"
    m2m_changed.connect(receiver, sender=through, weak=False, dispatch_uid=uid)


def _zone_cells(instance, reverse: bool, pk_set) -> list[str]:
    if reverse:  # cell.zones.add(…): the zones are in pk_set
        return [cache.ZONES, *(cache.zone_key(pk) for pk in pk_set or ())]
    return [cache.ZONES, cache.zone_key(instance.pk)]


def _team_members(instance, reverse: bool, pk_set) -> list[str]:
    from vanguard.community.models import Team

    if not reverse:
        return _community(instance.community_id)
    teams = Team.objects.filter(pk__in=pk_set or ()).values_list("community_id", flat=True)
    return [cache.cell_key(pk) for pk in set(teams)]


def connect() -> None:
    from vanguard.assessment.models import Result, Revision, Round
    from vanguard.community.models import CommunityPost, Registration, ServiceRecord, Team
    from vanguard.org.models import Cell, Member, Organisation, Person
    from vanguard.posts.models import ModelPost, Opinion, PostMember, Standard
    from vanguard.service_requests.models import ServiceRequest
    from vanguard.zones.models import Responsibility, Task, Zone, ZoneRole, ZoneRoleKind

    for model in (Organisation, Cell, Responsibility, ZoneRoleKind):
        _connect(model, lambda obj: [cache.TREES], deletes=True)
    for model in (Person, Member):
        _connect(model, lambda obj: [cache.PEOPLE], deletes=True)
    _connect(Zone, lambda zone: [cache.zone_key(zone.pk), cache.ZONES], deletes=True)
    _connect(ZoneRole, lambda role: [cache.zone_key(role.zone_id), cache.ZONES], deletes=True)
    _connect_m2m(Zone.cells.through, _zone_cells)
    _connect(Task, _task, deletes=False)
    _connect(Standard, lambda standard: [cache.STANDARDS], deletes=True)
    _connect(ModelPost, lambda post: [cache.post_key(post.pk), cache.POSTS], deletes=True)
    _connect(PostMember, lambda entry: [cache.post_key(entry.post_id), cache.POSTS], deletes=True)
    _connect(Opinion, lambda opinion: [cache.post_key(opinion.post_id)], deletes=False)
    _connect(Round, lambda round_: [cache.round_key(round_.pk), cache.ROUNDS], deletes=True)
    _connect(Result, lambda result: [cache.round_key(result.round_id), cache.ROUNDS], deletes=False)
    _connect(Revision, _revision, deletes=False)
    _connect(Registration, lambda registration: _community(registration.community_id), deletes=False)
    _connect(Team, lambda team: _community(team.community_id), deletes=True)
    _connect_m2m(Team.members.through, _team_members)
    _connect(CommunityPost, lambda post: _community(post.community_id), deletes=True)
    _connect(ServiceRecord, _record, deletes=False)
    _connect(ServiceRequest, _request, deletes=False)
