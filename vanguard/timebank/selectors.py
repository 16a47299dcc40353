"""Reads of the time-bank pages, through the scoping module: accounts with their balances (a SUM in SQL per
page, never a loop over entries), one account's statement with the running balance (a window function, so
a page of a long statement still shows the right balance on every line), the transfer a worker reverses.

The statement's counterparty is the other entry of the same transfer, read as a subquery."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    OuterRef,
    Q,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.http import Http404

from vanguard.accounts import scope
from vanguard.org.models import Cell, Member

from .models import Account, Entry, Transfer

HOURS = DecimalField(max_digits=10, decimal_places=1)
ZERO = Value(Decimal("0"), output_field=HOURS)


def is_worker(user) -> bool:
    s = scope.scope_of(user)
    return s.superuser or bool(s.cell_paths)


def reads_accounts(user) -> bool:
    """Workers (their community's accounts) and the branch roles (their members' accounts, read-only)."""
    s = scope.scope_of(user)
    return s.superuser or bool(s.cell_paths) or bool(s.any_org_paths)


def own_member(user) -> Member | None:
    person_id = scope.scope_of(user).person_id
    if person_id is None:
        return None
    return Member.objects.select_related("person").filter(person_id=person_id).first()


works_in = scope.works_in  # the scoping module's check, under the name this app's callers use


def _with_balance(qs: QuerySet[Account]) -> QuerySet[Account]:
    total = (
        Entry.objects.filter(account_id=OuterRef("pk"))
        .order_by()
        .values("account_id")
        .annotate(total=Sum("hours"))
        .values("total")
    )
    return qs.annotate(balance=Coalesce(Subquery(total, output_field=HOURS), ZERO))


def accounts(*, user, kind: str = "", q: str = "", community: Cell | None = None) -> QuerySet[Account]:
    qs = scope.visible_to(user, Account.objects.all()).select_related("member__person", "person", "community")
    if kind:
        qs = qs.filter(kind=kind)
    if community is not None:
        qs = qs.filter(community.subtree_q("community__"))
    if q:
        from vanguard.community.selectors_pages import name_q

        qs = qs.filter(
            name_q(q, "member__person__")
            | name_q(q, "person__")
            | Q(pk=int(q) if q.isascii() and q.isdigit() and len(q) <= 12 else 0)
        )
    return _with_balance(qs).order_by("community__path", "kind", "pk")


def account_detail(*, user, pk: int) -> Account:
    return scope.get_visible_or_404(user, accounts(user=user), pk=pk)


def own_account(member: Member) -> Account | None:
    return _with_balance(
        Account.objects.filter(member=member).select_related("community", "member__person")
    ).first()


def statement(account: Account, *, newest_first: bool = True) -> QuerySet[Entry]:
    """The account's entries with `running` (the balance after each entry, in the order they were made)
    and the counterparty of each (`other_id`, `other_kind`, `other_name`)."""
    other = Entry.objects.filter(transfer_id=OuterRef("transfer_id")).exclude(pk=OuterRef("pk"))
    qs = (
        Entry.objects.filter(account=account)
        .select_related("transfer__created_by", "transfer__reverses")
        .annotate(
            running=Window(Sum("hours"), order_by=[F("transfer__created_at").asc(), F("pk").asc()]),
            other_id=Subquery(other.values("account_id")[:1]),
            other_kind=Subquery(other.values("account__kind")[:1]),
            other_name=Subquery(
                other.annotate(
                    holder=Case(
                        When(account__kind=Account.Kind.MEMBER, then=F("account__member__person__name")),
                        When(account__kind=Account.Kind.HOUSEHOLD, then=F("account__person__name")),
                        default=F("account__community__name"),
                        output_field=CharField(),
                    )
                ).values("holder")[:1]
            ),
            reversed=Exists(Transfer.objects.filter(reverses_id=OuterRef("transfer_id"))),
        )
    )
    if newest_first:
        return qs.order_by("-transfer__created_at", "-pk")
    return qs.order_by("transfer__created_at", "pk")


def household_accounts(*, user) -> QuerySet[Account]:
    """The household accounts the worker sees (those of their communities): the payers of a spend."""
    return accounts(user=user, kind=Account.Kind.HOUSEHOLD)


def transfer_for_reversal(*, user, pk: int) -> Transfer:
    """A transfer the user sees an entry of (404 otherwise, like a missing one)."""
    visible = scope.visible_to(user, Entry.objects.all()).filter(transfer_id=OuterRef("pk"))
    found = Transfer.objects.filter(Exists(visible), pk=pk).select_related("created_by").first()
    if found is None:
        raise Http404
    return found


def transfer_entries(transfer: Transfer) -> list[Entry]:
    return list(
        transfer.entries.select_related(
            "account__member__person", "account__person", "account__community"
        ).order_by("hours")
    )
