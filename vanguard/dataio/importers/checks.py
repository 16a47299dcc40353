"""Model.full_clean() over plain values: what the people planner validates each row with, without building
model instances (at 100 000 rows, building and cleaning instances was a third of an import).

`FieldCheck` is `Model.clean_fields()`: for each field, the field's own blank and choices rules and its own
validators (max_length, validate_id_number, validate_mobile, validate_not_future …). When a value passes
them all, as nearly every value does, nothing else runs; when one fails, the field's own `clean()` runs
and its messages are the ones reported, word for word. The rules of the models' clean() come from the
functions those clean() methods call themselves (org.models.person_errors, member_errors,
activist_errors). So there is one set of rules; `full_errors` puts the two together in full_clean()'s
order, and a test checks it against full_clean() on model instances.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Iterable, Mapping
from typing import Any

from django.core.exceptions import ValidationError
from django.core.validators import MaxLengthValidator
from django.db import models


class _Spec:
    """One field of clean_fields(): `passes(value)` says, quickly, that field.clean() would accept the
    value as it is; `messages(value)` is field.clean()'s own answer, asked only when it might not."""

    __slots__ = ("attname", "blank", "empty", "field", "name", "passes")

    def __init__(self, field: models.Field):
        self.field = field
        self.name = field.name
        self.attname = field.attname
        self.blank = field.blank
        self.empty = tuple(field.empty_values)
        self.passes = _passes(field)

    def messages(self, value: Any) -> list[str]:
        try:
            self.field.clean(value, None)
        except ValidationError as exc:
            return exc.messages
        return []


def _passes(field: models.Field) -> Callable[[Any], bool]:
    """field.clean()'s rules for a non-empty value, as one function: the value's type is one to_python()
    returns as it is (any str for a text field, a TextChoices member included; a date, not a datetime,
    for a date field), validate()'s choices, and each of the field's validators."""
    text = isinstance(field, models.CharField | models.TextField)
    if text:
        exact: type = str
    elif isinstance(field, models.DateTimeField):
        exact = dt.datetime
    elif isinstance(field, models.DateField):
        exact = dt.date
    elif isinstance(field, models.IntegerField | models.AutoField):
        exact = int
    else:
        return lambda value: False
    # validate() skips the choices of a field that is not editable.
    choices = (
        frozenset(key for key, _label in field.flatchoices)
        if field.choices is not None and field.editable
        else None
    )
    limit: int | None = None
    others = []
    for validator in field.validators:
        if type(validator) is MaxLengthValidator and isinstance(validator.limit_value, int):
            limit = validator.limit_value
        else:
            others.append(validator)

    # The commonest shapes as single expressions: this runs for every value of every row.
    if text and not others and limit is not None:
        if choices is None:
            return lambda value: isinstance(value, str) and len(value) <= limit
        return lambda value: isinstance(value, str) and value in choices and len(value) <= limit

    def passes(value: Any) -> bool:
        if not (isinstance(value, str) if text else type(value) is exact):
            return False
        if choices is not None and value not in choices:
            return False
        if limit is not None and len(value) > limit:
            return False
        try:
            for validator in others:
                validator(value)
        except ValidationError:
            return False
        return True

    return passes


class FieldCheck:
    """`model.clean_fields(exclude=...)` over a mapping of attribute names to values. `only` limits it to
    these attributes, for a new object whose other values are its defaults."""

    def __init__(
        self, model: type[models.Model], *, exclude: Iterable[str] = (), only: Iterable[str] | None = None
    ):
        excluded = set(exclude)
        kept = None if only is None else set(only)
        self.specs = tuple(
            _Spec(f)
            for f in model._meta.fields
            if f.name not in excluded and not f.generated and (kept is None or f.attname in kept)
        )
        self._loop = tuple((s.attname, s.blank, s.empty, s.passes, s) for s in self.specs)

    @property
    def attnames(self) -> list[str]:
        return [spec.attname for spec in self.specs]

    def errors(self, values: Mapping[str, Any]) -> dict[str, list[str]]:
        """The fields' messages by field name, in the model's field order, as clean_fields() gives them."""
        errors: dict[str, list[str]] = {}
        for attname, blank, empty, passes, spec in self._loop:
            value = values.get(attname)
            if not value and value in empty:
                if blank:
                    continue
            elif passes(value):
                continue
            messages = spec.messages(value)
            if messages:
                errors[spec.name] = messages
        return errors


def full_errors(field_errors: dict[str, list[str]], rule_errors: Mapping[str, str]) -> dict[str, list[str]]:
    """full_clean()'s message_dict: the fields' messages, then clean()'s, appended to a field's own."""
    if not rule_errors:
        return field_errors
    merged = {name: list(messages) for name, messages in field_errors.items()}
    for name, message in rule_errors.items():
        merged.setdefault(name, []).append(message)
    return merged
