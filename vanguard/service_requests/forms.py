"""Forms of the staff's pages of residents' requests: the list's filters, entering a request taken by phone
or in person, and one form per action on a request (接单, 受理, 开始办理, 办结/答复, 派单, 调整紧急程度,
关闭).

The forms parse; the services decide (who may, in which state, what is missing) and say why in Chinese, so
most fields here are optional and the service's message is the one a person reads."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.core.forms import BootstrapMixin
from vanguard.core.photos import PHOTO_FORMATS, PhotoField, stored_photo
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Cell, Organisation

from . import selectors, services
from .models import Category, Escalation, Kind, Status, Urgency

TEXT_LIMIT = services.DESCRIPTION_LIMIT


def _all(choices) -> list:
    return [("", _("全部")), *choices]


class PlaceChoiceField(forms.ModelChoiceField):
    """A community, estate or building, with the community it lies in when that is not itself."""

    def label_from_instance(self, obj: Cell) -> str:
        return "\u3000" * max(obj.depth - 2, 0) + obj.name


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}({obj.organisation.name})"


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.person.name}({obj.organisation.name})"


# --- the list --------------------------------------------------------------------------------------------


class RequestFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(
        label=_("查询码或内容"),
        required=False,
        max_length=50,
        widget=forms.TextInput(attrs={"type": "search", "placeholder": _("查询码或诉求内容")}),
    )
    status = forms.ChoiceField(label=_("状态"), required=False, choices=_all(Status.choices))
    kind = forms.ChoiceField(label=_("类型"), required=False, choices=_all(Kind.choices))
    category = forms.ChoiceField(label=_("类别"), required=False, choices=_all(Category.choices))
    urgency = forms.ChoiceField(label=_("紧急程度"), required=False, choices=_all(Urgency.choices))
    community = forms.ModelChoiceField(
        label=_("社区"), queryset=Cell.objects.none(), required=False, empty_label=_("全部")
    )
    organisation = NodeChoiceField(
        label=_("责任党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    zone = ZoneChoiceField(label=_("责任区"), queryset=None, required=False, empty_label=_("全部"))
    received_from = forms.DateField(label=_("提交日期从"), required=False, widget=DateInput())
    received_to = forms.DateField(label=_("提交日期至"), required=False, widget=DateInput())
    overdue = forms.BooleanField(label=_("只看已超期"), required=False)
    # A link from the rates page narrows to one member's requests (within what the list shows anyway).
    member = forms.IntegerField(required=False, min_value=1, widget=forms.HiddenInput)
    escalation = forms.TypedChoiceField(
        label=_("督办"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部")), *((value, label) for value, label in Escalation.choices if value)],
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.filter_communities(user)
        organisations = selectors.filter_organisations(user)
        self.fields["organisation"].queryset = organisations
        scope_has_orgs = selectors.answers_for_organisations(user)
        if not scope_has_orgs:
            # A member or a community worker answers for no organisation: nothing to choose from.
            del self.fields["organisation"]
        zones = selectors.year_zones(user)
        self.fields["zone"].queryset = zones
        chosen = self._chosen_organisation(organisations) if scope_has_orgs else None
        if chosen is not None:
            self._narrow_zones(zones, chosen)
        elif selectors.is_office_wide(user):
            # A committee's zones are too many for one list: the office picks a branch first, and a zone
            # given in the address (a link from the zone's page) is kept as it is.
            self.fields["zone"].widget = forms.HiddenInput()

    def _chosen_organisation(self, organisations) -> Organisation | None:
        value = self.data.get("organisation", "") if self.is_bound else ""
        if not str(value).isdigit():
            return None
        return organisations.filter(pk=value).first()

    def _narrow_zones(self, zones, organisation: Organisation) -> None:
        narrowed = zones.filter(organisation.subtree_q("organisation__"))
        self.fields["zone"].queryset = narrowed
        zone = self.data.get("zone", "")
        if str(zone).isdigit() and not narrowed.filter(pk=zone).exists():
            # The branch changed under a zone of another: the zone is let go rather than the whole filter.
            self.data = self.data.copy()
            self.data["zone"] = ""

    def filters(self, view: str) -> selectors.RequestFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.RequestFilters(view=view)
        data = self.cleaned_data
        return selectors.RequestFilters(
            view=view,
            status=data["status"],
            kind=data["kind"],
            category=data["category"],
            urgency=data["urgency"],
            overdue=data["overdue"],
            community=data["community"],
            organisation=data.get("organisation"),
            zone=data["zone"],
            member_id=data["member"],
            escalation=data["escalation"],
            q=data["q"].strip(),
            received_from=data["received_from"],
            received_to=data["received_to"],
        )

    def clean(self):
        data = super().clean()
        start, end = data.get("received_from"), data.get("received_to")
        if start and end and start > end:
            self.add_error("received_to", _("结束日期不能早于开始日期。"))
        return data


# --- entering a request taken by phone or in person ------------------------------------------------------


class RequestCreateForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=Kind.choices, initial=Kind.REQUEST)
    category = forms.ChoiceField(label=_("类别"), choices=Category.choices, initial=Category.OTHER)
    urgent = forms.BooleanField(label=_("紧急(2小时内办理)"), required=False)
    description = forms.CharField(
        label=_("诉求内容"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 4})
    )
    community = forms.ModelChoiceField(
        label=_("社区"),
        queryset=Cell.objects.none(),
        required=False,
        empty_label=_("请选择社区"),
        error_messages={"invalid_choice": _("所选社区不存在或不在您的范围内。")},
    )
    cell = PlaceChoiceField(
        label=_("小区/楼栋"),
        queryset=Cell.objects.none(),
        required=False,
        empty_label=_("不指定"),
        help_text=_("选择楼栋后按责任区分派给负责党员;不指定则进入社区待派单。"),
        error_messages={"invalid_choice": _("所选位置不存在或不在您的社区内。")},
    )
    zone = ZoneChoiceField(
        label=_("责任区"),
        queryset=None,
        required=False,
        empty_label=_("不指定"),
        help_text=_("意见、表扬和投诉须选择所针对的责任区。"),
        error_messages={"invalid_choice": _("所选责任区不存在或不属于本支部。")},
    )
    name = forms.CharField(label=_("居民称呼"), required=False, max_length=50)
    phone = forms.CharField(
        label=_("联系电话"),
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "off"}),
    )
    consent = forms.BooleanField(label=_("居民已口头同意使用电话号码"), required=False)
    photo = PhotoField(
        label=_("照片"),
        required=False,
        help_text=_("可选,JPEG或PNG,不超过5 MB。"),
        widget=forms.ClearableFileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.filter_communities(user)
        cells = selectors.entry_cells(user)
        zones = selectors.entry_zones(user)
        self.fields["cell"].queryset = cells
        self.fields["zone"].queryset = zones
        self.offers_cells = cells.exists()
        self.offers_zones = zones.exists()
        if not self.offers_cells:
            del self.fields["cell"]
        if not self.offers_zones:
            del self.fields["zone"]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if upload.image.format not in PHOTO_FORMATS:
            raise ValidationError(_("照片只能是JPEG或PNG格式。"))
        return upload

    def clean(self):
        data = super().clean()
        community, cell = data.get("community"), data.get("cell")
        if community is not None and cell is not None and not cell.path.startswith(community.path):
            self.add_error("cell", _("所选楼栋不在所选社区内。"))
        return data

    def subject(self) -> services.Subject:
        data = self.cleaned_data
        return services.Subject(zone=data.get("zone"), cell=data.get("cell"), community=data.get("community"))

    def photo_file(self):
        upload = self.cleaned_data.get("photo")
        return stored_photo(upload) if upload else None


# --- the actions on a request ----------------------------------------------------------------------------


class ConfirmForm(forms.Form):
    """An action that asks nothing more than the click (接单, 受理, 开始办理)."""


class ResolveForm(BootstrapMixin, forms.Form):
    resolution = forms.CharField(
        label=_("办理情况"),
        required=False,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
    )
    hours = forms.DecimalField(
        label=_("记为服务时长(小时)"),
        required=False,
        max_digits=4,
        decimal_places=1,
        min_value=Decimal("0.5"),
        max_value=Decimal("24"),
        help_text=_("选填,以0.5小时为单位;由社区核实后计入时间银行。"),
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请填写数字。"),
            "min_value": _("时长应大于0且不超过24小时。"),
            "max_value": _("时长应大于0且不超过24小时。"),
            "max_decimal_places": _("时长以0.5小时为单位。"),
            "max_digits": _("时长应大于0且不超过24小时。"),
        },
    )

    def __init__(self, *args, hours: bool = True, answer: bool = False, **kwargs):
        super().__init__(*args, **kwargs)
        if answer:
            self.fields["resolution"].label = _("答复内容")
        if not hours:
            del self.fields["hours"]


class DispatchForm(BootstrapMixin, forms.Form):
    member = MemberChoiceField(
        label=_("承办党员"),
        queryset=None,
        required=False,
        empty_label=_("请选择党员"),
        error_messages={"invalid_choice": _("所选党员不在可派单的范围内。")},
    )
    team = forms.ModelChoiceField(
        label=_("或派给志愿服务队"),
        queryset=None,
        required=False,
        empty_label=_("不派给服务队"),
        error_messages={"invalid_choice": _("只能派给本社区的志愿服务队。")},
    )
    note = forms.CharField(label=_("派单说明"), required=False, max_length=200)

    def __init__(self, *args, members, teams, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = members
        self.fields["team"].queryset = teams
        if not teams.exists():
            del self.fields["team"]


class UrgencyForm(BootstrapMixin, forms.Form):
    urgency = forms.ChoiceField(
        label=_("紧急程度"), required=False, choices=[("", _("请选择")), *Urgency.choices]
    )
    reason = forms.CharField(label=_("调整原因"), required=False, max_length=200)


class CloseForm(BootstrapMixin, forms.Form):
    reason = forms.CharField(
        label=_("关闭原因"),
        required=False,
        max_length=200,
        help_text=_("例如:重复提交、不属于诉求、已办结群众未评价。"),
    )
