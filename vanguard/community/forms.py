"""Forms of the community pages: registration (online and from the paper form), return, posts, service
records (reported, entered, rejected), teams, pairings and their visits, the book's choice of street or
community, and the periods of the printable forms. They parse what a person typed; the services decide."""

from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Cell, Member
from vanguard.org.validators import today

from . import selectors_pages as selectors
from .feedback import Quarter
from .models import CommunityPost, Pairing, PostClaim, Registration, ServiceRecord

TEXT_LIMIT = 2000


def _text(label, *, required: bool = False, rows: int = 3, max_length: int = TEXT_LIMIT, **extra):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **extra,
    )


def _date(label, *, required: bool = True) -> forms.DateField:
    return forms.DateField(
        label=label,
        required=required,
        widget=DateInput(),
        error_messages={"invalid": _("请按“年-月-日”填写日期。"), "required": _("请填写日期。")},
    )


def _hours() -> forms.DecimalField:
    # The service checks the steps of 0.5 and the range; the field only reads a number.
    return forms.DecimalField(
        label=_("时长(小时)"),
        max_digits=4,
        decimal_places=1,
        widget=forms.NumberInput(attrs={"step": "0.5", "min": "0.5", "max": "24", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请填写数字。"),
            "required": _("请填写时长。"),
            "max_decimal_places": _("时长以0.5小时为单位。"),
            "max_digits": _("时长应大于0且不超过24小时。"),
            "max_whole_digits": _("时长应大于0且不超过24小时。"),
        },
    )


class CommunityField(NodeChoiceField):
    default_error_messages = {"invalid_choice": _("请选择您所在的社区。")}

    def label_from_instance(self, obj) -> str:
        return obj.name


class MemberField(forms.ModelChoiceField):
    """A member confirmed at a community, shown with it: 王建国(南园社区)."""

    def label_from_instance(self, obj) -> str:
        community = getattr(obj, "community_name", "")
        return f"{obj.person.name}({community})" if community else obj.person.name


class MembersField(forms.ModelMultipleChoiceField):
    def label_from_instance(self, obj) -> str:
        community = getattr(obj, "community_name", "")
        return f"{obj.person.name}({community})" if community else obj.person.name


def narrow_community(form, user, *, name: str = "community") -> None:
    """The worker's communities as the choices; the field disappears (and its one value is taken) when the
    worker runs a single community."""
    choices = list(selectors.worker_communities(user))
    form.communities = choices
    form.fields[name].queryset = selectors.worker_communities(user)
    if len(choices) == 1:
        form.fields[name].initial = choices[0].pk
        form.fields[name].widget = forms.HiddenInput()


# --- registration ----------------------------------------------------------------------------------------


class RegistrationForm(BootstrapMixin, forms.Form):
    """The member's own registration (登记报到): where, their work, their strengths, what they offer."""

    community = CommunityField(
        label=_("报到社区"),
        queryset=Cell.objects.none(),
        empty_label=_("请选择居住地社区"),
        error_messages={"required": _("请选择报到的社区。"), "invalid_choice": _("请选择列表中的社区。")},
    )
    occupation = forms.CharField(label=_("职业"), max_length=50, required=False)
    strengths = forms.CharField(
        label=_("特长"),
        max_length=200,
        required=False,
        help_text=_("多项用“、”分隔,如:书法、法律咨询"),
    )
    wishes = _text(_("服务意愿"), rows=3)

    def __init__(self, *args, member: Member | None = None, **kwargs):
        if member is not None:
            home = selectors.home_community(member.person)
            kwargs.setdefault(
                "initial",
                {
                    "community": home.pk if home is not None else None,
                    "occupation": member.person.occupation,
                    "strengths": "、".join(s.name for s in member.person.strengths.all()),
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["community"].queryset = selectors.communities()

    def submit_fields(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("community", "occupation", "strengths", "wishes")}


class PaperRegistrationForm(RegistrationForm):
    """A worker enters a member's paper registration form (纸质登记表)."""

    member = MemberField(
        label=_("党员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请选择党员。"), "invalid_choice": _("请选择住在本社区的党员。")},
    )
    field_order = ["member", "community", "occupation", "strengths", "wishes"]

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.paper_members(user=user)
        self.fields["community"].empty_label = None
        narrow_community(self, user)

    def submit_fields(self) -> dict:
        return {**super().submit_fields(), "member": self.cleaned_data["member"]}


class ReturnForm(BootstrapMixin, forms.Form):
    # Not required here: the service says what is missing, under this field (return_reason).
    return_reason = _text(_("退回原因"), rows=2)


# --- posts -----------------------------------------------------------------------------------------------


class PostForm(BootstrapMixin, forms.Form):
    community = CommunityField(
        label=_("社区"), queryset=Cell.objects.none(), error_messages={"required": _("请选择社区。")}
    )
    name = forms.CharField(
        label=_("岗位名称"), max_length=100, error_messages={"required": _("请填写岗位名称。")}
    )
    category = forms.ChoiceField(label=_("类别"), choices=CommunityPost.Category.choices)
    places = forms.IntegerField(
        label=_("名额"),
        min_value=1,
        max_value=999,
        initial=1,
        error_messages={
            "required": _("请填写名额。"),
            "invalid": _("名额请填写整数。"),
            "min_value": _("名额至少为1。"),
            "max_value": _("名额不能超过999。"),
        },
    )
    description = _text(_("岗位职责"))

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        narrow_community(self, user)

    def create_fields(self) -> dict:
        return dict(self.cleaned_data)


# --- service records -------------------------------------------------------------------------------------


class ServiceReportForm(BootstrapMixin, forms.Form):
    """A member records their own service (活动记实): it waits for the community to verify it."""

    activity = forms.CharField(
        label=_("服务内容"), max_length=200, error_messages={"required": _("请填写服务内容。")}
    )
    served_on = _date(_("服务日期"))
    hours = _hours()
    post = forms.ModelChoiceField(
        label=_("所在岗位"), queryset=CommunityPost.objects.none(), required=False, empty_label=_("(无)")
    )
    pairing = forms.ModelChoiceField(
        label=_("结对帮扶"), queryset=Pairing.objects.none(), required=False, empty_label=_("(无)")
    )

    def __init__(self, *args, member: Member, community: Cell, **kwargs):
        kwargs.setdefault("initial", {"served_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["post"].queryset = (
            CommunityPost.objects.filter(
                community=community, claims__member=member, claims__status=PostClaim.Status.CONFIRMED
            )
            .distinct()
            .order_by("name")
        )
        self.fields["pairing"].queryset = Pairing.objects.filter(
            member=member, community=community, ended_on__isnull=True
        ).select_related("person")
        self.fields["pairing"].label_from_instance = lambda p: f"{p.person.name}({p.get_kind_display()})"

    def clean_served_on(self):
        served_on = self.cleaned_data["served_on"]
        if served_on and served_on > today():
            raise ValidationError(_("服务日期不能晚于今天。"))
        return served_on

    def report_fields(self) -> dict:
        data = self.cleaned_data
        fields = {k: data[k] for k in ("activity", "served_on", "hours")}
        fields.update({k: data[k] for k in ("post", "pairing") if data.get(k) is not None})
        return fields


class ServiceEntryForm(BootstrapMixin, forms.Form):
    """A worker enters a member's service directly: verified, and credited to the time bank, at once."""

    member = MemberField(
        label=_("党员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请选择党员。"), "invalid_choice": _("请选择在本社区报到的党员。")},
    )
    activity = forms.CharField(
        label=_("服务内容"), max_length=200, error_messages={"required": _("请填写服务内容。")}
    )
    served_on = _date(_("服务日期"))
    hours = _hours()

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"served_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.confirmed_members(user=user)

    def clean_served_on(self):
        served_on = self.cleaned_data["served_on"]
        if served_on and served_on > today():
            raise ValidationError(_("服务日期不能晚于今天。"))
        return served_on


class RejectForm(BootstrapMixin, forms.Form):
    reason = _text(_("未予核实的原因"), rows=2)


class ServiceFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *ServiceRecord.Status.choices]
    )


class RegistrationFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Registration.Status.choices]
    )
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)


# --- teams and pairings ----------------------------------------------------------------------------------


class TeamForm(BootstrapMixin, forms.Form):
    community = CommunityField(
        label=_("社区"), queryset=Cell.objects.none(), error_messages={"required": _("请选择社区。")}
    )
    name = forms.CharField(label=_("队名"), max_length=100, error_messages={"required": _("请填写队名。")})
    purpose = _text(_("服务内容"))
    leader = MemberField(
        label=_("队长"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("(暂不指定)"),
        error_messages={"invalid_choice": _("请选择在本社区报到的党员。")},
    )
    members = MembersField(
        label=_("队员"),
        queryset=Member.objects.none(),
        required=False,
        widget=forms.CheckboxSelectMultiple,
        error_messages={"invalid_choice": _("请选择在本社区报到的党员。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        narrow_community(self, user)
        members = selectors.confirmed_members(user=user)
        self.fields["leader"].queryset = members
        self.fields["members"].queryset = members
        # BootstrapMixin gave the checkbox list a text input's class.
        self.fields["members"].widget.attrs["class"] = "list-unstyled"


class PairingForm(BootstrapMixin, forms.Form):
    member = MemberField(
        label=_("党员"),
        queryset=Member.objects.none(),
        error_messages={"required": _("请选择党员。"), "invalid_choice": _("请选择在本社区报到的党员。")},
    )
    person_name = forms.CharField(
        label=_("帮扶对象姓名"), max_length=50, error_messages={"required": _("请填写帮扶对象的姓名。")}
    )
    person_mobile = forms.CharField(
        label=_("帮扶对象手机号"),
        max_length=11,
        required=False,
        help_text=_("同名居民不止一位时填写"),
        widget=forms.TextInput(attrs={"inputmode": "tel"}),
    )
    kind = forms.ChoiceField(label=_("帮扶类型"), choices=Pairing.Kind.choices)
    started_on = _date(_("结对日期"))
    notes = _text(_("帮扶内容"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"started_on": today()})
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["member"].queryset = selectors.confirmed_members(user=user)

    def clean(self):
        data = super().clean()
        member = data.get("member")
        if member is not None and data.get("person_name"):
            community = Cell.objects.get(pk=member.community_id)
            data["community"] = community
            try:
                data["person"] = selectors.resolve_resident(
                    user=self.user,
                    community=community,
                    name=data["person_name"],
                    mobile=data.get("person_mobile", ""),
                    field_name="person_name",
                )
            except ValidationError as exc:
                for field, errors in exc.message_dict.items():
                    for error in errors:
                        self.add_error(field, error)
        return data


class VisitForm(BootstrapMixin, forms.Form):
    visited_on = _date(_("走访日期"))
    content = _text(_("帮扶情况"), required=True, error_messages={"required": _("请填写帮扶情况。")})

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"visited_on": today()})
        super().__init__(*args, **kwargs)


class EndForm(BootstrapMixin, forms.Form):
    ended_on = _date(_("结束日期"))


# --- the book and the printable forms --------------------------------------------------------------------


class BookForm(BootstrapMixin, forms.Form):
    cell = NodeChoiceField(
        label=_("街道或社区"),
        queryset=Cell.objects.none(),
        required=False,
        empty_label=None,
        error_messages={"invalid_choice": _("请选择您所在的街道或社区。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["cell"].queryset = selectors.book_cells(user)

    def choice(self) -> Cell | None:
        if self.is_bound and self.is_valid() and self.cleaned_data["cell"] is not None:
            return self.cleaned_data["cell"]
        return self.fields["cell"].queryset.first()


def _quarter_start(day: dt.date) -> dt.date:
    return dt.date(day.year, 3 * ((day.month - 1) // 3) + 1, 1)


class PeriodForm(BootstrapMixin, forms.Form):
    """The period of an activity record form: the current quarter unless told."""

    start = _date(_("起始日期"), required=False)
    end = _date(_("截止日期"), required=False)

    def period(self) -> tuple[dt.date, dt.date]:
        quarter = Quarter.of(today())
        start, end = quarter.start, quarter.end
        if self.is_bound and self.is_valid():
            start = self.cleaned_data["start"] or start
            end = self.cleaned_data["end"] or end
        return start, end

    def clean(self):
        data = super().clean()
        start, end = data.get("start"), data.get("end")
        if start and end and start > end:
            raise ValidationError({"end": _("截止日期不能早于起始日期。")})
        if start and end and (end - start).days > 366:
            raise ValidationError({"end": _("一次最多打印一年的活动记实。")})
        return data


class QuarterForm(BootstrapMixin, forms.Form):
    quarter = forms.CharField(label=_("季度"), required=False, max_length=10, help_text=_("如 2026Q3"))

    def clean_quarter(self):
        text = self.cleaned_data["quarter"]
        return Quarter.parse(text) if text else None

    def choice(self) -> Quarter:
        if self.is_bound and self.is_valid() and self.cleaned_data["quarter"] is not None:
            return self.cleaned_data["quarter"]
        return Quarter.of(today())
