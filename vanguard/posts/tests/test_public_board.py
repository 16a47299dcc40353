"""The public board of a model post (/p/posts/<id>/): no login; only a post on the wall has one; the members
with photo, masked name, job and motto; the complaint line in full; the answered opinions with the residents'
names masked and never a phone; the way to leave an opinion, praise or complaint, which is the residents'
shared intake (/p/requests/new/?post=<id>: CSRF on, a challenge and a honeypot against bots, a tracking code
after posting) and keeps the entry in the post's opinion book. No full phone number of a person and no ID
number appear on it."""

from __future__ import annotations

import datetime as dt
import re

import pytest
from django.test import Client
from django.urls import reverse

from vanguard.accounts.scope import SYSTEM
from vanguard.posts import services
from vanguard.posts.models import ModelPost, Opinion, PostMember
from vanguard.service_requests import challenge
from vanguard.service_requests.models import ServiceRequest

from . import factories
from .pages import board_url, image_bytes, photo_url, text, upload, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


@pytest.fixture
def post(world) -> ModelPost:
    return factories.approved_post(world)


def intake_url(post: ModelPost, kind: str = "") -> str:
    address = f"{reverse('requests_public:submit')}?post={post.pk}"
    return f"{address}&kind={kind}" if kind else address


def leave(client: Client, post: ModelPost, data: dict):
    """Leave an entry through the board's way in: the intake, its challenge answered as a person would."""
    address = intake_url(post)
    page = client.get(address)
    assert page.status_code == 200, page.status_code
    token = re.search(r'name="challenge" value="([^"]+)"', page.content.decode()).group(1)
    return client.post(address, {"challenge": token, "answer": challenge.answer_of(token), **data})


def _with_photo(entry: PostMember, fmt: str = "JPEG") -> PostMember:
    from django.core.files.base import ContentFile

    entry.photo.save(f"abc123.{'png' if fmt == 'PNG' else 'jpg'}", ContentFile(image_bytes(fmt)), save=True)
    return entry


def test_the_board_shows_the_post_to_anyone_with_personal_data_masked(world, post, secretary_a, resident):
    person = world.member_a.person
    person.id_number = "130102198506150014"
    person.save()
    entry = _with_photo(post.post_members.get())
    services.evaluate(actor=SYSTEM, post=post, month=dt.date(2026, 1, 1), total=90)
    complaint = services.opinion_submit(
        actor=None,
        post=post,
        kind=Opinion.Kind.COMPLAINT,
        content="到站不停车",
        name="张三丰",
        phone="13900001111",
    )
    services.opinion_answer(actor=secretary_a, opinion=complaint, answer="已核实并批评教育。", upheld=True)
    services.opinion_submit(actor=None, post=post, kind=Opinion.Kind.OPINION, content="尚未答复的意见")
    page = text(resident.get(board_url(post.pk)))
    assert post.name in page and "一分公司党支部" in page and "班组" in page
    assert 'aria-label="1星"' in page and ">★</span>" in page and ">☆☆☆☆</span>" in page
    assert "王*" in page and "王建国" not in page
    assert "驾驶员" in page and "一心为乘客,服务无止境" in page
    assert photo_url(entry.pk) in page
    # The complaint line is the post's public service line: shown in full.
    assert "0317-1234567" in page and 'href="tel:0317-1234567"' in page
    assert "到站不停车" in page and "已核实并批评教育。" in page and "张**" in page and "张三丰" not in page
    assert "尚未答复的意见" not in page
    # No person's full mobile number, no ID number, no private page.
    assert not re.search(r"1[3-9]\d{9}", page)
    assert "130102198506150014" not in page and "0014" not in page
    assert "13812345678" not in page and "13900001111" not in page
    assert f'href="{url("detail", post.pk)}"' not in page


