"""REST endpoints of the community time bank (registered by vanguard/api/urls.py from ROUTES).

- timebank/accounts: the accounts in the caller's sight with their balance (a member their own; a
  community's workers the member, household and issuing accounts of their community; a branch its members');
- …/{id}/statement/: the account's entries, newest first, each with the balance after it (a running sum in
  SQL) and the account on the other side; the page carries the current balance;
- …/{id}/spend/: a household (or member) pays hours for help received (the community's workers record it);
- …/{id}/donate/: a member gives hours to a household or another member of the same community;
- …/{id}/reverse/: a correction (冲正) of one of the account's transfers, by a reversing transfer.

The ledger is append-only double entry (timebank/services.py); a balance is the sum of an account's entries
and never goes below zero, also under concurrent spends. Refusals carry the service's own sentence."""

from __future__ import annotations

from decimal import Decimal

from django.db.models import (
    Case,
    CharField,
    DecimalField,
    Exists,
    F,
    Func,
    OuterRef,
    QuerySet,
    Subquery,
    Sum,
    Value,
    When,
    Window,
)
from django.db.models.functions import Coalesce
from django.utils.translation import gettext_lazy as _
from drf_spectacular.types import OpenApiTypes
from drf_spectacular.utils import extend_schema, extend_schema_field, extend_schema_view
from rest_framework import exceptions, serializers, viewsets
from rest_framework.decorators import action
from rest_framework.permissions import IsAuthenticated
from rest_framework.request import Request
from rest_framework.response import Response

from vanguard.accounts import scope
from vanguard.api.errors import error_responses, refusals, refuse
from vanguard.api.fields import ID_PATH_PARAMETER, ID_PATH_REGEX, ScopedPrimaryKeyRelatedField
from vanguard.api.pagination import PAGE_PARAMETERS
from vanguard.api.permissions import HasBusinessRole
from vanguard.api.schema import detail_schema, list_schema
from vanguard.community.api_serializers import community_field
from vanguard.community.apis import plain_hours

from . import services
from .models import Account, Entry, Transfer

HOURS = DecimalField(max_digits=12, decimal_places=1)

# The services' own sentences, said before the body is read (the same message ids, translated once).
_SPEND = _("只有该社区的工作人员可以办理时间兑换。")
_DONATE = _("只能捐赠自己账户的时数。")
_REVERSE = _("只有该社区的工作人员可以冲正。")


class _Sum(Func):
    """SUM() over a whole correlated queryset (no GROUP BY)."""

    function = "SUM"
    output_field = HOURS


def _balance(account_ref: str = "pk") -> Coalesce:
    entries = Entry.objects.filter(account_id=OuterRef(account_ref)).order_by()
    total = Subquery(entries.annotate(total=_Sum("hours")).values("total"), output_field=HOURS)
    return Coalesce(total, Value(Decimal("0"), output_field=HOURS))


def _owner_name(prefix: str = "") -> Case:
    """The account's holder: the member's or the resident's name, or the community for its issuer."""
    return Case(
        When(**{f"{prefix}kind": Account.Kind.MEMBER}, then=F(f"{prefix}member__person__name")),
        When(**{f"{prefix}kind": Account.Kind.HOUSEHOLD}, then=F(f"{prefix}person__name")),
        default=F(f"{prefix}community__name"),
        output_field=CharField(),
    )


def _accounts() -> QuerySet[Account]:
    return Account.objects.select_related("community").annotate(balance=_balance(), owner_name=_owner_name())


# --- serializers -----------------------------------------------------------------------------------------


class AccountSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True)
    kind = serializers.ChoiceField(
        read_only=True,
        choices=Account.Kind.choices,
        help_text=_("member 党员账户,household 居民户账户,issuer 社区发行账户(余额为负:已发放的时数)"),
    )
    community = serializers.IntegerField(read_only=True, source="community_id")
    community_name = serializers.CharField(read_only=True, source="community.name")
    owner_name = serializers.CharField(read_only=True, help_text=_("党员或居民的姓名;发行账户为社区名称"))
    member = serializers.IntegerField(read_only=True, source="member_id", allow_null=True)
    person = serializers.IntegerField(read_only=True, source="person_id", allow_null=True)
    balance = serializers.DecimalField(
        max_digits=12, decimal_places=1, read_only=True, help_text=_("余额(小时):账户全部分录之和")
    )
    created_at = serializers.DateTimeField(read_only=True)


class AccountFilterSerializer(serializers.Serializer):
    kind = serializers.ChoiceField(choices=Account.Kind.choices, required=False, allow_blank=True)
    community = community_field(required=False, help_text=_("该网格及其下级社区的账户"))


class StatementEntrySerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("分录编号"))
    transfer = serializers.IntegerField(read_only=True, source="transfer_id", help_text=_("交易编号"))
    kind = serializers.ChoiceField(read_only=True, choices=Transfer.Kind.choices, source="transfer.kind")
    memo = serializers.CharField(read_only=True, source="transfer.memo")
    hours = serializers.DecimalField(
        max_digits=8, decimal_places=1, read_only=True, help_text=_("转入为正,转出为负")
    )
    balance = serializers.DecimalField(
        max_digits=12, decimal_places=1, read_only=True, source="running", help_text=_("该笔之后的余额")
    )
    counterparty = serializers.IntegerField(read_only=True, allow_null=True, help_text=_("对方账户编号"))
    counterparty_name = serializers.CharField(read_only=True, allow_null=True)
    reversed = serializers.BooleanField(read_only=True, help_text=_("该交易是否已被冲正"))
    created_at = serializers.DateTimeField(read_only=True, source="transfer.created_at")


class StatementPageSerializer(serializers.Serializer):
    count = serializers.IntegerField()
    next = serializers.URLField(allow_null=True)
    previous = serializers.URLField(allow_null=True)
    results = StatementEntrySerializer(many=True)
    balance = serializers.DecimalField(max_digits=12, decimal_places=1, help_text=_("当前余额"))


def _hours_field() -> serializers.DecimalField:
    return serializers.DecimalField(
        max_digits=8, decimal_places=2, label=_("时数"), help_text=_("大于0,以0.5小时为单位")
    )


class SpendSerializer(serializers.Serializer):
    target = ScopedPrimaryKeyRelatedField(
        queryset=Account.objects.exclude(kind=Account.Kind.ISSUER),
        scoped=scope.visible_to,
        help_text=_("提供帮助的党员的账户编号"),
        error_messages={"does_not_exist": _("所选账户不存在或不在您的管理范围内。")},
    )
    hours = _hours_field()
    memo = serializers.CharField(max_length=200, label=_("兑换的服务内容"))


@extend_schema_field(OpenApiTypes.INT)
class _SameCommunityAccountField(serializers.PrimaryKeyRelatedField):
    """An account of the paying account's community (a household's account number is given by the
    community; a member does not browse them). Any other id reads like one that does not exist."""

    default_error_messages = {
        "does_not_exist": _("所选账户不存在或不属于本社区。"),
        "incorrect_type": _("应为整数编号,收到的是{data_type}。"),
    }

    def get_queryset(self):
        source = self.context["source"]
        return Account.objects.filter(community_id=source.community_id).exclude(kind=Account.Kind.ISSUER)

    def to_internal_value(self, data):
        if isinstance(data, bool) or not isinstance(data, (int, str)):
            self.fail("incorrect_type", data_type=type(data).__name__)
        if isinstance(data, str):
            if not (data.isascii() and data.strip().isdigit()):
                self.fail("incorrect_type", data_type=type(data).__name__)
            data = int(data)
        if not 0 < data <= 2**63 - 1:
            self.fail("does_not_exist", pk_value=data)
        return super().to_internal_value(data)


