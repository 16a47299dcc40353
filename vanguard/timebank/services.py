"""Writes of the time bank. Every movement is one Transfer of two Entries summing to zero, written in one
transaction after locking the paying account's row (PostgreSQL: SELECT … FOR UPDATE; SQLite: the IMMEDIATE
transaction already holds the only write lock), so two concurrent spends can never together take a balance
below zero. Nothing is updated or deleted (the tables refuse UPDATE); a correction is a reversing transfer.

- credit: the community verified a service record → its issuing account pays the member's account;
- spend: a household (or member) account pays for help received — to the helping member's account;
- donate: a member gives hours to a household or another member;
- reverse: the same entries with opposite signs, once per transfer, with a reason."""

from __future__ import annotations

from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.db.models import Sum
from django.utils.translation import gettext as _

from vanguard.accounts import scope as access
from vanguard.audit import services as audit
from vanguard.org.models import Cell, Member, Person

from .models import Account, Entry, Transfer

HALF = Decimal("0.5")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


works_in = access.works_in  # the scoping module's check, under the name this app's callers use


def balance(account: Account) -> Decimal:
    """The sum of the account's entries."""
    total = account.entries.aggregate(total=Sum("hours"))["total"] or Decimal("0")
    return Decimal(total).quantize(Decimal("0.1"))


def _hours(value: Any, field: str = "hours") -> Decimal:
    try:
        hours = Decimal(str(value))
    except (InvalidOperation, ValueError):
        raise ValidationError({field: _("请填写数字。")}) from None
    if hours <= 0:
        raise ValidationError({field: _("时数须大于0。")})
    if hours % HALF:
        raise ValidationError({field: _("时数以0.5小时为单位。")})
    return hours


def issuer(community: Cell) -> Account:
    account, _created = Account.objects.get_or_create(kind=Account.Kind.ISSUER, community=community)
    return account


def member_account(member: Member, community: Cell) -> Account:
    account = Account.objects.filter(member=member).first()
    return account or Account.objects.create(kind=Account.Kind.MEMBER, member=member, community=community)


def household_account(person: Person, community: Cell) -> Account:
    account = Account.objects.filter(person=person).first()
    return account or Account.objects.create(kind=Account.Kind.HOUSEHOLD, person=person, community=community)


def _locked(account: Account) -> Account:
    return Account.objects.select_for_update(of=("self",)).select_related("community").get(pk=account.pk)


def _move(
    *, actor, kind: str, source: Account, target: Account, hours: Decimal, memo: str, **links
) -> Transfer:
    transfer = Transfer.objects.create(kind=kind, memo=memo[:200], created_by=_user(actor), **links)
    Entry.objects.bulk_create(
        [
            Entry(transfer=transfer, account=source, hours=-hours),
            Entry(transfer=transfer, account=target, hours=hours),
        ]
    )
    audit.record(
        action="create",
        user=actor,
        obj=transfer,
        after={"kind": kind, "from": source.pk, "to": target.pk, "hours": str(hours)},
        detail=memo,
    )
    return transfer


def _pay(*, actor, kind: str, source: Account, target: Account, hours: Any, memo: str) -> Transfer:
    hours = _hours(hours)
    if source.pk == target.pk:
        raise ValidationError({"target": _("转出和转入不能是同一个账户。")})
    payer = _locked(source)
    available = balance(payer)
    if available < hours:
        raise ValidationError(
            {
                "hours": _("余额不足:%(account)s当前余额%(balance)s小时,不能支出%(hours)s小时。")
                % {"account": payer, "balance": f"{available:.1f}", "hours": f"{hours:.1f}"}
            }
        )
    return _move(actor=actor, kind=kind, source=payer, target=target, hours=hours, memo=memo)


@transaction.atomic
def credit(*, actor, record) -> Transfer:
    """Credit a verified service record to the member's account (once)."""
    from vanguard.community.models import ServiceRecord

    if record.status != ServiceRecord.Status.VERIFIED:
        raise ValidationError(_("服务记录尚未经社区核实,不能计入时间银行。"))
    if not works_in(actor, record.community):
        raise PermissionDenied(_("只有该社区的工作人员可以核实服务并入账。"))
    if Transfer.objects.filter(service_record=record).exists():
        raise ValidationError(_("该服务记录已经入账。"))
    target = member_account(record.member, record.community)
    try:
        with transaction.atomic():
            return _move(
                actor=actor,
                kind=Transfer.Kind.CREDIT,
                source=issuer(record.community),
                target=target,
                hours=_hours(record.hours),
                memo=_("%(date)s %(activity)s")
                % {"date": record.served_on.isoformat(), "activity": record.activity},
                service_record=record,
            )
    except IntegrityError:
        raise ValidationError(_("该服务记录已经入账。")) from None


@transaction.atomic
def spend(*, actor, source: Account, target: Account, hours: Any, memo: str) -> Transfer:
    """A household (or member) pays hours for help received, to the helping member's account. The
    community's workers record it (the household has no login)."""
    if not works_in(actor, source.community):
        raise PermissionDenied(_("只有该社区的工作人员可以办理时间兑换。"))
    if not (memo or "").strip():
        raise ValidationError({"memo": _("请填写兑换的服务内容。")})
    return _pay(actor=actor, kind=Transfer.Kind.SPEND, source=source, target=target, hours=hours, memo=memo)


@transaction.atomic
def donate(*, actor, source: Account, target: Account, hours: Any, memo: str = "") -> Transfer:
    """A member gives hours from their own account (or a community worker records it for them)."""
    s = access.scope_of(actor)
    own = source.member_id is not None and s.person_id is not None and source.member.person_id == s.person_id
    if not (own or works_in(actor, source.community)):
        raise PermissionDenied(_("只能捐赠自己账户的时数。"))
    if source.kind == Account.Kind.ISSUER:
        raise ValidationError({"source": _("社区发行账户不能捐赠。")})
    memo = (memo or "").strip() or _("捐赠给%(target)s") % {"target": target}
    return _pay(actor=actor, kind=Transfer.Kind.DONATE, source=source, target=target, hours=hours, memo=memo)


@transaction.atomic
def reverse(*, actor, transfer: Transfer, reason: str) -> Transfer:
    """冲正: a transfer with the opposite entries, once. Reversing a credit or a payment must not take the
    account it draws back from below zero."""
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写冲正原因。")})
    stored = Transfer.objects.select_for_update(of=("self",)).get(pk=transfer.pk)
    if stored.kind == Transfer.Kind.REVERSAL:
        raise ValidationError(_("冲正交易不能再冲正。"))
    if Transfer.objects.filter(reverses=stored).exists():
        raise ValidationError(_("该交易已经冲正。"))
    entries = list(stored.entries.select_related("account__community"))
    if not all(works_in(actor, e.account.community) for e in entries):
        raise PermissionDenied(_("只有该社区的工作人员可以冲正。"))
    (back_from,) = [e for e in entries if e.hours > 0]
    (back_to,) = [e for e in entries if e.hours < 0]
    payer = _locked(back_from.account)
    if payer.kind != Account.Kind.ISSUER and balance(payer) < back_from.hours:
        raise ValidationError(
            _("%(account)s余额不足%(hours)s小时,不能冲正。") % {"account": payer, "hours": back_from.hours}
        )
    try:
        with transaction.atomic():
            return _move(
                actor=actor,
                kind=Transfer.Kind.REVERSAL,
                source=payer,
                target=back_to.account,
                hours=back_from.hours,
                memo=_("冲正:%(reason)s") % {"reason": reason},
                reverses=stored,
            )
    except IntegrityError:
        raise ValidationError(_("该交易已经冲正。")) from None