def test_a_named_post_shows_its_badge(world, post, resident):
    for month in range(1, 6):
        services.evaluate(actor=SYSTEM, post=post, month=dt.date(2026, month, 1), total=95)
    services.post_name(actor=SYSTEM, post=post)
    page = text(resident.get(board_url(post.pk)))
    assert "★★★★★" in page and "授牌命名" in page


@pytest.mark.parametrize("state", ["applied", "rejected", "removed"])
def test_only_a_post_on_the_wall_has_a_board(world, state, resident):
    post = factories.applied_post(world)
    if state == "rejected":
        services.post_decide(actor=SYSTEM, post=post, approve=False, reason="职责不清")
    elif state == "removed":
        services.post_decide(actor=SYSTEM, post=post, approve=True)
        services.year_end_review(actor=SYSTEM, post=post, passed=False, reason="复评未通过")
    assert resident.get(board_url(post.pk)).status_code == 404
    assert resident.get(intake_url(post)).status_code == 404
    assert resident.post(intake_url(post), {"kind": "praise", "description": "服务很好"}).status_code == 404
    assert resident.get(board_url(999999)).status_code == 404
    assert not Opinion.objects.exists()


def test_the_board_leads_to_the_shared_intake_for_each_kind(post, resident):
    page = text(resident.get(board_url(post.pk)))
    for kind in ("opinion", "praise", "complaint"):
        assert f'href="{intake_url(post, kind).replace("&", "&amp;")}"' in page
    # The board itself takes no posts: its form is the intake.
    assert resident.post(board_url(post.pk), {"kind": "praise", "content": "好"}).status_code == 405


def test_a_resident_leaves_a_complaint_and_gets_a_tracking_code(post, resident):
    response = leave(
        resident,
        post,
        {
            "kind": "complaint",
            "description": "司机开车打电话",
            "name": "李四",
            "phone": "13700002222",
            "consent": "on",
        },
    )
    req = ServiceRequest.objects.get()
    assert response.status_code == 302
    assert response["Location"] == reverse("requests_public:track", args=[req.tracking_code]) + "?new=1"
    assert "请记下您的查询码" in text(resident.get(response["Location"]))
    # Not shown on the board before the branch answers it.
    assert "司机开车打电话" not in text(resident.get(board_url(post.pk)))
    opinion = Opinion.objects.get()
    assert (opinion.kind, opinion.channel, opinion.name, opinion.phone, opinion.entered_by) == (
        Opinion.Kind.COMPLAINT,
        Opinion.Channel.ONLINE,
        "李四",
        "13700002222",
        None,
    )
    assert req.opinion == opinion


def test_the_phone_is_optional(post, resident):
    leave(resident, post, {"kind": "praise", "description": "服务周到,很耐心", "name": "老张"})
    assert Opinion.objects.get().phone == ""


@pytest.mark.parametrize(
    ("data", "message"),
    [
        ({"kind": "praise", "description": " "}, "请把情况说清楚一些"),
        ({"description": "服务很好很周到"}, "请选择诉求类型。"),
        ({"kind": "bribe", "description": "服务很好很周到"}, "请选择诉求类型。"),
        ({"kind": "request", "description": "服务很好很周到"}, "请选择诉求类型。"),
        ({"kind": "opinion", "description": "服务很好很周到", "name": ""}, "请留下称呼"),
        (
            {"kind": "opinion", "description": "服务很好很周到", "phone": "电话"},
            "请填写正确的手机号或固定电话",
        ),
        ({"kind": "opinion", "description": "服务很好很周到", "phone": "13700002222"}, "请勾选同意"),
        ({"kind": "opinion", "description": "长" * 2001}, "内容不能超过2000个字"),
    ],
)
def test_a_bad_opinion_is_refused_with_a_message(post, resident, data, message):
    page = text(leave(resident, post, {"name": "李四", **data}))
    assert message in page
    assert not Opinion.objects.exists()


