"""Writing the audit trail. `record()` is the only way a row gets in; `purge()` the only way one gets out.

Other apps call these from their services, inside the transaction of the change they record, so a change
and its record commit or roll back together:

    before = audit.snapshot(member) if member.pk else None
    ... validate and save ...
    audit.record_save(user=actor, obj=member, before=before)
"""

from __future__ import annotations

import contextlib
import datetime as dt
import ipaddress
import json
from collections.abc import Iterable, Iterator, Mapping, Sequence
from contextvars import ContextVar
from dataclasses import dataclass
from typing import Any

from django.core.exceptions import ValidationError
from django.core.serializers.json import DjangoJSONEncoder
from django.db import connections, router, transaction
from django.db.models import Model
from django.db.models.fields.files import FieldFile
from django.utils import formats, timezone
from django.utils.translation import gettext as _

from vanguard.accounts import lockout
from vanguard.core.crypto import EncryptedCharField

from .chain import GENESIS, compute_hash
from .models import RETENTION_DAYS, Action, AuditRecord

# pg_advisory_xact_lock key of the chain ("vanguard" in ASCII): one writer at a time appends to it.
_CHAIN_LOCK = 0x76616E6775617264
# Field values never copied into the trail.
_SECRET_FIELDS = {"password"}
_HIDDEN = "******"

_address: ContextVar[str | None] = ContextVar("vanguard_audit_address", default=None)


# --- the client address -------------------------------------------------------------------------------


def normalise_address(raw: str | None) -> str | None:
    """An address as the trail stores it (the model field's own normalisation: IPv6 compressed), so the
    hash covers the exact text that is stored; None when it is missing or not an address."""
    try:
        address = ipaddress.ip_address((raw or "").strip())
    except ValueError:
        return None
    return AuditRecord._meta.get_field("address").get_prep_value(str(address))


def address_of(request) -> str | None:
    """The request's client address (accounts.lockout decides which header to trust)."""
    return None if request is None else normalise_address(lockout.client_address(request))


def current_address() -> str | None:
    """The address of the request being served (set by AuditContextMiddleware or `audit_context`)."""
    return _address.get()


@contextlib.contextmanager
def audit_context(*, request=None, address: str | None = None) -> Iterator[None]:
    """Records made inside carry this address, for services that get the actor but not the request."""
    token = _address.set(address_of(request) if request is not None else normalise_address(address))
    try:
        yield
    finally:
        _address.reset(token)


# --- values before and after ----------------------------------------------------------------------------


class _Encoder(DjangoJSONEncoder):
    def default(self, o: Any) -> Any:
        if isinstance(o, bytes | memoryview):
            return bytes(o).hex()
        if isinstance(o, set | frozenset):
            return sorted(o, key=str)
        return super().default(o)


def _without_nul(value: Any) -> Any:
    # PostgreSQL's text and jsonb refuse the NUL character; a record must never fail for want of it.
    if isinstance(value, str):
        return value.replace("\x00", "")
    if isinstance(value, list):
        return [_without_nul(v) for v in value]
    if isinstance(value, dict):
        return {_without_nul(k): _without_nul(v) for k, v in value.items()}
    return value


def _jsonable(value: Any) -> Any:
    """Plain JSON types, exactly as they come back from the JSON column: the hash covers what is stored."""
    if value is None:
        return None
    if type(value) is _Batch:
        # batch() has made each value what the JSON column gives back already.
        return dict(value)
    text = json.dumps(value, cls=_Encoder, ensure_ascii=False)
    # JSON writes a NUL in a string or key as \u0000: without that text there is nothing to remove, and
    # a batch record's thousands of values are not walked one by one.
    if "\\u0000" not in text:
        return json.loads(text)
    return _without_nul(json.loads(text))


def snapshot(obj: Model, *, exclude: tuple[str, ...] = ()) -> dict[str, Any]:
    """The model's concrete field values as JSON: dates as ISO text, foreign keys as ids, no M2M."""
    data: dict[str, Any] = {}
    for field in obj._meta.concrete_fields:
        if field.name in exclude:
            continue
        value = field.value_from_object(obj)
        if isinstance(value, FieldFile):
            value = value.name or ""  # an uploaded file: its stored name
        if field.name in _SECRET_FIELDS:
            value = _HIDDEN if value else ""
        elif isinstance(field, EncryptedCharField) and value:
            # A number encrypted at rest is kept masked: the trail must not hold it in plain text.
            value = field.mask(value) if field.mask else _HIDDEN
        data[field.name] = value
    return _jsonable(data)


