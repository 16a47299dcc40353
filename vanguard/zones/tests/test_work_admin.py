"""Django admin shows a zone's work but does not write it: the services hold its rules and its record."""

from __future__ import annotations

import pytest

from vanguard.zones.tests import work_factories as make


@pytest.mark.parametrize("model", ["task", "workplanentry", "activity"])
def test_the_admin_shows_the_work_read_only(world, superuser, as_user, model):
    zone = make.zone(world.branch_a)
    objects = {
        "task": make.task(zone=zone),
        "workplanentry": make.plan_entry(zone),
        "activity": make.activity(world.branch_a, participants=((world.member_a.person, "2"),)),
    }
    client = as_user(superuser)
    assert client.get(f"/admin/zones/{model}/").status_code == 200
    page = client.get(f"/admin/zones/{model}/{objects[model].pk}/change/")
    assert page.status_code == 200
    assert 'name="_save"' not in page.content.decode()
    assert client.get(f"/admin/zones/{model}/add/").status_code == 403
    assert (
        client.post(f"/admin/zones/{model}/{objects[model].pk}/delete/", {"post": "yes"}).status_code == 403
    )
