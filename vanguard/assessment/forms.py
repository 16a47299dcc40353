"""Forms of the assessment pages: schemes, their weights and indicators, rounds, the results' filters and
the office's revision. They hold no rules: choices are narrowed to what the user may pick, and the services
decide the rest (their ValidationErrors come back onto the form's fields)."""

from __future__ import annotations

from decimal import Decimal

from django import forms
from django.core.validators import MaxValueValidator, MinValueValidator
from django.urls import reverse
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Member, Organisation

from . import selectors
from .models import (
    Formula,
    Indicator,
    Metric,
    Period,
    Purpose,
    Round,
    Scheme,
    SchemeVersion,
    Source,
    TargetKind,
)

TEXT_LIMIT = 5000


def _weight(label) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        required=False,
        min_value=Decimal(0),
        max_value=Decimal(100),
        max_digits=5,
        decimal_places=2,
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
        error_messages={"invalid": _("请填写数字。")},
    )


def _points(label, *, help_text: str = "", error_messages: dict | None = None) -> forms.DecimalField:
    return forms.DecimalField(
        label=label,
        max_digits=7,
        decimal_places=2,
        help_text=help_text,
        error_messages={"invalid": _("请填写数字。"), **(error_messages or {})},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )


class WeightsMixin:
    weight_fields = ("weight_self", "weight_masses", "weight_organisation", "weight_supervisor")

    def weights(self) -> dict[str, Decimal]:
        return {name: self.cleaned_data.get(name) or Decimal(0) for name in self.weight_fields}


class SchemeForm(WeightsMixin, BootstrapMixin, forms.Form):
    """A new scheme: where it belongs, what it scores, how often, and how the sources weigh."""

    organisation = NodeChoiceField(
        label=_("制定单位"),
        queryset=Organisation.objects.none(),
        error_messages={
            "required": _("请选择制定单位。"),
            "invalid_choice": _("所选党组织不存在或不在您的管理范围内。"),
        },
    )
    name = forms.CharField(
        label=_("名称"), max_length=100, error_messages={"required": _("请填写方案名称。")}
    )
    target_kind = forms.ChoiceField(label=_("考核对象"), choices=TargetKind.choices)
    period = forms.ChoiceField(label=_("考核周期"), choices=Period.choices)
    purpose = forms.ChoiceField(
        label=_("用途"),
        choices=Purpose.choices,
        initial=Purpose.ASSESSMENT,
        required=False,
        help_text=_("示范岗星级评定以示范岗为考核对象;岗位达标评议和岗位竞赛以党员为考核对象。"),
    )
    description = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    weight_self = _weight(_("自评权重"))
    weight_masses = _weight(_("群众评议权重"))
    weight_organisation = _weight(_("组织评定权重"))
    weight_supervisor = _weight(_("监督员评分权重"))

    def __init__(self, *args, user, **kwargs):
        kwargs.setdefault("initial", {"weight_organisation": 100})
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = selectors.office_organisations(user).exclude(
            kind=Organisation.Kind.GROUP
        )


