from __future__ import annotations

import datetime as dt

import pytest
import time_machine
from django.contrib.sessions.models import Session
from django.core.exceptions import ValidationError
from django.test import Client
from django.utils import timezone
from django_otp.oath import TOTP
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanguard.accounts.models import User
from vanguard.accounts.passwords import CharacterClassesValidator

PASSWORD = "Vanguard-test-1"
START = dt.datetime(2026, 11, 2, 9, 0, tzinfo=dt.UTC)


def login(client: Client, username: str, password: str, address: str = "10.0.0.1"):
    return client.post("/accounts/login/", {"username": username, "password": password}, REMOTE_ADDR=address)


class TestPasswordRules:
    @pytest.mark.parametrize("password", ["abcdefg1", "ABCDEFG1", "abcdEFGH", "abcd!@#$"])
    def test_it_rejects_a_password_with_two_character_classes(self, password):
        with pytest.raises(ValidationError) as exc:
            CharacterClassesValidator(3).validate(password)
        assert "至少3类" in exc.value.messages[0]

    @pytest.mark.parametrize("password", ["abcdEF12", "abcd12#$", "ABCD12#$", "Abcd!efg", "党员Ab12x"])
    def test_it_accepts_three_or_four_classes(self, password):
        CharacterClassesValidator(3).validate(password)

    @pytest.mark.django_db
    def test_the_configured_validators_refuse_seven_characters(self, member_a):
        from django.contrib.auth.password_validation import validate_password

        with pytest.raises(ValidationError) as exc:
            validate_password("Ab1!xyz", member_a)
        assert any("8" in m for m in exc.value.messages)


@pytest.mark.django_db
class TestLockout:
    def test_the_sixth_attempt_within_30_minutes_is_refused_even_with_the_right_password(self, member_a):
        client = Client()
        with time_machine.travel(START, tick=False) as clock:
            for _ in range(5):
                response = login(client, "member_a", "wrong-Password-1")
                assert response.status_code == 200
                clock.shift(dt.timedelta(minutes=1))
            response = login(client, "member_a", PASSWORD)
            body = response.content.decode()
            assert response.status_code == 200
            # Failures from 09:00 to 09:04 UTC: the lock lifts when the first leaves the window, 09:30 UTC.
            assert "已锁定至2026-11-02 17:30" in body
            assert "_auth_user_id" not in client.session

    def test_the_lock_lifts_when_the_window_has_passed(self, member_a):
        client = Client()
        with time_machine.travel(START, tick=False) as clock:
            for _ in range(5):
                login(client, "member_a", "wrong-Password-1")
            clock.shift(dt.timedelta(minutes=31))
            response = login(client, "member_a", PASSWORD)
            assert response.status_code == 302
            assert client.session["_auth_user_id"] == str(member_a.pk)

    def test_failures_spread_over_more_than_30_minutes_do_not_lock(self, member_a):
        client = Client()
        with time_machine.travel(START, tick=False) as clock:
            for _ in range(5):
                login(client, "member_a", "wrong-Password-1")
                clock.shift(dt.timedelta(minutes=8))
            assert login(client, "member_a", PASSWORD).status_code == 302

    def test_the_fifth_failure_says_until_when(self, member_a):
        client = Client()
        with time_machine.travel(START, tick=False):
            for _ in range(4):
                body = login(client, "member_a", "wrong-Password-1").content.decode()
                assert "用户名或密码错误" in body
            body = login(client, "member_a", "wrong-Password-1").content.decode()
            assert "该账户连续登录失败次数过多,已锁定至2026-11-02 17:30" in body

    def test_an_address_trying_many_accounts_is_locked(self, member_a, secretary_a):
        client = Client()
        with time_machine.travel(START, tick=False):
            for name in ["a1", "a2", "a3", "a4", "a5"]:
                login(client, name, "wrong-Password-1", address="10.9.9.9")
            body = login(client, "member_a", PASSWORD, address="10.9.9.9").content.decode()
            assert "本机地址登录失败次数过多" in body
            # The same account from another address is not locked by that address's failures.
            assert login(Client(), "member_a", PASSWORD, address="10.1.1.1").status_code == 302

    def test_an_unknown_user_and_a_wrong_password_get_the_same_message(self, member_a):
        unknown = login(Client(), "nobody", PASSWORD).content.decode()
        wrong = login(Client(), "member_a", "wrong-Password-1", address="10.0.0.2").content.decode()
        assert "用户名或密码错误" in unknown
        assert "用户名或密码错误" in wrong


