"""The staff's pages of residents' requests, used as people use them: a member accepts, starts and resolves
a request routed to them (with hours that await the community's check), takes one waiting in their
community's queue; a community worker dispatches to a member and to a team; a secretary answers a complaint
about their zone; staff enter a request taken by phone; the lists put overdue requests first, their tabs and
filters narrow them, and their query count does not grow with the rows."""

from __future__ import annotations

import datetime as dt
import io
from decimal import Decimal

import pytest
import time_machine
from django.core.files.uploadedfile import SimpleUploadedFile
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from vanguard.community.models import ServiceRecord, Team
from vanguard.service_requests import services
from vanguard.service_requests.models import Channel, Event, Kind, ServiceRequest, Status, Urgency
from vanguard.zones.tests import zone_factories as zf

from . import factories as rf

pytestmark = pytest.mark.django_db


# --- helpers (the other page tests use them too) ---------------------------------------------------------


def url(name: str, *args) -> str:
    return reverse(f"service_requests:{name}", args=args)


def action_url(req: ServiceRequest, action: str) -> str:
    return url("action", req.pk, action)


def text(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def queued(world) -> ServiceRequest:
    """A request from 2号楼, which no zone covers: a boundary case waiting in 南园社区's queue."""
    rf.zone(world)
    return rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))


def request_b(world, **overrides) -> ServiceRequest:
    """A request in 新风社区 from the board of branch B's zone, led by member_b."""
    from vanguard.zones.models import Zone

    zone = Zone.objects.filter(organisation=world.branch_b, name="新风责任区").first()
    if zone is None:
        zf.responsibility(world.branch_b, world.other_community)
        zone = zf.zone(
            world.branch_b,
            "新风责任区",
            cells=[world.other_community],
            kind="area",
            lead=world.member_b.person,
        )
    values = {
        "description": "楼道灯坏了,晚上看不见",
        "phone": "13700002222",
        "name": "刘大爷",
        "subject": services.Subject(zone=zone, cell=world.other_community),
    }
    values.update(overrides)
    return rf.submit(world, **values)


def image_upload(name: str = "photo.jpg", fmt: str = "JPEG") -> SimpleUploadedFile:
    buffer = io.BytesIO()
    Image.new("RGB", (40, 30), (183, 28, 28)).save(buffer, fmt)
    content_type = "image/png" if fmt == "PNG" else "image/jpeg"
    return SimpleUploadedFile(name, buffer.getvalue(), content_type=content_type)


def list_codes(page: str, *codes: str) -> list[str]:
    """The codes in the order the (wide-screen) table shows them."""
    table = page[page.index('id="request-table"') : page.index('id="request-cards"')]
    found = [(table.index(code), code) for code in codes if code in table]
    return [code for _at, code in sorted(found)]


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


# --- the member: accept, start, resolve with hours -------------------------------------------------------


