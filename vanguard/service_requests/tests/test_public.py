"""The residents' pages, without an account: the intake from a zone's board, a community's page or a model
post's board (the challenge, the honeypot, the photo checks, consent, the rate limit per address), the
tracking page by code (masked, escaped, private), rating by code, and the lookup of a code."""

from __future__ import annotations

import datetime as dt
import io
import re

import pytest
import time_machine
from django.core.exceptions import ValidationError
from django.core.files.uploadedfile import SimpleUploadedFile
from django.test import Client
from django.urls import reverse
from django.utils import timezone
from PIL import Image

from vanguard.core.photos import MAX_PHOTO_BYTES
from vanguard.org.models import Cell
from vanguard.org.tests import factories
from vanguard.org.validators import today
from vanguard.posts.models import ModelPost, Opinion
from vanguard.service_requests import challenge, services
from vanguard.service_requests.models import Channel, Kind, ServiceRequest, Status
from vanguard.zones.tests import zone_factories as zf

from . import factories as rf

pytestmark = pytest.mark.django_db

LOOKUP = reverse("requests_public:lookup")
SUBMIT = reverse("requests_public:submit")
TOKEN = re.compile(r'name="challenge" value="([^"]+)"')
HELP = {
    "kind": "request",
    "category": "drain",
    "description": "厨房下水道堵了,水漫出来了",
    "name": "张阿姨",
    "phone": "13600001111",
    "consent": "on",
}


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def zone(world):
    return rf.zone(world)


def zone_url(zone, **query) -> str:
    extra = "".join(f"&{k}={v}" for k, v in query.items())
    return f"{SUBMIT}?zone={zone.pk}{extra}"


def track_url(code: str) -> str:
    return reverse("requests_public:track", args=[code])


def page_of(response) -> str:
    assert response.status_code == 200, response.status_code
    return response.content.decode()


def solved(client: Client, url: str) -> dict:
    """The challenge of a fresh form, answered as a person would."""
    token = TOKEN.search(page_of(client.get(url))).group(1)
    return {"challenge": token, "answer": str(challenge.answer_of(token))}


def send(client: Client, url: str, data: dict | None = None, **extra):
    return client.post(url, {**solved(client, url), **HELP, **(data or {})}, **extra)


def png(size: tuple[int, int] = (40, 30)) -> bytes:
    buffer = io.BytesIO()
    Image.new("RGB", size, (183, 28, 28)).save(buffer, "PNG")
    return buffer.getvalue()


# --- the intake ---------------------------------------------------------------------------------------------


def test_a_resident_submits_from_a_zone_board_and_gets_a_tracking_code(world, zone, resident):
    page = page_of(resident.get(zone_url(zone)))
    assert zone.name in page and "一分公司党支部" in page
    assert str(services.CONSENT_TEXT) in page and 'inputmode="tel"' in page
    assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    # The zone's building is offered, the resident may leave it.
    assert "1号楼" in page
    response = send(resident, zone_url(zone), {"cell": str(rf.building(world, "1号楼").pk)})
    req = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == track_url(req.tracking_code) + "?new=1"
    assert (req.kind, req.category, req.channel, req.zone, req.member) == (
        Kind.REQUEST,
        "drain",
        Channel.ZONE_BOARD,
        zone,
        world.member_a,
    )
    assert req.cell == rf.building(world, "1号楼")
    assert req.client == services.client_key("127.0.0.1")
    assert req.consent_version and req.consent_at is not None
    thanks = page_of(resident.get(response["Location"]))
    assert "请记下您的查询码" in thanks and req.tracking_code in thanks


def test_an_urgent_request_gets_the_urgent_deadline(zone, resident):
    send(resident, zone_url(zone), {"category": "other", "urgent": "on"})
    req = ServiceRequest.objects.get()
    assert req.deadline - req.received_at == dt.timedelta(hours=2)


