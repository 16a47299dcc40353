"""The demo's residents' requests: every state of the loop, some overdue and escalated, something for the
`member` and `community` logins to do, a complaint in a model post's opinion book, times that read like a
real history, built once and removed by its reset."""

from __future__ import annotations

import datetime as dt

import pytest
from django.conf import settings
from django.db import transaction
from django.utils import timezone

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.community.models import ServiceRecord
from vanguard.demo import builder
from vanguard.demo import requests as demo_requests
from vanguard.posts.models import Opinion
from vanguard.service_requests.models import (
    OPEN_STATUSES,
    Escalation,
    Event,
    Kind,
    ServiceRequest,
    Status,
)

pytestmark = pytest.mark.django_db


@pytest.fixture(scope="module")
def demo(django_db_setup, django_db_blocker):
    """One demo for the module, rolled back when it is done (see demo/tests/test_demo.py)."""
    with django_db_blocker.unblock(), transaction.atomic():
        yield builder.build_demo()
        transaction.set_rollback(True)


def _member_login_requests():
    return ServiceRequest.objects.filter(member__person__user__username="member")


def test_every_state_and_kind_of_the_loop_is_there(demo):
    assert set(ServiceRequest.objects.values_list("status", flat=True)) == set(Status.values)
    assert set(ServiceRequest.objects.values_list("kind", flat=True)) == set(Kind.values)
    assert ServiceRequest.objects.count() >= 25
    closed = ServiceRequest.objects.filter(status=Status.CLOSED)
    assert set(closed.exclude(rating=None).values_list("rating", flat=True)) == {3, 4, 5}
    # A duplicate closed without a resolution; a praise answered, which closes it.
    assert closed.filter(resolved_at=None, kind=Kind.REQUEST).exists()
    assert closed.filter(kind=Kind.PRAISE).exclude(resolution="").exists()
    reopened = ServiceRequest.objects.get(reopened=1)
    assert (reopened.status, reopened.attention) == (Status.IN_PROGRESS, True)
    assert reopened.rating <= settings.REQUEST_LOW_RATING
    assert ServiceRequest.objects.filter(status=Status.ASSIGNED, team__isnull=False, member=None).exists()
    assert Event.objects.filter(action=Event.Action.TAKEN).exists()
    assert Event.objects.filter(action=Event.Action.URGENCY).exists()


def test_some_are_overdue_and_escalated_to_the_secretary_and_one_to_the_office(demo):
    overdue = ServiceRequest.objects.filter(status__in=OPEN_STATUSES, deadline__lt=timezone.now())
    assert overdue.count() >= 4
    assert not overdue.filter(escalation=Escalation.NONE).exists()
    assert overdue.filter(escalation=Escalation.SECRETARY).count() >= 3
    assert overdue.filter(escalation=Escalation.OFFICE).count() == 1
    assert Event.objects.filter(action=Event.Action.ESCALATED).count() >= overdue.count()


def test_the_member_login_has_requests_waiting_and_in_progress(demo):
    mine = _member_login_requests()
    assert mine.filter(status=Status.ASSIGNED).exists()
    assert mine.filter(status=Status.IN_PROGRESS).exists()
    assert mine.filter(status=Status.RESOLVED).exists()
    # Resolved with the time spent: a service record the community has yet to verify.
    record = ServiceRecord.objects.get(service_request__in=mine)
    assert (record.status, record.hours) == (ServiceRecord.Status.REPORTED, 2)


def test_the_community_logins_community_has_boundary_requests_in_its_queue(demo):
    community = RoleAssignment.objects.get(user__username="community", role=Role.COMMUNITY).cell
    queued = ServiceRequest.objects.filter(community=community, status=Status.QUEUED, boundary=True)
    assert queued.count() >= 2
    assert not queued.filter(member__isnull=False).exists()


def test_the_complaint_about_a_model_post_is_in_its_opinion_book(demo):
    complaint = ServiceRequest.objects.select_related("opinion__post", "post").get(kind=Kind.COMPLAINT)
    opinion = complaint.opinion
    assert opinion is not None and opinion.post == complaint.post
    assert (opinion.kind, opinion.content) == (Opinion.Kind.COMPLAINT, complaint.description)
    assert opinion.received_on == timezone.localdate(complaint.received_at)
    assert complaint.organisation == complaint.post.organisation


def test_times_read_like_a_history_and_the_time_limits_follow_them(demo):
    now = timezone.now()
    for req in ServiceRequest.objects.prefetch_related("events"):
        times = [req.received_at, req.accepted_at, req.resolved_at]
        known = [t for t in times if t is not None]
        assert known == sorted(known) and known[-1] < now
        assert req.consent_at == (req.received_at if req.phone else None)
        start = req.rated_at if req.reopened else req.received_at
        hours = settings.REQUEST_DEADLINE_HOURS[req.urgency]
        assert req.deadline - start == dt.timedelta(hours=hours)
        events = list(req.events.all())
        assert events[0].action == Event.Action.SUBMITTED and events[0].at == req.received_at
        assert all(req.received_at <= e.at <= now for e in events)
    # Nobody has been asked to rate for longer than the sweep allows: those would have been closed.
    waiting = ServiceRequest.objects.filter(status=Status.RESOLVED)
    limit = now - dt.timedelta(days=settings.REQUEST_RATING_DAYS)
    assert waiting.exists() and not waiting.filter(resolved_at__lt=limit).exists()


def test_a_second_build_adds_nothing_and_the_reset_removes_the_requests(demo):
    counts = (ServiceRequest.objects.count(), Event.objects.count(), Opinion.objects.count())
    builder.build_demo()
    assert (ServiceRequest.objects.count(), Event.objects.count(), Opinion.objects.count()) == counts
    complaint = ServiceRequest.objects.get(kind=Kind.COMPLAINT)
    demo_requests.reset()
    assert not ServiceRequest.objects.exists()
    assert not Opinion.objects.filter(pk=complaint.opinion_id).exists()
    assert not ServiceRecord.objects.filter(
        status=ServiceRecord.Status.REPORTED, activity__contains="诉求"
    ).exists()
