"""Three sweeps over every URL the project serves (walked by the access sweep's helpers):

- a Content-Security-Policy on every response, scripts from the site's own files only;
- CSRF refused on every unsafe method of every page, logged in (the office) or not (the public forms),
  and nothing written; the API is token-only, so a cookie carries no authority there;
- `<script>` stored in every free-text field comes back escaped on every page that shows it.
"""

from __future__ import annotations

import datetime as dt
import logging
import re
from decimal import Decimal

import pytest
from django.apps import apps
from django.db import models
from django.test import Client, override_settings
from django.urls import resolve
from rest_framework.authentication import SessionAuthentication, TokenAuthentication
from rest_framework.authtoken.models import Token

from vanguard.audit.models import AuditRecord
from vanguard.conftest import client_for
from vanguard.tests.test_access_sweep import (
    CATCH_ALL,
    OBJECT_IDS,
    PUBLIC,
    concrete,
    has_parameter,
    url_patterns,
)

UNSAFE = ("post", "put", "patch", "delete")

# --- the policy -----------------------------------------------------------------------------------------


def directives(header: str) -> dict[str, list[str]]:
    parsed = {}
    for part in header.split(";"):
        words = part.split()
        if words:
            parsed[words[0]] = words[1:]
    return parsed


def assert_scripts_strict(response, where: str) -> None:
    header = response.get("Content-Security-Policy")
    assert header, f"{where}: no Content-Security-Policy"
    policy = directives(header)
    scripts = policy.get("script-src", policy.get("default-src"))
    assert scripts, f"{where}: neither script-src nor default-src in {header!r}"
    assert "'unsafe-inline'" not in scripts and "'unsafe-eval'" not in scripts, f"{where}: {header!r}"
    # Only the site itself, nothing at all, or a nonce this response made for its own inline script.
    others = [s for s in scripts if s not in ("'self'", "'none'") and not s.startswith("'nonce-")]
    assert others == [], f"{where}: {header!r}"
    if scripts != ["'none'"]:
        # The site's own policy, whole (a view that sets a stricter one of its own keeps it).
        assert policy["default-src"] == ["'self'"], where
        assert scripts[0] == "'self'", where
        assert policy["object-src"] == ["'none'"], where
        assert policy["base-uri"] == ["'self'"], where
        assert policy["frame-ancestors"] == ["'none'"], where
        assert policy["form-action"] == ["'self'"], where
        assert policy["img-src"] == ["'self'", "data:"], where
        assert policy["style-src"] == ["'self'", "'unsafe-inline'"], where


@pytest.fixture
def sweep_world(world, member_a):
    # An audit record to open (audit:detail): member_a's login.
    Client().post("/accounts/login/", {"username": "member_a", "password": "Vanguard-test-1"})
    return world


def every_url(world) -> list[tuple[str, str, str]]:
    """(route, name, a concrete URL) of every pattern, objects of branch A where it takes one."""
    urls = []
    for route, name in url_patterns():
        if route == CATCH_ALL:
            urls.append((route, name, "/api/v1/no-such-endpoint/"))
            continue
        object_id = OBJECT_IDS[name](world) if has_parameter(route) else None
        urls.append((route, name, concrete(route, object_id)))
    return urls


@pytest.mark.django_db
def test_every_response_carries_the_policy_with_scripts_from_the_site_only(sweep_world, office):
    office_client = client_for(office)
    api_client = Client(HTTP_AUTHORIZATION=f"Token {Token.objects.create(user=office).key}")
    anonymous = Client()
    checked = 0
    for route, name, url in every_url(sweep_world):
        client = api_client if route.startswith("api/") else office_client
        response = client.get(url)
        assert_scripts_strict(response, f"GET {url} ({name}) as the office -> {response.status_code}")
        checked += 1
        if route in PUBLIC or route == CATCH_ALL:
            response = anonymous.get(url)
            assert_scripts_strict(response, f"GET {url} ({name}) anonymously -> {response.status_code}")
            checked += 1
    # Refusals, errors and redirects too.
    for url in ("/no-such-page/", "/zones/", "/api/v1/members/"):
        response = anonymous.get(url)
        assert_scripts_strict(response, f"GET {url} anonymously -> {response.status_code}")
    assert checked > 300


