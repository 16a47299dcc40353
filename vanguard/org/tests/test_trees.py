"""The two trees: moving a subtree keeps it whole, subtree queries follow it, and a move that would break
the tree is refused."""

from __future__ import annotations

import pytest
from django.core.exceptions import PermissionDenied, ValidationError

from vanguard.org import selectors, services
from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.tests import factories


def orgs_under(node: Organisation) -> set[str]:
    node.refresh_from_db()
    return set(Organisation.objects.filter(node.subtree_q()).values_list("name", flat=True))


def cells_under(node: Cell) -> set[str]:
    node.refresh_from_db()
    return set(Cell.objects.filter(node.subtree_q()).values_list("name", flat=True))


@pytest.fixture
def second_committee(world) -> Organisation:
    return factories.organisation("机务公司党委", Organisation.Kind.COMMITTEE)


# --- organisation_move ---------------------------------------------------------------------------------


def test_moving_a_branch_takes_its_groups_and_members_along(world, superuser, second_committee):
    in_group = factories.member(world.group_a, "赵六")

    moved = services.organisation_move(actor=superuser, node=world.branch_a, new_parent=second_committee)

    assert moved.path.startswith(second_committee.path)
    assert moved.depth == 2
    group = Organisation.objects.get(pk=world.group_a.pk)
    assert group.path.startswith(moved.path)
    assert group.depth == 3
    assert group.full_name() == "机务公司党委/一分公司党支部/第一党小组"
    assert orgs_under(second_committee) == {"机务公司党委", "一分公司党支部", "第一党小组"}
    assert orgs_under(world.committee) == {"公交公司党委", "二分公司党支部"}

    # Members keep their organisation; the subtree queries now find them under the new committee.
    members_under_new = Member.objects.filter(second_committee.subtree_q("organisation__"))
    assert set(members_under_new) == {world.member_a, in_group}
    members_under_old = Member.objects.filter(world.committee.subtree_q("organisation__"))
    assert set(members_under_old) == {world.member_b}


def test_a_move_updates_the_child_counts_of_both_parents(world, superuser, second_committee):
    services.organisation_move(actor=superuser, node=world.branch_a, new_parent=second_committee)
    world.committee.refresh_from_db()
    second_committee.refresh_from_db()
    assert world.committee.numchild == 1
    assert second_committee.numchild == 1
    assert list(Organisation.objects.get_children(second_committee)) == [world.branch_a]


def test_a_moved_branch_goes_after_the_existing_children(world, office):
    branch_c = factories.organisation("三分公司党支部", parent=world.committee)
    general = factories.organisation("机关党总支", Organisation.Kind.GENERAL_BRANCH, parent=world.committee)
    services.organisation_move(actor=office, node=branch_c, new_parent=general)
    services.organisation_move(actor=office, node=world.branch_b, new_parent=general)
    assert [n.name for n in Organisation.objects.get_children(general)] == [
        "三分公司党支部",
        "二分公司党支部",
    ]
    assert orgs_under(general) == {"机关党总支", "三分公司党支部", "二分公司党支部"}


def test_a_branch_can_be_moved_to_the_root(world, superuser):
    services.organisation_move(actor=superuser, node=world.branch_b, new_parent=None)
    # A branch at the root is allowed (an independent branch); its old parent no longer holds it.
    branch_b = Organisation.objects.get(pk=world.branch_b.pk)
    assert branch_b.depth == 1
    assert orgs_under(world.committee) == {"公交公司党委", "一分公司党支部", "第一党小组"}


