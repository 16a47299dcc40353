"""The loop of a resident's request in the services: routing, the refusals issue 9 names, deadlines,
escalation, rating and reopening, hours, and opinions about a model post."""

from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.core.exceptions import PermissionDenied, ValidationError
from django.test import override_settings
from django.utils import timezone

from vanguard.audit.models import AuditRecord
from vanguard.community.models import Registration, ServiceRecord, Team
from vanguard.contacts.models import ContactAssignment
from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.service_requests import services
from vanguard.service_requests.models import Escalation, Event, ServiceRequest, Status, Urgency
from vanguard.zones.tests import zone_factories as zf

from . import factories as rf

pytestmark = pytest.mark.django_db


def _count() -> int:
    return ServiceRequest.objects.count()


def test_a_request_from_a_zone_board_goes_to_its_responsible_member(world):
    req = rf.submit(world)
    assert req.member == world.member_a
    assert req.organisation == world.branch_a
    assert req.community == world.community
    assert req.status == Status.ASSIGNED
    assert not req.boundary
    assert req.urgency == Urgency.UTILITIES  # a blocked drain: 24 hours
    assert req.deadline - req.received_at == dt.timedelta(hours=24)
    assert len(req.tracking_code) == services.CODE_LENGTH
    assert req.consent_version and req.consent_at is not None
    assert [e.action for e in req.events.all()] == [Event.Action.SUBMITTED, Event.Action.ROUTED]
    assert AuditRecord.objects.filter(object_type="service_requests.servicerequest").count() == 1


def test_without_consent_a_phone_number_is_refused_and_nothing_is_kept(world):
    with pytest.raises(ValidationError) as exc:
        rf.submit(world, consent=False)
    assert "consent" in exc.value.message_dict
    assert _count() == 0


def test_a_request_for_help_needs_a_phone_and_a_description(world):
    with pytest.raises(ValidationError) as exc:
        rf.submit(world, phone="", description="堵")
    assert set(exc.value.message_dict) == {"phone", "description"}
    with pytest.raises(ValidationError) as exc:
        rf.submit(world, phone="12345")
    assert "phone" in exc.value.message_dict
    assert _count() == 0


def test_a_cell_no_zone_covers_lands_in_the_community_queue_as_a_boundary_case(world):
    rf.zone(world)
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    assert (req.status, req.member, req.boundary) == (Status.QUEUED, None, True)
    assert req.community == world.community
    assert "未划入责任区" in req.route_note


def test_a_cell_two_zones_cover_lands_in_the_community_queue_as_a_boundary_case(world):
    rf.zone(world)
    zf.zone(
        world.branch_b, "新风援助责任区", cells=[rf.estate(world)], kind="area", lead=world.member_b.person
    )
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "1号楼")))
    assert (req.status, req.member, req.boundary) == (Status.QUEUED, None, True)
    assert "2个责任区交界" in req.route_note


def test_a_cell_one_zone_covers_through_its_estate_goes_to_that_zone(world):
    z = zf.zone(
        world.branch_b, "南园小区责任区", cells=[rf.estate(world)], kind="area", lead=world.member_b.person
    )
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    assert (req.zone, req.member, req.status) == (z, world.member_b, Status.ASSIGNED)


def test_a_linked_household_goes_to_its_member(world):
    resident = factories.person("赵大爷", mobile="13600002222", residence=rf.building(world, "2号楼"))
    helper = factories.member(world.branch_b, "孙志刚", residence=world.other_community)
    ContactAssignment.objects.create(
        member=helper, person=resident, year=today().year, kind="household", assigned_on=today()
    )
    req = rf.submit(world, phone="13600002222", subject=services.Subject(cell=rf.building(world, "2号楼")))
    assert (req.member, req.organisation, req.status) == (helper, world.branch_b, Status.ASSIGNED)
    assert req.route_note == "联系户的联系党员"