def test_a_bot_that_fills_the_honeypot_is_thanked_and_ignored(post, resident):
    response = leave(
        resident,
        post,
        {"kind": "opinion", "description": "cheap pills", "name": "x", "website": "http://spam.example"},
    )
    assert response.status_code == 302 and response["Location"] == reverse("requests_public:lookup")
    assert not Opinion.objects.exists()


def test_the_form_is_protected_against_cross_site_posts(post):
    client = Client(enforce_csrf_checks=True)
    assert (
        leave(client, post, {"kind": "praise", "description": "服务很好", "name": "李四"}).status_code == 403
    )
    assert "csrfmiddlewaretoken" in text(client.get(intake_url(post)))
    assert not Opinion.objects.exists()


def test_the_board_and_its_form_fit_a_phone(post, resident):
    for address in (board_url(post.pk), intake_url(post)):
        page = text(resident.get(address))
        assert 'name="viewport" content="width=device-width, initial-scale=1"' in page
    assert 'inputmode="tel"' in text(resident.get(intake_url(post)))


# --- photos ----------------------------------------------------------------------------------------------


def test_a_photo_on_the_wall_is_served_to_anyone_with_cache_headers(post, resident):
    entry = _with_photo(post.post_members.get())
    response = resident.get(photo_url(entry.pk))
    assert response.status_code == 200 and response["Content-Type"] == "image/jpeg"
    assert response["Cache-Control"] == "public, max-age=86400"
    assert b"".join(response.streaming_content)[:2] == b"\xff\xd8"
    again = resident.get(photo_url(entry.pk), HTTP_IF_NONE_MATCH=response["ETag"])
    assert again.status_code == 304


def test_a_png_photo_is_served_as_png(post, resident):
    entry = _with_photo(post.post_members.get(), "PNG")
    assert resident.get(photo_url(entry.pk))["Content-Type"] == "image/png"


def test_the_photo_of_a_post_not_on_the_wall_is_for_those_who_see_the_post(
    world, secretary_a, secretary_b, as_user
):
    post = factories.applied_post(world)
    entry = _with_photo(post.post_members.get())
    assert Client().get(photo_url(entry.pk)).status_code == 404
    assert as_user(secretary_b).get(photo_url(entry.pk)).status_code == 404
    response = as_user(secretary_a).get(photo_url(entry.pk))
    assert response.status_code == 200 and response["Cache-Control"] == "private, max-age=3600"


def test_no_photo_and_no_file_answer_404(post, resident, media):
    entry = post.post_members.get()
    assert resident.get(photo_url(entry.pk)).status_code == 404
    _with_photo(entry)
    (media / entry.photo.name).unlink()
    assert resident.get(photo_url(entry.pk)).status_code == 404
    assert resident.get(photo_url(999999)).status_code == 404


def test_only_files_of_post_members_are_served(post, resident, media):
    # Any other file under MEDIA_ROOT has no address: the photo view takes a post member's id, not a path.
    (media / "secret.txt").write_text("roster")
    assert resident.get("/p/posts/photos/secret.txt").status_code == 404
    assert resident.get("/media/secret.txt").status_code == 404


def test_an_uploaded_photo_reaches_the_board(world, secretary_a, as_user, resident):
    client = as_user(secretary_a)
    client.post(
        url("apply") + f"?organisation={world.branch_a.pk}",
        {
            "name": "售票窗口",
            "kind": "window",
            "members-TOTAL_FORMS": "1",
            "members-INITIAL_FORMS": "0",
            "members-0-member": str(world.member_a.pk),
            "members-0-motto": "微笑服务",
            "members-0-photo": upload(),
        },
    )
    post = ModelPost.objects.get(name="售票窗口")
    services.post_decide(actor=SYSTEM, post=post, approve=True)
    entry = post.post_members.get()
    assert photo_url(entry.pk) in text(resident.get(board_url(post.pk)))
    assert resident.get(photo_url(entry.pk)).status_code == 200
