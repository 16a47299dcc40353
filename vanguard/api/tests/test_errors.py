"""Every error under /api/v1/ is JSON with a message a person can read, whatever raised it."""

from __future__ import annotations

import pytest
from django.core.exceptions import ValidationError as DjangoValidationError
from django.test import RequestFactory
from rest_framework import exceptions

from vanguard.api.errors import exception_handler
from vanguard.api.tests.helpers import api_client


@pytest.mark.django_db
def test_an_invalid_token_is_a_401_in_chinese():
    response = api_client().get("/api/v1/members/", HTTP_AUTHORIZATION="Token 0123456789abcdef")
    assert response.status_code == 401
    assert response.json() == {"detail": "认证令牌无效。"}


@pytest.mark.django_db
def test_a_path_that_names_no_endpoint_is_a_json_404():
    response = api_client().get("/api/v1/no-such-thing/")
    assert response.status_code == 404
    assert response["Content-Type"] == "application/json"
    assert response.json() == {"detail": "接口不存在:/api/v1/no-such-thing/"}


@pytest.mark.django_db
def test_a_missing_trailing_slash_is_pointed_out():
    response = api_client().get("/api/v1/members")
    assert response.status_code == 404
    assert response.json() == {"detail": "接口地址须以斜杠结尾:/api/v1/members/"}


@pytest.mark.django_db
@pytest.mark.parametrize("pk", ["abc", "-1", "99999999999999999999999"])
def test_an_id_that_cannot_be_a_row_is_a_404_not_a_crash(office, pk):
    response = api_client(office).get(f"/api/v1/members/{pk}/")
    assert response.status_code == 404
    assert response.json()["detail"]


def test_django_validation_errors_become_field_errors(rf: RequestFactory):
    error = DjangoValidationError(
        {"mobile": ["手机号应为以1开头的11位数字,第二位为3至9。"], "__all__": ["整体有误。"]}
    )
    response = exception_handler(error, {"request": rf.get("/api/v1/")})
    assert response.status_code == 400
    assert response.data == {
        "detail": "请求数据有误:手机号应为以1开头的11位数字,第二位为3至9。",
        "errors": {
            "mobile": ["手机号应为以1开头的11位数字,第二位为3至9。"],
            "non_field_errors": ["整体有误。"],
        },
    }


def test_a_message_without_a_field_is_kept_too(rf: RequestFactory):
    response = exception_handler(DjangoValidationError("整体有误。"), {"request": rf.get("/api/v1/")})
    assert response.status_code == 400
    assert response.data["errors"] == {"non_field_errors": ["整体有误。"]}


def test_a_throttled_request_says_so(rf: RequestFactory):
    response = exception_handler(exceptions.Throttled(wait=30), {"request": rf.get("/api/v1/")})
    assert response.status_code == 429
    assert isinstance(response.data["detail"], str)
    assert response["Retry-After"] == "30"


def test_an_unexpected_error_is_logged_and_answered_in_json(rf: RequestFactory, settings, caplog):
    settings.DEBUG = False
    response = exception_handler(RuntimeError("boom"), {"request": rf.get("/api/v1/members/")})
    assert response.status_code == 500
    assert response.data == {"detail": "服务器内部错误,已记录,请稍后再试。"}
    assert "Internal Server Error: /api/v1/members/" in caplog.text


def test_with_debug_on_an_unexpected_error_goes_to_djangos_debug_page(rf: RequestFactory, settings):
    settings.DEBUG = True
    assert exception_handler(RuntimeError("boom"), {"request": rf.get("/api/v1/members/")}) is None
