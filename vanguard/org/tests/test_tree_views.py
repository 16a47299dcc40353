"""The organisation tree and the grid: the count on each node, one level loaded at a time in a fixed
number of queries, and each page and children endpoint answering by role and scope."""

from __future__ import annotations

import pytest
from django.db import connection
from django.test.utils import CaptureQueriesContext
from django.urls import reverse

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.org import selectors
from vanguard.org.models import Cell, Organisation
from vanguard.org.tests import factories


def url(name: str, *args) -> str:
    return reverse(f"org:{name}", args=args)


def counts(response) -> dict[str, dict[str, int]]:
    return {row.node.name: row.counts for row in response.context["rows"]}


@pytest.fixture
def roster(world):
    """Branch A holds 王建国 and two more, its group one more; branch B holds 李红梅."""
    factories.member(world.branch_a, "赵六")
    factories.member(world.branch_a, "钱七", residence=world.other_community)
    factories.member(world.group_a, "孙八", residence=world.community, workplace=world.team)
    return world


# --- the organisation tree -----------------------------------------------------------------------------


def test_the_tree_counts_each_node_with_everything_under_it(roster, office, as_user):
    client = as_user(office)

    page = client.get(url("organisation_tree"))
    assert page.status_code == 200
    assert counts(page) == {"公交公司党委": {"members": 5}}
    assert "(5)" in page.content.decode()

    level = client.get(url("organisation_children", roster.committee.pk))
    # Branch A: 王建国, 赵六, 钱七 and 孙八 of its group.
    assert counts(level) == {"一分公司党支部": {"members": 4}, "二分公司党支部": {"members": 1}}

    groups = client.get(url("organisation_children", roster.branch_a.pk))
    assert counts(groups) == {"第一党小组": {"members": 1}}


def test_a_node_without_members_shows_zero_and_a_leaf_has_no_toggle(world, office, as_user):
    empty = factories.organisation("三分公司党支部", parent=world.committee)
    level = as_user(office).get(url("organisation_children", world.committee.pk))
    assert counts(level)["三分公司党支部"] == {"members": 0}
    content = level.content.decode()
    assert url("organisation_children", world.branch_a.pk) in content  # branch A has a group
    assert url("organisation_children", empty.pk) not in content


def test_a_secretary_sees_their_branch_as_the_root(roster, secretary_a, as_user):
    page = as_user(secretary_a).get(url("organisation_tree"))
    assert counts(page) == {"一分公司党支部": {"members": 4}}
    assert "二分公司党支部" not in page.content.decode()


def test_roots_at_different_depths_are_each_counted(roster, as_user):
    # A secretary of branch B who also leads group A: two roots, at depths 2 and 3.
    from vanguard.conftest import _user

    user = _user("two_roots", Role.SECRETARY, organisation=roster.branch_b)
    RoleAssignment.objects.create(user=user, role=Role.SECRETARY, organisation=roster.group_a)
    page = as_user(user).get(url("organisation_tree"))
    assert counts(page) == {"二分公司党支部": {"members": 1}, "第一党小组": {"members": 1}}


def test_counts_only_include_the_members_the_user_may_see(roster, office, secretary_a):
    rows = selectors.organisation_level(user=secretary_a, nodes=[roster.committee])
    assert rows[0].counts == {"members": 4}
    rows = selectors.organisation_level(user=office, nodes=[roster.committee])
    assert rows[0].counts == {"members": 5}


def _children_queries(client, parent: Organisation, expected_rows: int) -> int:
    client.get(url("organisation_children", parent.pk))  # the session's first request writes it
    with CaptureQueriesContext(connection) as ctx:
        response = client.get(url("organisation_children", parent.pk))
    assert response.status_code == 200
    assert len(response.context["rows"]) == expected_rows
    return len(ctx.captured_queries)


def test_loading_one_level_takes_the_same_queries_for_3_and_12_children(world, office, as_user):
    client = as_user(office)
    factories.organisation("三分公司党支部", parent=world.committee)
    with_3 = _children_queries(client, world.committee, 3)
    for i in range(4, 13):
        branch = factories.organisation(f"第{i}分公司党支部", parent=world.committee)
        factories.organisation("第一党小组", Organisation.Kind.GROUP, parent=branch)
        factories.member(branch, f"党员{i}")
    with_12 = _children_queries(client, world.committee, 12)
    assert with_12 == with_3
    rows = counts(client.get(url("organisation_children", world.committee.pk)))
    assert rows["第12分公司党支部"] == {"members": 1}


# --- the grid ------------------------------------------------------------------------------------------


def test_the_grid_counts_members_living_and_working_in_each_cell(roster, office, as_user):
    client = as_user(office)

    page = client.get(url("cell_tree"))
    assert page.status_code == 200
    # 王建国 and 孙八 live in 南园社区, 李红梅 and 钱七 in 新风社区; 王建国 and 孙八 work in 一车队.
    assert counts(page) == {
        "东风街道": {"living": 4, "working": 0},
        "公交公司": {"living": 0, "working": 2},
    }
    assert "居住党员 4 · 工作党员 0" in page.content.decode()

    communities = client.get(url("cell_children", roster.street.pk))
    assert counts(communities) == {
        "南园社区": {"living": 2, "working": 0},
        "新风社区": {"living": 2, "working": 0},
    }
    assert "学习型" in communities.content.decode()

    teams = client.get(url("cell_children", roster.company.pk))
    assert counts(teams) == {"一车队": {"living": 0, "working": 2}}


def test_the_grid_counts_what_a_secretary_may_see(roster, secretary_b, as_user):
    page = as_user(secretary_b).get(url("cell_tree"))
    assert counts(page) == {
        "东风街道": {"living": 1, "working": 0},
        "公交公司": {"living": 0, "working": 0},
    }