@pytest.mark.django_db
def test_the_api_docs_alone_carry_a_nonce_and_use_it_for_their_only_inline_script(client):
    response = client.get("/api/v1/docs/")
    assert response.status_code == 200
    nonce = [s for s in directives(response["Content-Security-Policy"])["script-src"] if "nonce-" in s]
    assert len(nonce) == 1
    body = response.content.decode()
    value = nonce[0].removeprefix("'nonce-").removesuffix("'")
    assert body.count("<script>") == 0
    assert body.count(f'<script nonce="{value}">') == 1
    # A fresh nonce each time; pages that do not ask for one have none.
    assert client.get("/api/v1/docs/")["Content-Security-Policy"] != response["Content-Security-Policy"]
    assert "nonce-" not in client.get("/accounts/login/")["Content-Security-Policy"]


@pytest.mark.django_db
@override_settings(WHITENOISE_USE_FINDERS=True, WHITENOISE_AUTOREFRESH=True)
def test_static_files_carry_the_policy_too():
    # WhiteNoise serves them before any view: the policy's middleware sits in front of it.
    for url in ("/static/vanguard/vanguard.js", "/static/vendor/htmx-2.0.11/htmx.min.js"):
        response = Client().get(url)
        assert response.status_code == 200, url
        assert_scripts_strict(response, url)


@pytest.mark.django_db
def test_photos_keep_their_own_stricter_policy(sweep_world, office, secretary_a):
    from vanguard.posts.tests import pages as post_pages

    photo = f"/p/posts/photos/{post_pages.sweep_post_member(sweep_world).pk}/"
    response = Client().get(photo)
    assert response.status_code == 200
    assert response["Content-Security-Policy"] == "default-src 'none'"


# --- CSRF -----------------------------------------------------------------------------------------------


def row_counts() -> dict[str, int]:
    return {m._meta.label: m._default_manager.count() for m in apps.get_models()}


def refused_for_csrf(client, method: str, url: str, caplog) -> bool:
    caplog.clear()
    response = getattr(client, method)(url)
    logged = any(
        r.name == "django.security.csrf" and r.getMessage().startswith("Forbidden (CSRF")
        for r in caplog.records
    )
    return response.status_code == 403 and logged


@pytest.mark.django_db
def test_every_unsafe_method_of_every_page_needs_the_csrf_token(sweep_world, office, caplog):
    caplog.set_level(logging.WARNING, logger="django.security.csrf")
    office_client = client_for(office)
    office_client.handler.enforce_csrf_checks = True
    anonymous = Client(enforce_csrf_checks=True)
    urls = [(route, name, url) for route, name, url in every_url(sweep_world) if not route.startswith("api/")]
    audit_before, rows_before = AuditRecord.objects.count(), row_counts()
    checked = 0
    for route, name, url in urls:
        clients = [("the office", office_client)]
        if route in PUBLIC:
            clients.append(("anonymously", anonymous))
        for who, client in clients:
            for method in UNSAFE:
                assert refused_for_csrf(client, method, url, caplog), (
                    f"{method.upper()} {url} ({name}) {who} without a CSRF token was not refused"
                )
                checked += 1
    assert AuditRecord.objects.count() == audit_before
    assert row_counts() == rows_before
    assert checked >= 4 * 200


@pytest.mark.django_db
def test_with_the_token_the_same_client_gets_through(sweep_world, office):
    # The control: the refusals above are the missing token's doing, not the client's.
    client = client_for(office)
    client.handler.enforce_csrf_checks = True
    page = client.get("/zones/new/")
    token = page.cookies["csrftoken"].value
    response = client.post("/notifications/read-all/", {"csrfmiddlewaretoken": token})
    assert response.status_code in (200, 302)


def authentication_classes(view) -> list[type]:
    cls = getattr(view, "cls", None) or getattr(view, "view_class", None)
    if cls is None:
        return []
    return list(getattr(cls, "authentication_classes", []))


