"""Forms of the post standards' pages. They hold no rules: the services decide, and their ValidationErrors
come back onto the fields. Messages name the field in Chinese."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Organisation
from vanguard.org.validators import today

from . import selectors_standards as selectors
from .models import Standard
from .services_standards import PUBLIC_COMMENT_LIMIT, TEXT_LIMIT


def _text(
    label, *, required: bool = True, rows: int = 5, placeholder: str = "", required_message="", limit=None
):
    return forms.CharField(
        label=label,
        required=required,
        max_length=limit or TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows, "placeholder": placeholder}),
        error_messages={"required": required_message} if required_message else {},
    )


def year_choices() -> list[tuple[int, str]]:
    """This year and next: a standard is proposed for the year under way, or at its end for the next."""
    year = today().year
    return [(y, _("%(year)d年度") % {"year": y}) for y in (year, year + 1)]


class StandardForm(BootstrapMixin, forms.Form):
    """A member's proposal (党员提标准): the year (new proposals only), the post and the standard."""

    year = forms.TypedChoiceField(
        label=_("年度"), coerce=int, error_messages={"invalid_choice": _("请选择今年或明年。")}
    )
    post_title = forms.CharField(
        label=_("岗位"),
        max_length=100,
        error_messages={"required": _("请填写岗位。")},
        widget=forms.TextInput(attrs={"placeholder": _("如:1路公交驾驶员、营业厅综合柜员")}),
    )
    proposed_text = _text(
        _("岗位先进性标准"),
        rows=8,
        placeholder=_("结合本岗位实际,写出您对自己提出的具体标准和承诺"),
        required_message=_("请填写您为本岗位提出的标准。"),
    )

    def __init__(self, *args, standard: Standard | None = None, **kwargs):
        self.standard = standard
        if standard is not None:
            kwargs.setdefault(
                "initial", {"post_title": standard.post_title, "proposed_text": standard.proposed_text}
            )
        else:
            kwargs.setdefault("initial", {"year": today().year})
        super().__init__(*args, **kwargs)
        if standard is not None:
            # The year of a standard stays: another year's standard is a new one.
            del self.fields["year"]
        else:
            self.fields["year"].choices = year_choices()


class SetForm(BootstrapMixin, forms.Form):
    """The organisation's final text (组织定标准), starting from the member's proposal."""

    final_text = _text(_("组织确定的标准"), rows=8, required_message=_("请填写组织确定的标准。"))

    def __init__(self, *args, standard: Standard, **kwargs):
        kwargs.setdefault("initial", {"final_text": standard.final_text or standard.proposed_text})
        super().__init__(*args, **kwargs)


class PaperCommentForm(BootstrapMixin, forms.Form):
    """A comment of the masses collected on paper, entered by the branch."""

    name = forms.CharField(label=_("提意见人"), required=False, max_length=50)
    content = _text(_("意见"), rows=4, required_message=_("请填写意见。"))


class PublicCommentForm(BootstrapMixin, forms.Form):
    """The public's comment on a proposed standard. `website` is a honeypot: hidden from people, filled in
    by robots."""

    name = forms.CharField(label=_("您的称呼(可不填)"), required=False, max_length=50)
    content = _text(
        _("您的意见"),
        rows=4,
        placeholder=_("对这位党员提出的岗位标准,您有什么意见和建议?"),
        required_message=_("请填写意见。"),
        limit=PUBLIC_COMMENT_LIMIT,
    )
    website = forms.CharField(
        label=_("网址(请勿填写)"),
        required=False,
        widget=forms.TextInput(attrs={"autocomplete": "off", "tabindex": "-1"}),
    )

    def is_robot(self) -> bool:
        return bool(self.cleaned_data.get("website"))


class BenchmarkForm(BootstrapMixin, forms.Form):
    """A dated record against the standard (对标记录)."""

    recorded_on = forms.DateField(
        label=_("日期"),
        widget=DateInput(),
        error_messages={"required": _("请填写日期。"), "invalid": _("请按“年-月-日”填写日期。")},
    )
    content = _text(
        _("对标情况"),
        rows=4,
        placeholder=_("对照标准,做了什么、做得怎样"),
        required_message=_("请填写对标情况。"),
    )

    def __init__(self, *args, standard: Standard, **kwargs):
        day = today()
        initial = day if day.year == standard.year else None
        kwargs.setdefault("initial", {"recorded_on": initial})
        super().__init__(*args, **kwargs)


class StandardFilterForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Standard.Status.choices]
    )
    q = forms.CharField(label=_("姓名"), required=False, max_length=50)

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"year": today().year})
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )
        year = today().year
        self.fields["year"].choices = [("", _("全部")), *((y, str(y)) for y in range(year + 1, year - 9, -1))]

    def filters(self) -> selectors.StandardFilters:
        """The filters chosen; this year's standards when nothing was chosen (or something invalid)."""
        if not self.is_bound or not self.is_valid():
            return selectors.StandardFilters(year=today().year)
        data = self.cleaned_data
        return selectors.StandardFilters(
            organisation=data["organisation"], year=data["year"], status=data["status"], q=data["q"]
        )