def test_without_consent_the_request_is_refused_and_nothing_is_kept(zone, resident):
    data = {k: v for k, v in HELP.items() if k != "consent"}
    response = resident.post(zone_url(zone), {**solved(resident, zone_url(zone)), **data})
    assert "请勾选同意使用您的电话号码" in page_of(response)
    assert not ServiceRequest.objects.exists()


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"description": "堵"}, "请把情况说清楚一些"),
        ({"name": ""}, "请留下称呼"),
        ({"phone": ""}, "请留下联系电话"),
        ({"phone": "12345"}, "请填写正确的手机号或固定电话"),
        ({"category": ""}, "请选择诉求类别"),
        ({"kind": "bribe"}, "请选择诉求类型"),
        ({"cell": "999999"}, "请从列表中选择具体位置"),
    ],
)
def test_a_bad_request_is_refused_with_a_message_naming_the_field(zone, resident, data, message):
    assert message in page_of(send(resident, zone_url(zone), data))
    assert not ServiceRequest.objects.exists()


def test_an_oversized_photo_is_refused_naming_the_photo(zone, resident):
    big = SimpleUploadedFile("big.jpg", b"\xff\xd8" + b"0" * MAX_PHOTO_BYTES, content_type="image/jpeg")
    page = page_of(send(resident, zone_url(zone), {"photo": big}))
    assert "照片不能超过5 MB" in page
    assert not ServiceRequest.objects.exists()


def test_a_file_that_is_not_an_image_is_refused_even_named_jpg(zone, resident):
    fake = SimpleUploadedFile("drain.jpg", b"MZ\x90\x00 not a picture", content_type="image/jpeg")
    page = page_of(send(resident, zone_url(zone), {"photo": fake}))
    assert "所选文件不是照片或已损坏" in page
    assert not ServiceRequest.objects.exists()


def test_a_gif_is_refused_as_a_photo_format(zone, resident):
    buffer = io.BytesIO()
    Image.new("RGB", (10, 10)).save(buffer, "GIF")
    gif = SimpleUploadedFile("a.gif", buffer.getvalue(), content_type="image/gif")
    assert "照片须为JPG或PNG格式" in page_of(send(resident, zone_url(zone), {"photo": gif}))
    assert not ServiceRequest.objects.exists()


def test_a_png_photo_is_stored_and_never_shown_on_the_public_page(zone, resident, media):
    upload = SimpleUploadedFile("drain.png", png(), content_type="image/png")
    response = send(resident, zone_url(zone), {"photo": upload})
    assert response.status_code == 302
    req = ServiceRequest.objects.get()
    assert req.photo.name.startswith("requests/photos/") and req.photo.name.endswith(".png")
    assert "drain" not in req.photo.name  # stored under a random name
    with Image.open(media / req.photo.name) as stored:
        assert stored.format == "PNG" and stored.size == (40, 30)
    page = page_of(resident.get(track_url(req.tracking_code)))
    assert req.photo.name not in page and "<img" not in page


def test_a_wrong_answer_to_the_challenge_is_refused(zone, resident):
    data = solved(resident, zone_url(zone))
    data["answer"] = str((int(data["answer"]) + 1) % 19)
    page = page_of(resident.post(zone_url(zone), {**HELP, **data}))
    assert "验证题答错了,请重新计算" in page
    assert not ServiceRequest.objects.exists()
    # A fresh question comes with the page; what was typed is kept, except the answer.
    assert TOKEN.search(page).group(1) != data["challenge"]
    assert "厨房下水道堵了" in page


@pytest.mark.parametrize("answer", ["", "七", "abc"])
def test_no_number_is_a_wrong_answer(zone, resident, answer):
    data = {**solved(resident, zone_url(zone)), "answer": answer}
    assert "验证题答错了" in page_of(resident.post(zone_url(zone), {**HELP, **data}))
    assert not ServiceRequest.objects.exists()