@pytest.mark.django_db
def test_the_api_takes_no_authority_from_a_cookie(sweep_world, office):
    # Every API view authenticates by the Authorization header only (a token a browser never sends by
    # itself), or, were session authentication ever added, DRF's SessionAuthentication, which enforces CSRF.
    token_only = 0
    for route, name in url_patterns():
        if not route.startswith("api/"):
            continue
        classes = authentication_classes(resolve(concrete(route, 1)).func)
        for auth in classes:
            assert issubclass(auth, TokenAuthentication | SessionAuthentication), f"{name}: {auth}"
            if issubclass(auth, SessionAuthentication):
                assert auth.enforce_csrf is SessionAuthentication.enforce_csrf, f"{name}: {auth}"
        token_only += bool(classes)
    assert token_only > 90
    # The office's session cookie, without a token, moves nothing on any endpoint.
    client = client_for(office)
    client.handler.enforce_csrf_checks = True
    urls = [(route, name, url) for route, name, url in every_url(sweep_world) if route.startswith("api/")]
    audit_before, rows_before = AuditRecord.objects.count(), row_counts()
    for _route, name, url in urls:
        for method in UNSAFE:
            response = getattr(client, method)(url, {}, content_type="application/json")
            assert response.status_code in (400, 401, 403, 404, 405), (
                f"{method.upper()} {url} ({name}) with a session cookie -> {response.status_code}"
            )
    # The token endpoint reads JSON only, which a page on another site cannot post without the browser
    # asking first: a cross-site form gets 415 and no token (no login CSRF).
    response = client.post("/api/v1/auth/token/", {"username": "office", "password": "Vanguard-test-1"})
    assert response.status_code == 415
    assert AuditRecord.objects.count() == audit_before
    assert row_counts() == rows_before


# --- stored <script> ------------------------------------------------------------------------------------

PAYLOAD = "<script>alert(1)</script>"
# Fields too short for it (phone numbers, 身份证号) get a tag that fits: "<s>" and the number.
SHORT = "<s>"
ESCAPED = re.compile(r"&lt;(?:script&gt;alert\(1\)&lt;/script|s)&gt;#(\d+)#")
RAW = re.compile(r"<script>alert|<s>#\d+#")


def marked(code: int, max_length: int | None) -> str:
    """The payload numbered `code` (so a page shows which field it came from), or the short tag."""
    value = f"{PAYLOAD}#{code}#"
    return value if max_length is None or len(value) <= max_length else f"{SHORT}#{code}#"


# CharFields and TextFields that hold no text a person types freely, and why they are left alone. Every
# other CharField/TextField without choices of every Vanguard model gets the payload.
NOT_FREE_TEXT = {
    "accounts.User.password": "a password hash",
    "org.Organisation.path": "treebeard's materialised path",
    "org.Cell.path": "treebeard's materialised path",
    "service_requests.ServiceRequest.consent_version": "the consent text's version, from the settings",
    "notifications.Notification.kind": "a code the system writes",
    "notifications.Notification.key": "a code the system writes",
    "notifications.Notification.url": "a link the system writes with reverse()",
    "public.PublicVersion.key": "a cache key",
    "public.PublicVersion.token": "a cache token",
    # The audit trail and the time-bank ledger refuse updates: they get the payload in new rows written
    # through their services instead (append_only_rows below).
    "audit.AuditRecord.*": "append-only: a record written with the payload through audit.services",
    "timebank.Transfer.*": "append-only: a spending written with the payload through timebank.services",
}
# Pages that fail outright with the payload stored (a bug each, not an escaping failure), and why.
# Pages that crashed on stored text (sheet names from a rollup's or a holder's name) are fixed: none left.
KNOWN_CRASHES: dict[str, str] = {}
# Fields that get the payload but that no page shows, and where they go instead.
NOT_SHOWN = {
    "accounts.LoginAttempt.username": "the lockout counter: read by the login policy only",
    "accounts.User.first_name": "Django's own; Vanguard names a user by display_name",
    "accounts.User.last_name": "Django's own; Vanguard names a user by display_name",
}


