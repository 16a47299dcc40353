"""Forms of the year's pages. They hold no rules: choices are narrowed to what the user may pick, and the
services decide the rest (their ValidationErrors come back onto the forms' fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import QuerySet
from django.utils import timezone
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Member, Organisation, Person

from . import selectors_year as selectors
from . import services_year as services
from .models import Grade, Rectification, Result, Rollup, Round, TargetKind

TEXT_LIMIT = services.TEXT_LIMIT


def _pick(queryset: QuerySet, raw: Any):
    """The object `raw` (an id from the request) names within `queryset`, or None."""
    if raw in (None, ""):
        return None
    if hasattr(raw, "pk"):
        raw = raw.pk
    try:
        return queryset.filter(pk=int(raw)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _year_field(**kwargs) -> forms.IntegerField:
    return forms.IntegerField(
        label=_("年度"),
        min_value=2000,
        max_value=2100,
        error_messages={"invalid": _("请填写年度,如 2026。"), "required": _("请填写年度。")},
        **kwargs,
    )


def _text(label, *, required: bool = False, rows: int = 3, **kwargs) -> forms.CharField:
    return forms.CharField(
        label=label,
        required=required,
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": rows}),
        **kwargs,
    )


ORGANISATION_ERRORS = {
    "required": _("请选择党组织。"),
    "invalid_choice": _("所选党组织不存在或不在您的管理范围内。"),
}


def this_year() -> int:
    return timezone.localdate().year


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return f"{obj.person.name}({obj.organisation.name})"


class PersonChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Person) -> str:
        return obj.name


class RoundChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Round) -> str:
        return obj.name


class ResultChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Result) -> str:
        total = "" if obj.total is None else f" {obj.total}"
        return f"{obj.round.name}{total}"


# --- settings -------------------------------------------------------------------------------------------


class SettingsForm(BootstrapMixin, forms.Form):
    prior_weight = forms.DecimalField(
        label=_("少量数据拉向均值的强度"),
        min_value=Decimal("0"),
        max_value=Decimal("100"),
        decimal_places=2,
        help_text=_(
            "排名分 =(数据数×得分 + 强度×平均分)÷(数据数 + 强度);0 表示按得分排名。此后结束的考核按新值计算。"
        ),
        error_messages={"invalid": _("请填写数字。"), "required": _("请填写拉向均值的强度。")},
    )
    bar_unregistered = forms.BooleanField(
        label=_("未到居住社区报到的在职党员,民主评议不得评为“合格”及以上"), required=False
    )


class OrganisationPickForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"),
        error_messages=ORGANISATION_ERRORS,
        queryset=Organisation.objects.none(),
        empty_label=None,
    )

    def __init__(self, *args, queryset: QuerySet[Organisation], **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = queryset


# --- roll-ups -------------------------------------------------------------------------------------------


class RollupForm(BootstrapMixin, forms.Form):
    """A roll-up: where, which year and kind of target, and the ended rounds to take with their weights.
    The rounds offered follow the organisation, year and kind chosen (htmx reloads them on a change)."""

    organisation = NodeChoiceField(
        label=_("汇总范围"),
        queryset=Organisation.objects.none(),
        empty_label=None,
        error_messages=ORGANISATION_ERRORS,
    )
    year = _year_field()
    target_kind = forms.ChoiceField(label=_("考核对象"), choices=TargetKind.choices)
    name = forms.CharField(label=_("名称"), max_length=100)
    recommend_count = forms.IntegerField(
        label=_("推荐名额"),
        min_value=0,
        max_value=10000,
        initial=3,
        help_text=_("排名在名额之内的列入推荐名单;名额末位并列的都列入。"),
        error_messages={"invalid": _("推荐名额请填写整数。")},
    )

    def __init__(self, *args, user, rollup: Rollup | None = None, **kwargs):
        self.user = user
        self.rollup = rollup
        if rollup is not None:
            weights = {p.round_id: p.weight for p in rollup.parts.all()}
            initial = {
                "organisation": rollup.organisation_id,
                "year": rollup.year,
                "target_kind": rollup.target_kind,
                "name": rollup.name,
                "recommend_count": rollup.recommend_count,
            }
            for round_id, weight in weights.items():
                initial[f"round_{round_id}"] = True
                initial[f"weight_{round_id}"] = weight
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        organisations = selectors.settings_organisations(user)
        self.fields["organisation"].queryset = organisations
        if rollup is not None:
            for name in ("organisation", "year", "target_kind"):
                self.fields[name].disabled = True
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = this_year()
        self._add_round_fields(organisations)

    def _value(self, name: str):
        if self.is_bound and not self.fields[name].disabled:
            return self.data.get(self.add_prefix(name))
        value = self.initial.get(name)
        return value if value is not None else self.fields[name].initial

    def _add_round_fields(self, organisations: QuerySet[Organisation]) -> None:
        organisation = _pick(organisations, self._value("organisation"))
        if organisation is None:
            organisation = organisations.first()
        try:
            year = int(self._value("year"))
        except (TypeError, ValueError):
            year = None
        kind = self._value("target_kind") or TargetKind.MEMBER
        self.rounds: list[Round] = []
        if organisation is not None and year and kind in TargetKind.values:
            self.rounds = list(
                selectors.round_choices(
                    user=self.user, organisation=organisation, year=year, target_kind=kind
                )
            )
        for round_ in self.rounds:
            self.fields[f"round_{round_.pk}"] = forms.BooleanField(label=round_.name, required=False)
            self.fields[f"weight_{round_.pk}"] = forms.DecimalField(
                label=_("权重"),
                initial=Decimal("1"),
                min_value=Decimal("0.01"),
                max_value=Decimal("100"),
                decimal_places=2,
                required=False,
                error_messages={"invalid": _("权重请填写数字。")},
            )
            for name in (f"round_{round_.pk}", f"weight_{round_.pk}"):
                widget = self.fields[name].widget
                css = "form-check-input" if name.startswith("round_") else "form-control form-control-sm"
                widget.attrs["class"] = css

    def round_rows(self) -> list[tuple[Round, Any, Any]]:
        return [(r, self[f"round_{r.pk}"], self[f"weight_{r.pk}"]) for r in self.rounds]

    def parts(self) -> list[services.Part]:
        return [
            services.Part(r, self.cleaned_data.get(f"weight_{r.pk}") or Decimal("1"))
            for r in self.rounds
            if self.cleaned_data.get(f"round_{r.pk}")
        ]


# --- the branch review ----------------------------------------------------------------------------------


def _points(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        min_value=Decimal("0"),
        max_value=services.MAX_REVIEW_POINTS,
        decimal_places=2,
        initial=Decimal("0"),
        error_messages={"invalid": _("请填写数字。"), "required": _("请填写得分。")},
    )


class BranchReviewForm(BootstrapMixin, forms.Form):
    """听、看、谈、访: points and notes for each. The branch chosen first narrows the secretaries offered."""

    organisation = NodeChoiceField(
        label=_("党支部"),
        queryset=Organisation.objects.none(),
        empty_label=_("请选择"),
        error_messages=ORGANISATION_ERRORS,
    )
    year = _year_field()
    secretary = PersonChoiceField(
        label=_("支部书记"),
        queryset=Person.objects.none(),
        required=False,
        empty_label=_("(按支部书记账号自动填写)"),
        help_text=_("书记述职评议对应的人;默认是该支部书记账号所属的人员。"),
    )
    listen_points = _points(_("听·听取汇报 得分"))
    listen_notes = _text(_("听取汇报情况"))
    look_points = _points(_("看·查看记录 得分"))
    look_notes = _text(_("查看记录情况"))
    talk_points = _points(_("谈·与党员谈话 得分"))
    talk_notes = _text(_("与党员谈话情况"))
    visit_points = _points(_("访·走访群众 得分"))
    visit_notes = _text(_("走访群众情况"))

    def __init__(self, *args, user, review=None, **kwargs):
        self.review = review
        if review is not None:
            initial = {name: getattr(review, name) for name in services.POINT_FIELDS + services.NOTE_FIELDS}
            initial.update(
                organisation=review.organisation_id, year=review.year, secretary=review.secretary_id
            )
            kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        branches = selectors.review_branch_choices(user=user)
        self.fields["organisation"].queryset = branches
        if not self.is_bound and "year" not in self.initial:
            self.initial["year"] = this_year()
        if review is not None:
            self.fields["organisation"].disabled = True
            self.fields["year"].disabled = True
            branch = review.organisation
        else:
            raw = self.data.get(self.add_prefix("organisation")) if self.is_bound else None
            branch = _pick(branches, raw if self.is_bound else self.initial.get("organisation"))
        self.branch = branch
        if branch is not None:
            self.fields["secretary"].queryset = services.secretary_choices(branch)

    def values(self) -> dict[str, Any]:
        return {name: self.cleaned_data[name] for name in services.POINT_FIELDS + services.NOTE_FIELDS}

    def sections(self) -> list[tuple[Any, Any]]:
        """听、看、谈、访: each one's points and notes, side by side."""
        return [(self[p], self[n]) for p, n in zip(services.POINT_FIELDS, services.NOTE_FIELDS, strict=True)]


