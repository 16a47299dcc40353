"""Forms of the model-post pages: the list's filters, the branch's application with its members (photo
uploads checked with Pillow), the office's decisions, the monthly evaluation by hand, the opinion book's
entries and answers, and the rules. (The public board's opinion form is the residents' shared intake:
vanguard/service_requests/forms_public.py.)"""

from __future__ import annotations

import datetime as dt
import re
from decimal import Decimal

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.core.forms import BootstrapMixin
from vanguard.core.photos import PHOTO_FORMATS, PhotoField, stored_photo
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Member, Organisation
from vanguard.org.validators import today

from . import selectors
from .models import MAX_STARS, ModelPost, Opinion

TEXT_LIMIT = 2000
PHONE = re.compile(r"^\+?[0-9][0-9\- ]{4,19}$")
MONTH = re.compile(r"^(\d{4})-(\d{1,2})$")


def _text(label, *, required: bool = False, rows: int = 3, max_length: int = TEXT_LIMIT, **extra):
    return forms.CharField(
        label=label,
        required=required,
        max_length=max_length,
        widget=forms.Textarea(attrs={"rows": rows}),
        **extra,
    )


def _decimal(label, **extra) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=5,
        decimal_places=2,
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={
            "invalid": _("请填写数字。"),
            "min_value": _("不能小于0。"),
            "max_value": _("不能大于100。"),
            "max_decimal_places": _("最多保留两位小数。"),
            "max_digits": _("不能大于100。"),
            "max_whole_digits": _("不能大于100。"),
        },
        **extra,
    )


def _phone_field(label) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=False,
        max_length=20,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel"}),
    )


def _clean_phone(value: str) -> str:
    value = (value or "").strip()
    if value and not PHONE.match(value):
        raise ValidationError(_("请填写正确的电话号码(数字,可含“-”)。"))
    return value


# --- the list --------------------------------------------------------------------------------------------


class PostFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"),
        required=False,
        choices=[("", _("全部")), (selectors.NAMED, _("已授牌命名")), *ModelPost.Status.choices],
    )
    stars = forms.TypedChoiceField(
        label=_("星级"),
        required=False,
        coerce=int,
        empty_value=None,
        choices=[("", _("全部")), *((str(n), _("%(n)d星") % {"n": n}) for n in range(MAX_STARS + 1))],
    )
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.filter_organisations(user=user)

    def filters(self) -> selectors.PostFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.PostFilters()
        data = self.cleaned_data
        return selectors.PostFilters(
            status=data["status"], stars=data["stars"], organisation=data["organisation"]
        )


# --- the application -------------------------------------------------------------------------------------


