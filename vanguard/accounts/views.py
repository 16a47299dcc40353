from __future__ import annotations

import base64

import segno
from django.contrib import messages
from django.contrib.auth import login, logout, update_session_auth_hash
from django.contrib.auth.decorators import login_required
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.urls import reverse
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.cache import never_cache
from django.views.decorators.csrf import csrf_protect
from django.views.decorators.debug import sensitive_post_parameters
from django.views.decorators.http import require_http_methods, require_POST
from django_otp import login as otp_login

from vanguard.audit import services as audit

from . import policy, services
from .forms import LoginForm, PasswordChangeForm, TokenForm


def _next_url(request: HttpRequest) -> str:
    candidate = request.POST.get("next") or request.GET.get("next") or ""
    if url_has_allowed_host_and_scheme(
        candidate, allowed_hosts={request.get_host()}, require_https=request.is_secure()
    ):
        return candidate
    return reverse("home")


@sensitive_post_parameters("password")
@csrf_protect
@never_cache
@require_http_methods(["GET", "POST"])
def login_view(request: HttpRequest) -> HttpResponse:
    form = LoginForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        result = services.login_check(
            request=request, username=form.cleaned_data["username"], password=form.cleaned_data["password"]
        )
        if result.user is None:
            form.add_error(None, result.error)
        else:
            # login() gives the session a new key, so a key planted before login is worthless after it.
            login(request, result.user)
            return redirect(_next_url(request))
    return render(request, "accounts/login.html", {"form": form, "next": _next_url(request)})


@require_POST
def logout_view(request: HttpRequest) -> HttpResponse:
    # logout() deletes the session from the store, not only the cookie.
    logout(request)
    messages.info(request, _("您已安全退出。"))
    return redirect("home")


@sensitive_post_parameters()
@login_required
@require_http_methods(["GET", "POST"])
def password_change(request: HttpRequest) -> HttpResponse:
    form = PasswordChangeForm(request.user, request.POST or None)
    if request.method == "POST" and form.is_valid():
        user = form.save()
        services.password_changed(user=user)
        update_session_auth_hash(request, user)
        messages.success(request, _("密码已修改。"))
        return redirect(_next_url(request))
    return render(
        request,
        "accounts/password_change.html",
        {"form": form, "expired": policy.password_expired(request.user), "next": _next_url(request)},
    )


def _qr_svg(url: str) -> str:
    return segno.make(url, error="m").svg_data_uri(scale=5, border=2)


@login_required
@never_cache
@require_http_methods(["GET", "POST"])
def two_factor(request: HttpRequest) -> HttpResponse:
    """Enrol an authenticator app by QR code, or give the code of the one already enrolled."""
    device = services.totp_device_for(request.user, confirmed=True)
    enrolling = device is None
    if enrolling:
        device = services.totp_enrol(user=request.user)
    form = TokenForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        if services.totp_confirm(user=request.user, device=device, token=form.cleaned_data["token"]):
            otp_login(request, device)
            if enrolling:
                messages.success(request, _("动态验证码已绑定。"))
            return redirect(_next_url(request))
        form.add_error("token", _("动态验证码错误或已过期,请输入手机验证器上当前显示的6位数字。"))
        audit.record_login_failed(
            request=request, username=request.user.get_username(), detail=_("动态验证码错误")
        )
    context = {"form": form, "enrolling": enrolling, "next": _next_url(request)}
    if enrolling:
        context["qr"] = _qr_svg(device.config_url)
        context["secret"] = base64.b32encode(device.bin_key).decode()
    return render(request, "accounts/two_factor.html", context)
