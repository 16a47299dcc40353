"""Time-bank pages (社区时间银行): a member's own account with its balance and statement, and donating hours
(phone-first); the community worker's accounts with balances, opening a household account for a resident,
a household paying a member for help received, reversing a transfer with a reason; any visible account's
statement with the running balance, and its xlsx export (audited)."""

from __future__ import annotations

from django.contrib import messages
from django.contrib.auth.decorators import login_required
from django.core.exceptions import PermissionDenied, ValidationError
from django.core.paginator import Page, Paginator
from django.http import HttpRequest, HttpResponse
from django.shortcuts import redirect, render
from django.utils.translation import gettext as _
from django.views.decorators.http import require_GET, require_http_methods

from vanguard.audit import services as audit
from vanguard.dataio.views_export import dated, xlsx_response

from . import exports, selectors, services, services_accounts
from .forms import AccountFilterForm, DonateForm, HouseholdOpenForm, ReverseForm, SpendForm
from .models import Account

PAGE_SIZE = 50


def _page(request: HttpRequest, items) -> Page:
    return Paginator(items, PAGE_SIZE).get_page(request.GET.get("page"))


def _require(condition: bool) -> None:
    if not condition:
        raise PermissionDenied


def _apply_errors(exc: ValidationError, form) -> None:
    if not hasattr(exc, "error_dict"):
        for message in exc.messages:
            form.add_error(None, message)
        return
    for name, errors in exc.message_dict.items():
        for error in errors:
            form.add_error(name if name in form.fields else None, error)


@login_required
@require_GET
def index(request: HttpRequest) -> HttpResponse:
    if selectors.reads_accounts(request.user):
        return redirect("timebank:account_list")
    _require(selectors.own_member(request.user) is not None)
    return redirect("timebank:mine")


# --- the member's own account ----------------------------------------------------------------------------


def _own(request: HttpRequest):
    member = selectors.own_member(request.user)
    _require(member is not None)
    return member, selectors.own_account(member)


@login_required
@require_GET
def mine(request: HttpRequest) -> HttpResponse:
    member, account = _own(request)
    context = {
        "member": member,
        "account": account,
        "page": _page(request, selectors.statement(account)) if account is not None else None,
        "form": DonateForm() if account is not None else None,
        "worker": False,
    }
    return render(request, "timebank/mine.html", context)


@login_required
@require_http_methods(["GET", "POST"])
def donate(request: HttpRequest) -> HttpResponse:
    _member, account = _own(request)
    if account is None:
        messages.error(request, _("您还没有时间银行账户:服务经社区核实后会自动开户。"))
        return redirect("timebank:mine")
    form = DonateForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            target = services_accounts.donation_target(source=account, number=data["target"])
            services_accounts.donate_by_number(
                actor=request.user,
                source=account,
                number=data["target"],
                hours=data["hours"],
                memo=data["memo"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已向%(target)s捐赠%(hours)s小时。")
                % {"target": services_accounts.target_label(target), "hours": f"{data['hours']:.1f}"},
            )
            return redirect("timebank:mine")
    return render(request, "timebank/donate.html", {"form": form, "account": account})


# --- the worker's accounts -------------------------------------------------------------------------------


@login_required
@require_GET
def account_list(request: HttpRequest) -> HttpResponse:
    user = request.user
    if not selectors.reads_accounts(user):
        _require(selectors.own_member(user) is not None)
        return redirect("timebank:mine")
    form = AccountFilterForm(request.GET or None)
    kind, q = "", ""
    if form.is_bound and form.is_valid():
        kind, q = form.cleaned_data["kind"], form.cleaned_data["q"].strip()
    page = _page(request, selectors.accounts(user=user, kind=kind, q=q))
    return render(
        request,
        "timebank/account_list.html",
        {"form": form, "page": page, "worker": selectors.is_worker(user)},
    )


@login_required
@require_GET
def account_detail(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_detail(user=request.user, pk=pk)
    worker = selectors.works_in(request.user, account.community)
    context = {
        "account": account,
        "page": _page(request, selectors.statement(account)),
        "worker": worker,
        "own": account.member_id is not None and account.member.person.user_id == request.user.pk,
    }
    return render(request, "timebank/account_detail.html", context)


@login_required
@require_GET
def account_export(request: HttpRequest, pk: int) -> HttpResponse:
    account = selectors.account_detail(user=request.user, pk=pk)
    title = exports.statement_title(account)

    def record(counts: dict[str, int]) -> None:
        audit.record_export(
            user=request.user,
            request=request,
            kind="timebank_statement",
            object_type="timebank.account",
            count=sum(counts.values()),
            detail=_("%(title)s(账户编号 %(pk)d,余额 %(balance)s 小时)")
            % {"title": title, "pk": account.pk, "balance": account.balance},
        )

    return xlsx_response(
        [exports.statement_sheet(account, selectors.statement(account, newest_first=False))],
        filename=dated(title),
        ascii_name=dated(f"timebank-{account.pk}"),
        record=record,
    )


@login_required
@require_http_methods(["GET", "POST"])
def household_open(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_worker(request.user))
    form = HouseholdOpenForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            account = services_accounts.household_open(
                actor=request.user, person=data["person"], community=data["community"]
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已为%(name)s开设居民户账户,账户编号 %(pk)d。")
                % {"name": data["person"].name, "pk": account.pk},
            )
            return redirect("timebank:account_detail", pk=account.pk)
    return render(request, "timebank/household_open.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def spend(request: HttpRequest) -> HttpResponse:
    _require(selectors.is_worker(request.user))
    form = SpendForm(request.POST or None, user=request.user)
    if request.method == "POST" and form.is_valid():
        data = form.cleaned_data
        try:
            services_accounts.spend_for_member(
                actor=request.user,
                source=data["source"],
                member=data["member"],
                hours=data["hours"],
                memo=data["memo"],
            )
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(
                request,
                _("已从%(source)s的账户支付%(hours)s小时给%(member)s。")
                % {
                    "source": data["source"].person.name,
                    "hours": f"{data['hours']:.1f}",
                    "member": data["member"].person.name,
                },
            )
            return redirect("timebank:account_detail", pk=data["source"].pk)
    return render(request, "timebank/spend.html", {"form": form})


@login_required
@require_http_methods(["GET", "POST"])
def reverse(request: HttpRequest, pk: int) -> HttpResponse:
    transfer = selectors.transfer_for_reversal(user=request.user, pk=pk)
    _require(selectors.is_worker(request.user))
    entries = selectors.transfer_entries(transfer)
    form = ReverseForm(request.POST or None)
    if request.method == "POST" and form.is_valid():
        try:
            services.reverse(actor=request.user, transfer=transfer, reason=form.cleaned_data["reason"])
        except ValidationError as exc:
            _apply_errors(exc, form)
        else:
            messages.success(request, _("已冲正:%(memo)s。") % {"memo": transfer.memo})
            credited = next((e.account for e in entries if e.hours > 0), None)
            if credited is not None and credited.kind != Account.Kind.ISSUER:
                return redirect("timebank:account_detail", pk=credited.pk)
            return redirect("timebank:account_list")
    return render(request, "timebank/reverse.html", {"transfer": transfer, "entries": entries, "form": form})