class BranchChoiceForm(BootstrapMixin, forms.Form):
    """Which branch applies: chosen first, so that the members offered are that branch's."""

    organisation = NodeChoiceField(
        label=_("申请党组织"),
        queryset=Organisation.objects.none(),
        empty_label=_("请选择党支部"),
        error_messages={"invalid_choice": _("所选党组织不存在或不在您的管理范围内。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.apply_organisations(user=user)


class PostApplyForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("示范岗名称"),
        max_length=100,
        error_messages={"required": _("请填写示范岗名称。")},
        widget=forms.TextInput(attrs={"placeholder": _("例如:售票窗口党员示范岗")}),
    )
    kind = forms.ChoiceField(label=_("类型"), choices=ModelPost.Kind.choices, initial=ModelPost.Kind.DESK)
    location = forms.CharField(label=_("所在位置"), max_length=200, required=False)
    description = _text(_("岗位职责与服务承诺"), rows=3)
    complaint_phone = _phone_field(_("投诉电话"))

    def clean_complaint_phone(self) -> str:
        return _clean_phone(self.cleaned_data["complaint_phone"])

    def post_fields(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("name", "kind", "location", "description", "complaint_phone")
        }


class PostMemberForm(BootstrapMixin, forms.Form):
    member = forms.TypedChoiceField(
        label=_("党员"),
        coerce=int,
        empty_value=None,
        error_messages={
            "required": _("请选择党员。"),
            "invalid_choice": _("所选党员不是本支部的党员。"),
        },
    )
    job = forms.CharField(label=_("岗位职务"), max_length=100, required=False)
    motto = forms.CharField(
        label=_("格言式承诺"),
        max_length=200,
        error_messages={"required": _("请填写格言式承诺。")},
        widget=forms.TextInput(attrs={"placeholder": _("例如:一心为乘客,服务无止境")}),
    )
    photo = PhotoField(
        label=_("照片"),
        required=False,
        help_text=_("JPEG或PNG,不超过5 MB。"),
        error_messages={"invalid_image": _("所选文件不是图片或已损坏,请上传JPEG或PNG格式的照片。")},
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )

    def __init__(self, *args, members: list[Member], **kwargs):
        super().__init__(*args, **kwargs)
        self.members = {m.pk: m for m in members}
        self.fields["member"].choices = [("", _("请选择党员")), *((m.pk, m.person.name) for m in members)]

    def clean_member(self) -> Member | None:
        pk = self.cleaned_data["member"]
        return None if pk is None else self.members[pk]

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if getattr(getattr(upload, "image", None), "format", None) not in PHOTO_FORMATS:
            raise ValidationError(_("照片须为JPEG或PNG格式。"))
        return stored_photo(upload)

    def entry(self) -> dict:
        data = self.cleaned_data
        return {"member": data["member"], "job": data["job"], "motto": data["motto"], "photo": data["photo"]}


class BasePostMemberFormSet(forms.BaseFormSet):
    def clean(self) -> None:
        if any(self.errors):
            return
        seen: set[int] = set()
        for form in self.forms:
            member = form.cleaned_data.get("member") if form.has_changed() else None
            if member is None:
                continue
            if member.pk in seen:
                raise ValidationError(_("%(name)s重复列入。") % {"name": member.person.name})
            seen.add(member.pk)
        if not seen:
            raise ValidationError(_("示范岗至少要有一名党员。"))

    def entries(self) -> list[dict]:
        return [f.entry() for f in self.forms if f.has_changed() and f.cleaned_data.get("member")]


MAX_ROWS = 20


def member_formset(data=None, files=None, *, members: list[Member], rows: int = 3):
    cls = forms.formset_factory(
        PostMemberForm, formset=BasePostMemberFormSet, extra=max(1, min(rows, MAX_ROWS)), max_num=MAX_ROWS
    )
    return cls(data, files, prefix="members", form_kwargs={"members": members})


# --- the office's decisions ------------------------------------------------------------------------------


class DecideForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审批结果"),
        choices=[("approve", _("批准挂牌")), ("reject", _("不予批准"))],
        error_messages={"required": _("请选择“批准挂牌”或“不予批准”。")},
    )
    reason = _text(_("审批意见"), rows=2, help_text=_("不予批准时必须填写理由。"))


class NameForm(BootstrapMixin, forms.Form):
    reason = _text(_("命名说明"), rows=2)


class ReviewForm(BootstrapMixin, forms.Form):
    result = forms.ChoiceField(
        label=_("复评结论"),
        choices=[("pass", _("复评通过,继续创建")), ("fail", _("复评未通过,摘牌"))],
        error_messages={"required": _("请选择复评结论。")},
    )
    reason = _text(_("复评意见"), required=True, rows=2, error_messages={"required": _("请填写复评意见。")})


class MonthInput(forms.TextInput):
    # A phone shows its month picker; a desktop browser without one still accepts the typed `2026-03`.
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return f"{value:%Y-%m}"
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput
    default_error_messages = {"invalid": _("请按“年-月”填写月份,例如 2026-03。")}

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        match = MONTH.match(str(value).strip())
        if not match or not 1 <= int(match.group(2)) <= 12 or int(match.group(1)) < 1900:
            raise ValidationError(self.error_messages["invalid"], code="invalid")
        return dt.date(int(match.group(1)), int(match.group(2)), 1)


class EvaluateForm(BootstrapMixin, forms.Form):
    month = MonthField(label=_("评定月份"), error_messages={"required": _("请填写评定月份。")})
    total = _decimal(
        _("评定总分"),
        help_text=_("自评、群众测评、组织考评加权后的总分(0–100);属实投诉的扣分由系统计算。"),
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"month": today().replace(day=1)})
        super().__init__(*args, **kwargs)
        self.fields["total"].error_messages["required"] = _("请填写评定总分。")


