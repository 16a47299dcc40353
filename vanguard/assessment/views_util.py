"""Small helpers shared by the assessment's page modules."""

from __future__ import annotations

from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse

PAGE_SIZE = 50


def apply_errors(exc: ValidationError, form) -> None:
    """A service's ValidationError onto the form: each message under its field, or above the form."""
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


def page_of(request: HttpRequest, items, size: int = PAGE_SIZE) -> Page:
    return Paginator(items, size).get_page(request.GET.get("page"))


def require(condition: bool) -> None:
    """403 when the user sees the thing but may not do this to it."""
    if not condition:
        raise PermissionDenied


def htmx_download(request: HttpRequest) -> HttpResponse | None:
    """The export link asks through htmx with the filters as they are now; the browser is then sent to the
    same address to download the file (as the other lists' exports do)."""
    if request.headers.get("HX-Request"):
        response = HttpResponse(status=204)
        response["HX-Redirect"] = request.get_full_path()
        return response
    return None


def denied_message(exc: PermissionDenied, default: str) -> str:
    return str(exc) if exc.args and str(exc) else default
