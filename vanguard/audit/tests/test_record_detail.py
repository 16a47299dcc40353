from __future__ import annotations

import pytest
from django.urls import reverse

from vanguard.audit import services
from vanguard.audit.models import Action, AuditRecord
from vanguard.org.tests import factories

from .helpers import guard_lifted, make_records, raw_sql

pytestmark = pytest.mark.django_db


def _url(entry) -> str:
    return reverse("audit:detail", args=[entry.pk])


@pytest.fixture
def update(world, office):
    person = world.member_a.person
    person.id_number = factories.valid_id_number("19800101", "013")
    person.save()
    before = services.snapshot(person)
    person.occupation = "调度员"
    person.mobile = "13900001111"
    person.save()
    return services.record_save(user=office, obj=person, before=before)


def test_the_detail_shows_before_and_after_side_by_side(auditor, as_user, update):
    response = as_user(auditor).get(_url(update))
    assert response.status_code == 200
    page = response.content.decode()
    assert update.action == Action.UPDATE
    assert "驾驶员" in page
    assert "调度员" in page
    assert "职业" in page
    changed = {c.name for c in response.context["changes"] if c.changed}
    assert changed >= {"occupation", "mobile"}
    assert "name" not in changed


def test_the_detail_masks_id_numbers_and_phones(auditor, as_user, update):
    page = as_user(auditor).get(_url(update)).content.decode()
    assert "138****5678" in page
    assert "139****1111" in page
    assert "13812345678" not in page
    assert world_id_number() not in page


def world_id_number() -> str:
    return factories.valid_id_number("19800101", "013")


def test_the_trail_itself_holds_the_numbers_masked(update):
    """Not only the page: the stored record never holds a full 身份证号 or phone number."""
    stored = AuditRecord.objects.get(pk=update.pk)
    assert stored.before["mobile"] == "138****5678"
    assert stored.after["mobile"] == "139****1111"
    assert stored.after["id_number"] == world_id_number()[:3] + "*" * 11 + world_id_number()[-4:]


def test_the_detail_says_whether_the_record_is_intact(auditor, as_user):
    client = as_user(auditor)
    entry = make_records(2)[1]
    assert client.get(_url(entry)).context["hash_ok"]
    assert client.get(_url(entry)).context["linked"]
    with guard_lifted():
        raw_sql("UPDATE audit_auditrecord SET detail = %s WHERE id = %s", ["改动", entry.pk])
    response = client.get(_url(entry))
    assert not response.context["hash_ok"]
    assert "记录被改动过" in response.content.decode()


@pytest.mark.parametrize("persona", ["secretary_a", "member_a", "secretary_b"])
def test_other_roles_get_404(persona, request, as_user, update):
    user = request.getfixturevalue(persona)
    assert as_user(user).get(_url(update)).status_code == 404


def test_anonymous_visitors_are_sent_to_log_in(resident, update):
    response = resident.get(_url(update))
    assert response.status_code == 302
    assert response["Location"].startswith(reverse("accounts:login"))


def test_a_missing_record_is_404(auditor, as_user):
    assert as_user(auditor).get(reverse("audit:detail", args=[999999])).status_code == 404


def test_only_get_is_allowed(auditor, as_user, update):
    assert as_user(auditor).post(_url(update)).status_code == 405


def test_a_batch_record_shows_each_object_masked(world, auditor, as_user):
    person = world.member_a.person
    entry = services.batch_entry(
        action=Action.CREATE,
        model=type(person),
        fields=["id", "name", "mobile"],
        rows=[[person.pk, person.name, "13812345678"]],
        detail="导入",
    )
    services.record_many([entry], username="import")
    record = AuditRecord.objects.order_by("-pk").first()
    page = as_user(auditor).get(_url(record)).content.decode()
    assert f"#{person.pk}" in page
    assert "138****5678" in page
    assert "13812345678" not in page