def test_a_member_accepts_starts_and_resolves_a_request_routed_to_them(world, member_a, as_user):
    client = as_user(member_a)
    req = rf.submit(world)
    page = text(client.get(url("detail", req.pk)))
    # The handler sees the resident's full phone as a link, and may accept (or resolve at once), not
    # dispatch, change the urgency or close: those are the community's and the branch's.
    assert 'href="tel:13600001111"' in page and "张阿姨" in page
    assert action_url(req, "accept") in page and action_url(req, "resolve") in page
    for other in ("dispatch", "urgency", "close", "take", "start"):
        assert action_url(req, other) not in page

    response = client.post(action_url(req, "accept"))
    assert response.status_code == 302 and response["Location"] == url("detail", req.pk)
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED and req.accepted_at is not None
    page = text(client.get(url("detail", req.pk)))
    assert "已受理,请尽快与居民联系。" in page and action_url(req, "start") in page

    client.post(action_url(req, "start"))
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS
    assert "记为服务时长(小时)" in text(client.get(url("detail", req.pk)))

    response = client.post(action_url(req, "resolve"), {"resolution": "上门疏通,已恢复排水", "hours": "1.5"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.resolution) == (Status.RESOLVED, "上门疏通,已恢复排水")
    record = req.service_record
    assert record.status == ServiceRecord.Status.REPORTED  # pending the community's verification
    assert (record.member, record.community, record.hours) == (
        world.member_a,
        world.community,
        Decimal("1.5"),
    )
    page = text(client.get(url("detail", req.pk)))
    assert "服务时长 1.5 小时(待核实)" in page
    actions = list(req.events.values_list("action", "actor__username"))
    assert actions[-3:] == [("accepted", "member_a"), ("started", "member_a"), ("resolved", "member_a")]
    # Nothing more to do for the member once resolved: the resident rates it.
    assert 'id="actions"' not in page


def test_a_bad_action_input_changes_nothing_and_says_why_in_chinese(world, member_a, as_user):
    client = as_user(member_a)
    req = services.start(actor=member_a, request=rf.submit(world))
    events = req.events.count()
    response = client.post(action_url(req, "resolve"), {"resolution": "   ", "hours": "1"})
    page = text(response)
    assert "请填写办理情况。" in page
    assert 'class="collapse show"' in page  # the form that failed is open, with what was typed
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS and req.resolution == "" and req.service_record is None
    assert req.events.count() == events
    assert not ServiceRecord.objects.exists()
    # Hours that are not a number of half hours are refused the same way.
    page = text(client.post(action_url(req, "resolve"), {"resolution": "已处理", "hours": "0.3"}))
    assert "时长" in page
    req.refresh_from_db()
    assert req.status == Status.IN_PROGRESS


def test_a_state_refusal_comes_back_on_the_form(world, member_a, as_user):
    client = as_user(member_a)
    req = services.accept(actor=member_a, request=rf.submit(world))
    page = text(client.post(action_url(req, "accept")))
    assert "该诉求当前为“已受理”,不能受理。" in page
    req.refresh_from_db()
    assert req.status == Status.ACCEPTED


# --- the member: take a queued request -------------------------------------------------------------------


def test_a_member_takes_a_queued_request_of_their_community(world, member_a, as_user):
    client = as_user(member_a)
    req = queued(world)
    page = text(client.get(url("list"), {"view": "queue"}))
    assert req.tracking_code in page and "边界诉求" in page and "社区待接单" in page
    page = text(client.get(url("detail", req.pk)))
    # Before taking it the member sees the resident masked, and the 接单 button.
    assert "13600001111" not in page and "136****1111" in page and "张*" in page
    assert action_url(req, "take") in page
    response = client.post(action_url(req, "take"))
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.member) == (Status.ACCEPTED, world.member_a)
    page = text(client.get(url("detail", req.pk)))
    assert 'href="tel:13600001111"' in page and "已接单" in page
    assert req.tracking_code in text(client.get(url("list"), {"view": "mine"}))
    assert req.tracking_code not in text(client.get(url("list"), {"view": "queue"}))


def test_a_second_take_says_it_is_taken(world, member_a, as_user):
    req = queued(world)
    services.take(actor=member_a, request=req)
    page = text(as_user(member_a).post(action_url(req, "take")))
    assert "该诉求已有党员承办,不能再接单。" in page


# --- the community: dispatch to a member, to a team ------------------------------------------------------


