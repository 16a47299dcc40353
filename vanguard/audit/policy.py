"""Who may read the audit trail: the auditor role and superusers, through the scoping module's view of
the user's roles. Everyone else gets a 404, as for anything outside their scope."""

from __future__ import annotations

from django.http import Http404

from vanguard.accounts.models import Role
from vanguard.accounts.scope import scope_of


def can_read_trail(user) -> bool:
    scope = scope_of(user)
    return scope.superuser or Role.AUDITOR in scope.roles


def require_trail_reader(user) -> None:
    if not can_read_trail(user):
        raise Http404
