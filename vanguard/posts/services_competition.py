"""Post competitions (岗位竞赛, seed 004: 开展一项竞赛): a round of a `competition` scheme over a group of
members chosen by the office. The engine creates results for the round's participants only; the ranking is
the round's published results, on the assessment's own pages.

These wrap the engine's round services so that a competition round and its participants are written in one
transaction (a refused list of participants leaves no round behind) and the participants are audited."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.assessment import services as assessment
from vanguard.assessment.models import Purpose, Round, Scheme
from vanguard.audit import services as audit
from vanguard.org.models import Member, Organisation

MIN_PARTICIPANTS = 2


def is_competition(scheme: Scheme) -> bool:
    return scheme.purpose == Purpose.COMPETITION


def participants_errors(actor, organisation: Organisation, members: Iterable[Member]) -> list[str]:
    """What is wrong with a list of participants: fewer than two, or members outside the round's
    organisation subtree (or out of the actor's sight, which reads the same)."""
    members = list({m.pk: m for m in members}.values())
    errors: list[str] = []
    if len(members) < MIN_PARTICIPANTS:
        errors.append(_("岗位竞赛至少要有%(n)d名参加人员。") % {"n": MIN_PARTICIPANTS})
    visible = set(
        scope.visible_to(actor, Member.objects.filter(pk__in=[m.pk for m in members]))
        .filter(organisation.subtree_q("organisation__"))
        .values_list("pk", flat=True)
    )
    outside = [m for m in members if m.pk not in visible]
    if outside:
        errors.append(
            _("%(names)s不在考核范围“%(org)s”内。")
            % {"names": "、".join(m.person.name for m in outside), "org": organisation.name}
        )
    return errors


def _set_participants(actor, round_: Round, members: Iterable[Member]) -> None:
    members = list({m.pk: m for m in members}.values())
    errors = participants_errors(actor, round_.organisation, members)
    if errors:
        raise ValidationError({"participants": errors})
    before = sorted(round_.participants.values_list("pk", flat=True))
    round_.participants.set(members)
    audit.record(
        action="update",
        user=actor,
        obj=round_,
        before={"participants": before} if before else None,
        after={"participants": sorted(m.pk for m in members)},
        detail=_("岗位竞赛参加人员:%(names)s") % {"names": "、".join(m.person.name for m in members)},
    )


@transaction.atomic
def competition_round_create(
    *,
    actor,
    scheme: Scheme,
    organisation: Organisation,
    name: str,
    period_start: dt.date,
    period_end: dt.date,
    participants: Iterable[Member],
) -> Round:
    """A draft round of a competition scheme with its participants (at least two members of the round's
    organisation subtree)."""
    if not is_competition(scheme):
        raise ValidationError({"scheme": _("所选考核方案不是岗位竞赛方案。")})
    round_ = assessment.round_create(
        actor=actor,
        scheme=scheme,
        organisation=organisation,
        name=name,
        period_start=period_start,
        period_end=period_end,
    )
    # A refused list raises here, and the round made above is rolled back with it.
    _set_participants(actor, round_, participants)
    return round_


@transaction.atomic
def competition_round_update(
    *, actor, round_: Round, fields: Mapping[str, Any], participants: Iterable[Member]
) -> Round:
    """Change a draft competition round's name, period and participants (results are made when it opens:
    afterwards the participants stay)."""
    round_ = assessment.round_update(actor=actor, round_=round_, fields=fields)
    if not is_competition(round_.version.scheme):
        raise ValidationError({"participants": _("只有岗位竞赛可以选择参加人员。")})
    _set_participants(actor, round_, participants)
    return round_