# --- writing ---------------------------------------------------------------------------------------------


def _lock_chain(using: str) -> None:
    """Serialise writers so two never chain to the same predecessor.

    PostgreSQL: a transaction-scoped advisory lock; the last row is read after it is granted, by a new
    statement that sees the previous writer's commit (SELECT ... FOR UPDATE of the last row would not: a
    waiter gets the row it first found, not the one committed meanwhile). SQLite: the transaction began
    with BEGIN IMMEDIATE (settings), which already holds the database's one write lock."""
    connection = connections[using]
    if connection.vendor == "postgresql":
        with connection.cursor() as cursor:
            cursor.execute("SELECT pg_advisory_xact_lock(%s)", [_CHAIN_LOCK])


def _text(value: Any, limit: int) -> str:
    return _without_nul("" if value is None else str(value))[:limit]


def record(
    *,
    action: str,
    user=None,
    request=None,
    obj: Model | None = None,
    object_type: str = "",
    object_id: str = "",
    object_repr: str = "",
    success: bool = True,
    before: Any = None,
    after: Any = None,
    detail: str = "",
    username: str = "",
) -> AuditRecord:
    """Append one record to the trail. `user` defaults to the request's user, the address to the
    request's (or the one of `audit_context`); `obj` fills object type, id and text; `username` names
    someone who is not a user (a failed login's attempted name)."""
    if action not in Action.values:
        raise ValueError(f"unknown audit action {action!r}")
    action = Action(action).value
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or str(obj)
    values: dict[str, Any] = {
        "user_id": user.pk if user is not None else None,
        "username": _text(username or (user.get_username() if user is not None else ""), 150),
        "address": address_of(request) if request is not None else current_address(),
        "action": action,
        "object_type": _text(object_type, 100),
        "object_id": _text(object_id, 64),
        "object_repr": _text(object_repr, 200),
        "success": bool(success),
        "before": _jsonable(before),
        "after": _jsonable(after),
        "detail": _text(detail, 10_000),
    }
    using = router.db_for_write(AuditRecord)
    with transaction.atomic(using=using):
        _lock_chain(using)
        last = AuditRecord.objects.using(using).order_by("-pk").values_list("hash", flat=True).first()
        values["prev_hash"] = last or GENESIS
        values["at"] = timezone.now()
        values["hash"] = compute_hash(values)
        entry = AuditRecord(**values)
        entry.save(using=using)
    return entry


def record_save(
    *, user, obj: Model, before: dict[str, Any] | None, request=None, detail: str = ""
) -> AuditRecord:
    """A create (when `before` is None) or an update of `obj`, which has just been saved."""
    return record(
        action=Action.CREATE if before is None else Action.UPDATE,
        user=user,
        request=request,
        obj=obj,
        before=before,
        after=snapshot(obj),
        detail=detail,
    )


def record_delete(*, user, obj: Model, request=None, detail: str = "") -> AuditRecord:
    """Call before `obj.delete()`, in the same transaction: the record keeps its last values."""
    return record(
        action=Action.DELETE, user=user, request=request, obj=obj, before=snapshot(obj), detail=detail
    )


def record_reveal(*, user, obj: Model, field: str, request=None) -> AuditRecord:
    """The full 身份证号 or phone number of `obj` (its `field`) was shown to `user`."""
    return record(action=Action.REVEAL, user=user, request=request, obj=obj, detail=field)


def record_export(
    *,
    user,
    kind: str,
    object_type: str = "",
    count: int | None = None,
    request=None,
    detail: str = "",
    success: bool = True,
    username: str = "",
) -> AuditRecord:
    """An export of `count` rows. `kind` names it (roster, archive ...), `object_type` the model exported
    ("org.member"), `detail` the filters that were chosen; `username` names who ran a console export."""
    return record(
        action=Action.EXPORT,
        user=user,
        username=username,
        request=request,
        object_type=object_type,
        object_repr=kind,
        after={"kind": kind, "count": count},
        detail=detail,
        success=success,
    )


def record_login_failed(*, request, username: str, detail: str = "") -> AuditRecord:
    """A failed login that did not reach authenticate() (a locked account or address, a wrong second
    factor); authenticate()'s own failures are recorded by the user_login_failed receiver."""
    return record(
        action=Action.LOGIN_FAILED, request=request, username=username, success=False, detail=detail
    )