@override_settings(REQUEST_RATE_PER_HOUR=5, REQUEST_RATE_PER_DAY=20)
def test_the_sixth_submission_in_an_hour_from_one_address_is_refused(world):
    client = services.client_key("203.0.113.9")
    for _ in range(5):
        rf.submit(world, client=client)
    with pytest.raises(services.RateLimited) as exc:
        rf.submit(world, client=client)
    assert "每小时最多提交5次" in exc.value.messages[0]
    assert _count() == 5
    # Another address is not held back; an hour later the first one may submit again.
    rf.submit(world, client=services.client_key("203.0.113.10"))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        rf.submit(world, client=client)
    assert _count() == 7


@override_settings(REQUEST_RATE_PER_HOUR=100, REQUEST_RATE_PER_DAY=3)
def test_the_daily_limit_holds_too(world):
    client = services.client_key("203.0.113.9")
    for _ in range(3):
        rf.submit(world, client=client)
    with pytest.raises(services.RateLimited) as exc:
        rf.submit(world, client=client)
    assert "每天最多提交3次" in exc.value.messages[0]


def _resolved(world, member_a) -> ServiceRequest:
    req = rf.submit(world)
    req = services.accept(actor=member_a, request=req)
    req = services.start(actor=member_a, request=req)
    return services.resolve(actor=member_a, request=req, resolution="上门疏通,已恢复排水")


def test_the_loop_accepted_in_progress_resolved_rated_closed(world, member_a):
    req = _resolved(world, member_a)
    assert (req.status, req.resolution) == (Status.RESOLVED, "上门疏通,已恢复排水")
    assert req.accepted_at is not None and req.resolved_at is not None
    req = services.rate(request=req, rating=5, comment="很及时,谢谢")
    assert (req.status, req.rating) == (Status.CLOSED, 5)
    assert req.closed_at is not None
    actions = [e.action for e in req.events.all()]
    assert actions[-4:] == ["started", "resolved", "rated", "closed"]


def test_rating_before_resolution_is_refused(world, member_a):
    req = rf.submit(world)
    with pytest.raises(ValidationError) as exc:
        services.rate(request=req, rating=5)
    assert exc.value.messages == ["诉求尚未办结,暂不能评价。"]
    req.refresh_from_db()
    assert req.rating is None and req.status == Status.ASSIGNED


def test_a_second_rating_is_refused(world, member_a):
    req = services.rate(request=_resolved(world, member_a), rating=4)
    with pytest.raises(ValidationError) as exc:
        services.rate(request=req, rating=1)
    assert exc.value.messages == ["该诉求已评价,不能重复评价。"]
    req.refresh_from_db()
    assert (req.rating, req.status) == (4, Status.CLOSED)


def test_a_rating_out_of_range_is_refused(world, member_a):
    req = _resolved(world, member_a)
    for bad in (0, 6, "x", None):
        with pytest.raises(ValidationError):
            services.rate(request=req, rating=bad)
    req.refresh_from_db()
    assert req.status == Status.RESOLVED


def test_a_low_rating_reopens_the_request_for_the_secretary(world, member_a):
    req = services.rate(request=_resolved(world, member_a), rating=2, comment="还是堵")
    assert (req.status, req.reopened, req.attention) == (Status.IN_PROGRESS, 1, True)
    assert req.deadline > timezone.now()
    with pytest.raises(ValidationError) as exc:
        services.rate(request=req, rating=5)
    assert "正在重新办理" in exc.value.messages[0]
    req = services.resolve(actor=member_a, request=req, resolution="更换了存水弯")
    assert req.attention is False
    req = services.rate(request=req, rating=5)
    assert (req.status, req.rating) == (Status.CLOSED, 5)


def test_only_the_handler_resolves_a_request(world, member_a, secretary_b, community_worker):
    req = rf.submit(world)
    for stranger in (secretary_b, community_worker):
        with pytest.raises(PermissionDenied):
            services.resolve(actor=stranger, request=req, resolution="已处理")
    with pytest.raises(ValidationError) as exc:
        services.resolve(actor=member_a, request=req, resolution="  ")
    assert "resolution" in exc.value.message_dict


