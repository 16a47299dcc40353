"""Logins, logouts and failed logins through the real login page are recorded with the address."""

from __future__ import annotations

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.audit.models import Action, AuditRecord

pytestmark = pytest.mark.django_db

PASSWORD = "Vanguard-test-1"
ADDRESS = "10.20.30.40"


def _login(client: Client, username: str, password: str = PASSWORD):
    return client.post(
        reverse("accounts:login"), {"username": username, "password": password}, REMOTE_ADDR=ADDRESS
    )


def test_a_login_is_recorded_with_user_and_address(member_a):
    response = _login(Client(), "member_a")
    assert response.status_code == 302
    entry = AuditRecord.objects.get(action=Action.LOGIN)
    assert entry.user == member_a
    assert entry.username == "member_a"
    assert entry.address == ADDRESS
    assert entry.success


def test_a_secretary_login_is_recorded_before_the_second_factor(secretary_a):
    client = Client()
    response = _login(client, "secretary_a")
    assert response.status_code == 302
    response = client.get(response["Location"])
    assert response["Location"].startswith("/accounts/two-factor/")
    entry = AuditRecord.objects.get(action=Action.LOGIN)
    assert entry.username == "secretary_a"
    assert entry.address == ADDRESS


def test_a_failed_login_is_recorded_with_the_name_tried_and_the_address(member_a):
    response = _login(Client(), "member_a", "wrong-password-1")
    assert response.status_code == 200
    entry = AuditRecord.objects.get()
    assert entry.action == Action.LOGIN_FAILED
    assert not entry.success
    assert entry.user is None
    assert entry.username == "member_a"
    assert entry.address == ADDRESS
    assert "wrong-password" not in str(entry.after) + str(entry.before) + entry.detail


def test_a_failed_login_with_an_unknown_name_is_recorded_too(world):
    _login(Client(), "nobody")
    entry = AuditRecord.objects.get()
    assert entry.action == Action.LOGIN_FAILED
    assert entry.username == "nobody"


def test_a_logout_is_recorded_with_the_address(member_a):
    client = Client()
    _login(client, "member_a")
    response = client.post(reverse("accounts:logout"), REMOTE_ADDR=ADDRESS)
    assert response.status_code == 302
    entry = AuditRecord.objects.get(action=Action.LOGOUT)
    assert entry.user == member_a
    assert entry.address == ADDRESS
    assert [r.action for r in AuditRecord.objects.order_by("pk")] == [Action.LOGIN, Action.LOGOUT]


def test_a_logout_without_a_login_records_nothing(world):
    Client().post(reverse("accounts:logout"))
    assert not AuditRecord.objects.exists()
