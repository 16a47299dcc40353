"""Helpers for describing each app's endpoints in the OpenAPI schema: the same parameters and error
responses everywhere, so the docs page and the schema-driven tests see one consistent API."""

from __future__ import annotations

from collections.abc import Callable

from django.utils.translation import gettext_lazy
from drf_spectacular.utils import extend_schema

from .errors import error_responses
from .fields import ID_PATH_PARAMETER

_DETAIL = gettext_lazy("不存在的对象与不在您可见范围内的对象同样返回 404。")


def list_schema(summary: str, description: str, filters: type, output: type) -> Callable:
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[filters],
        responses={200: output(many=True), **error_responses(400, 401, 403, 404)},
    )


def detail_schema(summary: str, output: type) -> Callable:
    return extend_schema(
        summary=summary,
        description=_DETAIL,
        parameters=[ID_PATH_PARAMETER],
        responses={200: output, **error_responses(401, 403, 404)},
    )


def write_schema(
    summary: str, description: str, input_serializer: type, output: type, *, created: bool = False
) -> Callable:
    if created:
        return extend_schema(
            summary=summary,
            description=description,
            request=input_serializer,
            responses={201: output, **error_responses(400, 401, 403)},
        )
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=input_serializer,
        responses={200: output, **error_responses(400, 401, 403, 404)},
    )
