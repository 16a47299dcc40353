"""/api/v1/community-posts/, community-post-claims/ and service-records/: the community sets posts, members
claim them (a full post is refused), the community confirms; service recorded by the member waits for
verification and is never credited until then. Each persona sees what its scope reaches."""

from __future__ import annotations

import datetime as dt
from decimal import Decimal

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.api.tests.helpers import api_client
from vanguard.community.models import CommunityPost, PostClaim, ServiceRecord
from vanguard.org.tests import factories
from vanguard.timebank.models import Account, Entry

from . import api_factories as cf

pytestmark = pytest.mark.django_db
POSTS = "/api/v1/community-posts/"
CLAIMS = "/api/v1/community-post-claims/"
RECORDS = "/api/v1/service-records/"


# --- posts and claims ------------------------------------------------------------------------------------


def test_the_community_sets_a_post_and_bad_input_names_the_field(world, community_worker):
    client = api_client(community_worker)
    body = {"community": world.community.pk, "name": "3号楼楼栋长", "category": "building", "places": 2}
    response = client.post(POSTS, body, format="json")
    assert response.status_code == 201
    assert {k: response.json()[k] for k in ("name", "places", "taken", "active", "community_name")} == {
        "name": "3号楼楼栋长",
        "places": 2,
        "taken": 0,
        "active": True,
        "community_name": "南园社区",
    }
    response = client.post(POSTS, body, format="json")
    assert response.status_code == 400
    assert response.json()["errors"] == {"name": ["本社区已有名为“3号楼楼栋长”的岗位。"]}
    wrongs = (({"places": 0}, "places"), ({"category": "boss"}, "category"), ({"name": ""}, "name"))
    for wrong, field in wrongs:
        assert client.post(POSTS, {**body, **wrong}, format="json").json()["errors"].keys() == {field}
    assert CommunityPost.objects.count() == 1


def test_only_the_communitys_workers_set_posts(world, member_a, secretary_a):
    body = {"community": world.community.pk, "name": "巡逻岗", "category": "patrol", "places": 2}
    for user in (member_a, secretary_a):
        response = api_client(user).post(POSTS, body, format="json")
        assert response.status_code == 403
        assert response.json()["detail"] == "只有本社区的工作人员可以设置社区岗位。"
    other = cf.worker_of(world.other_community)
    response = api_client(other).post(POSTS, body, format="json")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有本社区的工作人员可以设置社区岗位。"
    assert not CommunityPost.objects.exists()


