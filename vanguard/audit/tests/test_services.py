from __future__ import annotations

import pytest
from django.http import HttpResponse
from django.test import RequestFactory

from vanguard.audit import services
from vanguard.audit.middleware import AuditContextMiddleware
from vanguard.audit.models import Action, AuditRecord

pytestmark = pytest.mark.django_db


def test_record_save_tells_a_create_from_an_update(world, office):
    person = world.member_a.person
    created = services.record_save(user=office, obj=person, before=None)
    assert created.action == Action.CREATE
    assert created.before is None
    assert created.after["name"] == "王建国"
    before = services.snapshot(person)
    person.occupation = "调度员"
    person.save()
    updated = services.record_save(user=office, obj=person, before=before)
    assert updated.action == Action.UPDATE
    assert (updated.before["occupation"], updated.after["occupation"]) == ("驾驶员", "调度员")
    assert updated.object_type == "org.person"
    assert updated.object_id == str(person.pk)
    assert updated.object_repr == "王建国"
    assert updated.username == "office"


def test_record_delete_keeps_the_last_values(world, office):
    member = world.member_b
    entry = services.record_delete(user=office, obj=member)
    assert entry.action == Action.DELETE
    assert entry.before["organisation"] == world.branch_b.pk
    assert entry.after is None


def test_reveals_and_exports_are_recorded(world, secretary_a):
    reveal = services.record_reveal(user=secretary_a, obj=world.member_a.person, field="id_number")
    assert (reveal.action, reveal.detail, reveal.object_type) == (Action.REVEAL, "id_number", "org.person")
    export = services.record_export(
        user=None, username="root(控制台)", kind="roster", object_type="org.member", count=12
    )
    assert export.action == Action.EXPORT
    assert export.after == {"kind": "roster", "count": 12}
    assert export.username == "root(控制台)"


def test_a_record_takes_the_user_and_address_from_the_request(member_a):
    request = RequestFactory().get("/", REMOTE_ADDR="192.168.1.9")
    request.user = member_a
    entry = services.record(action=Action.OTHER, request=request)
    assert (entry.username, entry.address) == ("member_a", "192.168.1.9")


def test_the_middleware_gives_services_the_address_of_the_request(member_a):
    def view(request):
        services.record(action=Action.OTHER, user=member_a)
        return HttpResponse()

    AuditContextMiddleware(view)(RequestFactory().get("/", REMOTE_ADDR="172.16.0.5"))
    assert AuditRecord.objects.get().address == "172.16.0.5"
    # and forgets it after the request
    services.record(action=Action.OTHER)
    assert AuditRecord.objects.order_by("-pk").first().address is None


def test_an_address_that_is_not_one_is_left_empty(world):
    request = RequestFactory().get("/", REMOTE_ADDR="unix:/run/gunicorn.sock")
    entry = services.record(action=Action.OTHER, request=request)
    assert entry.address is None