def test_a_community_worker_starts_from_their_community(roster, community_worker, as_user):
    page = as_user(community_worker).get(url("cell_tree"))
    assert counts(page) == {"南园社区": {"living": 2, "working": 0}}


def test_a_deeper_grid_level_is_counted_in_its_ancestors(roster, office, as_user):
    estate = factories.cell("南园小区", Cell.Kind.ESTATE, parent=roster.community)
    building = factories.cell("1号楼", Cell.Kind.BUILDING, parent=estate)
    factories.member(roster.branch_b, "周九", residence=building)
    client = as_user(office)
    assert counts(client.get(url("cell_children", roster.street.pk)))["南园社区"] == {
        "living": 3,
        "working": 0,
    }
    assert counts(client.get(url("cell_children", roster.community.pk))) == {
        "南园小区": {"living": 1, "working": 0}
    }


def test_loading_one_grid_level_takes_the_same_queries_for_3_and_12_children(world, office, as_user):
    client = as_user(office)
    factories.cell("三号社区", parent=world.street)

    def queries(expected_rows: int) -> int:
        client.get(url("cell_children", world.street.pk))
        with CaptureQueriesContext(connection) as ctx:
            response = client.get(url("cell_children", world.street.pk))
        assert len(response.context["rows"]) == expected_rows
        return len(ctx.captured_queries)

    with_3 = queries(3)
    for i in range(4, 13):
        community = factories.cell(f"{i}号社区", parent=world.street)
        factories.member(world.branch_a, f"党员{i}", residence=community)
    assert queries(12) == with_3


# --- personas ------------------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("who", "status", "shows", "hides"),
    [
        ("office", 200, ["公交公司党委"], []),
        ("secretary_a", 200, ["一分公司党支部"], ["公交公司党委", "二分公司党支部"]),
        ("secretary_b", 200, ["二分公司党支部"], ["公交公司党委", "一分公司党支部"]),
        ("supervisor", 200, ["一分公司党支部"], ["二分公司党支部"]),
        ("community_worker", 200, [], ["公交公司党委", "一分公司党支部"]),
        ("member_a", 200, [], ["公交公司党委", "一分公司党支部"]),
        ("auditor", 403, [], []),
        ("nobody", 403, [], []),
    ],
)
def test_the_organisation_tree_answers_by_role(request, world, as_user, who, status, shows, hides):
    response = as_user(request.getfixturevalue(who)).get(url("organisation_tree"))
    assert response.status_code == status
    content = response.content.decode()
    for name in shows:
        assert name in content
    for name in hides:
        assert name not in content


@pytest.mark.parametrize(
    ("who", "node", "status"),
    [
        ("office", "committee", 200),
        ("office", "branch_b", 200),
        ("secretary_a", "branch_a", 200),
        ("secretary_a", "committee", 404),  # above their branch
        ("secretary_a", "branch_b", 404),
        ("secretary_b", "branch_a", 404),
        ("supervisor", "branch_a", 200),
        ("supervisor", "branch_b", 404),
        ("community_worker", "branch_a", 404),
        ("member_a", "branch_a", 404),
        ("auditor", "branch_a", 404),
        ("nobody", "branch_a", 404),
    ],
)
def test_the_organisation_children_answer_by_scope(request, world, as_user, who, node, status):
    response = as_user(request.getfixturevalue(who)).get(
        url("organisation_children", getattr(world, node).pk)
    )
    assert response.status_code == status


def test_the_children_of_branch_a_name_its_group(world, secretary_a, as_user):
    content = as_user(secretary_a).get(url("organisation_children", world.branch_a.pk)).content.decode()
    assert "第一党小组" in content


@pytest.mark.parametrize(
    ("who", "status"),
    [
        ("office", 200),
        ("secretary_a", 200),
        ("secretary_b", 200),
        ("supervisor", 200),
        ("community_worker", 200),
        ("member_a", 200),
        ("auditor", 403),
        ("nobody", 403),
    ],
)
def test_the_grid_page_answers_by_role(request, world, as_user, who, status):
    response = as_user(request.getfixturevalue(who)).get(url("cell_tree"))
    assert response.status_code == status
    if status == 200:
        assert response.context["rows"]


@pytest.mark.parametrize(
    ("who", "status"),
    [("office", 200), ("secretary_b", 200), ("community_worker", 200), ("auditor", 404), ("nobody", 404)],
)
def test_the_grid_children_are_shared_reference_data_for_every_role(request, world, as_user, who, status):
    # The names of streets and communities are shared; the counts beside them are scoped.
    response = as_user(request.getfixturevalue(who)).get(url("cell_children", world.street.pk))
    assert response.status_code == status
    if status == 200:
        assert "南园社区" in response.content.decode()


def test_a_missing_node_is_404(world, office, as_user):
    client = as_user(office)
    assert client.get(url("organisation_children", 999999)).status_code == 404
    assert client.get(url("cell_children", 999999)).status_code == 404


@pytest.mark.parametrize(
    "page",
    [
        ("organisation_tree",),
        ("organisation_children", "committee"),
        ("cell_tree",),
        ("cell_children", "street"),
    ],
)
def test_the_tree_pages_are_read_only_and_need_a_login(world, office, resident, as_user, page):
    name, *node = page
    target = url(name, *(getattr(world, n).pk for n in node))
    response = resident.get(target)
    assert response.status_code == 302
    assert response["Location"].startswith("/accounts/login/")
    client = as_user(office)
    assert client.post(target).status_code == 405
    assert client.get(target).status_code == 200