# --- purging ---------------------------------------------------------------------------------------------


@dataclass
class PurgeResult:
    deleted: int
    anchor: str
    record: AuditRecord


def latest_purge_date() -> dt.date:
    """The latest `before` date a purge accepts: its records are all at least RETENTION_DAYS old."""
    return timezone.localtime(timezone.now() - dt.timedelta(days=RETENTION_DAYS)).date()


@transaction.atomic
def purge(*, before: dt.date, actor=None, username: str = "") -> PurgeResult:
    """Delete the records made before `before` (local midnight); refuse any date within RETENTION_DAYS.

    Removes the head of the chain up to the first record made on or after the date, so the chain that
    remains is whole; its first record's prev_hash is kept in this purge's own record as the anchor that
    `verify` trusts. `username` names who ran it when there is no user (the console)."""
    latest = latest_purge_date()
    if before > latest:
        raise ValidationError(
            _("审计记录至少保留%(days)d天:清理日期最晚为%(latest)s,不能是%(before)s。")
            % {
                "days": RETENTION_DAYS,
                "latest": formats.date_format(latest, "Y-m-d"),
                "before": formats.date_format(before, "Y-m-d"),
            }
        )
    cutoff = timezone.make_aware(dt.datetime.combine(before, dt.time.min))
    using = router.db_for_write(AuditRecord)
    _lock_chain(using)
    records = AuditRecord.objects.using(using)
    first_kept = records.filter(at__gte=cutoff).order_by("pk").values_list("pk", "prev_hash").first()
    if first_kept is None:
        # Everything goes: this purge's own record becomes the head, chained to the last one removed.
        first_kept_id = None
        anchor = records.order_by("-pk").values_list("hash", flat=True).first() or GENESIS
        doomed = records.count()
    else:
        first_kept_id, anchor = first_kept
        doomed = records.filter(pk__lt=first_kept_id).count()
    # The purge's record is written before the rows go, so it chains to the chain as it was.
    entry = record(
        action=Action.PURGE,
        user=actor,
        username=username,
        object_type=AuditRecord._meta.label_lower,
        after={
            "before": before.isoformat(),
            "deleted": doomed,
            "anchor": anchor,
            "first_kept_id": first_kept_id,
        },
        detail=_("清理%(before)s之前的审计记录%(deleted)d条。")
        % {"before": before.isoformat(), "deleted": doomed},
    )
    deleted = records.purge_prefix(before_id=first_kept_id or entry.pk)
    return PurgeResult(deleted=deleted, anchor=anchor, record=entry)


# --- many records at once ----------------------------------------------------------------------------------


class _Batch(dict):
    """A batch() value: its values are already as the JSON column gives them back."""


def batch(
    fields: Sequence[str], rows: Iterable[Sequence[Any]], *, same: Mapping[str, Any] | None = None
) -> dict[str, Any]:
    """The values of many objects of one model, for the `before` or `after` of one record: a bulk write
    (the roster import) records a batch of objects in one record instead of one record per object.

    `fields` names the values of each row (the model's field names, as snapshot() names them, plus any
    the writer adds, e.g. "strengths"); `same` holds the values every object of the batch shares (the
    time stamps of one insert). `batch_objects()` turns it back into one dict per object."""
    listed = (
        rows if type(rows) is list and all(type(row) is list for row in rows) else [list(r) for r in rows]
    )
    try:
        # Plain JSON already (text, numbers, None, lists; a date must come as its ISO text): its JSON,
        # hashed and stored, is the JSON of what the column gives back, and nothing is walked value by
        # value. Anything else goes the long way, like any record's values.
        text = json.dumps(listed, ensure_ascii=False)
    except TypeError:
        listed = _jsonable(listed)
    else:
        if "\\u0000" in text:
            listed = _without_nul(json.loads(text))
    value = _Batch(fields=_jsonable(list(fields)), rows=listed)
    if same:
        value["same"] = _jsonable(dict(same))
    return value


def is_batch(value: Any) -> bool:
    return (
        isinstance(value, dict)
        and isinstance(value.get("fields"), list)
        and isinstance(value.get("rows"), list)
    )


def batch_objects(value: Any) -> list[dict[str, Any]]:
    """The objects of a batch value (see batch()), each as a dict of its values like snapshot()'s."""
    if not is_batch(value):
        raise ValueError("not a batch of objects")
    same = value.get("same") or {}
    return [{**same, **dict(zip(value["fields"], row, strict=True))} for row in value["rows"]]