@pytest.mark.parametrize("target", ["branch_a", "group_a"])
def test_a_node_cannot_be_moved_under_itself_or_its_descendant(world, office, target):
    paths_before = list(Organisation.objects.order_by("pk").values_list("path", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.organisation_move(actor=office, node=world.branch_a, new_parent=getattr(world, target))
    assert exc.value.message_dict["parent"] == ["不能把节点移到它自己或它的下级之下。"]
    assert list(Organisation.objects.order_by("pk").values_list("path", flat=True)) == paths_before


def test_the_committee_cannot_be_moved_under_its_own_group(world, office):
    with pytest.raises(ValidationError) as exc:
        services.organisation_move(actor=office, node=world.committee, new_parent=world.group_a)
    assert exc.value.message_dict["parent"] == ["不能把节点移到它自己或它的下级之下。"]


def test_a_sibling_whose_path_shares_a_prefix_is_not_a_descendant(world, office):
    # Paths are fixed-width steps, so a node is not "under" a sibling whose path merely starts alike.
    general = factories.organisation("机关党总支", Organisation.Kind.GENERAL_BRANCH, parent=world.committee)
    services.organisation_move(actor=office, node=world.branch_b, new_parent=general)
    assert orgs_under(general) == {"机关党总支", "二分公司党支部"}


@pytest.mark.parametrize(
    ("node", "target", "field", "message"),
    [
        ("branch_b", "branch_a", "kind", "党支部下只能设党小组。"),
        ("group_a", "committee", "kind", "党小组的上级必须是党支部。"),
        ("group_a", "branch_b", None, None),  # a group may move to another branch
    ],
)
def test_a_move_must_keep_the_kind_rules(world, office, node, target, field, message):
    node_obj, target_obj = getattr(world, node), getattr(world, target)
    if field is None:
        services.organisation_move(actor=office, node=node_obj, new_parent=target_obj)
        assert Organisation.objects.get_parent(Organisation.objects.get(pk=node_obj.pk)) == target_obj
        return
    paths_before = list(Organisation.objects.order_by("pk").values_list("path", flat=True))
    with pytest.raises(ValidationError) as exc:
        services.organisation_move(actor=office, node=node_obj, new_parent=target_obj)
    assert exc.value.message_dict[field] == [message]
    assert list(Organisation.objects.order_by("pk").values_list("path", flat=True)) == paths_before


def test_a_move_may_not_bring_two_siblings_of_one_name_together(world, office):
    general = factories.organisation("机关党总支", Organisation.Kind.GENERAL_BRANCH, parent=world.committee)
    factories.organisation("二分公司党支部", parent=general)
    with pytest.raises(ValidationError) as exc:
        services.organisation_move(actor=office, node=world.branch_b, new_parent=general)
    assert exc.value.message_dict["name"] == ["同一上级下已有同名节点“二分公司党支部”。"]


def test_a_secretary_cannot_move_their_branch_out_of_their_scope(world, secretary_a, secretary_b):
    with pytest.raises(PermissionDenied):
        services.organisation_move(actor=secretary_a, node=world.group_a, new_parent=world.branch_b)
    with pytest.raises(PermissionDenied):
        services.organisation_move(actor=secretary_b, node=world.group_a, new_parent=world.branch_b)
    assert Organisation.objects.get_parent(Organisation.objects.get(pk=world.group_a.pk)) == world.branch_a


# --- cell_move -----------------------------------------------------------------------------------------


@pytest.fixture
def estate(world) -> Cell:
    estate = factories.cell("南园小区", Cell.Kind.ESTATE, parent=world.community)
    factories.cell("1号楼", Cell.Kind.BUILDING, parent=estate)
    factories.cell("2号楼", Cell.Kind.BUILDING, parent=estate)
    return estate


def test_moving_a_community_takes_its_estates_and_buildings_along(world, office, estate):
    other_street = factories.cell("西城街道", Cell.Kind.STREET)

    services.cell_move(actor=office, node=world.community, new_parent=other_street)

    assert cells_under(other_street) == {"西城街道", "南园社区", "南园小区", "1号楼", "2号楼"}
    assert cells_under(world.street) == {"东风街道", "新风社区"}
    building = Cell.objects.get(name="1号楼")
    assert building.depth == 4
    assert building.full_name() == "西城街道/南园社区/南园小区/1号楼"
    # The member living there is now counted under the new street.
    living = Member.objects.filter(other_street.subtree_q("person__residence__"))
    assert list(living) == [world.member_a]


def test_a_cell_cannot_be_moved_under_its_own_descendant(world, office, estate):
    building = Cell.objects.get(name="1号楼")
    with pytest.raises(ValidationError) as exc:
        services.cell_move(actor=office, node=world.community, new_parent=building)
    assert exc.value.message_dict["parent"] == ["不能把节点移到它自己或它的下级之下。"]
    assert cells_under(world.community) == {"南园社区", "南园小区", "1号楼", "2号楼"}


def test_only_the_office_moves_grid_cells(world, secretary_a, community_worker):
    for actor in (secretary_a, community_worker):
        with pytest.raises(PermissionDenied):
            services.cell_move(actor=actor, node=world.other_community, new_parent=world.company)


# --- subtree queries -----------------------------------------------------------------------------------


def test_a_subtree_holds_the_node_and_everything_under_it_only(world):
    assert orgs_under(world.committee) == {"公交公司党委", "一分公司党支部", "第一党小组", "二分公司党支部"}
    assert orgs_under(world.branch_a) == {"一分公司党支部", "第一党小组"}
    assert orgs_under(world.group_a) == {"第一党小组"}
    assert orgs_under(world.branch_b) == {"二分公司党支部"}


def test_the_member_list_of_a_branch_includes_the_members_of_its_groups(world, office):
    in_group = factories.member(world.group_a, "赵六")

    of_branch = selectors.member_list(
        user=office, filters=selectors.MemberFilters(organisation=world.branch_a)
    )
    assert set(of_branch) == {world.member_a, in_group}

    of_group = selectors.member_list(user=office, filters=selectors.MemberFilters(organisation=world.group_a))
    assert list(of_group) == [in_group]

    of_committee = selectors.member_list(
        user=office, filters=selectors.MemberFilters(organisation=world.committee)
    )
    assert set(of_committee) == {world.member_a, world.member_b, in_group}


def test_the_member_list_by_residence_includes_the_cells_below(world, office, estate):
    building = Cell.objects.get(name="1号楼")
    lives_in_building = factories.member(world.branch_b, "赵六", residence=building)
    found = selectors.member_list(user=office, filters=selectors.MemberFilters(residence=world.community))
    assert set(found) == {world.member_a, lives_in_building}


def test_a_subtree_filter_never_widens_what_the_user_may_see(world, secretary_a):
    # secretary_a asks for the whole committee and still sees branch A only.
    found = selectors.member_list(
        user=secretary_a, filters=selectors.MemberFilters(organisation=world.committee)
    )
    assert list(found) == [world.member_a]


def test_full_name_joins_the_names_from_the_root(world):
    assert world.group_a.full_name() == "公交公司党委/一分公司党支部/第一党小组"
    assert world.committee.full_name() == "公交公司党委"


def test_a_move_into_a_descendant_is_refused_even_through_a_stale_instance(world, office):
    # `sub` is read before its street moves, so its in-memory path is the old one.
    sub = factories.cell("东风北街道", Cell.Kind.STREET, parent=world.street)
    other_street = factories.cell("西城街道", Cell.Kind.STREET)
    services.cell_move(actor=office, node=world.street, new_parent=other_street)
    with pytest.raises(ValidationError) as exc:
        services.cell_move(actor=office, node=other_street, new_parent=sub)
    assert exc.value.message_dict["parent"] == ["不能把节点移到它自己或它的下级之下。"]
    assert Cell.objects.find_problems() == ([], [], [], [], [])