def test_an_expired_or_forged_challenge_is_refused(zone, resident):
    data = solved(resident, zone_url(zone))
    with time_machine.travel(timezone.now() + dt.timedelta(hours=1, minutes=1)):
        page = page_of(resident.post(zone_url(zone), {**HELP, **data}))
    assert "验证题已过期,请刷新页面" in page
    forged = {"challenge": "7:abc:def", "answer": "7"}
    assert "验证题已过期" in page_of(resident.post(zone_url(zone), {**HELP, **forged}))
    assert not ServiceRequest.objects.exists()


def test_a_challenge_is_a_small_sum_and_only_its_answer_passes():
    for _ in range(30):
        question = challenge.new()
        a, op, b = re.fullmatch(r"(\d) (加|减) (\d) 等于几[??]", question.question).groups()
        answer = int(a) + int(b) if op == "加" else int(a) - int(b)
        assert 0 <= answer <= 18
        assert challenge.answer_of(question.token) == answer
        challenge.check(question.token, f" {answer} ")
        for wrong in {0, 18, answer + 1} - {answer}:
            with pytest.raises(ValidationError):
                challenge.check(question.token, str(wrong))
    # What the page carries is a nonce and a keyed hash, signed: not the answer, and not forgeable.
    nonce, digest = question.token.split(":")[:2]
    assert len(nonce) == 16 and len(digest) == 20
    with pytest.raises(ValidationError):
        challenge.check(f"{nonce}:{digest}", str(answer))


def test_a_bot_that_fills_the_honeypot_is_thanked_and_nothing_is_kept(zone, resident):
    response = send(resident, zone_url(zone), {"website": "http://spam.example"})
    assert response.status_code == 302 and response["Location"] == LOOKUP
    assert "谢谢" in page_of(resident.get(LOOKUP))
    assert not ServiceRequest.objects.exists()


def test_the_sixth_submission_in_an_hour_from_one_address_is_refused(zone, resident):
    for _ in range(5):
        assert send(resident, zone_url(zone), REMOTE_ADDR="203.0.113.9").status_code == 302
    response = send(resident, zone_url(zone), REMOTE_ADDR="203.0.113.9")
    assert response.status_code == 429
    assert "提交过于频繁:同一网络每小时最多提交5次" in response.content.decode()
    assert ServiceRequest.objects.count() == 5
    # Another address is not held up by it.
    assert send(resident, zone_url(zone), REMOTE_ADDR="203.0.113.10").status_code == 302
    assert ServiceRequest.objects.count() == 6


def test_the_form_is_protected_against_cross_site_posts(zone):
    client = Client(enforce_csrf_checks=True)
    assert "csrfmiddlewaretoken" in page_of(client.get(zone_url(zone)))
    assert send(client, zone_url(zone)).status_code == 403
    assert not ServiceRequest.objects.exists()


def test_the_form_needs_a_place_it_was_opened_from(world, zone, resident):
    response = resident.get(SUBMIT)
    assert response.status_code == 302 and response["Location"] == LOOKUP
    assert resident.post(SUBMIT, HELP).status_code == 302
    for query in ("zone=999999", "zone=x", f"community={world.team.pk}", "community=999999", "post=999999"):
        assert resident.get(f"{SUBMIT}?{query}").status_code == 404, query
    last_year = zf.zone(world.branch_a, "去年的责任区", year=today().year - 1, lead=world.member_a.person)
    assert resident.get(zone_url(last_year)).status_code == 404
    assert not ServiceRequest.objects.exists()


def test_a_complaint_about_the_zones_responsible_member(world, zone, resident):
    url = zone_url(zone, kind="complaint", about="lead")
    page = page_of(resident.get(url))
    assert "王*" in page and "王建国" not in page
    assert re.search(r'value="complaint"[^>]*checked', page)
    response = send(resident, url, {"kind": "complaint", "description": "态度不好,说话很冲", "phone": ""})
    assert response.status_code == 302
    req = ServiceRequest.objects.get()
    assert (req.kind, req.about_member, req.zone, req.organisation) == (
        Kind.COMPLAINT,
        world.member_a,
        zone,
        world.branch_a,
    )
    assert req.phone == "" and req.consent_at is None


