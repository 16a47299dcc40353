"""POST /api/v1/auth/token/: the API's login, under the page login's rules (lockout, second factor for the
roles that need one, password age)."""

from __future__ import annotations

import pytest
from django.utils import timezone

from vanguard.api.tests.helpers import api_client, confirmed_device, current_code

URL = "/api/v1/auth/token/"
PASSWORD = "Vanguard-test-1"  # the personas' password (vanguard/conftest.py)


def obtain(**body):
    return api_client().post(URL, body, format="json")


def test_a_member_gets_a_token_with_username_and_password_and_it_opens_the_api(member_a):
    response = obtain(username="member_a", password=PASSWORD)
    assert response.status_code == 200
    token = response.json()["token"]
    listing = api_client().get("/api/v1/members/", HTTP_AUTHORIZATION=f"Token {token}")
    assert listing.status_code == 200
    assert [m["name"] for m in listing.json()["results"]] == ["王建国"]


def test_asking_again_gives_the_same_token(member_a):
    first = obtain(username="member_a", password=PASSWORD).json()["token"]
    assert obtain(username="member_a", password=PASSWORD).json()["token"] == first


def test_a_wrong_password_is_refused_in_chinese(member_a):
    response = obtain(username="member_a", password="wrong-password")
    assert response.status_code == 400
    assert response.json() == {"detail": "用户名或密码错误。连续失败5次将锁定30分钟。"}


def test_an_unknown_user_gets_the_same_answer_as_a_wrong_password(member_a):
    wrong_password = obtain(username="member_a", password="wrong-password").json()
    assert obtain(username="nobody", password="wrong-password").json() == wrong_password


def test_the_sixth_attempt_within_30_minutes_is_refused_even_with_the_right_password(member_a):
    for _ in range(5):
        assert obtain(username="member_a", password="wrong-password").status_code == 400
    response = obtain(username="member_a", password=PASSWORD)
    assert response.status_code == 400
    assert "token" not in response.json()
    assert "锁定" in response.json()["detail"]


def test_a_secretary_needs_the_code_of_their_authenticator(secretary_a):
    device = confirmed_device(secretary_a)
    without = obtain(username="secretary_a", password=PASSWORD)
    assert without.status_code == 400
    assert without.json()["detail"] == "动态验证码错误或已过期。"
    right = obtain(username="secretary_a", password=PASSWORD, otp=current_code(device))
    assert right.status_code == 200
    assert right.json()["token"]


def test_a_wrong_code_is_refused(secretary_a):
    device = confirmed_device(secretary_a)
    wrong = "000000" if current_code(device) != "000000" else "111111"
    response = obtain(username="secretary_a", password=PASSWORD, otp=wrong)
    assert response.status_code == 400
    assert response.json() == {"detail": "动态验证码错误或已过期。"}


def test_a_secretary_without_an_authenticator_is_told_to_set_one_up_on_the_web(secretary_a):
    response = obtain(username="secretary_a", password=PASSWORD, otp="123456")
    assert response.status_code == 400
    assert "绑定动态验证码" in response.json()["detail"]


def test_an_expired_password_gets_no_token(member_a):
    member_a.password_changed_at = None
    member_a.save()
    response = obtain(username="member_a", password=PASSWORD)
    assert response.status_code == 400
    assert "修改密码" in response.json()["detail"]


def test_a_token_stops_working_once_the_password_expires(member_a):
    client = api_client(member_a)
    assert client.get("/api/v1/members/").status_code == 200
    member_a.password_changed_at = timezone.now() - timezone.timedelta(days=91)
    member_a.save()
    response = client.get("/api/v1/members/")
    assert response.status_code == 401
    assert "修改密码" in response.json()["detail"]


@pytest.mark.django_db
def test_missing_fields_are_named_in_the_errors():
    response = obtain(username="member_a")
    assert response.status_code == 400
    body = response.json()
    assert body["errors"] == {"password": ["该字段是必填项。"]}
    assert body["detail"].startswith("请求数据有误")


@pytest.mark.django_db
def test_the_token_endpoint_takes_only_post():
    response = api_client().get(URL)
    assert response.status_code == 405
    assert "GET" in response.json()["detail"]


def test_a_bad_authorization_header_does_not_stop_a_login(member_a):
    response = api_client().post(
        URL,
        {"username": "member_a", "password": PASSWORD},
        format="json",
        HTTP_AUTHORIZATION="Token nonsense",
    )
    assert response.status_code == 200


def test_wrong_second_factor_codes_count_towards_the_lockout(secretary_a):
    device = confirmed_device(secretary_a)
    for _ in range(5):
        response = obtain(username="secretary_a", password=PASSWORD, otp="000000")
        assert response.status_code == 400
    # The right password and the right code are refused now: five failures within 30 minutes.
    response = obtain(username="secretary_a", password=PASSWORD, otp=current_code(device))
    assert response.status_code == 400
    assert "锁定" in response.json()["detail"]
