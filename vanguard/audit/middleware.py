from __future__ import annotations

from django.http import HttpRequest, HttpResponse

from . import services


class AuditContextMiddleware:
    """Makes the request's client address available to `services.record()` for the whole request, so a
    domain service that takes the acting user but not the request still records where the change came
    from."""

    def __init__(self, get_response):
        self.get_response = get_response

    def __call__(self, request: HttpRequest) -> HttpResponse:
        with services.audit_context(request=request):
            return self.get_response(request)