def test_a_community_worker_dispatches_a_queued_request_to_a_member(
    world, community_worker, member_a, as_user
):
    client = as_user(community_worker)
    req = queued(world)
    page = text(client.get(url("list")))
    assert "社区待派单" in page and req.tracking_code in page
    page = text(client.get(url("detail", req.pk)))
    assert 'href="tel:13600001111"' in page  # the community acts on it: the full phone
    assert action_url(req, "dispatch") in page and "王建国" in page
    assert "李红梅" not in page  # lives in 新风社区: not a member serving here
    assert action_url(req, "take") not in page and action_url(req, "resolve") not in page
    # Neither a member nor a team: the service's message, on the form, nothing changed.
    page = text(client.post(action_url(req, "dispatch"), {"member": "", "team": ""}))
    assert "请选择一名承办党员或一支志愿服务队。" in page
    req.refresh_from_db()
    assert req.status == Status.QUEUED
    # A member not offered is refused by the form.
    page = text(client.post(action_url(req, "dispatch"), {"member": world.member_b.pk}))
    assert "所选党员不在可派单的范围内。" in page
    response = client.post(action_url(req, "dispatch"), {"member": world.member_a.pk, "note": "王师傅会修"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.member, req.organisation) == (Status.ASSIGNED, world.member_a, world.branch_a)
    event = req.events.order_by("pk").last()
    assert (event.action, event.actor, event.note) == (
        Event.Action.DISPATCHED,
        community_worker,
        "王师傅会修",
    )
    # member_a now accepts it from the page.
    member_page = text(as_user(member_a).get(url("detail", req.pk)))
    assert action_url(req, "accept") in member_page


def test_a_community_worker_dispatches_to_a_volunteer_team(world, community_worker, member_a, as_user):
    team = Team.objects.create(community=world.community, name="维修服务队")
    team.members.add(world.member_a)
    Team.objects.create(community=world.other_community, name="新风巡逻队")
    client = as_user(community_worker)
    req = queued(world)
    page = text(client.get(url("detail", req.pk)))
    assert "维修服务队" in page and "新风巡逻队" not in page
    response = client.post(action_url(req, "dispatch"), {"team": team.pk})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.team, req.member) == (Status.ASSIGNED, team, None)
    # A member of the team sees it among theirs and accepts it.
    member = as_user(member_a)
    assert req.tracking_code in text(member.get(url("list"), {"view": "mine"}))
    member.post(action_url(req, "accept"))
    req.refresh_from_db()
    assert (req.status, req.member) == (Status.ACCEPTED, world.member_a)


def test_the_community_changes_the_urgency_and_closes_a_duplicate(world, community_worker, as_user):
    client = as_user(community_worker)
    req = queued(world)
    page = text(client.post(action_url(req, "urgency"), {"urgency": "complex", "reason": ""}))
    assert "请说明调整的原因。" in page
    req.refresh_from_db()
    assert req.urgency == Urgency.UTILITIES
    client.post(action_url(req, "urgency"), {"urgency": "complex", "reason": "需协调物业"})
    req.refresh_from_db()
    assert req.urgency == Urgency.COMPLEX and req.deadline - req.received_at == dt.timedelta(days=15)
    client.post(action_url(req, "close"), {"reason": "重复提交"})
    req.refresh_from_db()
    assert req.status == Status.CLOSED
    assert 'id="actions"' not in text(client.get(url("detail", req.pk)))


# --- the secretary: answer a complaint -------------------------------------------------------------------


def test_a_secretary_answers_a_complaint_about_their_zone(world, secretary_a, as_user):
    client = as_user(secretary_a)
    req = rf.submit(
        world,
        kind=Kind.COMPLAINT,
        description="责任区门口的垃圾三天没人清理",
        subject=services.Subject(zone=rf.zone(world)),
    )
    assert (req.status, req.organisation) == (Status.ASSIGNED, world.branch_a)
    page = text(client.get(url("detail", req.pk)))
    assert "投诉" in page and "提交答复" in page and "答复内容" in page
    assert "记为服务时长" not in page and action_url(req, "dispatch") not in page
    response = client.post(action_url(req, "resolve"), {"resolution": "已联系环卫,当天清运完毕"})
    assert response.status_code == 302
    req.refresh_from_db()
    assert (req.status, req.resolution) == (Status.RESOLVED, "已联系环卫,当天清运完毕")
    assert req.events.order_by("pk").last().actor == secretary_a
    assert "已联系环卫" in text(client.get(url("detail", req.pk)))


