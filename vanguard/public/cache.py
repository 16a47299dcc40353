"""Caching of the public pages (zone boards, model-post boards, community boards, published results, the big
screen and its data), invalidated the moment what they show changes — in every worker process.

Each page names the keys of the content it shows (BOARDS): its own object (`zone:12`) and the topics of
reference data it prints (`trees`: the names of organisations and cells; `people`: names and phones …).
receivers.py bumps a key — gives it a new random token — from the post_save / post_delete signals of the
models behind it, in the same transaction as the write. A request reads the tokens of its page's keys in one
query and looks the rendered page up in Django's cache under (page, address, language, date, tokens): a page
whose content changed has new tokens, so the very next request renders it afresh, whichever gunicorn worker
answers it (the tokens are in the database; each worker's cache only holds pages). An unchanged page costs
that one query.

What is cached: GET and HEAD of anonymous visitors with no message waiting (a logged-in member sees the
navigation of their roles, so they get a fresh page), and only a 200 that sets no cookie. base.html prints the
visitor's CSRF token (the language switch, htmx's header): before a page is stored its token is replaced by a
marker, and each visitor served from the cache gets their own token in its place.

The date is part of the key, since some content turns with the calendar and no write ("this year's zone takes
requests", "this month's requests"). TTL is the safety net for writes that send no model signal (bulk
updates, the roster import): those call `bump()` with the keys they touch, or the page refreshes within
TTL."""

from __future__ import annotations

import functools
import hashlib
import re
import secrets
from collections.abc import Callable, Iterable
from dataclasses import dataclass
from typing import Any

from django.contrib.messages import get_messages
from django.core.cache import cache
from django.http import HttpRequest, HttpResponse

# A private helper of Django's CSRF module: the only way to recognise a visitor's masked token in a page.
# test_cache.py pins its behaviour (a page served from the cache carries a token that passes the check).
from django.middleware.csrf import _unmask_cipher_token, get_token
from django.utils import translation
from django.utils.crypto import salted_hmac

from vanguard.org.validators import today

from .models import PublicVersion

TTL = 300

# Topics: content that many pages print and that changes rarely.
TREES = "trees"  # organisations, cells, responsibilities, the zone role kinds
PEOPLE = "people"  # persons and members: names, phones, branches, who is a party member
ZONES = "zones"  # any zone, its roles and cells: the zones of a community, coverage
STANDARDS = "standards"  # post standards (亮标准 on the zone boards)
POSTS = "posts"  # model posts on the wall and their members: the stars of communities and screens
ROUNDS = "rounds"  # assessment rounds and their results: the screens' latest published round


def zone_key(pk: int) -> str:
    return f"zone:{pk}"


def post_key(pk: int) -> str:
    return f"post:{pk}"


def round_key(pk: int) -> str:
    return f"round:{pk}"


def cell_key(pk: int) -> str:
    """A community's own content: registrations, teams, community posts, service records, requests."""
    return f"cell:{pk}"


def organisation_key(pk: int) -> str:
    """An organisation's subtree's requests and service hours (bumped for each ancestor too)."""
    return f"organisation:{pk}"


Keys = Callable[[dict[str, Any]], list[str]]

# The keys of each cached page, from its URL's keyword arguments.
BOARDS: dict[str, Keys] = {
    "zone": lambda kw: [zone_key(kw["pk"]), TREES, PEOPLE, STANDARDS],
    "post": lambda kw: [post_key(kw["pk"]), TREES, PEOPLE],
    "community": lambda kw: [cell_key(kw["pk"]), TREES, PEOPLE, ZONES, POSTS],
    "results": lambda kw: [round_key(kw["pk"]), TREES, PEOPLE],
    "screen": lambda kw: [TREES],
    "screen-community": lambda kw: [cell_key(kw["pk"]), TREES, PEOPLE, ZONES, POSTS, ROUNDS],
    "screen-branch": lambda kw: [organisation_key(kw["pk"]), TREES, PEOPLE, ZONES, POSTS, ROUNDS],
}


def _token() -> str:
    return secrets.token_hex(8)


def bump(*keys: str) -> None:
    """Give each key a new version: one statement, the rows in a fixed order (two writers bumping the same
    keys lock them in the same order)."""
    wanted = sorted(set(keys))
    if not wanted:
        return
    PublicVersion.objects.bulk_create(
        [PublicVersion(key=key, token=_token()) for key in wanted],
        update_conflicts=True,
        unique_fields=["key"],
        update_fields=["token"],
    )