# --- the opinion book ------------------------------------------------------------------------------------


class OpinionEntryForm(BootstrapMixin, forms.Form):
    """An entry from the paper book or the complaint line, typed in by the branch."""

    channel = forms.ChoiceField(
        label=_("渠道"),
        choices=[
            (Opinion.Channel.PAPER, Opinion.Channel.PAPER.label),
            (Opinion.Channel.PHONE, Opinion.Channel.PHONE.label),
        ],
    )
    kind = forms.ChoiceField(label=_("类型"), choices=Opinion.Kind.choices)
    received_on = forms.DateField(
        label=_("收到日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写收到日期。"), "invalid": _("请按“年-月-日”填写日期。")},
    )
    content = _text(_("内容"), required=True, rows=3, error_messages={"required": _("请填写内容。")})
    name = forms.CharField(label=_("留言人"), max_length=50, required=False)
    phone = _phone_field(_("联系电话"))

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"received_on": today()})
        super().__init__(*args, **kwargs)

    def clean_phone(self) -> str:
        return _clean_phone(self.cleaned_data["phone"])

    def clean_received_on(self) -> dt.date:
        value = self.cleaned_data["received_on"]
        if value > today():
            raise ValidationError(_("收到日期不能晚于今天。"))
        return value


class AnswerForm(BootstrapMixin, forms.Form):
    answer = _text(_("答复"), required=True, rows=2, error_messages={"required": _("请填写答复内容。")})
    upheld = forms.TypedChoiceField(
        label=_("核实结论"),
        required=False,
        choices=[("", _("请选择")), ("yes", _("投诉属实")), ("no", _("投诉不属实"))],
        coerce=lambda v: v == "yes",
        empty_value=None,
    )
    serious = forms.BooleanField(
        label=_("严重投诉"), required=False, help_text=_("属实的严重投诉按规则可当即摘牌。")
    )

    def __init__(self, *args, opinion: Opinion, **kwargs):
        kwargs.setdefault("prefix", f"answer-{opinion.pk}")
        super().__init__(*args, **kwargs)
        self.opinion = opinion
        if opinion.kind != Opinion.Kind.COMPLAINT:
            del self.fields["upheld"]
            del self.fields["serious"]

    def clean(self):
        data = super().clean()
        if "upheld" in self.fields and data.get("upheld") is None and "upheld" not in self.errors:
            self.add_error("upheld", _("请核实投诉是否属实。"))
        return data


# --- rules -----------------------------------------------------------------------------------------------


class RulesForm(BootstrapMixin, forms.Form):
    pass_mark = _decimal(_("达标分数线"), help_text=_("月度评定得分达到此分数为达标,加一星。"))
    complaint_penalty = _decimal(_("每件属实投诉扣分"))
    serious_complaint_removes = forms.BooleanField(
        label=_("严重投诉属实即摘牌"), required=False, help_text=_("经核实属实的严重投诉,当即摘牌。")
    )
    note = forms.CharField(label=_("修订说明"), max_length=200, required=False)
    # The version the form was filled from: a form older than the latest version is refused.
    base = forms.IntegerField(widget=forms.HiddenInput, min_value=0)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["pass_mark"].error_messages["required"] = _("请填写达标分数线。")
        self.fields["complaint_penalty"].error_messages["required"] = _("请填写每件属实投诉扣分。")

    def rule_fields(self) -> dict:
        return {
            k: self.cleaned_data[k] for k in ("pass_mark", "complaint_penalty", "serious_complaint_removes")
        }