@pytest.mark.django_db
class TestSessions:
    def test_login_rotates_the_session_key_and_logout_deletes_the_session(self, member_a):
        client = Client()
        client.get("/accounts/login/")
        client.session.save()
        before = client.session.session_key
        assert login(client, "member_a", PASSWORD).status_code == 302
        after = client.session.session_key
        assert after and after != before
        assert Session.objects.filter(session_key=after).exists()
        client.post("/accounts/logout/")
        assert not Session.objects.filter(session_key=after).exists()

    def test_an_idle_session_is_refused_after_30_minutes(self, member_a, world):
        client = Client()
        with time_machine.travel(START, tick=False) as clock:
            login(client, "member_a", PASSWORD)
            url = f"/org/members/{world.member_a.pk}/"
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(url).status_code == 200
            clock.shift(dt.timedelta(minutes=29))
            assert client.get(url).status_code == 200  # activity 29 minutes ago kept it alive
            clock.shift(dt.timedelta(minutes=31))
            response = client.get(url)
            assert response.status_code == 302
            assert response["Location"].startswith("/accounts/login/")
            assert "_auth_user_id" not in client.session

    def test_a_session_ends_after_12_hours_however_active(self, member_a, world):
        client = Client()
        with time_machine.travel(START, tick=False) as clock:
            login(client, "member_a", PASSWORD)
            url = f"/org/members/{world.member_a.pk}/"
            for _ in range(28):  # active every 25 minutes for 11 h 40 min
                clock.shift(dt.timedelta(minutes=25))
                assert client.get(url).status_code == 200
            clock.shift(dt.timedelta(minutes=25))  # 12 h 5 min after login
            assert client.get(url).status_code == 302


@pytest.mark.django_db
class TestPasswordAge:
    def test_a_password_given_by_someone_else_is_changed_at_first_login(self, world):
        User.objects.create_user("newcomer", password=PASSWORD)  # password_changed_at stays empty
        client = Client()
        login(client, "newcomer", PASSWORD)
        response = client.get("/org/members/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/password/")
        page = client.get(response["Location"]).content.decode()
        assert "首次登录或密码已使用超过90天" in page
        response = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": "Fresh-Start-77", "new_password2": "Fresh-Start-77"},
        )
        assert response.status_code == 302
        assert User.objects.get(username="newcomer").password_changed_at is not None
        # Still logged in after the change, and no longer sent to the password page.
        assert client.get("/").status_code == 200
        assert client.get("/org/members/").status_code == 403  # logged in, but holds no role

    def test_the_new_password_must_follow_the_rules_and_differ(self, member_a):
        client = Client()
        login(client, "member_a", PASSWORD)
        body = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": "simplepass", "new_password2": "simplepass"},
        ).content.decode()
        assert "至少3类" in body
        body = client.post(
            "/accounts/password/",
            {"old_password": PASSWORD, "new_password1": PASSWORD, "new_password2": PASSWORD},
        ).content.decode()
        assert "新密码不能与当前密码相同" in body

    def test_a_password_older_than_90_days_must_be_changed(self, member_a, world):
        member_a.password_changed_at = timezone.now() - dt.timedelta(days=91)
        member_a.save()
        client = Client()
        login(client, "member_a", PASSWORD)
        response = client.get(f"/org/members/{world.member_a.pk}/")
        assert response.status_code == 302
        assert response["Location"].startswith("/accounts/password/")


@pytest.mark.django_db
class TestTwoFactor:
    def test_a_secretary_without_the_second_factor_reaches_nothing_else(self, secretary_a, world):
        client = Client()
        assert login(client, "secretary_a", PASSWORD).status_code == 302
        for url in ["/org/members/", f"/org/members/{world.member_a.pk}/", "/org/organisations/", "/admin/"]:
            response = client.get(url)
            assert response.status_code == 302, url
            assert response["Location"].startswith("/accounts/two-factor/"), url

    def test_enrolment_shows_a_qr_code_and_a_right_code_confirms_the_device(self, secretary_a):
        client = Client()
        login(client, "secretary_a", PASSWORD)
        page = client.get("/accounts/two-factor/").content.decode()
        assert 'src="data:image/svg+xml' in page
        device = TOTPDevice.objects.get(user=secretary_a)
        assert not device.confirmed
        with time_machine.travel(timezone.now(), tick=False) as clock:
            bad = client.post("/accounts/two-factor/", {"token": "000000"}).content.decode()
            assert "动态验证码错误或已过期" in bad
            clock.shift(dt.timedelta(seconds=3))  # django-otp throttles retries after a failure
            token = f"{TOTP(device.bin_key).token():06d}"
            response = client.post("/accounts/two-factor/", {"token": token, "next": "/org/members/"})
        assert response.status_code == 302
        assert response["Location"] == "/org/members/"
        device.refresh_from_db()
        assert device.confirmed
        assert client.get("/org/members/").status_code == 200

    def test_a_member_needs_no_second_factor(self, member_a, world):
        client = Client()
        login(client, "member_a", PASSWORD)
        assert client.get(f"/org/members/{world.member_a.pk}/").status_code == 200
