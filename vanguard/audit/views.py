from __future__ import annotations

from django.conf import settings
from django.contrib.auth.decorators import login_required
from django.core.paginator import Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import render
from django.views.decorators.http import require_GET

from . import chain, policy, selectors
from .forms import AuditFilterForm


@login_required
@require_GET
def record_list(request: HttpRequest) -> HttpResponse:
    policy.require_trail_reader(request.user)
    form = AuditFilterForm(request.GET or None)
    records = selectors.record_list(filters=form.filters())
    page = Paginator(records, settings.PAGE_SIZE).get_page(request.GET.get("page"))
    return render(request, "audit/record_list.html", {"form": form, "page": page})


@login_required
@require_GET
def record_detail(request: HttpRequest, pk: int) -> HttpResponse:
    policy.require_trail_reader(request.user)
    record = selectors.record_detail(pk=pk)
    previous = selectors.predecessor_hash(record)
    context = {
        "record": record,
        "changes": selectors.changes(record),
        "hash_ok": chain.hash_matches(record),
        "linked": None if previous is None else previous == record.prev_hash,
    }
    return render(request, "audit/record_detail.html", context)
