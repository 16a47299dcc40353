"""Encryption at rest of 身份证号 and phone numbers: a text field whose column holds only ciphertext.

The cipher is AES-SIV (RFC 5297, from `cryptography`), deterministic by design: the same number under the
same key always gives the same ciphertext. That is what keeps the columns usable as they were — equality
lookups (`filter(id_number=…)`, `__in`), the unique constraint on 身份证号 and the index on 手机号 work on
the ciphertext, and code that reads or writes the field sees plain text. What it gives away is equality:
someone holding the database without the key learns which rows share a number, never the number. Range,
prefix and containment lookups are refused (they would silently compare ciphertext).

Each column is its own context (the associated data is the column's name), so a ciphertext copied from one
column into another does not decrypt. Stored form: ``enc1:`` + base64. The empty string stays empty, so
"no number" needs no key and the unique constraint's condition (id_number <> '') still holds.

The key is settings.DATA_ENCRYPTION_KEY (64 bytes, base64); DATA_ENCRYPTION_KEY_FALLBACKS are tried when
reading, so a key can be rotated: set the new key, keep the old one as a fallback, run `vanguard reencrypt`
(which rewrites every encrypted column under the new key), then drop the fallback.
"""

from __future__ import annotations

import base64
import binascii
import functools
from collections.abc import Callable

from cryptography.exceptions import InvalidTag
from cryptography.hazmat.primitives.ciphers.aead import AESSIV
from django.apps import apps
from django.conf import settings
from django.core.exceptions import ImproperlyConfigured
from django.db import DEFAULT_DB_ALIAS, connections, models, transaction

PREFIX = "enc1:"
_LOOKUPS = frozenset({"exact", "in", "isnull"})


class DecryptionError(Exception):
    """A stored value no key decrypts: the key is wrong or the value was changed."""


@functools.lru_cache(maxsize=8)
def _cipher(key: str) -> AESSIV:
    try:
        raw = base64.b64decode(key, validate=True)
    except (binascii.Error, ValueError) as error:
        raise ImproperlyConfigured("DATA_ENCRYPTION_KEY must be base64.") from error
    if len(raw) != 64:
        raise ImproperlyConfigured("DATA_ENCRYPTION_KEY must be 64 bytes (88 characters of base64).")
    return AESSIV(raw)


def _ciphers() -> list[AESSIV]:
    return [_cipher(settings.DATA_ENCRYPTION_KEY)] + [
        _cipher(key) for key in getattr(settings, "DATA_ENCRYPTION_KEY_FALLBACKS", [])
    ]


def encrypt(value: str, context: str) -> str:
    if not value:
        return ""
    token = _ciphers()[0].encrypt(value.encode(), [context.encode()])
    return PREFIX + base64.b64encode(token).decode()


def decrypt(stored: str, context: str) -> str:
    if not stored:
        return ""
    if not stored.startswith(PREFIX):
        raise DecryptionError(f"{context}: the stored value is not encrypted")
    token = base64.b64decode(stored[len(PREFIX) :])
    for cipher in _ciphers():
        try:
            return cipher.decrypt(token, [context.encode()]).decode()
        except InvalidTag:
            continue
    raise DecryptionError(f"{context}: no key decrypts the stored value")


def key_check() -> str:
    """A short value that depends on the current key and discloses nothing of it (the synthetic IV of a
    fixed text): a backup keeps it, so a restore under another key says so before anyone meets unreadable
    numbers."""
    return encrypt("vanguard-key-check", "core.key_check")[len(PREFIX) :][:24]