def batch_entry(
    *,
    action: str,
    model: type[Model],
    fields: Sequence[str],
    rows: Sequence[Sequence[Any]],
    before_rows: Sequence[Sequence[Any]] | None = None,
    same: Mapping[str, Any] | None = None,
    before_same: Mapping[str, Any] | None = None,
    detail: str = "",
) -> dict[str, Any]:
    """An entry of record_many() for a batch of objects of `model`: a create (their values in `after`)
    or an update (`before_rows` and `rows` in the same order, before and after)."""
    entry: dict[str, Any] = {
        "action": action,
        "object_type": model._meta.label_lower,
        "object_repr": _("%(model)s %(count)d条") % {"model": model._meta.verbose_name, "count": len(rows)},
        "after": batch(fields, rows, same=same),
        "detail": detail,
    }
    if before_rows is not None:
        entry["before"] = batch(fields, before_rows, same=before_same)
    return entry


def record_many(
    entries: Iterable[Mapping[str, Any]],
    *,
    user=None,
    request=None,
    username: str = "",
    batch_size: int = 2000,
) -> int:
    """Append many records in one call, for bulk writes (the roster import) that would otherwise pay a lock,
    a read of the last hash and an INSERT per record. Returns how many were appended.

    Each entry is a mapping of record()'s per-object arguments: `obj`, `action`, `before`, `after`,
    `detail`, `object_type`, `object_id`, `object_repr`, `success`. With `obj` and no `action`, the entry
    is a record_save(): a create when `before` is None, else an update, and `after` defaults to
    snapshot(obj). `user`, `request` and `username` are shared by all, as in record().

    The chain is the same as record()'s: taken under the same lock, computed here in Python one record
    after the other, and inserted in batches in chain order, so the ids follow the chain. `entries` may be
    a generator; it is consumed batch by batch."""
    if user is None and request is not None:
        user = getattr(request, "user", None)
    if user is not None and not user.is_authenticated:
        user = None
    shared = {
        "user_id": user.pk if user is not None else None,
        "username": _text(username or (user.get_username() if user is not None else ""), 150),
        "address": address_of(request) if request is not None else current_address(),
    }
    using = router.db_for_write(AuditRecord)
    count = 0
    with transaction.atomic(using=using):
        _lock_chain(using)
        previous = AuditRecord.objects.using(using).order_by("-pk").values_list("hash", flat=True).first()
        previous = previous or GENESIS
        batch: list[dict[str, Any]] = []
        for entry in entries:
            values = {**shared, **_entry_values(entry)}
            values["prev_hash"] = previous
            values["at"] = timezone.now()
            values["hash"] = previous = compute_hash(values)
            batch.append(values)
            if len(batch) >= batch_size:
                count += AuditRecord.objects.using(using)._append_chained(batch)
                batch = []
        if batch:
            count += AuditRecord.objects.using(using)._append_chained(batch)
    return count


_ACTIONS = {a.value: a.value for a in Action}


def _entry_values(entry: Mapping[str, Any]) -> dict[str, Any]:
    """One entry of record_many() as the row's own fields, normalised exactly as record() does."""
    obj: Model | None = entry.get("obj")
    before = entry.get("before")
    action = entry.get("action")
    if action is None:
        if obj is None:
            raise ValueError("an audit entry needs an action or an object")
        action = Action.CREATE if before is None else Action.UPDATE
    if action not in _ACTIONS:
        raise ValueError(f"unknown audit action {action!r}")
    object_type = entry.get("object_type", "")
    object_id = entry.get("object_id", "")
    object_repr = entry.get("object_repr", "")
    if "after" in entry:
        after = _jsonable(entry["after"])
    elif obj is not None and action in (Action.CREATE, Action.UPDATE):
        # snapshot() already returns what the JSON column gives back: no second round trip.
        after = snapshot(obj)
    else:
        after = None
    if obj is not None:
        object_type = object_type or obj._meta.label_lower
        object_id = object_id or ("" if obj.pk is None else str(obj.pk))
        object_repr = object_repr or str(obj)
    return {
        "action": _ACTIONS[action],
        "object_type": _text(object_type, 100),
        "object_id": _text(object_id, 64),
        "object_repr": _text(object_repr, 200),
        "success": bool(entry.get("success", True)),
        "before": _jsonable(before),
        "after": after,
        "detail": _text(entry.get("detail", ""), 10_000),
    }