def test_a_community_page_offers_its_buildings_but_never_a_household(world, resident):
    estate = rf.estate(world)
    factories.cell("101室", Cell.Kind.HOUSEHOLD, parent=rf.building(world, "1号楼"))
    factories.cell("南园广场", Cell.Kind.PUBLIC_AREA, parent=world.community)
    factories.cell("新风1号楼", Cell.Kind.BUILDING, parent=world.other_community)
    url = f"{SUBMIT}?community={world.community.pk}"
    page = page_of(resident.get(url))
    assert world.community.name in page
    assert '<optgroup label="南园小区">' in page
    assert ">1号楼</option>" in page and ">2号楼</option>" in page and ">南园广场</option>" in page
    assert "101室" not in page and "新风1号楼" not in page
    # Only a request for help: an opinion needs a zone, a member or a post to be about.
    assert 'type="hidden" name="kind" value="request"' in page
    # 2号楼 is in no zone: a boundary case for the community's queue.
    response = send(resident, url, {"cell": str(rf.building(world, "2号楼").pk)})
    assert response.status_code == 302
    req = ServiceRequest.objects.get()
    assert (req.channel, req.community, req.status, req.boundary) == (
        Channel.COMMUNITY_PAGE,
        world.community,
        Status.QUEUED,
        True,
    )
    assert estate.pk != req.cell_id


def test_a_post_board_intake_creates_an_entry_of_the_opinion_book(world, resident):
    post = ModelPost.objects.create(
        organisation=world.branch_a, name="1路文明线路", status=ModelPost.Status.APPROVED
    )
    url = f"{SUBMIT}?post={post.pk}&kind=praise"
    page = page_of(resident.get(url))
    assert "1路文明线路" in page and 'value="request"' not in page
    response = send(resident, url, {"kind": "praise", "description": "司机师傅很耐心", "phone": ""})
    assert response.status_code == 302
    opinion = Opinion.objects.get()
    req = ServiceRequest.objects.get()
    assert (opinion.post, opinion.kind, opinion.content, opinion.name) == (
        post,
        "praise",
        "司机师傅很耐心",
        "张阿姨",
    )
    assert (req.opinion, req.channel, req.post) == (opinion, Channel.POST_BOARD, post)
    post.status = ModelPost.Status.REMOVED
    post.save()
    assert resident.get(url).status_code == 404


# --- the tracking page --------------------------------------------------------------------------------------


def test_the_tracking_page_masks_the_resident_and_escapes_what_they_wrote(world, zone, resident):
    req = rf.submit(world, description="<script>alert(1)</script> 下水道", name="张三丰")
    response = resident.get(track_url(req.tracking_code))
    page = page_of(response)
    assert "张**" in page and "张三丰" not in page
    assert "136****1111" in page and "13600001111" not in page
    assert "<script>alert(1)</script>" not in page and "&lt;script&gt;alert(1)&lt;/script&gt;" in page
    assert "承办党员 王*" in page and "王建国" not in page
    assert response["Cache-Control"] == "no-store"
    assert "noindex" in response["X-Robots-Tag"]


def test_the_timeline_shows_steps_and_times_but_not_the_staffs_notes(world, zone, resident, community_worker):
    req = rf.submit(world, subject=services.Subject(community=world.community))
    assert req.status == Status.QUEUED
    services.dispatch(actor=community_worker, request=req, member=world.member_a, note="内部:先电话核实")
    page = page_of(resident.get(track_url(req.tracking_code)))
    assert "提交诉求" in page and "进入社区待派单" in page and "社区派单" in page
    assert "内部:先电话核实" not in page and "王建国" not in page
    assert "承办党员 王*" in page


def test_a_queued_request_says_the_community_will_dispatch_it(world, resident):
    req = rf.submit(world, subject=services.Subject(community=world.community))
    assert "社区待派单" in page_of(resident.get(track_url(req.tracking_code)))