def test_an_opinion_about_a_model_post_is_answered_in_the_posts_opinion_book(world, secretary_a, as_user):
    from vanguard.posts.tests import factories as post_factories

    post = post_factories.approved_post(world)
    req = rf.submit(
        world, kind=Kind.OPINION, description="希望早班车提前十分钟", subject=services.Subject(post=post)
    )
    page = text(as_user(secretary_a).get(url("detail", req.pk)))
    assert reverse("posts:detail", args=[post.pk]) in page and "意见簿中答复" in page
    assert action_url(req, "resolve") not in page


# --- the lists -------------------------------------------------------------------------------------------


def test_the_lists_show_overdue_first_then_attention_then_by_deadline(world, secretary_a, member_a, as_user):
    rf.zone(world)
    earlier = timezone.now() - dt.timedelta(days=3)
    with time_machine.travel(earlier):
        # Resolved in time but with the earliest deadline: not overdue, so after the overdue one.
        done = rf.submit(world, category="doctor", description="老人摔倒需要送医")
        services.resolve(actor=member_a, request=done, resolution="已送医")
        late = rf.submit(world, description="下水道又堵了,水漫出来了")  # 24 hours: overdue now
    fresh = rf.submit(world, category="moving", description="周末搬家需要帮手")  # 7 days
    watched = rf.submit(world, category="moving", description="搬家需要两个人帮忙")
    ServiceRequest.objects.filter(pk=watched.pk).update(attention=True, deadline=fresh.deadline)
    page = text(as_user(secretary_a).get(url("list")))
    codes = [late.tracking_code, watched.tracking_code, done.tracking_code, fresh.tracking_code]
    assert list_codes(page, *codes) == codes
    assert "已超期 2天" in page and "table-danger" in page and "需书记关注" in page
    # The member's own list too.
    page = text(as_user(member_a).get(url("list"), {"view": "mine"}))
    assert list_codes(page, late.tracking_code, fresh.tracking_code)[0] == late.tracking_code
    # Only the overdue ones.
    page = text(as_user(secretary_a).get(url("list"), {"overdue": "on"}))
    assert list_codes(page, *codes) == [late.tracking_code]


def _tabs(page: str) -> list[str]:
    tabs = page[page.index('id="request-tabs"') : page.index("</ul>", page.index('id="request-tabs"'))]
    return [key for key in ("mine", "queue", "all", "escalated") if f"view={key}" in tabs]


def test_each_role_has_its_tabs_with_counts(world, member_a, community_worker, secretary_a, office, as_user):
    waiting = queued(world)
    mine = rf.submit(world)
    ServiceRequest.objects.filter(pk=mine.pk).update(escalation=1)
    member = text(as_user(member_a).get(url("list")))
    assert _tabs(member) == ["mine", "queue"] and "我承办的" in member and "社区待接单" in member
    # The member's first tab: what they handle, not the queue.
    assert list_codes(member, mine.tracking_code, waiting.tracking_code) == [mine.tracking_code]
    worker = text(as_user(community_worker).get(url("list")))
    assert _tabs(worker) == ["queue", "all"] and "社区待派单" in worker
    assert list_codes(worker, mine.tracking_code, waiting.tracking_code) == [waiting.tracking_code]
    secretary = text(as_user(secretary_a).get(url("list")))
    assert _tabs(secretary) == ["all", "escalated"]
    assert '督办 <span class="badge text-bg-light">1</span>' in secretary
    escalated = text(as_user(secretary_a).get(url("list"), {"view": "escalated"}))
    assert list_codes(escalated, mine.tracking_code, waiting.tracking_code) == [mine.tracking_code]
    assert _tabs(text(as_user(office).get(url("list")))) == ["all", "escalated"]
    # A tab the user does not have falls back to their first.
    assert _tabs(text(as_user(member_a).get(url("list"), {"view": "escalated"}))) == ["mine", "queue"]


