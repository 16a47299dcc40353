"""Who must do what before reaching anything: the second factor, and a fresh password."""

from __future__ import annotations

import datetime as dt

from django.utils import timezone

from .models import Role

PASSWORD_MAX_AGE = dt.timedelta(days=90)
SESSION_IDLE = dt.timedelta(minutes=30)
SESSION_ABSOLUTE = dt.timedelta(hours=12)
# Roles that see many people's data: their logins need a second factor.
TWO_FACTOR_ROLES = {Role.OFFICE, Role.SECRETARY, Role.SUPERVISOR, Role.AUDITOR}


def requires_two_factor(user) -> bool:
    from . import scope

    if not user.is_authenticated:
        return False
    return user.is_superuser or bool(scope.scope_of(user).roles & TWO_FACTOR_ROLES)


def password_expired(user) -> bool:
    changed = user.password_changed_at
    return changed is None or timezone.now() - changed > PASSWORD_MAX_AGE
