"""Public pages are cached and invalidated when their content changes: a changed board shows the change on
the very next request, in every worker process (each with its own cache); an unchanged board is served from
the cache for one query; a page from the cache carries the visitor's own CSRF token; a logged-in visitor and
a visitor with a message waiting get a fresh page.

The zone board and the model post's board are wrapped here exactly as their views are meant to be
(tests/urls_cached.py); the community board, the results and the screen use the decorator themselves."""

from __future__ import annotations

import re
import uuid

import pytest
from django.db import connection
from django.test import Client, override_settings
from django.test.utils import CaptureQueriesContext

from vanguard.accounts.scope import SYSTEM
from vanguard.posts import services as posts
from vanguard.posts.tests.factories import approved_post
from vanguard.public import cache
from vanguard.public.models import PublicVersion
from vanguard.zones import services as zones
from vanguard.zones.models import Task
from vanguard.zones.tests import zone_factories as zf

from .factories import text

pytestmark = [pytest.mark.django_db, pytest.mark.urls("vanguard.public.tests.urls_cached")]

LOCMEM = "django.core.cache.backends.locmem.LocMemCache"
TOKEN = re.compile(r'"X-CSRFToken": "([A-Za-z0-9]{64})"')
FORM_TOKEN = re.compile(r'name="csrfmiddlewaretoken" value="([A-Za-z0-9]{64})"')


def worker_cache() -> dict:
    """The cache of one worker process: Django's in-process memory cache, empty."""
    return {"default": {"BACKEND": LOCMEM, "LOCATION": f"public-test-{uuid.uuid4()}"}}


@pytest.fixture(autouse=True)
def empty_cache(settings):
    settings.CACHES = worker_cache()


@pytest.fixture
def zone(world):
    return zf.zone(
        world.branch_a,
        "一车队党员责任区",
        cells=[world.team],
        lead=world.member_a.person,
        commitment="安全行车",
    )


def zone_url(zone) -> str:
    return f"/cached/zones/{zone.pk}/"


def post_url(post) -> str:
    return f"/cached/posts/{post.pk}/"


def without_tokens(page: str) -> str:
    return FORM_TOKEN.sub("", TOKEN.sub("", page))


def visit(client: Client, url: str) -> tuple[str, int]:
    """The page and the number of queries it cost."""
    with CaptureQueriesContext(connection) as queries:
        page = text(client.get(url))
    return page, len(queries)


def warm(client: Client, url: str) -> str:
    """Visit until the page comes from the cache: a key's first visit gives it a version, the next stores
    the page."""
    for _attempt in range(3):
        page, queries = visit(client, url)
        if queries == 1:
            return page
    raise AssertionError(f"{url} is not served from the cache")


def test_an_unchanged_board_is_served_from_the_cache_for_one_query(zone, resident):
    fresh, rendered = visit(resident, zone_url(zone))
    cached = warm(resident, zone_url(zone))
    assert rendered > 3
    assert without_tokens(cached) == without_tokens(fresh)
    assert "安全行车" in cached and "王**" in cached


@pytest.mark.parametrize(
    ("change", "shown"),
    [
        (
            lambda zone: zones.zone_update(actor=SYSTEM, zone=zone, fields={"commitment": "绿化带每天巡查"}),
            "绿化带每天巡查",
        ),
        (
            lambda zone: Task.objects.create(zone=zone, category="civility", title="清理楼道杂物"),
            "清理楼道杂物",
        ),
        (lambda zone: _rename(zone.roles.get().person, "赵建国"), "赵**"),
        (lambda zone: _rename_branch(zone.organisation, "一分公司第一党支部"), "一分公司第一党支部"),
    ],
    ids=["commitment", "task", "lead's name", "branch's name"],
)
def test_a_changed_board_shows_the_change_on_the_very_next_request(zone, resident, change, shown):
    assert shown not in warm(resident, zone_url(zone))
    change(zone)
    page, queries = visit(resident, zone_url(zone))
    assert shown in page
    assert queries > 1


def _rename(person, name: str) -> None:
    person.name = name
    person.save()


def _rename_branch(organisation, name: str) -> None:
    organisation.name = name
    organisation.save()


def test_every_worker_process_sees_the_change_on_its_next_request(zone, resident):
    workers = [worker_cache(), worker_cache()]
    for caches in workers:
        with override_settings(CACHES=caches):
            assert "安全行车" in warm(resident, zone_url(zone))
    zones.zone_update(actor=SYSTEM, zone=zone, fields={"commitment": "文明行车,礼让行人"})
    for caches in workers:
        with override_settings(CACHES=caches):
            page, queries = visit(resident, zone_url(zone))
            assert "文明行车,礼让行人" in page and queries > 1
            # … and from then on serves the new page from its own cache.
            assert "文明行车,礼让行人" in warm(resident, zone_url(zone))


def test_a_page_from_the_cache_carries_the_visitor_s_own_csrf_token(zone):
    first = warm(Client(), zone_url(zone))
    visitor = Client(enforce_csrf_checks=True)
    page, queries = visit(visitor, zone_url(zone))
    assert queries == 1
    tokens = set(TOKEN.findall(page)) | set(FORM_TOKEN.findall(page))
    assert len(tokens) == 1
    token = tokens.pop()
    assert token not in first and cache._marker() not in page
    # The token works with the cookie this visitor was given: the language switch accepts it.
    response = visitor.post("/i18n/setlang/", {"language": "en", "next": "/", "csrfmiddlewaretoken": token})
    assert response.status_code == 302


def test_a_logged_in_visitor_gets_a_fresh_page_and_the_public_never_sees_it(zone, member_a, as_user):
    warm(Client(), zone_url(zone))
    page = text(as_user(member_a).get(zone_url(zone)))
    assert "member_a" in page  # the navigation of their roles
    assert "member_a" not in warm(Client(), zone_url(zone))


def test_a_visitor_with_a_message_waiting_sees_it_and_no_one_else_does(zone, resident):
    warm(Client(), zone_url(zone))
    resident.get("/p/requests/new/")  # opened without a zone: a message says where to start
    message = "请扫描责任区公示牌上的二维码"
    assert message in text(resident.get(zone_url(zone)))
    assert message not in text(Client().get(zone_url(zone)))
    assert message not in text(resident.get(zone_url(zone)))


def test_a_model_post_s_board_shows_an_answer_on_the_next_request(world, resident):
    post = approved_post(world)
    warm(resident, post_url(post))
    opinion = posts.opinion_submit(actor=None, post=post, kind="praise", content="司机师傅很热心")
    assert "司机师傅很热心" not in warm(resident, post_url(post))  # not answered yet
    posts.opinion_answer(actor=SYSTEM, opinion=opinion, answer="谢谢您的表扬,我们会继续努力")
    assert "谢谢您的表扬,我们会继续努力" in text(resident.get(post_url(post)))


def test_a_missing_page_is_never_stored(resident, db):
    for _attempt in range(3):
        with CaptureQueriesContext(connection) as queries:
            assert resident.get("/cached/zones/999999/").status_code == 404
        assert len(queries) > 1  # the view looked for the zone again


def test_a_key_gets_a_version_on_first_use_and_a_new_one_on_each_bump(db):
    assert cache.stamp(["zone:1", "people"]) is None
    first = cache.stamp(["people", "zone:1"])
    assert first == cache.stamp(["zone:1", "people"])
    cache.bump("zone:1")
    second = cache.stamp(["zone:1", "people"])
    assert second != first
    assert second.split(",")[0] == first.split(",")[0]  # people: unchanged
    assert PublicVersion.objects.count() == 2
