"""Logins and passwords: the rules of policy.py and lockout.py applied in one place for pages and the API."""

from __future__ import annotations

from dataclasses import dataclass

from django.contrib.auth import authenticate
from django.utils import formats, timezone
from django.utils.translation import gettext as _
from django_otp.plugins.otp_totp.models import TOTPDevice

from vanguard.audit import services as audit
from vanguard.audit.models import Action

from . import lockout, policy


@dataclass
class LoginResult:
    user: object | None
    error: str = ""


def _locked_message(lock: lockout.Lock) -> str:
    until = formats.date_format(timezone.localtime(lock.until), "Y-m-d H:i")
    if lock.by == "account":
        return _("该账户连续登录失败次数过多,已锁定至%(until)s,请届时再试。") % {"until": until}
    return _("本机地址登录失败次数过多,已锁定至%(until)s,请届时再试。") % {"until": until}


def login_check(*, request, username: str, password: str, complete: bool = True) -> LoginResult:
    """Authenticate under the lockout rule. Records the attempt; never says which of the two was wrong.

    `complete=False` when more must pass before the login succeeds (the API's second factor): a right
    password alone then records nothing, so it cannot clear the failures counted against the code."""
    address = lockout.client_address(request)
    lock = lockout.current_lock(username=username, address=address)
    if lock is not None:
        # authenticate() is not called, so Django's user_login_failed signal does not record this one.
        audit.record_login_failed(request=request, username=username, detail=_locked_message(lock))
        return LoginResult(user=None, error=_locked_message(lock))
    user = authenticate(request, username=username, password=password)
    if user is None or complete:
        lockout.record_attempt(username=username, address=address, successful=user is not None)
    if user is None:
        lock = lockout.current_lock(username=username, address=address)
        if lock is not None:
            return LoginResult(user=None, error=_locked_message(lock))
        return LoginResult(
            user=None,
            error=_("用户名或密码错误。连续失败%(n)d次将锁定%(minutes)d分钟。")
            % {"n": lockout.MAX_FAILURES, "minutes": lockout.WINDOW.total_seconds() // 60},
        )
    return LoginResult(user=user)


def password_changed(*, user) -> None:
    user.password_changed_at = timezone.now()
    user.save(update_fields=["password_changed_at"])
    audit.record(action=Action.UPDATE, user=user, obj=user, detail=_("修改密码"))


def totp_device_for(user, *, confirmed: bool | None = None) -> TOTPDevice | None:
    devices = TOTPDevice.objects.devices_for_user(user, confirmed=confirmed)
    return devices.order_by("-confirmed", "pk").first()


def totp_enrol(*, user) -> TOTPDevice:
    """The unconfirmed device a user is enrolling; made once, so reloading the page keeps the same QR code."""
    device = TOTPDevice.objects.filter(user=user, confirmed=False).first()
    if device is None:
        device = TOTPDevice.objects.create(user=user, name=_("手机验证器"), confirmed=False)
    return device


def totp_confirm(*, user, device: TOTPDevice, token: str) -> bool:
    if not device.verify_token(token):
        return False
    if not device.confirmed:
        device.confirmed = True
        device.save(update_fields=["confirmed"])
        TOTPDevice.objects.filter(user=user, confirmed=False).delete()
    return True


def api_login_check(*, request, username: str, password: str, otp: str) -> LoginResult:
    """The token endpoint: the same lockout, plus the second factor and the password age."""
    result = login_check(request=request, username=username, password=password, complete=False)
    if result.user is None:
        return result
    user = result.user
    address = lockout.client_address(request)
    error = ""
    if policy.requires_two_factor(user):
        device = totp_device_for(user, confirmed=True)
        if device is None:
            error = _("该账户须先在网页上绑定动态验证码。")
        elif not otp or not device.verify_token(otp):
            error = _("动态验证码错误或已过期。")
    if not error and policy.password_expired(user):
        error = _("密码已过期或为初始密码,请先在网页上修改密码。")
    if error:
        # A wrong second factor counts towards the lockout like a wrong password: otherwise the right
        # password would reset the count and leave only django-otp's throttle against guessing codes.
        lockout.record_attempt(username=username, address=address, successful=False)
        audit.record_login_failed(request=request, username=username, detail=error)
        return LoginResult(user=None, error=error)
    lockout.record_attempt(username=username, address=address, successful=True)
    audit.record(action=Action.LOGIN, user=user, request=request, detail=_("接口令牌"))
    return result
