"""Full 身份证号 and mobile numbers are shown only to those who edit the person, and each showing is
recorded in the audit trail; everyone else sees them masked."""

from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.audit.models import Action, AuditRecord

from .factories import valid_id_number

pytestmark = pytest.mark.django_db


@pytest.fixture
def numbered(world):
    person = world.member_a.person
    person.id_number = valid_id_number("19800101")
    person.save()
    return world.member_a


def _reveals(person) -> int:
    return AuditRecord.objects.filter(
        action=Action.REVEAL, object_type="org.person", object_id=str(person.pk)
    ).count()


@pytest.mark.parametrize("who", ["office", "secretary_a"])
def test_an_editor_sees_the_full_numbers_and_the_trail_records_each_showing(request, who, numbered, as_user):
    user = request.getfixturevalue(who)
    client = as_user(user)
    edit = reverse("org:member_edit", args=[numbered.pk])
    for showing in (1, 2):
        page = client.get(edit).content.decode()
        assert numbered.person.id_number in page and "13812345678" in page
        assert _reveals(numbered.person) == showing
    record = AuditRecord.objects.filter(action=Action.REVEAL).latest("pk")
    assert record.user == user and record.detail == "id_number,mobile"


@pytest.mark.parametrize("who", ["member_a", "community_worker", "supervisor"])
def test_everyone_else_sees_masked_numbers_and_nothing_is_revealed(request, who, numbered, as_user):
    client = as_user(request.getfixturevalue(who))
    assert client.get(reverse("org:member_edit", args=[numbered.pk])).status_code in (403, 404)
    detail = client.get(reverse("org:member_detail", args=[numbered.pk]))
    if detail.status_code == 200:
        page = detail.content.decode()
        assert numbered.person.id_number not in page and "13812345678" not in page
    assert _reveals(numbered.person) == 0


def test_another_branch_gets_404_and_reveals_nothing(secretary_b, numbered, as_user):
    assert as_user(secretary_b).get(reverse("org:member_edit", args=[numbered.pk])).status_code == 404
    assert _reveals(numbered.person) == 0
