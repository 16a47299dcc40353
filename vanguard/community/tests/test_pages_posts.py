"""Posts and claims (创岗、设岗、认岗、领岗) in the browser: the worker creates a post with its places, a
registered member claims it on a phone, a full post is refused with a clear message, the worker confirms the
claim; bad input is named; another community's worker and another branch get 404; fixed queries."""

from __future__ import annotations

import pytest

from vanguard.community.models import CommunityPost, PostClaim
from vanguard.org.tests import factories

from . import api_factories as made
from .pages import count_queries, messages_of, other_worker, register_a, text, url

pytestmark = pytest.mark.django_db


@pytest.fixture
def registered(world, member_a):
    return register_a(world)


@pytest.fixture
def worker_b(world):
    return other_worker(world)


def _create(client, world, **extra):
    data = {
        "community": world.community.pk,
        "name": "3号楼楼栋长",
        "category": "building",
        "places": "1",
        "description": "负责3号楼的卫生和安全",
    }
    return client.post(url("post_create"), {**data, **extra})


def test_the_worker_creates_a_post(world, community_worker, as_user):
    client = as_user(community_worker)
    page = text(client.get(url("post_create")))
    assert 'type="hidden" name="community"' in page  # one community: nothing to choose
    response = _create(client, world)
    post = CommunityPost.objects.get()
    assert response["Location"] == url("post_detail", post.pk)
    assert messages_of(response) == ["已设置岗位“3号楼楼栋长”,共1个名额。"]
    assert (post.community, post.places, post.category) == (world.community, 1, "building")


@pytest.mark.parametrize(
    ("extra", "message"),
    [
        ({"places": "0"}, "名额至少为1。"),
        ({"places": "两个"}, "名额请填写整数。"),
        ({"name": ""}, "请填写岗位名称。"),
        ({"community": "999999"}, "社区:请选择您所在的社区。"),
        ({"community": ""}, "请选择社区。"),
    ],
)
def test_bad_input_is_named_and_nothing_is_saved(world, community_worker, as_user, extra, message):
    page = text(_create(as_user(community_worker), world, **extra))
    assert message in page
    assert not CommunityPost.objects.exists()


def test_a_second_post_of_the_same_name_is_refused(world, community_worker, as_user):
    client = as_user(community_worker)
    _create(client, world)
    assert "本社区已有名为“3号楼楼栋长”的岗位。" in text(_create(client, world))
    assert CommunityPost.objects.count() == 1


def test_members_and_outsiders_cannot_create_posts(world, member_a, secretary_a, as_user):
    for user in (member_a, secretary_a):
        assert as_user(user).get(url("post_create")).status_code == 403
        assert _create(as_user(user), world).status_code == 403
    assert not CommunityPost.objects.exists()


def test_a_registered_member_claims_and_the_worker_confirms(
    world, member_a, community_worker, registered, as_user
):
    post = made.post(world.community, places=2)
    client = as_user(member_a)
    listing = text(client.get(url("post_list")))
    assert "3号楼楼栋长" in listing and "已认领 0/2" in listing
    assert "认领这个岗位" in text(client.get(url("post_detail", post.pk)))
    response = client.post(url("post_claim", post.pk))
    assert messages_of(response) == ["已认领“3号楼楼栋长”,等待社区确认上岗。"]
    assert "我已认领" in text(client.get(url("post_list")))
    again = client.post(url("post_claim", post.pk))
    assert messages_of(again)[-1] == "您已认领“3号楼楼栋长”。"
    worker = as_user(community_worker)
    claim = PostClaim.objects.get()
    page = text(worker.get(url("post_detail", post.pk)))
    assert "王建国" in page and url("claim_confirm", claim.pk) in page
    response = worker.post(url("claim_confirm", claim.pk))
    assert messages_of(response) == ["已确认王建国上岗“3号楼楼栋长”。"]
    claim.refresh_from_db()
    assert claim.status == PostClaim.Status.CONFIRMED
    assert "已上岗" in text(client.get(url("post_list")))


def test_claiming_a_full_post_is_refused_with_a_clear_message(world, member_a, registered, as_user):
    post = made.post(world.community, places=1)
    other = factories.member(world.branch_b, "赵志强", residence=world.community)
    made.registration(other, world.community)
    made.claim(post, other, confirm=False)
    client = as_user(member_a)
    assert "名额已满" in text(client.get(url("post_list")))
    response = client.post(url("post_claim", post.pk))
    assert messages_of(response) == ["“3号楼楼栋长”的1个名额已满,请选择其他岗位。"]
    assert PostClaim.objects.count() == 1


def test_another_communitys_posts_are_out_of_sight(
    world, member_a, worker_b, secretary_b, registered, as_user
):
    post = made.post(world.community)
    claim = made.claim(post, world.member_a, confirm=False)
    for user in (worker_b, secretary_b):
        client = as_user(user)
        assert client.get(url("post_detail", post.pk)).status_code == 404
        assert client.post(url("post_claim", post.pk)).status_code == 404
        assert client.post(url("claim_confirm", claim.pk)).status_code == 404
        assert "3号楼楼栋长" not in text(client.get(url("post_list")))
    claim.refresh_from_db()
    assert claim.status == PostClaim.Status.CLAIMED


def test_a_member_not_registered_there_does_not_see_the_post(world, member_a, as_user):
    post = made.post(world.other_community)
    client = as_user(member_a)
    assert client.get(url("post_detail", post.pk)).status_code == 404
    assert "去报到" in text(client.get(url("post_list")))


def test_the_member_cannot_confirm_their_own_claim(world, member_a, registered, as_user):
    claim = made.claim(made.post(world.community), world.member_a, confirm=False)
    assert as_user(member_a).post(url("claim_confirm", claim.pk)).status_code == 403
    claim.refresh_from_db()
    assert claim.status == PostClaim.Status.CLAIMED


def test_the_secretary_reads_the_post_their_member_claimed(world, secretary_a, registered, as_user):
    post = made.post(world.community)
    made.claim(post, world.member_a)
    page = text(as_user(secretary_a).get(url("post_detail", post.pk)))
    assert "王建国" in page and "确认上岗" not in page


def test_the_post_list_runs_a_fixed_number_of_queries(world, member_a, community_worker, registered, as_user):
    made.claim(made.post(world.community, "岗位0"), world.member_a, confirm=False)
    worker, member = as_user(community_worker), as_user(member_a)
    few = (count_queries(worker, url("post_list")), count_queries(member, url("post_list")))
    for i in range(1, 12):
        post = made.post(world.community, f"岗位{i}", places=3)
        if i % 2:
            made.claim(post, world.member_a, confirm=bool(i % 3))
    assert (
        (count_queries(worker, url("post_list")), count_queries(member, url("post_list"))) == few == (6, 10)
    )
