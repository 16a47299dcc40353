from __future__ import annotations

import pytest
from django.test import Client


@pytest.mark.django_db
def test_the_home_page_is_public_and_in_chinese(client: Client):
    response = client.get("/")
    assert response.status_code == 200
    body = response.content.decode()
    assert "先锋 · 党员责任区管理" in body
    assert '<html lang="zh-hans">' in body


@pytest.mark.django_db
def test_the_home_page_speaks_english_when_asked(client: Client):
    response = client.post("/i18n/setlang/", {"language": "en", "next": "/"})
    assert response.status_code == 302
    body = client.get("/").content.decode()
    assert '<html lang="en">' in body
    assert "Vanguard" in body
    assert "Sign in" in body


@pytest.mark.django_db
def test_a_missing_page_answers_404_in_chinese(client: Client, settings):
    settings.DEBUG = False
    response = client.get("/no-such-page/")
    assert response.status_code == 404
    assert "页面不存在" in response.content.decode()


def test_the_server_error_page_renders_without_the_database(rf):
    from vanguard.core.views import error_500

    response = error_500(rf.get("/"))
    assert response.status_code == 500
    assert "系统出错" in response.content.decode()


@pytest.mark.django_db
def test_the_forbidden_page_is_in_chinese(rf):
    from django.contrib.auth.models import AnonymousUser

    from vanguard.core.views import error_403

    request = rf.get("/")
    request.user = AnonymousUser()
    response = error_403(request)
    assert response.status_code == 403
    assert "无权访问" in response.content.decode()


def test_healthz_answers_ok(client: Client):
    response = client.get("/healthz/")
    assert response.json() == {"status": "ok"}


@pytest.mark.django_db
def test_static_assets_are_vendored_not_loaded_from_a_cdn(client: Client):
    body = client.get("/").content.decode()
    assert "/static/vendor/bootstrap-5.3.9/css/bootstrap.min.css" in body
    assert "/static/vendor/htmx-2.0.11/htmx.min.js" in body
    assert "cdn" not in body.lower()
    assert "https://" not in body