def test_the_filters_narrow_the_list(world, office, as_user):
    client = as_user(office)
    drain = rf.submit(world)
    moving = rf.submit(world, category="moving", description="周末搬家需要帮手")
    complaint = rf.submit(
        world,
        kind=Kind.COMPLAINT,
        description="责任区门口乱停车",
        subject=services.Subject(zone=rf.zone(world)),
    )
    other = request_b(world)
    everything = [drain.tracking_code, moving.tracking_code, complaint.tracking_code, other.tracking_code]
    assert len(list_codes(text(client.get(url("list"))), *everything)) == 4

    def shown(**query) -> set[str]:
        return set(list_codes(text(client.get(url("list"), query)), *everything))

    assert shown(kind="complaint") == {complaint.tracking_code}
    assert shown(category="moving") == {moving.tracking_code}
    assert shown(q=drain.tracking_code.lower()) == {drain.tracking_code}
    assert shown(q="搬家") == {moving.tracking_code}
    assert shown(community=world.other_community.pk) == {other.tracking_code}
    assert shown(organisation=world.branch_b.pk) == {other.tracking_code}
    assert shown(organisation=world.branch_a.pk, zone=rf.zone(world).pk) == {
        drain.tracking_code,
        moving.tracking_code,
        complaint.tracking_code,
    }
    assert shown(urgency="utilities", status="assigned") == {drain.tracking_code, other.tracking_code}
    today = timezone.localdate()
    assert shown(received_from=today.isoformat(), received_to=today.isoformat()) == set(everything)
    assert shown(received_from=(today + dt.timedelta(days=1)).isoformat()) == set()


def test_a_bad_filter_says_so_and_lists_everything(world, office, as_user):
    req = rf.submit(world)
    page = text(as_user(office).get(url("list"), {"received_from": "2026-13-40"}))
    assert "筛选条件有误" in page and "提交日期从" in page and req.tracking_code in page


def test_the_list_runs_the_same_queries_for_5_and_25_requests(
    world, secretary_a, member_a, community_worker, as_user
):
    from vanguard.community.models import Team

    rf.zone(world)
    team = Team.objects.create(community=world.community, name="维修服务队")

    def make(n: int) -> None:
        for i in range(n):
            req = rf.submit(world, description=f"第{i}件:楼道灯坏了")
            if i % 3 == 0:
                services.accept(actor=member_a, request=req)
            if i % 5 == 0:
                queued_req = queued(world)
                services.dispatch(actor=community_worker, request=queued_req, member=world.member_a)
            if i % 7 == 0:
                req_q = queued(world)
                ServiceRequest.objects.filter(pk=req_q.pk).update(team=team, attention=True)

    def count(client) -> int:
        with CaptureQueriesContext(connection) as captured:
            response = client.get(url("list"))
        assert response.status_code == 200
        return len(captured.captured_queries)

    clients = [as_user(secretary_a), as_user(member_a), as_user(community_worker)]
    make(5)
    few = [count(client) for client in clients]
    make(20)
    many = [count(client) for client in clients]
    assert ServiceRequest.objects.count() >= 25
    assert few == many, (few, many)
    assert max(many) <= 12, many


# --- entering a request taken by phone -------------------------------------------------------------------


def test_a_community_worker_enters_a_request_taken_by_phone(world, community_worker, as_user):
    rf.zone(world)
    client = as_user(community_worker)
    page = text(client.get(url("create")))
    assert "居民已口头同意使用电话号码" in page and "1号楼" in page and "2号楼" in page
    data = {
        "kind": "request",
        "category": "repair",
        "description": "屋顶漏水,下雨天滴到床上",
        "community": world.community.pk,
        "cell": rf.building(world, "1号楼").pk,
        "name": "赵奶奶",
        "phone": "13600003333",
        "consent": "on",
        "photo": image_upload(),
    }
    response = client.post(url("create"), data)
    req = ServiceRequest.objects.get(name="赵奶奶")
    assert response.status_code == 302 and response["Location"] == url("detail", req.pk)
    assert (req.channel, req.entered_by, req.member, req.status) == (
        Channel.STAFF,
        community_worker,
        world.member_a,
        Status.ASSIGNED,
    )
    assert req.consent_version and req.consent_at is not None and req.photo
    page = text(client.get(url("detail", req.pk)))
    assert req.tracking_code in page and url("photo", req.pk) in page
    photo = client.get(url("photo", req.pk))
    assert photo.status_code == 200 and photo["Content-Type"] == "image/jpeg"
    assert photo["Cache-Control"].startswith("private")
    assert photo["Content-Security-Policy"] == "default-src 'none'"
    Image.open(io.BytesIO(b"".join(photo.streaming_content))).verify()


