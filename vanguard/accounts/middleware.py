from __future__ import annotations

from django.contrib import messages
from django.contrib.auth import logout
from django.http import HttpRequest, HttpResponse, JsonResponse
from django.shortcuts import redirect
from django.urls import reverse
from django.utils import timezone
from django.utils.http import urlencode
from django.utils.translation import gettext as _

from . import policy

LOGIN_AT = "vanguard_login_at"
LAST_SEEN = "vanguard_last_seen"
# Writing the session on every request would cost a write per page; a minute's precision is enough.
TOUCH_EVERY = 60


def _is_exempt(path: str) -> bool:
    exempt = (
        reverse("accounts:logout"),
        reverse("accounts:password_change"),
        reverse("accounts:two_factor"),
        reverse("set_language"),
        "/static/",
        "/healthz/",
    )
    return path.startswith(exempt)


class SessionPolicyMiddleware:
    """Ends a session after 30 minutes idle or 12 hours in all, whatever the cookie says."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        if request.user.is_authenticated:
            now = timezone.now().timestamp()
            session = request.session
            started = session.get(LOGIN_AT)
            last = session.get(LAST_SEEN, started)
            if started is None:
                session[LOGIN_AT] = session[LAST_SEEN] = now
            elif (
                now - last > policy.SESSION_IDLE.total_seconds()
                or now - started > policy.SESSION_ABSOLUTE.total_seconds()
            ):
                idle = now - last > policy.SESSION_IDLE.total_seconds()
                logout(request)
                if idle:
                    messages.info(request, _("您已较长时间未操作,为保护数据已自动退出,请重新登录。"))
                else:
                    messages.info(request, _("本次登录已满12小时,为保护数据已自动退出,请重新登录。"))
                if request.headers.get("HX-Request") or request.path.startswith("/api/"):
                    return JsonResponse({"detail": _("会话已过期,请重新登录。")}, status=401)
                login_url = reverse("accounts:login") + "?" + urlencode({"next": request.get_full_path()})
                return redirect(login_url)
            elif now - last > TOUCH_EVERY:
                session[LAST_SEEN] = now
        return self.get_response(request)


class AccessPolicyMiddleware:
    """A login that still owes its second factor, or a new password, reaches nothing else."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        user = request.user
        if user.is_authenticated and not _is_exempt(request.path):
            if policy.requires_two_factor(user) and not user.is_verified():
                return self._redirect(request, "accounts:two_factor")
            if policy.password_expired(user):
                return self._redirect(request, "accounts:password_change")
        return self.get_response(request)

    @staticmethod
    def _redirect(request: HttpRequest, name: str) -> HttpResponse:
        if request.path.startswith("/api/"):
            return JsonResponse({"detail": _("请先在网页上完成登录验证或修改密码。")}, status=403)
        return redirect(reverse(name) + "?" + urlencode({"next": request.get_full_path()}))
