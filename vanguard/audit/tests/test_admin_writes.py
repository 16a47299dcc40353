"""Changes made in Django admin are recorded like changes made on the pages."""

from __future__ import annotations

import pytest

from vanguard.accounts.models import Role, RoleAssignment
from vanguard.audit.models import Action, AuditRecord

pytestmark = pytest.mark.django_db


def test_editing_a_member_in_the_admin_records_before_and_after(world, superuser, as_user):
    member = world.member_a
    client = as_user(superuser)
    form = client.get(f"/admin/org/member/{member.pk}/change/")
    assert form.status_code == 200
    response = client.post(
        f"/admin/org/member/{member.pk}/change/",
        {
            "person": member.person_id,
            "organisation": world.group_a.pk,
            "status": member.status,
            "category": "retired",
            "join_date": member.join_date.isoformat(),
            "badge_no": "",
        },
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = AuditRecord.objects.filter(object_type="org.member", object_id=str(member.pk)).latest("pk")
    assert record.action == Action.UPDATE
    assert record.username == superuser.username
    assert record.before["category"] == "in_service"
    assert record.after["category"] == "retired"
    assert record.before["organisation"] == world.branch_a.pk
    assert record.after["organisation"] == world.group_a.pk
    assert record.detail == "管理后台"


def test_granting_and_removing_a_role_in_the_admin_is_recorded(world, superuser, member_a, as_user):
    client = as_user(superuser)
    response = client.post(
        "/admin/accounts/roleassignment/add/",
        {"user": member_a.pk, "role": Role.SECRETARY, "organisation": world.branch_b.pk, "cell": ""},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    assignment = RoleAssignment.objects.get(user=member_a, role=Role.SECRETARY)
    created = AuditRecord.objects.get(object_type="accounts.roleassignment", action=Action.CREATE)
    assert created.after["organisation"] == world.branch_b.pk

    response = client.post(f"/admin/accounts/roleassignment/{assignment.pk}/delete/", {"post": "yes"})
    assert response.status_code == 302
    deleted = AuditRecord.objects.get(object_type="accounts.roleassignment", action=Action.DELETE)
    assert deleted.before["role"] == Role.SECRETARY


def test_moving_a_node_by_drag_and_drop_in_the_admin_is_recorded(world, superuser, as_user):
    client = as_user(superuser)
    other = client.post(
        "/admin/org/organisation/add/",
        {
            "name": "另一党委",
            "kind": "committee",
            "treebeard_position": "first-child",
            "treebeard_ref_node": "",
        },
    )
    assert other.status_code == 302, other.content.decode()[:3000]
    new_committee = world.committee.__class__.objects.get(name="另一党委")
    response = client.post(
        "/admin/org/organisation/move/",
        {"node": world.branch_b.pk, "target": new_committee.pk, "relation": "child"},
    )
    assert response.status_code == 200, response.content
    world.branch_b.refresh_from_db()
    assert world.branch_b.path.startswith(new_committee.path)
    record = AuditRecord.objects.filter(
        object_type="org.organisation", object_id=str(world.branch_b.pk)
    ).latest("pk")
    assert record.action == Action.UPDATE
    assert record.before["path"] != record.after["path"] == world.branch_b.path


def test_resetting_a_password_in_the_admin_is_recorded_without_the_password(
    world, superuser, member_a, as_user
):
    client = as_user(superuser)
    response = client.post(
        f"/admin/accounts/user/{member_a.pk}/password/",
        {"password1": "Another-Pass-42", "password2": "Another-Pass-42", "usable_password": "true"},
    )
    assert response.status_code == 302, response.content.decode()[:2000]
    record = AuditRecord.objects.filter(object_type="accounts.user", object_id=str(member_a.pk)).latest("pk")
    assert record.detail == "管理后台:重设密码"
    assert "Another-Pass-42" not in str(record.before) + str(record.after)


def test_the_admin_cannot_move_a_branch_under_a_group(world, superuser, as_user):
    client = as_user(superuser)
    path_before = world.branch_b.path
    response = client.post(
        "/admin/org/organisation/move/",
        {"node": world.branch_b.pk, "target": world.group_a.pk, "relation": "child"},
    )
    assert response.status_code == 400
    world.branch_b.refresh_from_db()
    assert world.branch_b.path == path_before
    assert not AuditRecord.objects.filter(object_type="org.organisation", action=Action.UPDATE).exists()


def test_the_admin_form_checks_the_kind_rules_against_the_new_parent(world, superuser, as_user):
    client = as_user(superuser)
    response = client.post(
        "/admin/org/organisation/add/",
        {
            "name": "新支部",
            "kind": "branch",
            "treebeard_position": "first-child",
            "treebeard_ref_node": world.group_a.pk,
        },
    )
    assert response.status_code == 200
    assert "党小组下只能设党小组" in response.content.decode()
    assert not world.committee.__class__.objects.filter(name="新支部").exists()
