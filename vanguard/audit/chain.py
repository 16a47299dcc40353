"""The HMAC chain over the audit records, and its verification.

Each record's `hash` is HMAC-SHA256 over a canonical JSON of its own fields and `prev_hash`, the `hash` of
the record before it. Someone who edits a row in the database cannot compute the new HMAC without the key,
and someone who removes or inserts a row breaks the link of the row after it.

The key is `settings.AUDIT_HMAC_KEY` when set, otherwise derived from SECRET_KEY (through salted_hmac, so
the trail never uses SECRET_KEY itself). Rotating a key: put the old one in AUDIT_HMAC_KEY_FALLBACKS (or
SECRET_KEY_FALLBACKS when no AUDIT_HMAC_KEY is set) so that older records still verify.
"""

from __future__ import annotations

import datetime as dt
import functools
import hashlib
import hmac
import json
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from typing import Any

from django.conf import settings
from django.utils.translation import gettext as _

from .models import Action, AuditRecord

# The prev_hash of the very first record.
GENESIS = "0" * 64
_SALT = "vanguard.audit.AuditRecord.chain"
CHAIN_FIELDS = (
    "at",
    "user_id",
    "username",
    "address",
    "action",
    "object_type",
    "object_id",
    "object_repr",
    "success",
    "before",
    "after",
    "detail",
    "prev_hash",
)


def _keys() -> list[str]:
    key = getattr(settings, "AUDIT_HMAC_KEY", "")
    if key:
        return [key, *getattr(settings, "AUDIT_HMAC_KEY_FALLBACKS", [])]
    return [settings.SECRET_KEY, *getattr(settings, "SECRET_KEY_FALLBACKS", [])]


def _format_at(value: dt.datetime) -> str:
    return value.astimezone(dt.UTC).strftime("%Y-%m-%dT%H:%M:%S.%fZ")


def canonical(values: dict[str, Any]) -> bytes:
    """The bytes the HMAC covers: the chain fields as sorted, compact JSON."""
    data = {name: values[name] for name in CHAIN_FIELDS}
    data["at"] = _format_at(data["at"])
    # PostgreSQL may hand an inet back as an ipaddress object; the text form is what was written.
    data["address"] = None if data["address"] is None else str(data["address"])
    return json.dumps(data, sort_keys=True, ensure_ascii=False, separators=(",", ":")).encode()


@functools.lru_cache(maxsize=8)
def _derived_key(key: str) -> bytes:
    # Exactly what django.utils.crypto.salted_hmac derives from the salt and the secret, once per key
    # instead of once per record (an import hashes hundreds of thousands).
    return hashlib.sha256(_SALT.encode() + key.encode()).digest()


def _digest(message: bytes, key: str) -> str:
    return hmac.new(_derived_key(key), message, hashlib.sha256).hexdigest()


def compute_hash(values: dict[str, Any]) -> str:
    return _digest(canonical(values), _keys()[0])


def hash_matches(record: AuditRecord) -> bool:
    message = canonical({name: getattr(record, name) for name in CHAIN_FIELDS})
    return any(hmac.compare_digest(_digest(message, key), record.hash) for key in _keys())


@dataclass
class Problem:
    record_id: int
    at: dt.datetime
    message: str


@dataclass
class Verification:
    count: int = 0
    problem_count: int = 0
    # The first problems only: a trail verified under the wrong key would otherwise fill memory.
    problems: list[Problem] = field(default_factory=list)

    @property
    def ok(self) -> bool:
        return self.problem_count == 0


_KEPT_PROBLEMS = 1000


def walk(chunk_size: int = 2000) -> Iterator[tuple[AuditRecord, list[str]]]:
    """Every record in chain order with what is wrong with it; memory stays flat whatever the table size."""
    previous: AuditRecord | None = None
    for record in AuditRecord.objects.order_by("pk").iterator(chunk_size=chunk_size):
        wrong: list[str] = []
        if not hash_matches(record):
            wrong.append(_("内容与哈希不符:该记录在数据库中被改动过"))
        if previous is not None and record.prev_hash != previous.hash:
            wrong.append(_("未接续上一条记录 #%(id)s:其间的记录被删除、插入或改动过") % {"id": previous.pk})
        yield record, wrong
        previous = record


def verify(chunk_size: int = 2000, on_problem: Callable[[Problem], None] | None = None) -> Verification:
    """Walk the whole chain; `on_problem` hears of each problem as it is found.

    The first record's prev_hash is trusted as the anchor when a purge record later in the chain names it
    (a purge removes the head of the chain); otherwise it must be GENESIS."""
    result = Verification()

    def found(problem: Problem) -> None:
        result.problem_count += 1
        if len(result.problems) < _KEPT_PROBLEMS:
            result.problems.append(problem)
        if on_problem is not None:
            on_problem(problem)

    first: AuditRecord | None = None
    anchors: set[str] = set()
    for record, wrong in walk(chunk_size):
        result.count += 1
        if first is None:
            first = record
        if record.action == Action.PURGE and isinstance(record.after, dict):
            anchors.add(str(record.after.get("anchor", "")))
        for message in wrong:
            found(Problem(record.pk, record.at, message))
    if first is not None and first.prev_hash != GENESIS and first.prev_hash not in anchors:
        found(
            Problem(
                first.pk,
                first.at,
                _("链首之前的记录不见了,且没有清理记录(vanguard audit purge)可以说明:前面的记录被直接删除过"),
            )
        )
    return result