class EncryptedCharField(models.CharField):
    """A CharField kept encrypted in its column (see the module's docstring).

    `max_length` is the plain text's, checked by validation as usual; the column is unbounded text, since
    the ciphertext is longer. `mask` is how the number is shown to someone without the right to see it in
    full, and how the audit trail keeps it."""

    def __init__(self, *args, mask: Callable[[str], str] | None = None, **kwargs):
        self.mask = mask
        super().__init__(*args, **kwargs)

    def deconstruct(self):
        name, path, args, kwargs = super().deconstruct()
        # How a value is masked is presentation, not schema: migrations need not know.
        return name, path, args, kwargs

    def get_internal_type(self) -> str:
        return "TextField"

    @property
    def context(self) -> str:
        return f"{self.model._meta.label_lower}.{self.name}"

    def from_db_value(self, value, expression, connection):
        if value is None:
            return value
        return decrypt(value, self.context)

    def get_prep_value(self, value):
        value = super().get_prep_value(value)
        if value is None:
            return value
        return encrypt(str(value), self.context)

    def get_lookup(self, lookup_name):
        if lookup_name not in _LOOKUPS:
            return None  # Django then raises FieldError: "Unsupported lookup …"
        return super().get_lookup(lookup_name)


def encrypted_fields() -> list[EncryptedCharField]:
    return [
        field
        for model in apps.get_models()
        for field in model._meta.concrete_fields
        if isinstance(field, EncryptedCharField)
    ]


def reencrypt_column(connection, *, table: str, pk: str, column: str, context: str, batch: int = 2000) -> int:
    """Rewrite one encrypted column under the current key, encrypting any value still in plain text (a
    column that was encrypted after it held data). Reads and writes the raw column; the rows changed."""
    quote = connection.ops.quote_name
    with connection.cursor() as cursor:
        cursor.execute(f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''")
        rows = cursor.fetchall()
    updates = []
    for key, stored in rows:
        plain = decrypt(stored, context) if stored.startswith(PREFIX) else stored
        fresh = encrypt(plain, context)
        if fresh != stored:
            updates.append((fresh, key))
    with connection.cursor() as cursor:
        for start in range(0, len(updates), batch):
            cursor.executemany(
                f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s",
                updates[start : start + batch],
            )
    return len(updates)


def reencrypt() -> dict[str, int]:
    """`vanguard reencrypt`: every encrypted column rewritten under the current key, in one transaction
    (all of it or none). The rows changed, per column."""
    counts: dict[str, int] = {}
    connection = connections[DEFAULT_DB_ALIAS]
    with transaction.atomic():
        for field in encrypted_fields():
            opts = field.model._meta
            counts[field.context] = reencrypt_column(
                connection, table=opts.db_table, pk=opts.pk.column, column=field.column, context=field.context
            )
    return counts


def encrypt_in_migration(app_label: str, model_name: str, *field_names: str):
    """A RunPython function encrypting the values a column held in plain text before it became an
    EncryptedCharField; decrypt_in_migration is its reverse."""

    def forwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        for name in field_names:
            field = model._meta.get_field(name)
            reencrypt_column(
                schema_editor.connection,
                table=model._meta.db_table,
                pk=model._meta.pk.column,
                column=field.column,
                context=f"{model._meta.label_lower}.{name}",
            )

    return forwards


def decrypt_in_migration(app_label: str, model_name: str, *field_names: str):
    """The reverse of encrypt_in_migration: the column's values back in plain text."""

    def backwards(apps, schema_editor):
        model = apps.get_model(app_label, model_name)
        connection = schema_editor.connection
        quote = connection.ops.quote_name
        table, pk = model._meta.db_table, model._meta.pk.column
        for name in field_names:
            column = model._meta.get_field(name).column
            context = f"{model._meta.label_lower}.{name}"
            with connection.cursor() as cursor:
                cursor.execute(
                    f"SELECT {quote(pk)}, {quote(column)} FROM {quote(table)} WHERE {quote(column)} <> ''"
                )
                rows = [
                    (decrypt(stored, context), key)
                    for key, stored in cursor.fetchall()
                    if stored.startswith(PREFIX)
                ]
                cursor.executemany(
                    f"UPDATE {quote(table)} SET {quote(column)} = %s WHERE {quote(pk)} = %s", rows
                )

    return backwards
