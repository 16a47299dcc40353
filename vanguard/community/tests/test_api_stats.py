"""/api/v1/stats/in-service/: the community's book (知人数、知职业、知优势) against a hand count of a few
dozen members, and who may read which cell's book."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.api.tests.helpers import api_client
from vanguard.community import services
from vanguard.org.models import Cell, Member
from vanguard.org.tests import factories

from . import api_factories as cf

pytestmark = pytest.mark.django_db
URL = "/api/v1/stats/in-service/"


@pytest.fixture
def book(world):
    """A street of three communities. Confirmed in-service members (branch A in 南园, branch B elsewhere):
    南园社区 — 8 teachers (儿童教育、书法), 4 teachers (文艺), 5 police (法律咨询、安全防范), 3 drivers
    (驾驶、维修: 王建国 and two more); 新风社区 — 6 teachers (书法; one wrote 书法 twice), 4 区机关
    (政策宣传,电脑 with commas, ASCII or full-width); 公园社区 — 2 police (安全防范). Not counted:
    2 waiting and 2 retired in 南园, 1 returned in 新风, 1 registered in another street."""
    park = factories.cell("公园社区", parent=world.street)
    elsewhere = factories.cell("站前社区", parent=factories.cell("站前街道", Cell.Kind.STREET))
    n = 0

    def register(
        branch, community, occupation, strengths, count, *, category="in_service", status="confirmed"
    ):
        nonlocal n
        for _ in range(count):
            n += 1
            member = factories.member(branch, f"党员{n:02d}", category=category, residence=community)
            registration = services.registration_submit(
                actor=SYSTEM, member=member, community=community, occupation=occupation, strengths=strengths
            )
            if status == "confirmed":
                services.registration_confirm(actor=SYSTEM, registration=registration)
            elif status == "returned":
                services.registration_return(actor=SYSTEM, registration=registration, reason="不在本社区居住")

    a, b, south, new = world.branch_a, world.branch_b, world.community, world.other_community
    register(a, south, "教师", "儿童教育、书法", 8)
    register(a, south, "教师", "文艺", 4)
    register(a, south, "公安", "法律咨询、安全防范", 5)
    cf.registration(world.member_a, south, occupation="驾驶员", strengths="驾驶、维修")
    register(a, south, "驾驶员", "驾驶、 维修", 2)
    register(b, new, "教师", "书法、书法", 1)
    register(b, new, "教师", "书法", 5)
    register(b, new, "区机关", "政策宣传,电脑", 2)
    register(b, new, "区机关", "政策宣传\uff0c电脑", 2)  # a full-width comma
    register(b, park, "公安", "安全防范", 2)
    register(a, south, "教师", "书法", 2, status="submitted")
    register(a, south, "退休教师", "书法", 2, category=Member.Category.RETIRED)
    register(b, new, "教师", "书法", 1, status="returned")
    register(b, elsewhere, "教师", "书法", 1)
    return world, park


HAND_COUNT = {
    "total": 32,
    "by_community": {"南园社区": 20, "新风社区": 10, "公园社区": 2},
    "by_occupation": {"教师": 18, "公安": 7, "区机关": 4, "驾驶员": 3},
    "by_strength": {
        "书法": 14,
        "儿童教育": 8,
        "安全防范": 7,
        "法律咨询": 5,
        "文艺": 4,
        "政策宣传": 4,
        "电脑": 4,
        "驾驶": 3,
        "维修": 3,
    },
}


def _counts(body: dict) -> dict:
    return {
        "total": body["total"],
        "by_community": {row["name"]: row["count"] for row in body["by_community"]},
        "by_occupation": {row["occupation"]: row["count"] for row in body["by_occupation"]},
        "by_strength": {row["strength"]: row["count"] for row in body["by_strength"]},
    }


def test_the_streets_book_matches_a_hand_count(book, office):
    world, _park = book
    response = api_client(office).get(URL, {"cell": world.street.pk})
    assert response.status_code == 200
    body = response.json()
    assert set(body) == {"total", "by_community", "by_occupation", "by_strength"}
    assert _counts(body) == HAND_COUNT
    assert body["by_community"][0] == {"cell": world.community.pk, "name": "南园社区", "count": 20}
    assert set(body["by_community"][0]) == {"cell", "name", "count"}
    # Largest first.
    assert [row["count"] for row in body["by_occupation"]] == [18, 7, 4, 3]
    assert body["by_strength"][0] == {"strength": "书法", "count": 14}


def test_a_community_worker_reads_their_communitys_book_only(book, community_worker):
    world, park = book
    client = api_client(community_worker)
    body = client.get(URL, {"cell": world.community.pk}).json()
    assert _counts(body) == {
        "total": 20,
        "by_community": {"南园社区": 20},
        "by_occupation": {"教师": 12, "公安": 5, "驾驶员": 3},
        "by_strength": {
            "儿童教育": 8,
            "书法": 8,
            "文艺": 4,
            "法律咨询": 5,
            "安全防范": 5,
            "驾驶": 3,
            "维修": 3,
        },
    }
    # The street and another community are not theirs to read: as if missing.
    for cell in (world.street, world.other_community, park):
        assert client.get(URL, {"cell": cell.pk}).status_code == 404
    assert (
        api_client(cf.worker_of(world.other_community)).get(URL, {"cell": world.community.pk}).status_code
        == 404
    )
    # A worker of the whole street reads every community.
    street_worker = cf.worker_of(world.street, "street_worker")
    assert _counts(api_client(street_worker).get(URL, {"cell": world.street.pk}).json()) == HAND_COUNT


def test_a_branch_counts_only_its_own_members_who_registered(book, secretary_a, secretary_b):
    world, _park = book
    a = api_client(secretary_a).get(URL, {"cell": world.street.pk}).json()
    assert (a["total"], {r["name"]: r["count"] for r in a["by_community"]}) == (
        20,
        {"南园社区": 20, "新风社区": 0, "公园社区": 0},
    )
    b = api_client(secretary_b).get(URL, {"cell": world.street.pk}).json()
    assert (b["total"], b["by_occupation"]) == (
        12,
        [
            {"occupation": "教师", "count": 6},
            {"occupation": "区机关", "count": 4},
            {"occupation": "公安", "count": 2},
        ],
    )


def test_bad_cells_and_the_wrong_roles_are_refused(book, member_a, office):
    world, _park = book
    client = api_client(office)
    estate = factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
    response = client.get(URL, {"cell": estate.pk})
    assert response.status_code == 400
    assert response.json()["errors"] == {"cell": ["请选择街道或社区:“南园小区”是小区。"]}
    assert client.get(URL).status_code == 400
    assert client.get(URL, {"cell": "南园"}).status_code == 400
    assert client.get(URL, {"cell": 999999}).status_code == 404
    response = api_client(member_a).get(URL, {"cell": world.community.pk})
    assert response.status_code == 403
    assert response.json()["detail"] == "社区的在职党员名册由社区工作人员和党组织查看。"
    assert api_client().get(URL, {"cell": world.community.pk}).status_code == 401


def test_the_book_is_counted_in_a_fixed_number_of_queries(world, office):
    client = api_client(office)

    def queries() -> int:
        with CaptureQueriesContext(connection) as captured:
            assert client.get(URL, {"cell": world.street.pk}).status_code == 200
        return len(captured)

    cf.registration(world.member_a, world.community, strengths="驾驶")
    small = queries()
    for n in range(20):
        member = factories.member(world.branch_b, f"党员{n}", residence=world.other_community)
        cf.registration(member, world.other_community, occupation=f"职业{n % 5}", strengths=f"特长{n}、书法")
    assert queries() == small