def test_a_secretary_enters_a_complaint_about_their_zone(world, secretary_a, as_user):
    client = as_user(secretary_a)
    zone = rf.zone(world)
    page = text(client.get(url("create")))
    assert "南园1号楼责任区" in page and "小区/楼栋" not in page
    response = client.post(
        url("create"),
        {
            "kind": "complaint",
            "category": "other",
            "description": "值班党员态度不好",
            "zone": zone.pk,
            "name": "钱先生",
        },
    )
    req = ServiceRequest.objects.get(name="钱先生")
    assert response.status_code == 302
    assert (req.kind, req.organisation, req.zone) == (Kind.COMPLAINT, world.branch_a, zone)


def test_entering_a_request_without_consent_or_place_keeps_nothing(world, community_worker, as_user):
    client = as_user(community_worker)
    base = {"kind": "request", "category": "drain", "description": "下水道堵了", "name": "孙阿姨"}
    page = text(client.post(url("create"), {**base, "phone": "13600004444", "community": world.community.pk}))
    assert "请勾选同意使用您的电话号码联系您" in page
    page = text(client.post(url("create"), {**base, "phone": "13600004444", "consent": "on"}))
    assert "请选择诉求所在的位置。" in page
    page = text(
        client.post(
            url("create"),
            {
                **base,
                "phone": "13600004444",
                "consent": "on",
                "community": world.community.pk,
                "photo": SimpleUploadedFile("x.jpg", b"not an image", content_type="image/jpeg"),
            },
        )
    )
    assert "照片" in page
    assert not ServiceRequest.objects.exists()


def test_a_request_entered_for_another_community_leads_to_the_list(world, secretary_a, as_user):
    response = as_user(secretary_a).post(
        url("create"),
        {
            "kind": "request",
            "category": "housework",
            "description": "独居老人需要打扫卫生",
            "community": world.other_community.pk,
            "name": "周奶奶",
            "phone": "13600005555",
            "consent": "on",
        },
    )
    req = ServiceRequest.objects.get(name="周奶奶")
    assert req.status == Status.QUEUED and req.community == world.other_community
    assert response.status_code == 302 and response["Location"].startswith(url("list"))


def test_the_nav_and_the_home_page_offer_the_requests(world, member_a, auditor, as_user):
    assert url("list") in as_user(member_a).get("/").content.decode()
    assert url("list") not in as_user(auditor).get("/").content.decode()


def test_the_list_narrows_to_one_member_from_the_rates_page(world, secretary_a):
    from vanguard.conftest import client_for

    mine = rf.submit(world)
    other = rf.submit(world, subject=services.Subject(cell=rf.building(world, "2号楼")))
    response = client_for(secretary_a).get("/requests/", {"member": world.member_a.pk})
    assert mine.tracking_code in response.content.decode()
    assert other.tracking_code not in response.content.decode()


def test_the_list_narrows_to_what_was_escalated_to_the_office(world, office):
    from vanguard.conftest import client_for
    from vanguard.service_requests.models import Escalation

    to_office, to_secretary = rf.submit(world), rf.submit(world)
    ServiceRequest.objects.filter(pk=to_office.pk).update(escalation=Escalation.OFFICE)
    ServiceRequest.objects.filter(pk=to_secretary.pk).update(escalation=Escalation.SECRETARY)
    page = client_for(office).get("/requests/", {"view": "escalated", "escalation": 2}).content.decode()
    assert to_office.tracking_code in page and to_secretary.tracking_code not in page
