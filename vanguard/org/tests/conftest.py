"""Personas only the org tests need, built the way vanguard/conftest.py builds the shared ones."""

from __future__ import annotations

import pytest

from vanguard.accounts.models import User
from vanguard.conftest import _user


@pytest.fixture
def nobody(db) -> User:
    """A login with no role at all: it may sign in and reach nothing."""
    return _user("nobody")


@pytest.fixture
def superuser(db) -> User:
    user = _user("root")
    user.is_superuser = user.is_staff = True
    user.save(update_fields=["is_superuser", "is_staff"])
    return user