def test_an_overdue_request_is_marked_on_its_page(world, zone, resident):
    req = rf.submit(world)
    with time_machine.travel(req.deadline + dt.timedelta(minutes=5)):
        page = page_of(resident.get(track_url(req.tracking_code)))
    assert "已超期" in page


def test_an_unknown_code_is_404_and_a_lower_case_code_finds_its_request(world, zone, resident):
    req = rf.submit(world)
    assert resident.get(track_url("ZZZZZZZZZZ")).status_code == 404
    assert resident.get(track_url("<script>")).status_code == 404
    lower = resident.get(track_url(req.tracking_code.lower()))
    assert lower.status_code == 302 and lower["Location"] == track_url(req.tracking_code)


def _resolved(world, member_a) -> ServiceRequest:
    req = rf.submit(world)
    services.accept(actor=member_a, request=req)
    return services.resolve(actor=member_a, request=req, resolution="上门疏通,已恢复排水")


def test_rating_before_resolution_is_refused_on_the_page(world, zone, resident):
    req = rf.submit(world)
    assert 'name="rating"' not in page_of(resident.get(track_url(req.tracking_code)))
    response = resident.post(track_url(req.tracking_code), {"rating": "5"}, follow=True)
    assert "诉求尚未办结,暂不能评价。" in page_of(response)
    req.refresh_from_db()
    assert req.rating is None and req.status == Status.ASSIGNED


def test_a_rating_after_resolution_closes_the_request(world, zone, resident, member_a):
    req = _resolved(world, member_a)
    page = page_of(resident.get(track_url(req.tracking_code)))
    assert "上门疏通,已恢复排水" in page and 'name="rating"' in page
    response = resident.post(track_url(req.tracking_code), {"rating": "5", "comment": "很及时,谢谢"})
    assert response.status_code == 302 and response["Location"] == track_url(req.tracking_code)
    page = page_of(resident.get(response["Location"]))
    assert "谢谢您的评价" in page and "很及时,谢谢" in page and 'name="rating"' not in page
    req.refresh_from_db()
    assert (req.status, req.rating, req.rating_comment) == (Status.CLOSED, 5, "很及时,谢谢")


def test_a_second_rating_is_refused(world, zone, resident, member_a):
    req = _resolved(world, member_a)
    resident.post(track_url(req.tracking_code), {"rating": "4"})
    response = resident.post(track_url(req.tracking_code), {"rating": "1"}, follow=True)
    assert "该诉求已评价,不能重复评价。" in page_of(response)
    req.refresh_from_db()
    assert (req.rating, req.status) == (4, Status.CLOSED)


def test_a_rating_without_stars_is_refused(world, zone, resident, member_a):
    req = _resolved(world, member_a)
    for bad in ({}, {"rating": "9"}, {"rating": "x"}):
        page = page_of(resident.post(track_url(req.tracking_code), bad, follow=True))
        assert "请选择1到5颗星" in page
    req.refresh_from_db()
    assert req.status == Status.RESOLVED and req.rating is None


def test_a_low_rating_reopens_the_request(world, zone, resident, member_a):
    req = _resolved(world, member_a)
    resident.post(track_url(req.tracking_code), {"rating": "1", "comment": "还是堵"})
    req.refresh_from_db()
    assert (req.status, req.attention) == (Status.IN_PROGRESS, True)
    page = page_of(resident.get(track_url(req.tracking_code)))
    assert "评价不满意,重新办理" in page


# --- the lookup ---------------------------------------------------------------------------------------------


def test_the_lookup_takes_a_code_in_any_case_and_says_when_it_is_unknown(world, zone, resident):
    req = rf.submit(world)
    assert 'name="code"' in page_of(resident.get(LOOKUP))
    response = resident.get(LOOKUP, {"code": f" {req.tracking_code.lower()} "})
    assert response.status_code == 302 and response["Location"] == track_url(req.tracking_code)
    page = page_of(resident.get(LOOKUP, {"code": "NOSUCHCODE"}))
    assert "没有找到该查询码" in page
    assert "请输入查询码" in page_of(resident.get(LOOKUP, {"code": ""}))
