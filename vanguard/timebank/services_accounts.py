"""Writes of the time bank's pages that services.py leaves to its callers: opening a household account for a
resident (the community's workers, audited), a household paying a member for help received when the member
has no account yet, and a member's donation to an account named by its number (账户编号). The movements
themselves go through services.spend / services.donate, which lock, check the balance and audit."""

from __future__ import annotations

from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import transaction
from django.utils.translation import gettext as _

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.core.masking import mask_name
from vanguard.org.models import Cell, Member, Person

from . import services
from .models import Account, Transfer


@transaction.atomic
def household_open(*, actor, person: Person, community: Cell) -> Account:
    """Open the household account of a resident of `community` (one per person)."""
    if not services.works_in(actor, community):
        raise PermissionDenied(_("只有本社区的工作人员可以开设居民户账户。"))
    if person.residence_id is None or not person.residence.path.startswith(community.path):
        raise ValidationError(
            {
                "person": _("%(name)s不住在%(community)s。")
                % {"name": person.name, "community": community.name}
            }
        )
    if getattr(person, "member", None) is not None:
        raise ValidationError({"person": _("%(name)s是党员,使用党员账户。") % {"name": person.name}})
    existing = Account.objects.filter(person=person).select_related("community").first()
    if existing is not None:
        raise ValidationError(
            {"person": _("%(name)s已有居民户账户(编号 %(pk)d)。") % {"name": person.name, "pk": existing.pk}}
        )
    account = services.household_account(person, community)
    audit.record(
        action="create",
        user=actor,
        obj=account,
        after={"kind": account.kind, "person": person.pk, "community": community.pk},
    )
    return account


@transaction.atomic
def spend_for_member(*, actor, source: Account, member: Member, hours: Any, memo: str) -> Transfer:
    """A household pays `member` for help received; the member's account is opened at the household's
    community if they have none yet."""
    if not services.works_in(actor, source.community):
        raise PermissionDenied(_("只有该社区的工作人员可以办理时间兑换。"))
    if source.kind != Account.Kind.HOUSEHOLD:
        raise ValidationError({"source": _("请选择居民户账户。")})
    target = services.member_account(member, source.community)
    return services.spend(actor=actor, source=source, target=target, hours=hours, memo=memo)


def donation_target(*, source: Account, number: Any) -> Account:
    """The account a member may donate to, named by its number: a household or another member's account of
    the same community. Anything else reads as "no such account", so that trying numbers tells nothing."""
    text = str(number).strip()
    if not (text.isascii() and text.isdigit() and len(text) <= 12):
        raise ValidationError({"target": _("请填写收款账户编号(数字)。")})
    pk = int(text)
    target = (
        Account.objects.filter(
            pk=pk,
            community_id=source.community_id,
            kind__in=[Account.Kind.HOUSEHOLD, Account.Kind.MEMBER],
        )
        .exclude(pk=source.pk)
        .select_related("person", "member__person")
        .first()
    )
    if target is None:
        raise ValidationError(
            {"target": _("本社区没有编号为 %(pk)d 的居民户或党员账户(不能捐给自己)。") % {"pk": pk}}
        )
    return target


def target_label(account: Account) -> str:
    """How a donor sees the account they gave to: its number and the holder's masked name."""
    person = account.person if account.person_id else account.member.person
    return _("%(pk)d号账户(%(name)s)") % {"pk": account.pk, "name": mask_name(person.name)}


@transaction.atomic
def donate_by_number(*, actor, source: Account, number: Any, hours: Any, memo: str = "") -> Transfer:
    """A member donates from their own account to the account numbered `number` of the same community."""
    s = access.scope_of(actor)
    if not (
        source.member_id is not None and s.person_id is not None and source.member.person_id == s.person_id
    ):
        raise PermissionDenied(_("只能捐赠自己账户的时数。"))
    target = donation_target(source=source, number=number)
    memo = (memo or "").strip() or _("捐赠给%(target)s") % {"target": target_label(target)}
    return services.donate(actor=actor, source=source, target=target, hours=hours, memo=memo)