class SchemeEditForm(BootstrapMixin, forms.Form):
    name = forms.CharField(
        label=_("名称"), max_length=100, error_messages={"required": _("请填写方案名称。")}
    )
    description = forms.CharField(
        label=_("说明"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )

    def __init__(self, *args, scheme: Scheme, **kwargs):
        kwargs.setdefault("initial", {"name": scheme.name, "description": scheme.description})
        super().__init__(*args, **kwargs)


class WeightsForm(WeightsMixin, BootstrapMixin, forms.Form):
    weight_self = _weight(_("自评权重"))
    weight_masses = _weight(_("群众评议权重"))
    weight_organisation = _weight(_("组织评定权重"))
    weight_supervisor = _weight(_("监督员评分权重"))
    note = forms.CharField(label=_("修订说明"), required=False, max_length=200)

    def __init__(self, *args, version: SchemeVersion, **kwargs):
        kwargs.setdefault("initial", {name: getattr(version, name) for name in self.weight_fields})
        super().__init__(*args, **kwargs)


class IndicatorForm(BootstrapMixin, forms.Form):
    """An indicator of the scheme's current version. A new one may hang under a category (a manual
    indicator of the tree); an existing one keeps its place."""

    parent = forms.TypedChoiceField(label=_("上级指标"), required=False, coerce=int, empty_value=None)
    name = forms.CharField(
        label=_("指标名称"), max_length=100, error_messages={"required": _("请填写指标名称。")}
    )
    description = forms.CharField(
        label=_("评分标准"), required=False, max_length=TEXT_LIMIT, widget=forms.Textarea(attrs={"rows": 3})
    )
    order = forms.IntegerField(label=_("排序"), required=False, min_value=0, max_value=32767, initial=0)
    weight = forms.DecimalField(
        label=_("权重"),
        max_digits=6,
        decimal_places=2,
        min_value=Decimal("0.01"),
        help_text=_("同一上级下各指标按权重分配上级的分值。"),
        error_messages={"required": _("请填写权重。")},
        widget=forms.NumberInput(attrs={"step": "any", "inputmode": "decimal"}),
    )
    max_points = _points(
        _("满分"),
        help_text=_("评分时填写的分数范围为0到满分。"),
        error_messages={"required": _("请填写满分。")},
    )
    kind = forms.ChoiceField(label=_("评分方式"), choices=Indicator.Kind.choices)
    metric = forms.ChoiceField(label=_("计算依据"), required=False, choices=[("", "—"), *Metric.choices])
    formula = forms.ChoiceField(label=_("计算公式"), required=False, choices=[("", "—"), *Formula.choices])
    parameter = forms.IntegerField(
        label=_("公式参数N"),
        required=False,
        min_value=1,
        max_value=100000,
        help_text=_("计数公式:满分所需的次数;比例公式:可留空(按应完成数),或填写应完成数。"),
    )

    def __init__(self, *args, version: SchemeVersion, indicator: Indicator | None = None, **kwargs):
        self.indicator = indicator
        if indicator is not None:
            kwargs.setdefault(
                "initial",
                {
                    "name": indicator.name,
                    "description": indicator.description,
                    "order": indicator.order,
                    "weight": indicator.weight,
                    "max_points": indicator.max_points,
                    "kind": indicator.kind,
                    "metric": indicator.metric,
                    "formula": indicator.formula,
                    "parameter": indicator.parameter,
                },
            )
        super().__init__(*args, **kwargs)
        self.fields["max_points"].validators.append(MinValueValidator(Decimal("0.01")))
        if indicator is not None:
            del self.fields["parent"]
        else:
            parents = version.indicators.filter(kind=Indicator.Kind.MANUAL).order_by("order", "pk")
            self.fields["parent"].choices = [("", _("(一级指标)")), *((i.key, i.name) for i in parents)]

    def service_fields(self) -> dict:
        data = self.cleaned_data
        fields = {
            name: data[name]
            for name in (
                "name",
                "description",
                "weight",
                "max_points",
                "kind",
                "metric",
                "formula",
                "parameter",
            )
        }
        fields["order"] = data["order"] or 0
        return fields


def _date(label, required_message) -> forms.DateField:
    return forms.DateField(
        label=label,
        widget=DateInput(),
        error_messages={"required": required_message, "invalid": _("请按“年-月-日”填写日期。")},
    )


def _round_name() -> forms.CharField:
    return forms.CharField(
        label=_("名称"), max_length=100, error_messages={"required": _("请填写轮次名称。")}
    )


# 岗位竞赛: a competition round scores the members the office chooses. The form offers the members of the
# chosen organisation's subtree (as many as a page can hold); the service checks the list again.
MIN_PARTICIPANTS = 2
PARTICIPANTS_SHOWN = 300


class ParticipantsField(forms.ModelMultipleChoiceField):
    widget = forms.CheckboxSelectMultiple

    def label_from_instance(self, obj) -> str:
        return f"{obj.person.name}({obj.organisation.name})"


def _participants_field() -> ParticipantsField:
    return ParticipantsField(
        label=_("参加人员"),
        queryset=Member.objects.none(),
        required=False,
        help_text=_("岗位竞赛只考核所选党员(至少两名),排名即本轮公布的结果。"),
        error_messages={
            "invalid_choice": _("所选党员不在考核范围内。"),
            "invalid_pk_value": _("所选党员不存在。"),
        },
    )


class ParticipantsMixin:
    """The competition's participants: members of the round's organisation subtree that the user sees."""

    competition = False
    participants_organisation: Organisation | None = None

    def narrow_participants(self, user, organisation: Organisation | None) -> None:
        field = self.fields["participants"]
        field.widget.attrs["class"] = "form-check-input"
        self.participants_organisation = organisation
        if organisation is None:
            field.queryset = Member.objects.none()
            return
        field.queryset = (
            scope.visible_to(user, Member.objects.filter(organisation.subtree_q("organisation__")))
            .select_related("person", "organisation")
            .order_by("organisation__path", "person__name_pinyin", "pk")
        )

    def participants_too_many(self) -> int:
        """How many members the organisation holds when it is too many to list (else 0)."""
        if not self.competition or self.participants_organisation is None:
            return 0
        count = self.fields["participants"].queryset.count()
        return count if count > PARTICIPANTS_SHOWN else 0

    def clean_participants_for(self, data: dict) -> None:
        chosen = data.get("participants") or []
        if self.competition:
            if "participants" not in self.errors and len(chosen) < MIN_PARTICIPANTS:
                self.add_error(
                    "participants", _("岗位竞赛至少要有%(n)d名参加人员。") % {"n": MIN_PARTICIPANTS}
                )
        elif chosen:
            self.add_error("participants", _("只有岗位竞赛方案可以选择参加人员。"))


class RoundForm(ParticipantsMixin, BootstrapMixin, forms.Form):
    scheme = forms.ModelChoiceField(
        label=_("考核方案"),
        queryset=Scheme.objects.none(),
        error_messages={"required": _("请选择考核方案。"), "invalid_choice": _("所选考核方案不存在。")},
    )
    organisation = NodeChoiceField(
        label=_("考核范围"),
        queryset=Organisation.objects.none(),
        help_text=_("该组织及其下级的全部考核对象参加本轮考核。"),
        error_messages={
            "required": _("请选择考核范围。"),
            "invalid_choice": _("所选党组织不存在或不在您的管理范围内。"),
        },
    )
    name = _round_name()
    period_start = _date(_("考核期开始"), _("请填写考核期开始日期。"))
    period_end = _date(_("考核期结束"), _("请填写考核期结束日期。"))
    participants = _participants_field()

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["scheme"].queryset = selectors.scheme_list(user=user)
        self.fields["organisation"].queryset = selectors.office_organisations(user)
        # Choosing a scheme or a scope redraws the participants (htmx), which show for a competition only.
        redraw = {
            "hx-get": reverse("assessment:round_create"),
            "hx-include": "#id_scheme, #id_organisation",
            "hx-target": "#round-participants",
            "hx-select": "#round-participants",
            "hx-swap": "outerHTML",
        }
        self.fields["scheme"].widget.attrs.update(redraw)
        self.fields["organisation"].widget.attrs.update(redraw)
        scheme = self._chosen("scheme")
        self.competition = scheme is not None and scheme.purpose == Purpose.COMPETITION
        self.narrow_participants(user, self._chosen("organisation"))

    def _chosen(self, name: str):
        """The scheme or organisation picked so far (posted, or given in the address), among the choices."""
        value = self.data.get(name) if self.is_bound else self.initial.get(name)
        value = getattr(value, "pk", value)
        if value in (None, "") or not str(value).isdigit():
            return None
        return self.fields[name].queryset.filter(pk=value).first()

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("考核期结束日期不能早于开始日期。"))
        self.clean_participants_for(data)
        return data


