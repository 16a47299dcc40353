"""Who reaches the staff's pages of residents' requests: another branch's secretary and another community's
worker get 404 for a branch-A request's page, photo and every action, exactly like a missing one; anonymous
visitors are sent to log in; the auditor and a login without a role get no business data; those who see a
request but may not act on it get 403 for the action and no form; methods are checked."""

from __future__ import annotations

import pytest
from django.core.files.base import ContentFile

from vanguard.accounts.models import Role
from vanguard.conftest import _user
from vanguard.service_requests.models import ServiceRequest, Status
from vanguard.service_requests.views import ACTIONS

from . import factories as rf
from .test_pages import action_url, image_upload, queued, request_b, text, url

pytestmark = pytest.mark.django_db

ACTION_NAMES = sorted(ACTIONS)


@pytest.fixture(autouse=True)
def media(settings, tmp_path):
    settings.MEDIA_ROOT = tmp_path


@pytest.fixture
def other_worker(world):
    """A worker of 新风社区."""
    return _user("other_worker", Role.COMMUNITY, cell=world.other_community)


def _with_photo(req: ServiceRequest) -> ServiceRequest:
    req.photo.save("sweep.jpg", ContentFile(image_upload().read()), save=True)
    return req


def _snapshot(req: ServiceRequest) -> tuple:
    req.refresh_from_db()
    return (req.status, req.member_id, req.team_id, req.urgency, req.resolution, req.events.count())


@pytest.mark.parametrize("persona", ["secretary_b", "other_worker"])
def test_outsiders_get_404_for_a_branch_a_request_its_photo_and_every_action(
    world, persona, request, as_user
):
    req = _with_photo(rf.submit(world))
    waiting = queued(world)
    client = as_user(request.getfixturevalue(persona))
    before = [_snapshot(req), _snapshot(waiting)]
    for target in (req, waiting):
        assert client.get(url("detail", target.pk)).status_code == 404
        assert client.get(url("photo", target.pk)).status_code == 404
        for action in ACTION_NAMES:
            data = {"resolution": "已处理", "member": world.member_b.pk, "urgency": "complex", "reason": "无"}
            assert client.post(action_url(target, action), data).status_code == 404, action
    assert [_snapshot(req), _snapshot(waiting)] == before
    # Their lists and exports do not hold it either.
    page = text(client.get(url("list"), {"view": "all"}))
    assert req.tracking_code not in page and waiting.tracking_code not in page


def test_an_out_of_scope_request_answers_like_a_missing_one(world, secretary_b, as_user):
    req = rf.submit(world)
    client = as_user(secretary_b)
    out_of_scope, missing = client.get(url("detail", req.pk)), client.get(url("detail", 999999))
    assert out_of_scope.status_code == missing.status_code == 404
    assert client.post(action_url(req, "nonsense")).status_code == 404


def test_the_other_branch_sees_and_acts_on_its_own(world, secretary_b, as_user):
    req = request_b(world)
    page = text(as_user(secretary_b).get(url("detail", req.pk)))
    assert 'href="tel:13700002222"' in page and action_url(req, "close") in page


def test_anonymous_visitors_are_sent_to_log_in(world, resident):
    req = rf.submit(world)
    targets = [url("list"), url("create"), url("export"), url("detail", req.pk), url("photo", req.pk)]
    for target in targets:
        response = resident.get(target)
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/"), target
    for action in ACTION_NAMES:
        response = resident.post(action_url(req, action), {"resolution": "已处理"})
        assert response.status_code == 302 and response["Location"].startswith("/accounts/login/")
    req.refresh_from_db()
    assert req.status == Status.ASSIGNED


@pytest.mark.parametrize("persona", ["auditor", "nobody"])
def test_the_auditor_and_a_login_without_a_role_get_no_business_data(world, persona, request, as_user):
    req = _with_photo(rf.submit(world))
    client = as_user(request.getfixturevalue(persona))
    for target in (url("list"), url("create"), url("export")):
        assert client.get(target).status_code == 403, target
    assert client.post(url("create"), {"description": "代录"}).status_code == 403
    assert client.get(url("detail", req.pk)).status_code == 404
    assert client.get(url("photo", req.pk)).status_code == 404
    for action in ACTION_NAMES:
        assert client.post(action_url(req, action)).status_code == 404
    assert url("list") not in client.get("/").content.decode()


def test_the_supervisor_reads_without_acting_and_sees_the_resident_masked(world, supervisor, as_user):
    req = _with_photo(rf.submit(world))
    client = as_user(supervisor)
    page = text(client.get(url("detail", req.pk)))
    assert "136****1111" in page and "13600001111" not in page and "张*" in page
    assert 'id="actions"' not in page
    assert client.get(url("photo", req.pk)).status_code == 200
    for action in ACTION_NAMES:
        assert client.post(action_url(req, action), {"reason": "看看"}).status_code == 403, action
    assert req.tracking_code in text(client.get(url("list")))


def test_a_member_who_sees_a_queued_request_may_take_it_but_nothing_else(world, member_a, as_user):
    req = queued(world)
    client = as_user(member_a)
    before = _snapshot(req)
    for action in ("accept", "start", "resolve", "dispatch", "urgency", "close"):
        data = {"resolution": "已处理", "member": world.member_a.pk, "urgency": "complex", "reason": "无"}
        assert client.post(action_url(req, action), data).status_code == 403, action
    assert _snapshot(req) == before


def test_a_member_of_another_community_cannot_take_a_queued_request(world, as_user):
    user = _user("member_b", Role.MEMBER)
    world.member_b.person.user = user
    world.member_b.person.save()
    req = queued(world)
    # Not registered at 南园社区 nor living there: the queue is out of their sight.
    assert as_user(user).get(url("detail", req.pk)).status_code == 404
    assert as_user(user).post(action_url(req, "take")).status_code == 404


def test_the_handler_may_not_dispatch_or_close_their_own_request(world, member_a, as_user):
    req = rf.submit(world)
    client = as_user(member_a)
    assert client.post(action_url(req, "dispatch"), {"member": world.member_a.pk}).status_code == 403
    assert client.post(action_url(req, "close"), {"reason": "不想办"}).status_code == 403
    req.refresh_from_db()
    assert req.status == Status.ASSIGNED


def test_methods_are_checked(world, member_a, as_user):
    req = rf.submit(world)
    client = as_user(member_a)
    assert client.get(action_url(req, "accept")).status_code == 405
    assert client.post(url("detail", req.pk)).status_code == 405
    assert client.post(url("list")).status_code == 405
    assert client.post(url("export")).status_code == 405
    assert client.post(url("photo", req.pk)).status_code == 405
    assert client.delete(url("create")).status_code == 405


def test_an_unknown_action_is_404(world, member_a, as_user):
    req = rf.submit(world)
    assert as_user(member_a).post(action_url(req, "delete")).status_code == 404


def test_a_request_without_a_photo_has_no_photo_address(world, member_a, as_user):
    req = rf.submit(world)
    assert as_user(member_a).get(url("photo", req.pk)).status_code == 404
    assert url("photo", req.pk) not in text(as_user(member_a).get(url("detail", req.pk)))
