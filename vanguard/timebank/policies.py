"""Who sees time-bank accounts and their entries (registered with the scoping module in apps.py): the
member their own; the workers of the account's community (they verify and pay out); the member's branch and
the office above it (dual management: hours feed the assessment)."""

from __future__ import annotations

from django.db.models import Q

from vanguard.accounts import scope as access
from vanguard.accounts.scope import Scope


def account_q(s: Scope, prefix: str = "") -> Q:
    q = access.grid_q(s, f"{prefix}community__path")
    q |= access.organisation_q(s, f"{prefix}member__organisation__path")
    if s.person_id:
        q |= Q(**{f"{prefix}member__person_id": s.person_id})
    return q


def register() -> None:
    access.register("timebank.account", account_q)
    access.register("timebank.entry", lambda s: account_q(s, "account__"))