def test_the_community_dispatches_a_queued_request_to_a_member_of_the_community(
    world, community_worker, member_a
):
    rf.zone(world)
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    with pytest.raises(ValidationError) as exc:
        services.dispatch(actor=community_worker, request=req, member=world.member_b)  # lives elsewhere
    assert "member" in exc.value.message_dict
    req = services.dispatch(actor=community_worker, request=req, member=world.member_a)
    assert (req.status, req.member, req.organisation) == (Status.ASSIGNED, world.member_a, world.branch_a)
    assert services.accept(actor=member_a, request=req).status == Status.ACCEPTED


def test_a_member_takes_a_queued_request_in_their_community(world, member_a, secretary_b):
    rf.zone(world)
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    req = services.take(actor=member_a, request=req)
    assert (req.status, req.member) == (Status.ACCEPTED, world.member_a)
    assert req.accepted_at is not None
    with pytest.raises((PermissionDenied, ValidationError)):
        services.take(actor=member_a, request=req)


def test_a_member_of_another_community_cannot_take(world):
    from vanguard.conftest import _user

    rf.zone(world)
    user = _user("member_b", "member")
    world.member_b.person.user = user
    world.member_b.person.save()
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    with pytest.raises(PermissionDenied):
        services.take(actor=user, request=req)
    # Once registered at 南园社区 and confirmed, they may.
    Registration.objects.create(
        member=world.member_b,
        community=world.community,
        status=Registration.Status.CONFIRMED,
        submitted_at=timezone.now(),
        confirmed_at=timezone.now(),
    )
    assert services.take(actor=user, request=req).member == world.member_b


def test_a_team_member_accepts_a_request_dispatched_to_the_team(world, community_worker, member_a):
    rf.zone(world)
    team = Team.objects.create(community=world.community, name="治安巡逻队")
    team.members.add(world.member_a)
    req = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    req = services.dispatch(actor=community_worker, request=req, team=team)
    assert (req.status, req.team, req.member) == (Status.ASSIGNED, team, None)
    req = services.accept(actor=member_a, request=req)
    assert (req.status, req.member) == (Status.ACCEPTED, world.member_a)


def test_resolving_with_hours_records_unverified_service_hours(world, member_a, community_worker):
    req = services.accept(actor=member_a, request=rf.submit(world))
    req = services.resolve(actor=member_a, request=req, resolution="疏通完毕", hours="1.5")
    record = req.service_record
    assert (record.member, record.community, record.hours) == (world.member_a, world.community, 1.5)
    assert record.status == ServiceRecord.Status.REPORTED
    assert req.tracking_code in record.activity


def test_overdue_requests_escalate_to_the_secretary_then_the_office_once(world):
    req = rf.submit(world, category="doctor")  # urgent: 2 hours
    assert req.urgency == Urgency.URGENT
    assert services.sweep().to_secretary == 0
    later = req.received_at + dt.timedelta(hours=3)
    assert services.sweep(now=later).to_secretary == 1
    assert services.sweep(now=later).to_secretary == 0  # not twice
    req.refresh_from_db()
    assert req.escalation == Escalation.SECRETARY
    much_later = req.deadline + dt.timedelta(hours=25)
    result = services.sweep(now=much_later)
    assert (result.to_secretary, result.to_office) == (0, 1)
    req.refresh_from_db()
    assert req.escalation == Escalation.OFFICE
    assert req.events.filter(action=Event.Action.ESCALATED).count() == 2


def test_a_resolved_request_nobody_rates_is_closed_after_a_week(world, member_a):
    req = _resolved(world, member_a)
    assert services.sweep(now=req.resolved_at + dt.timedelta(days=6)).closed == 0
    assert services.sweep(now=req.resolved_at + dt.timedelta(days=8)).closed == 1
    req.refresh_from_db()
    assert req.status == Status.CLOSED and req.rating is None


