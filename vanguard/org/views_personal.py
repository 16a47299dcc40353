"""A person's own data: the 个人信息 page, the download of their copy, and anonymisation (personal_data.py).

The party office over the person may do all three; the person themselves, when they have a login, may see
the page and download their copy. Anyone else gets 404 for a person they cannot see and 403 for one they
can see but not act on (a secretary looking at a member of their branch)."""

from __future__ import annotations

from django import forms
from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.http import Http404, HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.http import content_disposition_header
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.accounts import scope
from vanguard.dataio.exporters import CONTENT_TYPE

from . import personal_data
from .models import Person


class AnonymiseForm(forms.Form):
    confirm = forms.BooleanField(
        label=gettext_lazy("我已了解匿名化后无法恢复"),
        error_messages={"required": gettext_lazy("请勾选“我已了解匿名化后无法恢复”后再确认。")},
    )


def _person(request: HttpRequest, pk: int, *, anonymise: bool = False) -> Person:
    """The person if the user may act on their data; 404 if missing or out of sight, 403 if in sight but
    not the user's to export (or, with `anonymise`, to anonymise)."""
    person = Person.objects.select_related("member", "activist", "user").filter(pk=pk).first()
    if person is None:
        raise Http404
    if scope.handles_personal_data(request.user, person):
        return person
    if not anonymise and scope.owns_personal_data(request.user, person):
        return person
    if scope.owns_personal_data(request.user, person) or scope.can(request.user, scope.VIEW, person):
        raise PermissionDenied
    raise Http404


def _page(request: HttpRequest, person: Person) -> HttpResponse:
    sections = personal_data.collect(person)
    handles = scope.handles_personal_data(request.user, person)
    return render(
        request,
        "org/personal_data.html",
        {
            "person": person,
            "sections": sections,
            "row_count": sum(len(s.rows) for s in sections),
            "own": scope.owns_personal_data(request.user, person),
            "can_anonymise": handles,
            "refusal": personal_data.anonymisation_refusal(person) if handles else None,
        },
    )


@login_required
@require_GET
def personal_data_page(request: HttpRequest, pk: int) -> HttpResponse:
    return _page(request, _person(request, pk))


@login_required
@require_GET
def my_personal_data(request: HttpRequest) -> HttpResponse:
    """我的个人信息: the signed-in user's own person record, if they have one."""
    person = Person.objects.select_related("member", "activist", "user").filter(user=request.user).first()
    if person is None:
        # A login of its own (office staff, say): the page says what is held, rather than a 404 behind the
        # name in the menu.
        return render(request, "org/personal_data_none.html")
    return _page(request, person)


@login_required
@require_GET
def personal_data_export(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk)
    content = personal_data.export_workbook(person, user=request.user, request=request)
    response = HttpResponse(content, content_type=CONTENT_TYPE)
    response["Content-Disposition"] = content_disposition_header(True, personal_data.export_filename(person))
    # A copy of someone's personal data: no cache along the way keeps it.
    response["Cache-Control"] = "no-store"
    return response


@login_required
@require_http_methods(["GET", "POST"])
def personal_data_anonymise(request: HttpRequest, pk: int) -> HttpResponse:
    person = _person(request, pk, anonymise=True)
    refusal = personal_data.anonymisation_refusal(person)
    form = AnonymiseForm(request.POST if request.method == "POST" else None)
    if request.method == "POST" and refusal is None and form.is_valid():
        try:
            personal_data.anonymise(person, user=request.user, request=request)
        except ValidationError as exc:
            refusal = " ".join(exc.messages)
        else:
            messages.success(request, _("已匿名化人员 #%(id)d 的个人信息。") % {"id": person.pk})
            person.refresh_from_db()
            if scope.handles_personal_data(request.user, person):
                return redirect("org:personal_data", pk=person.pk)
            return redirect("home")
    return render(
        request,
        "org/personal_data_anonymise.html",
        {
            "person": person,
            "refusal": refusal,
            "form": form,
            "clearings": [] if refusal else personal_data.anonymisation_preview(person),
        },
    )