def stamp(keys: Iterable[str]) -> str | None:
    """The versions of `keys` as one string, in one query. None when some key has no version yet: it is
    given one now, and the page is not cached this once (so no page is ever stored under a version that a
    later first write would not change)."""
    wanted = sorted(set(keys))
    tokens = dict(PublicVersion.objects.filter(key__in=wanted).values_list("key", "token"))
    missing = [key for key in wanted if key not in tokens]
    if missing:
        PublicVersion.objects.bulk_create(
            [PublicVersion(key=key, token=_token()) for key in missing], ignore_conflicts=True
        )
        return None
    return ",".join(f"{key}={tokens[key]}" for key in wanted)


# --- the visitor's CSRF token ------------------------------------------------------------------------------

_MASKED_TOKEN = re.compile(r"(?<![A-Za-z0-9])[A-Za-z0-9]{64}(?![A-Za-z0-9])")


@functools.cache
def _marker() -> str:
    # Derived from the secret key: no visitor can write it into content that a page shows.
    return "csrf-" + salted_hmac("vanguard.public.cache", "csrf-marker").hexdigest()[:32]


def _without_token(content: str, secret: str) -> tuple[str, bool]:
    """The page with every copy of the visitor's masked token (whose secret is `secret`) replaced by the
    marker, and whether there was one."""
    found = {t for t in _MASKED_TOKEN.findall(content) if _unmask_cipher_token(t) == secret}
    for token in found:
        content = content.replace(token, _marker())
    return content, bool(found)


# --- the cached response ------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Entry:
    content: str
    headers: tuple[tuple[str, str], ...]
    charset: str
    has_token: bool


def _cacheable(request: HttpRequest) -> bool:
    if request.method not in ("GET", "HEAD"):
        return False
    user = getattr(request, "user", None)
    if user is not None and user.is_authenticated:
        return False
    # len() reads the messages without marking them seen (iterating would).
    return len(get_messages(request)) == 0


def _cache_key(board: str, request: HttpRequest, versions: str) -> str:
    # The full address: the host (the QR code's link is absolute) and the query string (the page number).
    parts = "\n".join(
        [board, request.build_absolute_uri(), translation.get_language() or "", today().isoformat(), versions]
    )
    return "vanguard.public:" + hashlib.sha256(parts.encode()).hexdigest()


def _entry(request: HttpRequest, response: HttpResponse, token_used: bool) -> Entry | None:
    """What to store of a response, or None when it is not to be stored."""
    if response.status_code != 200 or getattr(response, "streaming", False) or response.cookies:
        return None
    if not getattr(response, "is_rendered", True):
        response.render()  # a TemplateResponse
    charset = response.charset
    content = response.content.decode(charset)
    has_token = False
    secret = request.META.get("CSRF_COOKIE")
    if secret:
        content, has_token = _without_token(content, secret)
    if token_used and not has_token:
        # The page asked for the visitor's token but it cannot be found to be replaced: never share it.
        return None
    return Entry(
        content=content, headers=tuple(response.headers.items()), charset=charset, has_token=has_token
    )


def _served(request: HttpRequest, entry: Entry) -> HttpResponse:
    content = entry.content
    if entry.has_token:
        content = content.replace(_marker(), get_token(request))
    response = HttpResponse(content.encode(entry.charset))
    for name, value in entry.headers:
        response.headers[name] = value
    return response


def cached_public(board: str) -> Callable:
    """Cache a public page's view under the versions of BOARDS[board]: put it under @require_GET."""
    keys_of = BOARDS[board]

    def decorator(view: Callable[..., HttpResponse]) -> Callable[..., HttpResponse]:
        @functools.wraps(view)
        def wrapper(request: HttpRequest, *args: Any, **kwargs: Any) -> HttpResponse:
            if not _cacheable(request):
                return view(request, *args, **kwargs)
            versions = stamp(keys_of(kwargs))
            if versions is None:
                return view(request, *args, **kwargs)
            key = _cache_key(board, request, versions)
            entry = cache.get(key)
            if entry is not None:
                return _served(request, entry)
            token_before = bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            response = view(request, *args, **kwargs)
            token_used = not token_before and bool(request.META.get("CSRF_COOKIE_NEEDS_UPDATE"))
            entry = _entry(request, response, token_used)
            if entry is not None:
                cache.set(key, entry, TTL)
            return response

        return wrapper

    return decorator
