from __future__ import annotations

import datetime as dt
import json

import pytest

from vanguard.audit.services import snapshot

pytestmark = pytest.mark.django_db


def test_a_snapshot_has_every_concrete_field_as_json(world):
    person = world.member_a.person
    data = snapshot(person)
    json.dumps(data)
    assert data["name"] == "王建国"
    assert data["birth_date"] == "1980-01-01"
    assert data["residence"] == world.community.pk
    # A number encrypted at rest is kept masked (vanguard/core/crypto.py).
    assert data["mobile"] == "138****5678"
    assert isinstance(data["created_at"], str)
    # Many-to-many fields are not columns of the row.
    assert "strengths" not in data


def test_a_snapshot_gives_foreign_keys_as_ids(world):
    data = snapshot(world.member_a)
    assert data["organisation"] == world.branch_a.pk
    assert data["person"] == world.member_a.person.pk
    assert data["join_date"] == dt.date(2010, 7, 1).isoformat()


def test_a_snapshot_never_copies_a_password_hash(member_a):
    data = snapshot(member_a)
    assert data["password"] == "******"
    assert data["username"] == "member_a"