def test_changing_the_urgency_needs_a_reason_and_resets_the_deadline(world, community_worker):
    req = rf.submit(world)
    with pytest.raises(ValidationError):
        services.change_urgency(actor=community_worker, request=req, urgency="complex", reason="")
    req = services.change_urgency(actor=community_worker, request=req, urgency="complex", reason="需物业配合")
    assert req.deadline - req.received_at == dt.timedelta(days=15)


def test_a_complaint_about_a_zone_goes_to_its_branch_and_the_secretary_answers(world, secretary_a, member_a):
    req = services.submit(
        kind="complaint",
        description="责任区的宣传栏破损很久没人管",
        name="刘先生",
        subject=services.Subject(zone=rf.zone(world)),
    )
    assert (req.organisation, req.member, req.status) == (world.branch_a, None, Status.ASSIGNED)
    with pytest.raises(PermissionDenied):
        services.resolve(actor=member_a, request=req, resolution="已修好")
    req = services.resolve(actor=secretary_a, request=req, resolution="已安排更换宣传栏")
    assert req.status == Status.RESOLVED


def test_an_opinion_needs_a_subject(world):
    with pytest.raises(ValidationError) as exc:
        services.submit(kind="opinion", description="建议多组织活动", name="刘先生")
    assert "kind" in exc.value.message_dict


def test_a_complaint_about_a_model_post_is_an_entry_of_its_opinion_book(world, secretary_a):
    from vanguard.posts.models import ModelPost, Opinion
    from vanguard.posts.services import opinion_answer

    post = ModelPost.objects.create(
        organisation=world.branch_a, name="1路文明线路", status=ModelPost.Status.APPROVED
    )
    req = services.submit(
        kind="complaint",
        description="司机在车上打电话",
        name="陈女士",
        phone="13600003333",
        consent=True,
        subject=services.Subject(post=post),
        channel="post_board",
    )
    opinion = Opinion.objects.get()
    assert (req.opinion, opinion.kind, opinion.post) == (opinion, "complaint", post)
    with pytest.raises(ValidationError):
        services.resolve(actor=secretary_a, request=req, resolution="已处理")
    opinion_answer(actor=secretary_a, opinion=opinion, answer="已批评教育", upheld=True)
    req.refresh_from_db()
    assert (req.status, req.resolution) == (Status.RESOLVED, "已批评教育")
    assert services.rate(request=req, rating=4).status == Status.CLOSED


def test_staff_enter_a_request_taken_by_phone(world, community_worker, nobody):
    req = rf.submit(world, actor=community_worker, client="ignored")
    assert (req.channel, req.entered_by, req.client) == ("staff", community_worker, "")
    with pytest.raises(PermissionDenied):
        rf.submit(world, actor=nobody)


def test_a_request_in_the_community_page_with_no_building_waits_in_the_queue(world):
    req = rf.submit(world, subject=services.Subject(community=world.community))
    assert (req.status, req.community, req.boundary) == (Status.QUEUED, world.community, False)
    assert Cell.objects.filter(pk=req.community_id, kind="community").exists()


def test_the_sweep_command_reports_what_it_did(world, capsys):
    from django.core.management import call_command

    req = rf.submit(world, category="doctor")
    with time_machine.travel(req.deadline + dt.timedelta(minutes=5)):
        call_command("requests", "sweep")
        call_command("requests", "sweep")
    out = capsys.readouterr().out.splitlines()
    assert out == [
        "提请支部书记督办 1 件,提请党委办公室督办 0 件,自动关闭 0 件。",
        "提请支部书记督办 0 件,提请党委办公室督办 0 件,自动关闭 0 件。",
    ]


def test_a_reopened_request_keeps_its_first_response_and_loses_its_resolution(world, member_a):
    req = _resolved(world, member_a)
    respond_by = req.respond_by
    req = services.rate(request=req, rating=1)
    assert req.resolved_at is None  # the rates count it resolved only when it is resolved again
    assert req.respond_by == respond_by
