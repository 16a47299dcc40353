"""The notification centre and the navbar's badge: each user sees and changes only their own."""

from __future__ import annotations

import datetime as dt

import pytest
from django.db import connection
from django.test import Client
from django.test.utils import CaptureQueriesContext
from django.utils import timezone

from vanguard.conftest import client_for
from vanguard.notifications.models import Notification

from .factories import notification

pytestmark = pytest.mark.django_db


def notification_queries(queries) -> list[str]:
    return [q["sql"] for q in queries.captured_queries if "notifications_notification" in q["sql"]]


def test_the_centre_lists_only_the_users_own_unread_first(member_a, secretary_a):
    old_unread = notification(
        member_a, "a", title="较早未读", created_at=timezone.now() - dt.timedelta(days=2)
    )
    notification(member_a, "b", title="最新已读", read_at=timezone.now())
    notification(member_a, "c", title="最新未读")
    notification(secretary_a, "d", title="书记的通知")
    page = client_for(member_a).get("/notifications/").content.decode()
    assert "书记的通知" not in page
    assert page.index("最新未读") < page.index("较早未读") < page.index("最新已读")
    assert page.count(">未读</span>") == 2
    assert f"/notifications/{old_unread.pk}/open/" in page
    assert "全部标为已读" in page


def test_the_unread_filter_shows_only_unread(member_a):
    notification(member_a, "a", title="未读的")
    notification(member_a, "b", title="读过的", read_at=timezone.now())
    page = client_for(member_a).get("/notifications/?unread=1").content.decode()
    assert "未读的" in page and "读过的" not in page


def test_opening_a_notification_marks_it_read_and_goes_to_its_page(member_a):
    n = notification(member_a, url="/reports/new/?month=2026-03")
    response = client_for(member_a).post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 302 and response["Location"] == "/reports/new/?month=2026-03"
    n.refresh_from_db()
    assert n.read_at is not None
    first_read = n.read_at
    client_for(member_a).post(f"/notifications/{n.pk}/open/")
    n.refresh_from_db()
    assert n.read_at == first_read


def test_another_users_notification_answers_404_and_stays_unread(member_a, secretary_a):
    n = notification(secretary_a)
    response = client_for(member_a).post(f"/notifications/{n.pk}/open/")
    assert response.status_code == 404
    assert client_for(member_a).post("/notifications/999999/open/").status_code == 404
    n.refresh_from_db()
    assert n.read_at is None


def test_opening_needs_a_post_with_its_csrf_token(member_a):
    n = notification(member_a)
    assert client_for(member_a).get(f"/notifications/{n.pk}/open/").status_code == 405
    strict = Client(enforce_csrf_checks=True)
    strict.force_login(member_a)
    assert strict.post(f"/notifications/{n.pk}/open/").status_code == 403
    n.refresh_from_db()
    assert n.read_at is None


def test_a_link_off_the_site_leads_back_to_the_centre(member_a):
    n = notification(member_a, url="//evil.example.com/phish")
    response = client_for(member_a).post(f"/notifications/{n.pk}/open/")
    assert response["Location"] == "/notifications/"


def test_marking_all_read_touches_only_the_users_own(member_a, secretary_a):
    notification(member_a, "a")
    notification(member_a, "b")
    theirs = notification(secretary_a, "c")
    response = client_for(member_a).post("/notifications/read-all/", follow=True)
    assert "已将2条通知标为已读" in response.content.decode()
    assert not Notification.objects.filter(user=member_a, read_at__isnull=True).exists()
    theirs.refresh_from_db()
    assert theirs.read_at is None
    assert client_for(member_a).get("/notifications/read-all/").status_code == 405


def test_an_anonymous_visitor_is_sent_to_the_login(member_a):
    n = notification(member_a)
    for response in (
        Client().get("/notifications/"),
        Client().post("/notifications/read-all/"),
        Client().post(f"/notifications/{n.pk}/open/"),
    ):
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    n.refresh_from_db()
    assert n.read_at is None


def test_the_list_costs_the_same_queries_for_3_or_40_notifications(member_a):
    client = client_for(member_a)
    for i in range(3):
        notification(member_a, f"k{i}")
    client.get("/notifications/")
    with CaptureQueriesContext(connection) as few:
        client.get("/notifications/")
    for i in range(3, 40):
        notification(member_a, f"k{i}")
    with CaptureQueriesContext(connection) as many:
        client.get("/notifications/")
    assert len(many) == len(few)


# --- the navbar's badge ----------------------------------------------------------------------------------


def test_the_badge_shows_the_unread_count_with_one_query(member_a):
    notification(member_a, "a")
    notification(member_a, "b")
    notification(member_a, "c", read_at=timezone.now())
    client = client_for(member_a)
    client.get("/reports/mine/")
    with CaptureQueriesContext(connection) as queries:
        page = client.get("/reports/mine/").content.decode()
    assert 'id="nav-notifications"' in page
    assert '>2<span class="visually-hidden">条未读</span>' in page
    assert len(notification_queries(queries)) == 1


def test_the_centre_page_counts_unread_once_too(member_a):
    notification(member_a, "a")
    client = client_for(member_a)
    with CaptureQueriesContext(connection) as queries:
        client.get("/notifications/")
    counts = [q for q in notification_queries(queries) if "COUNT" in q.upper() and "read_at" in q]
    assert len(counts) == 1


def test_no_badge_and_no_query_for_an_anonymous_visitor():
    with CaptureQueriesContext(connection) as queries:
        page = Client().get("/accounts/login/").content.decode()
    assert 'id="nav-notifications"' not in page
    assert notification_queries(queries) == []


def test_no_number_when_nothing_is_unread(member_a):
    notification(member_a, read_at=timezone.now())
    page = client_for(member_a).get("/notifications/").content.decode()
    assert 'id="nav-notifications"' in page and "条未读" not in page
    assert "全部标为已读" not in page