class YearFilterForm(BootstrapMixin, forms.Form):
    year = _year_field(required=False)
    organisation = NodeChoiceField(
        label=_("范围"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部"),
        error_messages=ORGANISATION_ERRORS,
    )

    def __init__(self, *args, user, with_organisation: bool = True, **kwargs):
        super().__init__(*args, **kwargs)
        if with_organisation:
            self.fields["organisation"].queryset = selectors.settings_organisations(user)
        else:
            del self.fields["organisation"]

    def choice(self) -> tuple[int, Organisation | None]:
        if self.is_bound and self.is_valid():
            return self.cleaned_data["year"] or this_year(), self.cleaned_data.get("organisation")
        return this_year(), None


# --- rectification --------------------------------------------------------------------------------------


class RectificationForm(BootstrapMixin, forms.Form):
    """A rectification for a member: the organisation chosen first narrows the members offered (an office
    over a committee picks a branch before its members are listed)."""

    organisation = NodeChoiceField(
        label=_("党组织"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部"),
        error_messages=ORGANISATION_ERRORS,
    )
    member = MemberChoiceField(
        label=_("党员"),
        queryset=Member.objects.none(),
        empty_label=_("请选择"),
        error_messages={
            "required": _("请选择党员。"),
            "invalid_choice": _("所选党员不存在或不在您的管理范围内。"),
        },
    )
    result = ResultChoiceField(
        label=_("相关考核结果"), queryset=Result.objects.none(), required=False, empty_label=_("(无)")
    )
    problem = _text(
        _("存在问题"), required=True, rows=4, error_messages={"required": _("请填写存在的问题。")}
    )
    requirement = _text(_("整改要求"), rows=3)
    deadline = forms.DateField(
        label=_("整改期限"),
        widget=DateInput(),
        error_messages={"invalid": _("请按“年-月-日”填写日期。"), "required": _("请填写整改期限。")},
    )

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.user = user
        self.fields["organisation"].queryset = selectors.editable_organisations(user=user)
        source = self.data if self.is_bound else self.initial
        organisation = _pick(
            self.fields["organisation"].queryset, source.get(self.add_prefix("organisation"))
        )
        members = selectors.rectification_members(user=user, organisation=organisation)
        self.too_many = members is None
        self.fields["member"].queryset = members if members is not None else Member.objects.none()
        if self.too_many:
            self.fields["member"].help_text = _("党员太多,请先选择党组织。")
        member = _pick(self.fields["member"].queryset, source.get(self.add_prefix("member")))
        if member is not None:
            self.fields["result"].queryset = selectors.member_results(user=user, member=member)
        self.fields["deadline"].widget.attrs["min"] = timezone.localdate().isoformat()

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {
            "member": data["member"],
            "result": data.get("result"),
            "problem": data["problem"],
            "requirement": data["requirement"],
            "deadline": data["deadline"],
        }


class NoteForm(BootstrapMixin, forms.Form):
    written_on = forms.DateField(
        label=_("日期"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请按“年-月-日”填写日期。")},
    )
    note = _text(_("跟进情况"), required=True, error_messages={"required": _("请填写跟进情况。")})

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["written_on"].widget.attrs["max"] = timezone.localdate().isoformat()


class DoneForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(
        label=_("完成日期"),
        required=False,
        widget=DateInput(),
        error_messages={"invalid": _("请按“年-月-日”填写日期。")},
    )
    note = _text(_("整改情况"), rows=2)

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].widget.attrs["max"] = timezone.localdate().isoformat()


STATUS_CHOICES = [
    ("", _("全部")),
    ("overdue", _("已逾期")),
    (Rectification.Status.OPEN, _("整改中")),
    (Rectification.Status.DONE, _("已整改")),
]


class RectificationFilterForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党组织"),
        queryset=Organisation.objects.none(),
        required=False,
        empty_label=_("全部"),
        error_messages=ORGANISATION_ERRORS,
    )
    status = forms.ChoiceField(label=_("状态"), choices=STATUS_CHOICES, required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )

    def filters(self) -> selectors.RectificationFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.RectificationFilters()
        return selectors.RectificationFilters(
            organisation=self.cleaned_data["organisation"], status=self.cleaned_data["status"]
        )


# --- the democratic appraisal ---------------------------------------------------------------------------


class AppraisalOpenForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(
        label=_("党支部"),
        queryset=Organisation.objects.none(),
        empty_label=_("请选择"),
        error_messages=ORGANISATION_ERRORS,
    )
    year = _year_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.editable_organisations(user=user).filter(
            kind=Organisation.Kind.BRANCH
        )
        if not self.is_bound:
            self.initial.setdefault("year", this_year())


class SelfAppraisalForm(BootstrapMixin, forms.Form):
    self_appraisal = _text(
        _("个人自评"), required=True, rows=8, error_messages={"required": _("请填写个人自评。")}
    )


class VoteForm(forms.Form):
    grade = forms.ChoiceField(
        choices=Grade.choices, error_messages={"required": _("请选择优秀、合格、基本合格或不合格。")}
    )


def _count(label) -> forms.IntegerField:
    return forms.IntegerField(
        label=label,
        min_value=0,
        max_value=100000,
        initial=0,
        error_messages={"invalid": _("请填写整数票数。"), "required": _("请填写票数,没有填0。")},
    )


class PaperForm(BootstrapMixin, forms.Form):
    paper_excellent = _count(_("优秀"))
    paper_qualified = _count(_("合格"))
    paper_basic = _count(_("基本合格"))
    paper_unqualified = _count(_("不合格"))


class ConclusionForm(BootstrapMixin, forms.Form):
    conclusion = forms.ChoiceField(
        label=_("组织评定"),
        choices=[("", _("请选择")), *Grade.choices],
        error_messages={"required": _("请选择优秀、合格、基本合格或不合格。")},
    )
    conclusion_note = _text(_("评定意见"), rows=3)
