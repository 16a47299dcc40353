"""Writes of the community's volunteer teams (代理家长队, 治安队, 政策宣传队 …) and one-to-one pairings
(结对帮扶) with their visits. Like services_work: each takes the acting user, checks who may do it (the
community's workers run their community; a member logs the visits of their own pairing), validates with a
Chinese message naming the field, and is audited in its transaction.

A team's leader and members, and a pairing's member, must be registered (confirmed) at the community: the
community organises the in-service members who reported to it (seed 003)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils.translation import gettext as _

from vanguard.audit import services as audit
from vanguard.org.models import Cell, Member, Person
from vanguard.org.validators import today

from .models import Pairing, PairingVisit, Registration, Team
from .services import _is_own, works_in


def _worker(actor, community: Cell, message: str) -> None:
    if not works_in(actor, community):
        raise PermissionDenied(message)


def _unregistered(community: Cell, members: Iterable[Member]) -> list[Member]:
    """The members of `members` without a confirmed registration at `community` (one query)."""
    members = list(members)
    registered = set(
        Registration.objects.filter(
            community=community, status=Registration.Status.CONFIRMED, member__in=members
        ).values_list("member_id", flat=True)
    )
    return [m for m in members if m.pk not in registered]


@transaction.atomic
def team_create(
    *,
    actor,
    community: Cell,
    name: str,
    purpose: str = "",
    leader: Member | None = None,
    members: Iterable[Member] = (),
) -> Team:
    """A volunteer team of the community with its members; the leader is one of them (added if missing)."""
    _worker(actor, community, _("只有本社区的工作人员可以组建志愿服务队。"))
    if community.kind != Cell.Kind.COMMUNITY:
        raise ValidationError({"community": _("志愿服务队须设在社区。")})
    members = list(dict.fromkeys(members))
    if leader is not None and leader not in members:
        members.append(leader)
    team = Team(
        community=community, name=(name or "").strip(), purpose=(purpose or "").strip(), leader=leader
    )
    team.full_clean(validate_constraints=False)
    if Team.objects.filter(community=community, name=team.name).exists():
        raise ValidationError({"name": _("本社区已有名为“%(name)s”的服务队。") % {"name": team.name}})
    outside = _unregistered(community, members)
    if outside:
        raise ValidationError(
            {
                "members": _("%(names)s未在%(community)s报到,不能加入服务队。")
                % {"names": "、".join(m.person.name for m in outside), "community": community.name}
            }
        )
    team.save()
    team.members.set(members)
    audit.record_save(user=actor, obj=team, before=None)
    return team


@transaction.atomic
def pairing_create(
    *,
    actor,
    community: Cell,
    member: Member,
    person: Person,
    kind: str,
    started_on: dt.date | None,
    notes: str = "",
) -> Pairing:
    """结对: a member registered at the community paired with a person living in it."""
    _worker(actor, community, _("只有本社区的工作人员可以安排结对帮扶。"))
    if started_on is not None and started_on > today():
        raise ValidationError({"started_on": _("结对日期不能晚于今天。")})
    if person.pk == member.person_id:
        raise ValidationError({"person": _("帮扶对象不能是党员本人。")})
    if person.residence_id is None or not person.residence.path.startswith(community.path):
        raise ValidationError(
            {
                "person": _("%(name)s不住在%(community)s。")
                % {"name": person.name, "community": community.name}
            }
        )
    if _unregistered(community, [member]):
        raise ValidationError(
            {
                "member": _("%(name)s未在%(community)s报到。")
                % {"name": member.person.name, "community": community.name}
            }
        )
    pairing = Pairing(
        community=community,
        member=member,
        person=person,
        kind=kind,
        started_on=started_on,
        notes=(notes or "").strip(),
    )
    pairing.full_clean(validate_constraints=False)
    duplicate = _("%(member)s已与%(person)s结对。") % {"member": member.person.name, "person": person.name}
    if Pairing.objects.filter(member=member, person=person, ended_on__isnull=True).exists():
        raise ValidationError({"person": duplicate})
    try:
        with transaction.atomic():
            pairing.save()
    except IntegrityError:
        raise ValidationError({"person": duplicate}) from None
    audit.record_save(user=actor, obj=pairing, before=None)
    return pairing


@transaction.atomic
def pairing_visit(*, actor, pairing: Pairing, visited_on: dt.date | None, content: str) -> PairingVisit:
    """A visit logged by the paired member themself or by a worker of the community."""
    if not (_is_own(actor, pairing.member) or works_in(actor, pairing.community)):
        raise PermissionDenied(_("只有结对的党员本人或社区工作人员可以记录走访。"))
    if pairing.ended_on is not None:
        raise ValidationError(_("该结对已于%(date)s结束,不能再记录走访。") % {"date": pairing.ended_on})
    if visited_on is not None and visited_on > today():
        raise ValidationError({"visited_on": _("走访日期不能晚于今天。")})
    if visited_on is not None and visited_on < pairing.started_on:
        raise ValidationError({"visited_on": _("走访日期不能早于结对日期。")})
    visit = PairingVisit(pairing=pairing, visited_on=visited_on, content=(content or "").strip())
    visit.full_clean()
    visit.save()
    audit.record_save(user=actor, obj=visit, before=None)
    return visit


@transaction.atomic
def pairing_end(*, actor, pairing: Pairing, ended_on: dt.date | None) -> Pairing:
    stored = Pairing.objects.select_for_update(of=("self",)).select_related("community").get(pk=pairing.pk)
    _worker(actor, stored.community, _("只有本社区的工作人员可以结束结对。"))
    if stored.ended_on is not None:
        raise ValidationError(_("该结对已于%(date)s结束。") % {"date": stored.ended_on})
    if ended_on is None:
        raise ValidationError({"ended_on": _("请填写结束日期。")})
    if ended_on > today() or ended_on < stored.started_on:
        raise ValidationError({"ended_on": _("结束日期应在结对日期和今天之间。")})
    before = audit.snapshot(stored)
    stored.ended_on = ended_on
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored
