"""A branch applies for a model post: the post's fields and its members, each with job, motto-commitment and
a photo checked by Pillow (JPEG or PNG, at most 5 MB, stored upright without its metadata under a random
name). Bad input is refused with a message naming the field, and nothing is written."""

from __future__ import annotations

import re

import pytest
from PIL import Image

from vanguard.audit.models import AuditRecord
from vanguard.core.photos import MAX_PHOTO_BYTES
from vanguard.org.tests import factories as org_factories
from vanguard.posts.models import ModelPost, PostMember

from .pages import image_bytes, text, upload, url

pytestmark = pytest.mark.django_db


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path
    return tmp_path


def _data(world, **changes) -> dict:
    data = {
        "name": "一车队1路党员示范岗",
        "kind": ModelPost.Kind.TEAM,
        "location": "一车队1路",
        "description": "准点发车,文明服务",
        "complaint_phone": "0317-1234567",
        "members-TOTAL_FORMS": "3",
        "members-INITIAL_FORMS": "0",
        "members-MIN_NUM_FORMS": "0",
        "members-MAX_NUM_FORMS": "20",
        "members-0-member": str(world.member_a.pk),
        "members-0-job": "驾驶员",
        "members-0-motto": "一心为乘客,服务无止境",
    }
    data.update(changes)
    return data


def _apply(client, world, organisation=None, **changes):
    target = url("apply") + f"?organisation={(organisation or world.branch_a).pk}"
    return client.post(target, _data(world, **changes))


def test_the_secretary_applies_with_a_member_and_a_photo(world, secretary_a, as_user, media):
    client = as_user(secretary_a)
    form = text(client.get(url("apply")))
    # The secretary's one branch is chosen already; its members are offered.
    assert "一车队1路" not in form and "王建国" in form and "李红梅" not in form
    response = _apply(client, world, **{"members-0-photo": upload(size=(1600, 2000), exif=True)})
    post = ModelPost.objects.get(name="一车队1路党员示范岗")
    assert response.status_code == 302 and response["Location"] == url("detail", post.pk)
    assert (post.status, post.organisation, post.kind, post.complaint_phone) == (
        ModelPost.Status.APPLIED,
        world.branch_a,
        ModelPost.Kind.TEAM,
        "0317-1234567",
    )
    entry = PostMember.objects.get(post=post)
    assert (entry.member, entry.job, entry.motto) == (world.member_a, "驾驶员", "一心为乘客,服务无止境")
    # Stored under a random name, no larger than 1200 pixels a side, without the phone's metadata.
    assert re.fullmatch(r"posts/photos/[0-9a-f]{32}\.jpg", entry.photo.name)
    with Image.open(media / entry.photo.name) as stored:
        assert max(stored.size) == 1200 and not stored.getexif()
    page = text(client.get(response["Location"]))
    assert "已提交“一车队1路党员示范岗”的申请" in page and "待审批" in page
    assert AuditRecord.objects.filter(action="create", object_type="posts.modelpost").exists()


def test_a_png_photo_is_kept_as_png(world, secretary_a, as_user):
    _apply(as_user(secretary_a), world, **{"members-0-photo": upload("me.png", "PNG")})
    assert PostMember.objects.get().photo.name.endswith(".png")


def test_the_office_chooses_the_branch_first(world, office, as_user):
    client = as_user(office)
    page = text(client.get(url("apply")))
    assert "请先选择申请示范岗的党支部或党小组。" in page and "一分公司党支部" in page
    page = text(client.get(url("apply"), {"organisation": world.branch_b.pk}))
    assert "李红梅" in page and "王建国" not in page
    data = _data(world, **{"members-0-member": str(world.member_b.pk), "name": "二分公司售票窗口"})
    client.post(url("apply") + f"?organisation={world.branch_b.pk}", data)
    assert ModelPost.objects.get(name="二分公司售票窗口").organisation == world.branch_b


def test_more_member_rows_can_be_asked_for(world, secretary_a, as_user):
    page = text(as_user(secretary_a).get(url("apply"), {"organisation": world.branch_a.pk, "rows": "6"}))
    assert 'name="members-5-motto"' in page and 'name="members-6-motto"' not in page


@pytest.mark.parametrize(
    ("changes", "message"),
    [
        (
            {"members-0-photo": upload("notes.jpg", content=b"this is not a picture")},
            "所选文件不是图片或已损坏",
        ),
        ({"members-0-photo": upload("anim.gif", "GIF")}, "照片须为JPEG或PNG格式。"),
        (
            {"members-0-photo": upload("huge.jpg", content=b"\xff" * (MAX_PHOTO_BYTES + 1))},
            "照片不能超过5 MB",
        ),
        ({"members-0-motto": ""}, "请填写格言式承诺。"),
        ({"members-0-member": "", "members-0-job": "", "members-0-motto": ""}, "示范岗至少要有一名党员。"),
        ({"name": ""}, "请填写示范岗名称。"),
        ({"complaint_phone": "投诉请找站长"}, "请填写正确的电话号码"),
        (
            {
                "members-1-member": "MEMBER_A",
                "members-1-motto": "再写一次",
            },
            "王建国重复列入。",
        ),
    ],
)
def test_bad_input_is_refused_with_a_message_and_nothing_is_written(
    world, secretary_a, as_user, changes, message
):
    changes = {k: (str(world.member_a.pk) if v == "MEMBER_A" else v) for k, v in changes.items()}
    page = text(_apply(as_user(secretary_a), world, **changes))
    assert message in page
    assert not ModelPost.objects.exists() and not PostMember.objects.exists()


def test_a_member_of_another_branch_cannot_be_put_on_the_post(world, secretary_a, as_user):
    page = text(_apply(as_user(secretary_a), world, **{"members-0-member": str(world.member_b.pk)}))
    assert "所选党员不是本支部的党员。" in page and not ModelPost.objects.exists()


def test_a_second_post_with_the_same_name_is_refused(world, secretary_a, as_user):
    client = as_user(secretary_a)
    _apply(client, world)
    other = org_factories.member(world.branch_a, "赵强")
    page = text(_apply(client, world, **{"members-0-member": str(other.pk)}))
    assert "本支部已有名为“一车队1路党员示范岗”的示范岗。" in page
    assert ModelPost.objects.count() == 1


def test_the_secretary_of_another_branch_cannot_apply_for_branch_a(world, secretary_b, as_user):
    client = as_user(secretary_b)
    page = text(client.get(url("apply"), {"organisation": world.branch_a.pk}))
    assert "所选党组织不存在或不在您的管理范围内。" in page
    page = text(_apply(client, world))
    assert "所选党组织不存在或不在您的管理范围内。" in page and "请先选择申请示范岗的党支部" in page
    assert not ModelPost.objects.exists()


@pytest.mark.parametrize("persona", ["member_a", "supervisor", "community_worker", "auditor"])
def test_only_secretaries_and_the_office_apply(world, persona, request, as_user):
    client = as_user(request.getfixturevalue(persona))
    assert client.get(url("apply")).status_code == 403
    assert _apply(client, world).status_code == 403
    assert not ModelPost.objects.exists()


def test_applying_needs_a_login(world, resident):
    response = resident.get(url("apply"))
    assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")


def test_a_photo_upload_is_refused_without_its_bytes_changing_anything(world, secretary_a, as_user, media):
    # The photo is checked before anything is stored: a refused application leaves no file behind.
    _apply(as_user(secretary_a), world, name="", **{"members-0-photo": upload(content=image_bytes())})
    assert not list(media.rglob("*.jpg"))