class RoundEditForm(ParticipantsMixin, BootstrapMixin, forms.Form):
    name = _round_name()
    period_start = _date(_("考核期开始"), _("请填写考核期开始日期。"))
    period_end = _date(_("考核期结束"), _("请填写考核期结束日期。"))
    participants = _participants_field()

    def __init__(self, *args, round_: Round, user=None, **kwargs):
        self.competition = round_.version.scheme.purpose == Purpose.COMPETITION
        initial = {"name": round_.name, "period_start": round_.period_start, "period_end": round_.period_end}
        if self.competition:
            initial["participants"] = list(round_.participants.values_list("pk", flat=True))
        kwargs.setdefault("initial", initial)
        super().__init__(*args, **kwargs)
        if self.competition and user is not None:
            self.narrow_participants(user, round_.organisation)
        else:
            del self.fields["participants"]

    def round_fields(self) -> dict:
        return {name: self.cleaned_data[name] for name in ("name", "period_start", "period_end")}

    def clean(self):
        data = super().clean()
        start, end = data.get("period_start"), data.get("period_end")
        if start and end and end < start:
            self.add_error("period_end", _("考核期结束日期不能早于开始日期。"))
        if "participants" in self.fields:
            self.clean_participants_for(data)
        return data


class RoundFilterForm(BootstrapMixin, forms.Form):
    status = forms.ChoiceField(
        label=_("状态"), required=False, choices=[("", _("全部")), *Round.Status.choices]
    )

    def status_value(self) -> str:
        return self.cleaned_data["status"] if self.is_bound and self.is_valid() else ""


