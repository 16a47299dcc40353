"""Forms of the time-bank pages: opening a household account, a household paying a member for help
(兑换), a member's donation to an account number, a reversal's reason, and the account list's filters."""

from __future__ import annotations

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.community import selectors_pages as community
from vanguard.community.forms import CommunityField, MemberField, narrow_community
from vanguard.core.forms import BootstrapMixin
from vanguard.org.models import Cell, Member

from . import selectors
from .models import Account

TEXT_LIMIT = 200


def _hours() -> forms.DecimalField:
    # The services check the steps of 0.5 and the balance; the field only reads a number.
    return forms.DecimalField(
        label=_("时数(小时)"),
        max_digits=6,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请填写数字。"),
            "required": _("请填写时数。"),
            "max_decimal_places": _("时数以0.5小时为单位。"),
            "max_digits": _("时数太大。"),
            "max_whole_digits": _("时数太大。"),
        },
    )


class AccountField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        person = obj.person if obj.person_id else None
        name = person.name if person is not None else str(obj)
        return f"{obj.pk} · {name}({obj.community.name})"


class HouseholdOpenForm(BootstrapMixin, forms.Form):
    community = CommunityField(
        label=_("社区"), queryset=Cell.objects.none(), error_messages={"required": _("请选择社区。")}
    )
    name = forms.CharField(
        label=_("居民姓名"), max_length=50, error_messages={"required": _("请填写居民姓名。")}
    )
    mobile = forms.CharField(
        label=_("手机号"),
        max_length=11,
        required=False,
        help_text=_("同名居民不止一位时填写"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        narrow_community(self, user)

    def clean(self):
        data = super().clean()
        if data.get("community") is not None and data.get("name"):
            try:
                data["person"] = community.resolve_resident(
                    user=self.user,
                    community=data["community"],
                    name=data["name"],
                    mobile=data.get("mobile", ""),
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return data


class SpendForm(BootstrapMixin, forms.Form):
    """A household pays a member for help received: the worker records it (households have no login)."""

    source = AccountField(
        label=_("付出时数的居民户账户"),
        queryset=Account.objects.none(),
        error_messages={
            "required": _("请选择居民户账户。"),
            "invalid_choice": _("请选择本社区的居民户账户。"),
        },
    )
    member = MemberField(
        label=_("提供帮助的党员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请选择党员。"), "invalid_choice": _("请选择在本社区报到的党员。")},
    )
    hours = _hours()
    memo = forms.CharField(
        label=_("兑换的服务内容"),
        max_length=TEXT_LIMIT,
        error_messages={"required": _("请填写兑换的服务内容。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["source"].queryset = selectors.household_accounts(user=user)
        self.fields["member"].queryset = community.confirmed_members(user=user)


class DonateForm(BootstrapMixin, forms.Form):
    """A member gives hours to a household (by the account number the community gave) or to another member of
    the same community (by theirs)."""

    target = forms.CharField(
        label=_("收款账户编号"),
        max_length=12,
        help_text=_("居民户或本社区其他党员的账户编号,由社区提供"),
        widget=forms.TextInput(attrs={"inputmode": "numeric"}),
        error_messages={"required": _("请填写收款账户编号。")},
    )
    hours = _hours()
    memo = forms.CharField(label=_("留言"), max_length=TEXT_LIMIT, required=False)


class ReverseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("冲正原因"), max_length=150, required=False, widget=forms.Textarea(attrs={"rows": 2})
    )


class AccountFilterForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=_("类型"),
        required=False,
        choices=[
            ("", _("全部")),
            (Account.Kind.MEMBER, _("党员账户")),
            (Account.Kind.HOUSEHOLD, _("居民户账户")),
        ],
    )
    q = forms.CharField(label=_("姓名或编号"), required=False, max_length=50)
