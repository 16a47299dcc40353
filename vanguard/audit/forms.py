from __future__ import annotations

from django import forms
from django.apps import apps
from django.utils.translation import gettext_lazy as _

from vanguard.core.forms import BootstrapMixin

from .models import Action
from .selectors import AuditFilters


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


def object_type_choices() -> list[tuple[str, str]]:
    """Every model of the project, by label ("org.member"), named as people know it."""
    models = sorted(apps.get_models(), key=lambda m: m._meta.label_lower)
    return [
        ("", _("全部")),
        *((m._meta.label_lower, f"{m._meta.verbose_name}({m._meta.label_lower})") for m in models),
    ]


class AuditFilterForm(BootstrapMixin, forms.Form):
    username = forms.CharField(label=_("用户名"), required=False, max_length=150)
    action = forms.ChoiceField(label=_("操作"), required=False, choices=[("", _("全部")), *Action.choices])
    object_type = forms.ChoiceField(label=_("对象类型"), required=False, choices=object_type_choices)
    object_id = forms.CharField(label=_("对象编号"), required=False, max_length=64)
    date_from = forms.DateField(label=_("开始日期"), required=False, widget=DateInput())
    date_to = forms.DateField(label=_("结束日期"), required=False, widget=DateInput())
    success = forms.ChoiceField(
        label=_("结果"), required=False, choices=[("", _("全部")), ("1", _("成功")), ("0", _("失败"))]
    )

    def clean(self):
        data = super().clean()
        start, end = data.get("date_from"), data.get("date_to")
        if start and end and start > end:
            self.add_error("date_to", _("结束日期不能早于开始日期。"))
        return data

    def filters(self) -> AuditFilters:
        if not self.is_valid():
            return AuditFilters()
        data = self.cleaned_data
        return AuditFilters(
            username=data["username"].strip(),
            action=data["action"],
            object_type=data["object_type"],
            object_id=data["object_id"].strip(),
            date_from=data["date_from"],
            date_to=data["date_to"],
            success={"1": True, "0": False}.get(data["success"]),
        )
