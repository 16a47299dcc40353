"""The notification centre: the user's own notifications, unread first; opening one marks it read and goes
to the page where the thing is done; all can be marked read at once. Every change is a POST (with its
CSRF token); another user's notification answers 404 like a missing one."""

from __future__ import annotations

from django.conf import settings
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import url_has_allowed_host_and_scheme
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_POST

from . import selectors, services


@login_required
@require_GET
def notification_list(request: HttpRequest) -> HttpResponse:
    unread_only = request.GET.get("unread") == "1"
    notifications = selectors.notification_list(user=request.user, unread_only=unread_only)
    page = Paginator(notifications, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    # The number unread is the navbar badge's (notifications_unread, counted once for the page).
    context = {"page": page, "unread_only": unread_only}
    return render(request, "notifications/list.html", context)


@login_required
@require_POST
def notification_open(request: HttpRequest, pk: int) -> HttpResponse:
    notification = selectors.notification_detail(user=request.user, pk=pk)
    url = services.notification_open(user=request.user, notification=notification)
    # Notifications are written by the system with the site's own paths; anything else goes to the centre.
    if url and url_has_allowed_host_and_scheme(url, allowed_hosts=None) and url.startswith("/"):
        return redirect(url)
    return redirect("notifications:list")


@login_required
@require_POST
def notification_read_all(request: HttpRequest) -> HttpResponse:
    count = services.notifications_read_all(user=request.user)
    if count:
        messages.success(request, _("已将%(count)d条通知标为已读。") % {"count": count})
    return redirect("notifications:list")