def is_free_text(field) -> bool:
    return (
        isinstance(field, models.CharField | models.TextField)
        and field.editable
        and not field.choices
        and not isinstance(field, models.EmailField | models.URLField | models.SlugField)
    )


def free_text_fields() -> dict[type, list[str]]:
    found = {}
    for model in apps.get_models():
        if not model.__module__.startswith("vanguard."):
            continue
        label = model._meta.label
        if f"{label}.*" in NOT_FREE_TEXT:
            continue
        names = [
            f.name
            for f in model._meta.concrete_fields
            if is_free_text(f) and f"{label}.{f.name}" not in NOT_FREE_TEXT
        ]
        if names:
            found[model] = names
    return found


def rows_nobody_made(world, office) -> list[tuple[str, str, str]]:
    """One row of each model with free text that the access sweep's objects leave empty, and objects in
    the states in which a page shows their remaining text (a reason shows only once rejected ...); answers
    the pages of the new objects, as every_url does."""
    from django.utils import timezone

    from vanguard.assessment.models import RectificationNote, Revision, RollupResult
    from vanguard.assessment.tests import factories as assessment_factories
    from vanguard.assessment.tests import sweep as assessment_pages
    from vanguard.assessment.tests import year_factories as assessment_year
    from vanguard.community.models import PairingVisit, Registration, ServiceRecord
    from vanguard.community.tests import api_factories as community_api
    from vanguard.community.tests import pages as community_pages
    from vanguard.org.models import Strength
    from vanguard.posts.models import BenchmarkRecord, ModelPost, Opinion, PostRules, StandardComment
    from vanguard.posts.tests import factories as post_factories
    from vanguard.posts.tests import pages as post_pages
    from vanguard.posts.tests import standards_factories as standards
    from vanguard.service_requests.models import ServiceRequest

    today, now = dt.date(2026, 6, 1), timezone.now()
    world.member_a.person.strengths.add(Strength.objects.create(name="特长"))
    result = assessment_pages.sweep_result(world)
    assessment_factories.score(assessment_pages.sweep_round(world), result, "思想政治", 8)
    Revision.objects.create(result=result, number=1, reason="修订")
    RollupResult.objects.create(
        rollup=assessment_year.sweep_rollup(world),
        member=world.member_a,
        unit=world.branch_a,
        name="王建国",
        total=Decimal("90"),
        rank=1,
    )
    RectificationNote.objects.create(
        rectification=assessment_year.sweep_rectification(world),
        written_on=today,
        note="跟进",
        written_by=office,
    )
    PostRules.objects.create(organisation=world.committee, number=1, note="说明", created_by=office)
    standard = standards.sweep_standard(world)
    StandardComment.objects.create(standard=standard, name="群众", content="意见", entered_by=office)
    BenchmarkRecord.objects.create(standard=standard, recorded_on=today, content="对标", created_by=office)
    PairingVisit.objects.create(
        pairing=community_pages.sweep_pairing(world), visited_on=today, content="走访"
    )

    # The states that show the rest: an answered opinion, a rated request, a rejected service record, a
    # registration sent back, a post not approved and one taken down.
    Opinion.objects.filter(pk=post_pages.sweep_opinion(world).pk).update(answered_at=now)
    ServiceRequest.objects.filter(organisation=world.branch_a).update(rating=1, rated_at=now)
    rejected = community_api.record(world.member_a, world.community, verify=False)
    ServiceRecord.objects.filter(pk=rejected.pk).update(status=ServiceRecord.Status.REJECTED)
    returned = community_api.registration(world.member_b, world.community, confirm=False)
    Registration.objects.filter(pk=returned.pk).update(status=Registration.Status.RETURNED)
    urls = [("community/registrations/<int:pk>/", "community:registration_detail", returned)]
    for name, status in (("未批准的岗", ModelPost.Status.REJECTED), ("已摘牌的岗", ModelPost.Status.REMOVED)):
        post = post_factories.applied_post(world, name)
        ModelPost.objects.filter(pk=post.pk).update(status=status, removed_at=now)
        urls.append(("posts/<int:pk>/", "posts:detail", post))
    return [(route, name, concrete(route, obj.pk)) for route, name, obj in urls]