class DonateSerializer(serializers.Serializer):
    target = _SameCommunityAccountField(help_text=_("受赠的居民户账户(编号由社区提供)或本社区党员的账户"))
    hours = _hours_field()
    memo = serializers.CharField(max_length=200, required=False, allow_blank=True, label=_("附言"))


class ReverseSerializer(serializers.Serializer):
    transfer = serializers.IntegerField(
        min_value=1, max_value=2**63 - 1, help_text=_("要冲正的交易编号(须是本账户的交易)")
    )
    reason = serializers.CharField(max_length=150, label=_("冲正原因"))


class TransferResultSerializer(serializers.Serializer):
    id = serializers.IntegerField(read_only=True, help_text=_("交易编号"))
    kind = serializers.ChoiceField(read_only=True, choices=Transfer.Kind.choices)
    memo = serializers.CharField(read_only=True)
    hours = serializers.DecimalField(max_digits=8, decimal_places=1, read_only=True)
    source = serializers.IntegerField(read_only=True, help_text=_("转出账户"))
    target = serializers.IntegerField(read_only=True, help_text=_("转入账户"))
    created_at = serializers.DateTimeField(read_only=True)
    balance = serializers.DecimalField(
        max_digits=12, decimal_places=1, read_only=True, help_text=_("本账户交易后的余额")
    )


# --- the viewset -----------------------------------------------------------------------------------------


def _post_schema(summary, description, request):
    return extend_schema(
        summary=summary,
        description=description,
        parameters=[ID_PATH_PARAMETER],
        request=request,
        responses={201: TransferResultSerializer, **error_responses(400, 401, 403, 404)},
    )


