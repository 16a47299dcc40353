from __future__ import annotations

import datetime as dt

from django import forms
from django.core.exceptions import ValidationError
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import NodeChoiceField
from vanguard.org.models import Member, Organisation
from vanguard.zones.models import Zone

from . import selectors
from .models import MonthlyReport
from .months import current_month, format_month, parse_month

TEXT_LIMIT = 5000


class MonthInput(forms.TextInput):
    # A phone shows its month picker; a desktop browser without one still accepts the typed `2026-03`.
    input_type = "month"

    def format_value(self, value):
        if isinstance(value, dt.date):
            return format_month(value)
        return super().format_value(value)


class MonthField(forms.Field):
    widget = MonthInput

    def to_python(self, value):
        if value in self.empty_values:
            return None
        if isinstance(value, dt.date):
            return value.replace(day=1)
        try:
            return parse_month(str(value))
        except ValidationError as exc:
            raise ValidationError(exc.messages[0], code="invalid") from exc


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return f"{obj.name}({obj.year})"


def _text(label, *, required: bool = False, rows: int = 5, placeholder: str = "") -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows, "placeholder": placeholder}),
    )


class ReportForm(BootstrapMixin, forms.Form):
    """A member's report: the month (new reports only), their zone and the three parts of seed 001."""

    month = MonthField(label=_("月份"))
    zone = ZoneChoiceField(
        label=_("责任区"),
        queryset=Zone.objects.none(),
        required=False,
        empty_label=_("(未指定)"),
    )
    work_done = _text(
        _("责任区工作情况"), required=True, rows=6, placeholder=_("本月在责任区做了哪些工作,完成了哪些任务")
    )
    ideas = _text(_("设想和建议"), placeholder=_("对所在责任区工作的设想和建议"))
    masses_opinions = _text(_("群众意见"), placeholder=_("联系群众中听到的正确要求和合理化意见"))

    def __init__(self, *args, member: Member, report: MonthlyReport | None = None, month=None, **kwargs):
        self.member = member
        self.report = report
        if report is not None:
            kwargs.setdefault(
                "initial",
                {
                    "month": report.month,
                    "zone": report.zone_id,
                    "work_done": report.work_done,
                    "ideas": report.ideas,
                    "masses_opinions": report.masses_opinions,
                },
            )
        else:
            # A reminder links to the month that is due (?month=2026-10); else this month.
            month = month if month is not None and month <= current_month() else current_month()
            kwargs.setdefault(
                "initial",
                {"month": month, "zone": selectors.default_zone_id(member=member, year=month.year)},
            )
        super().__init__(*args, **kwargs)
        year = report.month.year if report is not None else current_month().year
        years = [year] if report is not None else [year, year - 1]
        self.fields["zone"].queryset = selectors.zone_choices(member=member, years=years)
        if report is not None:
            # The month of a report stays: a report for another month is a new report.
            self.fields["month"].disabled = True
            self.fields["month"].required = False

    def submit_fields(self) -> dict:
        data = self.cleaned_data
        return {
            "month": data["month"],
            "zone": data["zone"],
            "work_done": data["work_done"],
            "ideas": data["ideas"],
            "masses_opinions": data["masses_opinions"],
        }

    def update_fields(self) -> dict:
        data = self.cleaned_data
        return {k: data[k] for k in ("zone", "work_done", "ideas", "masses_opinions")}


class ReviewForm(BootstrapMixin, forms.Form):
    decision = forms.ChoiceField(
        label=_("审阅结果"),
        choices=[
            (MonthlyReport.Status.REVIEWED, _("审阅通过")),
            (MonthlyReport.Status.RETURNED, _("退回修改")),
        ],
        error_messages={"required": _("请选择“审阅通过”或“退回修改”。")},
    )
    comment = _text(_("审阅意见"), rows=4, placeholder=_("退回时必填:说明需要补充或修改的内容;通过时可留空"))


class _ScopedOrganisationMixin:
    def narrow_organisations(self, user) -> None:
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )


class ReportFilterForm(BootstrapMixin, _ScopedOrganisationMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    month = MonthField(label=_("月份"), required=False)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *MonthlyReport.Status.choices]
    )

    def __init__(self, *args, user, with_status: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_organisations(user)
        if not with_status:
            del self.fields["status"]

    def filters(self) -> selectors.ReportFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.ReportFilters()
        data = self.cleaned_data
        return selectors.ReportFilters(
            organisation=data["organisation"], month=data["month"], status=data.get("status", "")
        )


class MissingFilterForm(BootstrapMixin, _ScopedOrganisationMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    month = MonthField(label=_("月份"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_organisations(user)

    def clean_month(self):
        month = self.cleaned_data["month"]
        if month is not None and month > current_month():
            raise ValidationError(_("未来的月份还没有汇报可查。"))
        return month

    def choice(self) -> tuple[Organisation | None, dt.date]:
        """The organisation and month chosen; the current month and the whole scope when not valid."""
        if self.is_bound and self.is_valid():
            return self.cleaned_data["organisation"], self.cleaned_data["month"] or current_month()
        return None, current_month()
