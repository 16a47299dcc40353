"""Reading the audit trail. Callers check `policy.can_read_trail` first."""

from __future__ import annotations

import datetime as dt
import json
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from django.apps import apps
from django.core.exceptions import FieldDoesNotExist
from django.db.models import QuerySet
from django.http import Http404
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.core import masking

from . import services
from .models import AuditRecord

# Shown masked even to the auditor: reading the trail must not become a way round the masking.
_MASKS = {
    "id_number": masking.mask_id_number,
    "mobile": masking.mask_phone,
    "phone": masking.mask_phone,
}


@dataclass(frozen=True)
class AuditFilters:
    username: str = ""
    action: str = ""
    object_type: str = ""
    object_id: str = ""
    date_from: dt.date | None = None
    date_to: dt.date | None = None
    success: bool | None = None


def _start_of(day: dt.date) -> dt.datetime:
    return timezone.make_aware(dt.datetime.combine(day, dt.time.min))


def record_list(*, filters: AuditFilters) -> QuerySet[AuditRecord]:
    # The list never shows the values before and after, which can be large.
    records = AuditRecord.objects.select_related("user").defer("before", "after")
    if filters.username:
        records = records.filter(username=filters.username)
    if filters.action:
        records = records.filter(action=filters.action)
    if filters.object_type:
        records = records.filter(object_type=filters.object_type)
    if filters.object_id:
        records = records.filter(object_id=filters.object_id)
    if filters.date_from:
        records = records.filter(at__gte=_start_of(filters.date_from))
    if filters.date_to:
        records = records.filter(at__lt=_start_of(filters.date_to + dt.timedelta(days=1)))
    if filters.success is not None:
        records = records.filter(success=filters.success)
    # Newest first; the (username, at) and (action, at) indexes serve the filtered lists in this order.
    return records.order_by("-at", "-pk")


def record_detail(*, pk: int) -> AuditRecord:
    try:
        return AuditRecord.objects.select_related("user").get(pk=pk)
    except AuditRecord.DoesNotExist as exc:
        raise Http404 from exc


def predecessor_hash(record: AuditRecord) -> str | None:
    """The hash of the record before this one in the chain; None when it is the first."""
    return AuditRecord.objects.filter(pk__lt=record.pk).order_by("-pk").values_list("hash", flat=True).first()


@lru_cache(maxsize=512)
def model_name(label: str) -> str:
    """ "org.member" → 党员; unknown labels as they are."""
    try:
        return str(apps.get_model(label)._meta.verbose_name)
    except (LookupError, ValueError):
        return label


def _field_label(label: str, name: str) -> str:
    try:
        return str(apps.get_model(label)._meta.get_field(name).verbose_name)
    except (LookupError, ValueError, FieldDoesNotExist):
        return name


def _shown(name: str, value: Any) -> str:
    if value is None or value == "":
        return "—"
    if isinstance(value, bool):
        return _("是") if value else _("否")
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False, indent=1)
    if name in _MASKS and isinstance(value, str):
        return _MASKS[name](value)
    return str(value)


@dataclass
class Change:
    name: str
    label: str
    before: str
    after: str
    changed: bool


def changes(record: AuditRecord) -> list[Change]:
    """Before and after side by side, one row per field, in the order the fields appear. A batch record
    (many objects of one model in one record, e.g. the roster import) shows each object's fields, numbered
    by the object's id, masked like any other record's."""
    if services.is_batch(record.after) or services.is_batch(record.before):
        return _batch_changes(record)
    before = record.before if isinstance(record.before, dict) else None
    after = record.after if isinstance(record.after, dict) else None
    if before is None and after is None:
        rows = []
        if record.before is not None or record.after is not None:
            rows.append(Change("", _("值"), _shown("", record.before), _shown("", record.after), True))
        return rows
    names = list(dict.fromkeys([*(before or {}), *(after or {})]))
    rows = []
    for name in names:
        old = (before or {}).get(name)
        new = (after or {}).get(name)
        changed = before is not None and after is not None and old != new
        rows.append(
            Change(
                name=name,
                label=_field_label(record.object_type, name),
                before=_shown(name, old) if before is not None else "",
                after=_shown(name, new) if after is not None else "",
                changed=changed,
            )
        )
    return rows


def _batch_changes(record: AuditRecord) -> list[Change]:
    afters = services.batch_objects(record.after) if services.is_batch(record.after) else []
    befores = services.batch_objects(record.before) if services.is_batch(record.before) else None
    rows: list[Change] = []
    for i, after in enumerate(afters):
        before = befores[i] if befores is not None and i < len(befores) else None
        for name, new in after.items():
            old = before.get(name) if before is not None else None
            rows.append(
                Change(
                    name=name,
                    label=f"#{after.get('id')} {_field_label(record.object_type, name)}",
                    before=_shown(name, old) if before is not None else "",
                    after=_shown(name, new),
                    changed=before is not None and old != new,
                )
            )
    return rows