def poison(fields: dict[type, list[str]]) -> dict[int, str]:
    """Store the payload, numbered, in every free-text field of every row; return number -> field."""
    codes: dict[int, str] = {}
    for model, names in fields.items():
        for pk in model._base_manager.values_list("pk", flat=True):
            values = {}
            for name in names:
                code = len(codes) + 1
                codes[code] = f"{model._meta.label}.{name}"
                values[name] = marked(code, model._meta.get_field(name).max_length)
            model._base_manager.filter(pk=pk).update(**values)
    return codes


def append_only_rows(world, worker, codes: dict[int, str]) -> int:
    """The payload in new rows of the append-only tables; the new audit record's id."""
    from vanguard.audit import services as audit
    from vanguard.audit.models import Action
    from vanguard.community.tests import api_factories as community_api
    from vanguard.timebank import services as timebank

    def value(field: str) -> str:
        code = len(codes) + 1
        codes[code] = field
        return marked(code, None)

    timebank.spend(
        actor=worker,
        source=community_api.sweep_account(world),
        target=community_api.household(world.community),
        hours="1",
        memo=value("timebank.Transfer.memo"),
    )
    record = audit.record(
        action=Action.LOGIN_FAILED,
        username=value("audit.AuditRecord.username"),
        object_repr=value("audit.AuditRecord.object_repr"),
        detail=value("audit.AuditRecord.detail"),
        before={"name": value("audit.AuditRecord.before")},
        after={"name": value("audit.AuditRecord.after")},
        success=False,
    )
    return record.pk


@pytest.mark.django_db
def test_script_stored_in_any_free_text_comes_back_escaped(
    sweep_world, office, secretary_a, member_a, community_worker, auditor
):
    pages = [
        (route, name, url) for route, name, url in every_url(sweep_world) if not route.startswith("api/")
    ]
    pages += rows_nobody_made(sweep_world, office)
    fields = free_text_fields()
    codes = poison(fields)
    audit_record = append_only_rows(sweep_world, community_worker, codes)
    pages.append(("audit/<int:pk>/", "audit:detail", f"/audit/{audit_record}/"))

    readers = [
        (user.username, client_for(user))
        for user in (office, secretary_a, member_a, community_worker, auditor)
    ]
    htmx = client_for(office)
    htmx.defaults["HTTP_HX_REQUEST"] = "true"
    readers.append(("office (htmx)", htmx))
    anonymous = ("anonymous", Client())
    for _who, client in [*readers, anonymous]:
        client.raise_request_exception = False

    raw: list[str] = []
    crashed: set[str] = set()
    shown_on: dict[str, set[str]] = {}
    rendered = 0
    for route, name, url in pages:
        for who, client in [*readers, anonymous] if route in PUBLIC else readers:
            response = client.get(url)
            if response.status_code >= 500:
                crashed.add(name)
            if response.status_code != 200 or not response["Content-Type"].startswith("text/html"):
                continue
            body = response.content.decode()
            rendered += 1
            if RAW.search(body):
                raw.append(f"{url} ({name}) as {who}")
            for code in ESCAPED.findall(body):
                shown_on.setdefault(codes[int(code)], set()).add(name)

    assert sorted(crashed) == sorted(KNOWN_CRASHES), f"pages that crash on stored text: {sorted(crashed)}"
    assert raw == [], "the stored <script> came back unescaped on: " + ", ".join(raw)
    poisoned = set(codes.values())
    not_shown = sorted(poisoned - set(shown_on))
    assert not_shown == sorted(NOT_SHOWN), (
        "fields whose escaped payload appears on no page: show them on a page the sweep opens, or say in "
        f"NOT_SHOWN where they go: {sorted(set(not_shown) - set(NOT_SHOWN))}; "
        f"now shown, remove from NOT_SHOWN: {sorted(set(NOT_SHOWN) - set(not_shown))}"
    )
    assert rendered > 300 and len(poisoned) > 90
