from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone

from vanguard.accounts import scope
from vanguard.audit import services
from vanguard.audit.models import Action, AuditRecord

from .helpers import days_ago, make_records, make_records_at

pytestmark = pytest.mark.django_db

URL = reverse("audit:list")


def _rows(response) -> list[AuditRecord]:
    return list(response.context["page"].object_list)


def test_the_auditor_sees_the_trail_newest_first(auditor, as_user, member_a):
    client = as_user(auditor)
    make_records(3, user=member_a)
    response = client.get(URL)
    assert response.status_code == 200
    rows = _rows(response)
    assert [r.pk for r in rows] == sorted((r.pk for r in rows), reverse=True)
    assert rows[0].detail == "第2条"
    assert "审计记录" in response.content.decode()


def test_a_superuser_sees_the_trail(world, as_user, django_user_model):
    admin = django_user_model.objects.create_superuser("root", password="Vanguard-test-1")
    admin.password_changed_at = timezone.now()
    admin.save()
    assert as_user(admin).get(URL).status_code == 200


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "office", "community_worker"])
def test_other_roles_get_404(persona, request, as_user):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(URL).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(resident):
    response = resident.get(URL)
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_only_get_is_allowed(auditor, as_user):
    assert as_user(auditor).post(URL).status_code == 405


def test_the_trail_filters_by_user(auditor, as_user, member_a, secretary_a):
    client = as_user(auditor)
    make_records(2, user=member_a)
    make_records(1, user=secretary_a)
    rows = _rows(client.get(URL, {"username": "member_a"}))
    assert len(rows) == 2
    assert {r.username for r in rows} == {"member_a"}


def test_the_trail_filters_by_action_and_success(auditor, as_user, world):
    client = as_user(auditor)
    services.record(action=Action.LOGIN_FAILED, username="guess", success=False)
    services.record(action=Action.EXPORT, username="office")
    rows = _rows(client.get(URL, {"action": Action.LOGIN_FAILED}))
    assert [r.username for r in rows] == ["guess"]
    rows = _rows(client.get(URL, {"success": "0"}))
    assert [r.username for r in rows] == ["guess"]
    rows = _rows(client.get(URL, {"success": "1", "action": Action.EXPORT}))
    assert [r.username for r in rows] == ["office"]


def test_the_trail_filters_by_object_type_and_id(auditor, as_user, world):
    client = as_user(auditor)
    services.record(action=Action.UPDATE, obj=world.member_a)
    services.record(action=Action.UPDATE, obj=world.member_b)
    services.record(action=Action.UPDATE, obj=world.member_a.person)
    rows = _rows(client.get(URL, {"object_type": "org.member"}))
    assert {r.object_id for r in rows} == {str(world.member_a.pk), str(world.member_b.pk)}
    rows = _rows(client.get(URL, {"object_type": "org.member", "object_id": world.member_b.pk}))
    assert [r.object_repr for r in rows] == ["李红梅"]


def test_the_trail_filters_by_date_range(auditor, as_user):
    client = as_user(auditor)
    make_records_at(days_ago(10), 1, username="ten")
    make_records_at(days_ago(5), 1, username="five")
    today = timezone.localdate()
    since = (today - dt.timedelta(days=7)).isoformat()
    until = (today - dt.timedelta(days=3)).isoformat()
    rows = _rows(client.get(URL, {"date_from": since, "date_to": until}))
    assert [r.username for r in rows] == ["five"]
    # The end date counts in full.
    day = timezone.localtime(days_ago(10)).date().isoformat()
    rows = _rows(client.get(URL, {"date_from": day, "date_to": day}))
    assert [r.username for r in rows] == ["ten"]


def test_a_reversed_date_range_is_explained(auditor, as_user):
    response = as_user(auditor).get(URL, {"date_from": "2025-03-01", "date_to": "2025-02-01"})
    assert response.status_code == 200
    assert "结束日期不能早于开始日期" in response.content.decode()


def test_the_trail_is_paginated_by_50(auditor, as_user):
    client = as_user(auditor)
    make_records(60)
    page = client.get(URL).context["page"]
    assert len(page.object_list) == 50
    assert page.paginator.count == AuditRecord.objects.count()
    assert len(client.get(URL, {"page": 2}).context["page"].object_list) == AuditRecord.objects.count() - 50


def test_the_page_runs_the_same_queries_for_10_and_60_records(auditor, as_user, member_a, secretary_a):
    client = as_user(auditor)
    make_records(5, user=member_a)
    make_records(5, user=secretary_a)
    client.get(URL)
    with CaptureQueriesContext(connection) as few:
        client.get(URL)
    make_records(25, user=member_a)
    make_records(25, user=secretary_a)
    with CaptureQueriesContext(connection) as many:
        response = client.get(URL)
    assert len(response.context["page"].object_list) == 50
    assert len(many) == len(few)


def test_a_deleted_users_records_still_list(auditor, as_user, member_a):
    client = as_user(auditor)
    make_records(1, user=member_a)
    member_a.delete()
    response = client.get(URL, {"username": "member_a"})
    assert response.status_code == 200
    assert len(_rows(response)) == 1


def test_the_auditor_cannot_change_business_data(auditor, as_user, world):
    assert not scope.can(auditor, scope.CHANGE, world.member_a)
    response = as_user(auditor).get(reverse("org:member_edit", args=[world.member_a.pk]))
    assert response.status_code == 404


def test_the_navigation_can_ask_who_reads_the_trail(auditor, secretary_a):
    from django.contrib.auth.models import AnonymousUser
    from django.template import Context, Template

    template = Template("{% load audit %}{% if user|can_read_audit %}yes{% else %}no{% endif %}")
    assert template.render(Context({"user": auditor})) == "yes"
    assert template.render(Context({"user": secretary_a})) == "no"
    assert template.render(Context({"user": AnonymousUser()})) == "no"
