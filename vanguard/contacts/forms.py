"""The contacts pages' forms. They parse what a person typed; the rules (dates, who may be a contact, the
duplicate) are the services', whose messages land back on these fields."""

from __future__ import annotations

import datetime as dt
import re

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Cell, Member, Organisation
from vanguard.org.validators import today, validate_mobile
from vanguard.zones.models import validate_year

from . import selectors
from .models import ContactAssignment, Talk


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        activist = getattr(obj, "activist", None)
        where = obj.residence.name if obj.residence_id else ""
        parts = [obj.name]
        if activist is not None:
            parts.append(activist.get_stage_display())
        if where:
            parts.append(where)
        return " · ".join(parts)


def _year_field(**kwargs) -> forms.IntegerField:
    # The model's own rule and message: 2000 up to next year.
    return forms.IntegerField(label=_("年度"), validators=[validate_year], **kwargs)


def _organisations(user):
    return scope.visible_to(user, Organisation.objects.all()).order_by("path")


class BelowTwoFilterForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    year = _year_field(required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        # Narrowed before anything validates, so another branch is an invalid choice, not a filter.
        self.fields["organisation"].queryset = _organisations(user)
        self.fields["year"].widget.attrs["placeholder"] = today().year

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {"organisation": data.get("organisation"), "year": data.get("year") or today().year}


_MONTH = re.compile(r"^(\d{4})-(\d{2})$")


class MonthField(forms.CharField):
    """A month as `<input type="month">` sends it: YYYY-MM, not later than this month."""

    widget = forms.TextInput(attrs={"type": "month"})

    def to_python(self, value):
        value = super().to_python(value)
        if not value:
            return None
        match = _MONTH.match(value.strip())
        try:
            month = dt.date(int(match[1]), int(match[2]), 1) if match else None
        except ValueError:
            month = None
        if month is None or month.year < 2000:
            raise forms.ValidationError(_("月份应写成“2026-05”这样的年-月。"), code="month_format")
        if month > selectors.current_month():
            raise forms.ValidationError(_("月份不能晚于本月。"), code="future_month")
        return month

    def prepare_value(self, value):
        return value.strftime("%Y-%m") if isinstance(value, dt.date) else value


class NotVisitedFilterForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    month = MonthField(label=_("月份"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = _organisations(user)

    def filters(self) -> dict:
        data = self.cleaned_data if self.is_bound and self.is_valid() else {}
        return {
            "organisation": data.get("organisation"),
            "month": data.get("month") or selectors.current_month(),
        }


class YearForm(forms.Form):
    year = _year_field(required=False)

    def selected(self) -> int:
        if self.is_bound and self.is_valid() and self.cleaned_data["year"]:
            return self.cleaned_data["year"]
        return today().year


class AssignmentForm(BootstrapMixin, forms.Form):
    """Either pick someone known, or enter a new contact's name, mobile and residence."""

    person = PersonChoiceField(
        label=_("已有人员"),
        queryset=None,
        required=False,
        empty_label=_("(不选,在下面登记新联系对象)"),
        help_text=_("本支部的入党积极分子,以及本支部党员已有的联系对象。"),
    )
    name = forms.CharField(label=_("姓名"), max_length=50, required=False)
    mobile = forms.CharField(label=_("手机号"), max_length=11, required=False, validators=[validate_mobile])
    residence = NodeChoiceField(label=_("居住社区"), queryset=Cell.objects.none(), required=False)
    kind = forms.ChoiceField(label=_("类型"), choices=ContactAssignment.Kind.choices)
    year = _year_field()
    assigned_on = forms.DateField(label=_("确定日期"), widget=DateInput())
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))

    def __init__(self, *args, user, member: Member, **kwargs):
        kwargs.setdefault("initial", {"year": today().year, "assigned_on": today()})
        super().__init__(*args, **kwargs)
        self.fields["person"].queryset = selectors.contact_choices(user=user, member=member)
        self.fields["residence"].queryset = Cell.objects.filter(
            kind__in=[k for k in Cell.RESIDENTIAL_KINDS if k != Cell.Kind.HOUSEHOLD]
        ).order_by("path")

    def clean(self):
        cleaned = super().clean()
        person, name = cleaned.get("person"), (cleaned.get("name") or "").strip()
        if person is None and not name and "person" not in self.errors:
            self.add_error("person", _("请选择一名已有人员,或填写新联系对象的姓名(二者选一)。"))
        elif person is not None and name:
            self.add_error("name", _("已选择已有人员,就不要再填写新联系对象的姓名。"))
        return cleaned


class AssignmentEditForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(label=_("类型"), choices=ContactAssignment.Kind.choices)
    assigned_on = forms.DateField(label=_("确定日期"), widget=DateInput())
    notes = forms.CharField(label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}))


class TalkForm(BootstrapMixin, forms.Form):
    held_on = forms.DateField(label=_("日期"), widget=DateInput())
    kind = forms.ChoiceField(label=_("方式"), choices=Talk.Kind.choices)
    content = forms.CharField(label=_("谈话内容"), widget=forms.Textarea(attrs={"rows": 3}), max_length=5000)
    problems = forms.CharField(
        label=_("反映的问题"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )
    follow_up = forms.CharField(
        label=_("跟进情况"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=5000
    )

    def __init__(self, *args, **kwargs):
        kwargs.setdefault("initial", {"held_on": today()})
        super().__init__(*args, **kwargs)
