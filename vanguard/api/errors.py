"""Every error the API gives is JSON: `{"detail": "<a sentence a person can read>"}`, and for bad input also
`"errors": {"<field>": ["<message>", ...]}` keyed by the request's own field names.

Django's own ValidationError (raised by the services' `full_clean`) and Http404 / PermissionDenied are turned
into the same shape, so a view never has to translate them itself.
"""

from __future__ import annotations

import logging
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from django.conf import settings
from django.core import signals
from django.core.exceptions import NON_FIELD_ERRORS
from django.core.exceptions import PermissionDenied as DjangoPermissionDenied
from django.core.exceptions import ValidationError as DjangoValidationError
from django.http import Http404, HttpRequest, JsonResponse
from django.urls import Resolver404, resolve
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.csrf import csrf_exempt
from drf_spectacular.utils import OpenApiResponse
from rest_framework import exceptions, serializers, status
from rest_framework.response import Response
from rest_framework.settings import api_settings
from rest_framework.views import exception_handler as drf_exception_handler

logger = logging.getLogger("django.request")


class ErrorSerializer(serializers.Serializer):
    # The body of every error response, for the schema. (No docstring: it would become the component's
    # description, in English, in a schema written in Chinese.)

    detail = serializers.CharField(help_text=gettext_lazy("给人看的错误说明"))
    errors = serializers.DictField(
        required=False,
        help_text=gettext_lazy("仅在请求数据有误(400)时出现:字段名 → 该字段的错误信息列表"),
    )


_DESCRIPTIONS = {
    400: gettext_lazy("请求数据有误"),
    401: gettext_lazy("未登录或令牌无效"),
    403: gettext_lazy("无权执行此操作"),
    404: gettext_lazy("对象不存在,或不在您的可见范围内"),
    409: gettext_lazy("数据已被他人修改:请刷新后再提交"),
}


def error_responses(*codes: int) -> dict[int, OpenApiResponse]:
    """`responses=` entries for `extend_schema`: each error status with the one error body."""
    return {code: OpenApiResponse(ErrorSerializer, description=str(_DESCRIPTIONS[code])) for code in codes}


def _not_found_message() -> str:
    # The same words for a missing object and one out of scope: the answer must not tell them apart.
    return _("未找到:该对象不存在,或不在您的可见范围内。")


def _errors_from_django(exc: DjangoValidationError) -> dict[str, list[str]]:
    errors = exc.message_dict if hasattr(exc, "error_dict") else {NON_FIELD_ERRORS: exc.messages}
    non_field = api_settings.NON_FIELD_ERRORS_KEY
    return {(non_field if key == NON_FIELD_ERRORS else key): list(msgs) for key, msgs in errors.items()}


def _first_message(errors: Any) -> str:
    if isinstance(errors, dict):
        for value in errors.values():
            message = _first_message(value)
            if message:
                return message
    elif isinstance(errors, list):
        for value in errors:
            message = _first_message(value)
            if message:
                return message
    elif errors:
        return str(errors)
    return ""


def _validation_body(detail: Any) -> dict[str, Any]:
    errors = detail if isinstance(detail, dict) else {api_settings.NON_FIELD_ERRORS_KEY: detail}
    first = _first_message(errors)
    message = _("请求数据有误:%(first)s") % {"first": first} if first else _("请求数据有误。")
    return {"detail": message, "errors": errors}


def exception_handler(exc: Exception, context: dict[str, Any]) -> Response | None:
    if isinstance(exc, DjangoValidationError):
        exc = exceptions.ValidationError(_errors_from_django(exc))
    elif isinstance(exc, Http404):
        exc = exceptions.NotFound(_not_found_message())
    elif isinstance(exc, DjangoPermissionDenied):
        exc = exceptions.PermissionDenied(_("您无权执行此操作。"))
    elif isinstance(exc, exceptions.NotAuthenticated):
        exc.detail = _(
            "未登录:请求须带“Authorization: Token <令牌>”请求头,令牌由 POST /api/v1/auth/token/ 获取。"
        )

    response = drf_exception_handler(exc, context)
    if response is None:
        return _server_error(exc, context)
    if isinstance(exc, exceptions.ValidationError):
        response.data = _validation_body(exc.detail)
    elif isinstance(response.data, dict) and "detail" in response.data:
        response.data = {"detail": str(response.data["detail"])}
    else:
        response.data = {"detail": _first_message(response.data) or _("请求出错。")}
    return response


def _server_error(exc: Exception, context: dict[str, Any]) -> Response | None:
    """An unexpected error: logged and signalled as Django would, answered in JSON rather than an HTML page.
    With DEBUG on, Django's own debug page is more use, so the exception goes on up."""
    if settings.DEBUG or settings.DEBUG_PROPAGATE_EXCEPTIONS:
        return None
    request = context.get("request")
    django_request = getattr(request, "_request", request)
    logger.error(
        "Internal Server Error: %s",
        getattr(django_request, "path", "?"),
        exc_info=(type(exc), exc, exc.__traceback__),
        extra={"status_code": 500, "request": django_request},
    )
    # The test client re-raises the exception from this signal, so tests still see it.
    signals.got_request_exception.send(sender=None, request=django_request)
    return Response(
        {"detail": _("服务器内部错误,已记录,请稍后再试。")}, status=status.HTTP_500_INTERNAL_SERVER_ERROR
    )


# No CSRF check: nothing happens here, and a POST to a wrong address deserves the same JSON 404 as a GET,
# not the CSRF failure page.
@csrf_exempt
def api_not_found(request: HttpRequest) -> JsonResponse:
    """Any path under /api/v1/ that names no endpoint: a JSON 404 rather than the site's HTML page."""
    message = _("接口不存在:%(path)s") % {"path": request.path}
    if not request.path.endswith("/"):
        try:
            match = resolve(request.path + "/")
        except Resolver404:
            match = None
        if match is not None and match.func is not api_not_found:
            message = _("接口地址须以斜杠结尾:%(path)s/") % {"path": request.path}
    return JsonResponse({"detail": message}, status=404, json_dumps_params={"ensure_ascii": False})


def refuse(message) -> None:
    """403 with the service's own sentence, before the request's body is read: in sight but not the
    caller's to do, whatever they send."""
    raise exceptions.PermissionDenied(str(message))


@contextmanager
def refusals() -> Iterator[None]:
    """A refusal from a service (只有……可以……) tells the caller more than a bare "no": its sentence is the
    403's message."""
    try:
        yield
    except DjangoPermissionDenied as exc:
        raise exceptions.PermissionDenied(str(exc) or None) from exc