@extend_schema_view(
    list=list_schema(
        _("时间银行账户列表"),
        _(
            "您可见范围内的账户及余额:党员见本人的,社区工作人员见本社区的党员、居民户和发行账户,党组织见本组织"
            "党员的。"
        ),
        AccountFilterSerializer,
        AccountSerializer,
    ),
    retrieve=detail_schema(_("时间银行账户详情(含余额)"), AccountSerializer),
)
@extend_schema(tags=["社区时间银行"])
class AccountViewSet(viewsets.GenericViewSet):
    """Time-bank accounts in the caller's sight."""

    permission_classes = [IsAuthenticated, HasBusinessRole]
    lookup_value_regex = ID_PATH_REGEX
    serializer_class = AccountSerializer

    def get_queryset(self) -> QuerySet[Account]:
        return scope.visible_to(self.request.user, _accounts())

    def list(self, request: Request) -> Response:
        filters = AccountFilterSerializer(data=request.query_params, context={"request": request})
        filters.is_valid(raise_exception=True)
        data = filters.validated_data
        queryset = self.get_queryset()
        if data.get("kind"):
            queryset = queryset.filter(kind=data["kind"])
        if data.get("community") is not None:
            queryset = queryset.filter(data["community"].subtree_q("community__"))
        page = self.paginate_queryset(queryset.order_by("community__path", "kind", "owner_name", "pk"))
        return self.get_paginated_response(AccountSerializer(page, many=True).data)

    def retrieve(self, request: Request, pk: str) -> Response:
        return Response(AccountSerializer(self.get_object()).data)

    @extend_schema(
        summary=_("账户明细(对账单)"),
        description=_(
            "账户的全部分录,新的在前:交易类型、摘要、时数(转入为正)、该笔之后的余额、对方账户和是否已冲正;"
            "balance 为当前余额。"
        ),
        parameters=[ID_PATH_PARAMETER, *PAGE_PARAMETERS],
        responses={200: StatementPageSerializer, **error_responses(401, 403, 404)},
    )
    @action(detail=True, methods=["get"])
    def statement(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        page = self.paginate_queryset(_statement(account))
        response = self.get_paginated_response(StatementEntrySerializer(page, many=True).data)
        response.data["balance"] = serializers.DecimalField(
            max_digits=12, decimal_places=1
        ).to_representation(account.balance)
        return response

    @_post_schema(
        _("兑换服务(居民户支付时数)"),
        _(
            "社区工作人员为本账户(居民户或党员)办理兑换:以本账户的时数支付给提供帮助的党员(target),须写明"
            "服务内容(memo)。余额不足的不能支付,两笔同时支付合计超出余额的也不能都成功。"
        ),
        SpendSerializer,
    )
    @action(detail=True, methods=["post"])
    def spend(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        if not services.works_in(request.user, account.community):
            refuse(_SPEND)
        body = SpendSerializer(data=request.data, context={"request": request})
        body.is_valid(raise_exception=True)
        with refusals():
            transfer = services.spend(actor=request.user, source=account, **_plain(body.validated_data))
        return self._done(transfer, account)

    @_post_schema(
        _("捐赠时数"),
        _(
            "党员把本人账户的时数捐赠给本社区的居民户(账户编号由社区提供)或党员;社区工作人员可代为办理。"
            "余额不足的不能捐赠。"
        ),
        DonateSerializer,
    )
    @action(detail=True, methods=["post"])
    def donate(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        s = scope.scope_of(request.user)
        own = (
            account.member_id is not None
            and s.person_id is not None
            and account.member.person_id == s.person_id
        )
        if not (own or services.works_in(request.user, account.community)):
            refuse(_DONATE)
        body = DonateSerializer(data=request.data, context={"request": request, "source": account})
        body.is_valid(raise_exception=True)
        with refusals():
            transfer = services.donate(actor=request.user, source=account, **_plain(body.validated_data))
        return self._done(transfer, account)

    @_post_schema(
        _("冲正"),
        _(
            "社区工作人员冲正本账户的一笔交易(transfer),须填写原因:记一笔方向相反的交易,原交易不改不删。"
            "每笔交易只能冲正一次,冲正交易不能再冲正;冲正不能使对方账户余额为负。"
        ),
        ReverseSerializer,
    )
    @action(detail=True, methods=["post"])
    def reverse(self, request: Request, pk: str) -> Response:
        account = self.get_object()
        if not services.works_in(request.user, account.community):
            refuse(_REVERSE)
        body = ReverseSerializer(data=request.data)
        body.is_valid(raise_exception=True)
        transfer = Transfer.objects.filter(
            pk=body.validated_data["transfer"], entries__account=account
        ).first()
        if transfer is None:
            raise exceptions.ValidationError({"transfer": [str(_("所选交易不存在或不是本账户的交易。"))]})
        with refusals():
            reversal = services.reverse(
                actor=request.user, transfer=transfer, reason=body.validated_data["reason"]
            )
        return self._done(reversal, account)

    def _done(self, transfer: Transfer, account: Account) -> Response:
        entries = {e.hours > 0: e for e in transfer.entries.all()}
        body = {
            "id": transfer.pk,
            "kind": transfer.kind,
            "memo": transfer.memo,
            "hours": entries[True].hours,
            "source": entries[False].account_id,
            "target": entries[True].account_id,
            "created_at": transfer.created_at,
            "balance": services.balance(account),
        }
        return Response(TransferResultSerializer(body).data, status=201)


def _plain(data: dict) -> dict:
    return {**data, "hours": plain_hours(data["hours"])}


def _statement(account: Account) -> QuerySet[Entry]:
    other = Entry.objects.filter(transfer_id=OuterRef("transfer_id")).exclude(pk=OuterRef("pk"))
    return (
        Entry.objects.filter(account=account)
        .select_related("transfer")
        .annotate(
            running=Window(Sum("hours"), order_by=F("pk").asc()),
            counterparty=Subquery(other.values("account_id")[:1]),
            counterparty_name=Subquery(
                other.annotate(name=_owner_name("account__")).values("name")[:1], output_field=CharField()
            ),
            reversed=Exists(Transfer.objects.filter(reverses_id=OuterRef("transfer_id"))),
        )
        .order_by("-pk")
    )


ROUTES: list = [("timebank/accounts", AccountViewSet, "timebank-account")]