def test_a_registered_member_claims_and_a_full_post_is_refused(world, member_a, community_worker):
    cf.registration(world.member_a, world.community)
    post = cf.post(world.community, places=1)
    other = factories.member(world.branch_a, "赵志强", residence=world.community)
    other_user = cf.member_user(other, "zhao")
    cf.registration(other, world.community)
    response = api_client(other_user).post(f"{POSTS}{post.pk}/claim/")
    assert response.status_code == 201
    claim = response.json()
    assert (claim["member_name"], claim["status"], claim["post_name"]) == ("赵志强", "claimed", "3号楼楼栋长")
    listed = api_client(member_a).get(POSTS, {"open": "true"}).json()
    assert listed["count"] == 0  # no place left
    response = api_client(member_a).post(f"{POSTS}{post.pk}/claim/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:“3号楼楼栋长”的1个名额已满,请选择其他岗位。"
    assert PostClaim.objects.count() == 1
    # The community confirms the claim.
    response = api_client(community_worker).post(f"{CLAIMS}{claim['id']}/confirm/")
    assert response.status_code == 200 and response.json()["status"] == "confirmed"
    response = api_client(community_worker).post(f"{CLAIMS}{claim['id']}/confirm/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:该认领当前为“已上岗”,不能确认。"


def test_who_sees_posts_and_claims(world, member_a, community_worker, secretary_a, secretary_b):
    post = cf.post(world.community)
    # Not registered: member_a does not see the community's posts.
    assert api_client(member_a).get(f"{POSTS}{post.pk}/").status_code == 404
    assert api_client(member_a).post(f"{POSTS}{post.pk}/claim/").status_code == 404
    cf.registration(world.member_a, world.community)
    assert api_client(member_a).get(POSTS).json()["count"] == 1
    claim = cf.claim(post, world.member_a, confirm=False)
    assert api_client(community_worker).get(CLAIMS).json()["count"] == 1
    assert api_client(secretary_a).get(f"{CLAIMS}{claim.pk}/").json()["member"] == world.member_a.pk
    # The branch sees the post its member claimed, and reads only: confirming is the community's.
    assert api_client(secretary_a).get(f"{POSTS}{post.pk}/").status_code == 200
    response = api_client(secretary_a).post(f"{CLAIMS}{claim.pk}/confirm/")
    assert response.status_code == 403
    assert response.json()["detail"] == "只有本社区的工作人员可以确认上岗。"
    other = cf.worker_of(world.other_community)
    for user in (secretary_b, other):
        client = api_client(user)
        assert client.get(f"{POSTS}{post.pk}/").status_code == 404
        assert client.get(f"{CLAIMS}{claim.pk}/").status_code == 404
        assert client.post(f"{CLAIMS}{claim.pk}/confirm/").status_code == 404
        assert client.post(f"{POSTS}{post.pk}/claim/").status_code == 404
        assert client.get(CLAIMS).json()["count"] == 0
    anonymous = api_client()
    for url in (POSTS, f"{POSTS}{post.pk}/", CLAIMS, f"{CLAIMS}{claim.pk}/"):
        assert anonymous.get(url).status_code == 401
    assert anonymous.post(f"{POSTS}{post.pk}/claim/").status_code == 401
    assert PostClaim.objects.get().status == "claimed"


def test_a_community_worker_cannot_claim_for_a_member(world, community_worker):
    post = cf.post(world.community)
    response = api_client(community_worker).post(f"{POSTS}{post.pk}/claim/")
    assert response.status_code == 403
    assert response.json()["detail"] == "只能为自己认领岗位。"


# --- service records -------------------------------------------------------------------------------------


def _report(client, world, **extra):
    body = {
        "community": world.community.pk,
        "activity": "清理楼道小广告",
        "served_on": "2026-08-12",
        "hours": "2.5",
        **extra,
    }
    return client.post(RECORDS, body, format="json")


def test_a_members_own_record_waits_and_is_never_credited_until_verified(world, member_a, community_worker):
    response = _report(api_client(member_a), world)
    assert response.status_code == 201
    record = response.json()
    assert (record["status"], record["credited"], record["hours"]) == ("reported", False, "2.5")
    assert not Entry.objects.exists()
    response = api_client(community_worker).post(f"{RECORDS}{record['id']}/verify/")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["credited"]) == ("verified", True)
    assert cf.balance(Account.objects.get(member=world.member_a)) == Decimal("2.5")
    response = api_client(community_worker).post(f"{RECORDS}{record['id']}/verify/")
    assert response.status_code == 400
    assert response.json()["detail"] == "请求数据有误:该服务记录当前为“已核实”,不能再核实。"
    assert Entry.objects.count() == 2


def test_a_worker_enters_a_record_verified_and_credited_at_once(world, community_worker):
    response = _report(api_client(community_worker), world, member=world.member_a.pk, hours=3)
    assert response.status_code == 201, response.json()
    assert (response.json()["status"], response.json()["credited"]) == ("verified", True)
    assert cf.balance(Account.objects.get(member=world.member_a)) == Decimal("3")


def test_the_community_rejects_with_a_reason_and_nothing_is_credited(world, member_a, community_worker):
    record = _report(api_client(member_a), world).json()
    client = api_client(community_worker)
    response = client.post(f"{RECORDS}{record['id']}/reject/", {"reason": ""}, format="json")
    assert response.status_code == 400 and "reason" in response.json()["errors"]
    response = client.post(f"{RECORDS}{record['id']}/reject/", {"reason": "当天无此活动"}, format="json")
    assert response.status_code == 200
    assert (response.json()["status"], response.json()["rejection_reason"]) == ("rejected", "当天无此活动")
    assert client.post(f"{RECORDS}{record['id']}/verify/").status_code == 400
    assert not Entry.objects.exists()


@pytest.mark.parametrize(
    ("extra", "field", "message"),
    [
        ({"hours": "1.3"}, "hours", "时长以0.5小时为单位。"),
        ({"hours": "25"}, "hours", "时长应大于0且不超过24小时。"),
        ({"hours": "0"}, "hours", "时长应大于0且不超过24小时。"),
        ({"served_on": "2099-01-01"}, "served_on", "服务日期不能晚于今天。"),
        ({"activity": ""}, "activity", None),
        ({"community": 999999}, "community", "所选社区不存在。"),
    ],
)
def test_bad_service_input_names_the_field(world, member_a, extra, field, message):
    response = _report(api_client(member_a), world, **extra)
    assert response.status_code == 400
    assert set(response.json()["errors"]) == {field}
    if message:
        assert response.json()["errors"][field] == [message]
    assert not ServiceRecord.objects.exists()


def test_who_sees_and_verifies_records(world, member_a, secretary_a, secretary_b, office):
    record = cf.record(world.member_a, world.community, verify=False)
    assert api_client(member_a).get(RECORDS).json()["count"] == 1
    assert api_client(secretary_a).get(f"{RECORDS}{record.pk}/").status_code == 200
    for user in (member_a, secretary_a, office):
        response = api_client(user).post(f"{RECORDS}{record.pk}/verify/")
        assert response.status_code == 403
        assert response.json()["detail"] == "只有本社区的工作人员可以核实服务记录。"
    other = cf.worker_of(world.other_community)
    for user in (secretary_b, other):
        client = api_client(user)
        assert client.get(f"{RECORDS}{record.pk}/").status_code == 404
        assert client.post(f"{RECORDS}{record.pk}/verify/").status_code == 404
        assert client.post(f"{RECORDS}{record.pk}/reject/", {"reason": "x"}).status_code == 404
        assert client.get(RECORDS).json()["count"] == 0
    # A member records service for themself only: another's record is a refusal.
    response = _report(api_client(member_a), world, member=world.member_b.pk)
    assert response.status_code == 400  # 李红梅 is out of member_a's sight
    anonymous = api_client()
    assert anonymous.get(RECORDS).status_code == 401
    assert anonymous.post(f"{RECORDS}{record.pk}/verify/").status_code == 401
    assert ServiceRecord.objects.get().status == "reported"


def test_records_filter_and_list_in_a_fixed_number_of_queries(world, community_worker, office):
    cf.record(world.member_a, world.community, "2", served_on=dt.date(2026, 7, 1))
    cf.record(world.member_a, world.community, "1", served_on=dt.date(2026, 9, 1), verify=False)
    client = api_client(office)
    assert api_client(community_worker).get(RECORDS, {"status": "reported"}).json()["count"] == 1
    params = {"served_from": "2026-08-01", "served_to": "2026-09-30"}
    assert client.get(RECORDS, params).json()["count"] == 1

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(RECORDS).status_code == 200
        return len(captured)

    small = queries()
    for n in range(12):
        member = factories.member(world.branch_b, f"党员{n}", residence=world.other_community)
        cf.record(member, world.other_community, "1.5", verify=n % 2 == 0)
    assert queries() == small


# --- feedback --------------------------------------------------------------------------------------------


def test_the_branch_reads_its_members_quarterly_feedback(world, secretary_a, secretary_b, office):
    cf.registration(world.member_a, world.community)
    cf.record(world.member_a, world.community, "2", served_on=dt.date(2026, 7, 3))
    cf.record(world.member_a, world.community, "3", served_on=dt.date(2026, 8, 3), verify=False)
    params = {"organisation": world.branch_a.pk, "quarter": "2026Q3"}
    response = api_client(secretary_a).get("/api/v1/feedback/", params)
    assert response.status_code == 200
    (row,) = response.json()["results"]
    assert {k: row[k] for k in ("name", "community_name", "records", "hours", "waiting", "posts")} == {
        "name": "王建国",
        "community_name": "南园社区",
        "records": 1,
        "hours": "2.0",
        "waiting": 1,
        "posts": 0,
    }
    assert api_client(office).get("/api/v1/feedback/", params).json()["count"] == 1
    # Another branch, a community worker, a member, anonymous.
    assert api_client(secretary_b).get("/api/v1/feedback/", params).status_code == 404
    response = api_client(cf.worker_of(world.community)).get("/api/v1/feedback/", params)
    assert (response.status_code, response.json()["detail"]) == (403, "情况反馈由党员所在的党组织查看。")
    assert api_client().get("/api/v1/feedback/", params).status_code == 401
    response = api_client(secretary_a).get("/api/v1/feedback/", {**params, "quarter": "2026-07"})
    assert response.status_code == 400
    assert response.json()["errors"] == {"quarter": ["请按“年份Q季度”填写季度,如 2026Q3。"]}
    assert api_client(secretary_a).get("/api/v1/feedback/", {"quarter": "2026Q3"}).status_code == 400


def test_posts_and_claims_list_in_a_fixed_number_of_queries(world, community_worker):
    client = api_client(community_worker)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(POSTS).status_code == 200
            assert client.get(CLAIMS).status_code == 200
        return len(captured)

    cf.claim(cf.post(world.community, "岗位0"), world.member_a)
    small = queries()
    for n in range(1, 12):
        post = cf.post(world.community, f"岗位{n}", places=3)
        member = factories.member(world.branch_b, f"党员{n}", residence=world.community)
        cf.claim(post, member, confirm=n % 2 == 0)
    body = client.get(POSTS).json()
    assert body["count"] == 12 and {row["taken"] for row in body["results"]} == {1}
    assert queries() == small
