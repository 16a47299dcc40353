"""A foreign key in a request, looked up only among what the caller may use."""

from __future__ import annotations

from collections.abc import Callable

from django.db.models import QuerySet
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import OpenApiParameter
from rest_framework import serializers

# The largest primary key a database integer column holds; anything larger names nothing (and would make
# SQLite raise OverflowError instead of answering "no such row").
MAX_ID = 2**63 - 1
# Path parameters: at most 18 digits, so no id in a URL overflows either.
ID_PATH_REGEX = r"[0-9]{1,18}"
# ... and the schema says what a client should send: an integer id.
ID_PATH_PARAMETER = OpenApiParameter("id", OpenApiTypes.INT, OpenApiParameter.PATH, description=_("编号"))


class ScopedPrimaryKeyRelatedField(serializers.PrimaryKeyRelatedField):
    """An id resolved within `scoped(user)`. An id out of scope fails with the same message as one that
    does not exist, so the answer never tells whether someone else's object is there."""

    default_error_messages = {
        "does_not_exist": _("所选对象不存在或不在您的管理范围内。"),
        "incorrect_type": _("应为整数编号,收到的是{data_type}。"),
    }

    def __init__(self, *, scoped: Callable[[object, QuerySet], QuerySet], **kwargs) -> None:
        self.scoped = scoped
        super().__init__(**kwargs)

    def get_queryset(self) -> QuerySet:
        request = self.context.get("request")
        user = getattr(request, "user", None)
        return self.scoped(user, super().get_queryset())

    def to_internal_value(self, data):
        if isinstance(data, bool):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str) and data.isascii() and data.strip().isdigit():
            data = int(data)
        if not isinstance(data, int):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if not 0 < data <= MAX_ID:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)