class ResultFilterForm(BootstrapMixin, forms.Form):
    branch = NodeChoiceField(
        label=_("党支部"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    q = forms.CharField(label=_("姓名或名称"), required=False, max_length=50)

    def __init__(self, *args, user, round_: Round, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = selectors.branch_choices(user=user, round_=round_)

    def filters(self) -> selectors.ResultFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.ResultFilters()
        return selectors.ResultFilters(branch=self.cleaned_data["branch"], q=self.cleaned_data["q"])


class SheetFilterForm(BootstrapMixin, forms.Form):
    branch = NodeChoiceField(
        label=_("党支部"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    q = forms.CharField(label=_("姓名或名称"), required=False, max_length=50)

    def __init__(self, *args, branches, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["branch"].queryset = branches

    def filters(self) -> selectors.ResultFilters:
        if not self.is_bound or not self.is_valid():
            return selectors.ResultFilters()
        return selectors.ResultFilters(branch=self.cleaned_data["branch"], q=self.cleaned_data["q"])


class RevisionForm(BootstrapMixin, forms.Form):
    """The office's correction of a closed or published result: one score, its new points, the reason."""

    target = forms.ChoiceField(label=_("修订的评分"), error_messages={"required": _("请选择要修订的评分。")})
    points = _points(_("新的得分"), error_messages={"required": _("请填写新的得分。")})
    reason = forms.CharField(
        label=_("修订原因"),
        max_length=TEXT_LIMIT,
        widget=forms.Textarea(attrs={"rows": 3}),
        error_messages={"required": _("请填写修订原因。")},
    )

    def __init__(self, *args, version: SchemeVersion, **kwargs):
        super().__init__(*args, **kwargs)
        self.indicators = {i.pk: i for i in selectors.manual_leaves(version)}
        sources = [s for s in selectors.SOURCE_ORDER if s in version.active_sources()]
        self.fields["target"].choices = [
            ("", _("请选择")),
            *(
                (f"{pk}:{source}", f"{indicator.name} · {Source(source).label}")
                for pk, indicator in self.indicators.items()
                for source in sources
            ),
        ]
        self.fields["points"].validators.append(MaxValueValidator(Decimal("99999")))

    def change(self):
        """(indicator, source, points) of the chosen score."""
        pk, source = self.cleaned_data["target"].split(":", 1)
        return self.indicators[int(pk)], source, self.cleaned_data["points"]
