from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin

from .models import Cell, Member, Organisation, Person
from .services import strengths_from_text


class DateInput(forms.DateInput):
    input_type = "date"

    def __init__(self, **kwargs):
        super().__init__(format="%Y-%m-%d", **kwargs)


class NodeChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj) -> str:
        return "\u3000" * (obj.depth - 1) + obj.name


class _NarrowedChoices:
    """Narrows the choices to what this user may pick as soon as the fields exist, before anything in
    the form's other mixins can validate it: a choice narrowed too late lets a secretary pick another
    branch, or makes every valid filter value invalid."""

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.narrow_choices()

    def narrow_choices(self) -> None:
        raise NotImplementedError


class MemberFilterForm(BootstrapMixin, _NarrowedChoices, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    category = forms.ChoiceField(label=_("党员类别"), required=False)
    status = forms.ChoiceField(label=_("党员状态"), required=False)
    occupation = forms.ChoiceField(label=_("职业"), required=False)
    residence = NodeChoiceField(
        label=_("居住社区"), queryset=Cell.objects.none(), required=False, empty_label=_("全部")
    )

    def __init__(self, *args, user, occupations: list[str], **kwargs):
        self.user = user
        self.occupations = occupations
        super().__init__(*args, **kwargs)

    def narrow_choices(self) -> None:
        self.fields["organisation"].queryset = scope.visible_to(
            self.user, Organisation.objects.all()
        ).order_by("path")
        self.fields["residence"].queryset = Cell.objects.filter(
            kind__in=[Cell.Kind.STREET, Cell.Kind.COMMUNITY, Cell.Kind.ESTATE]
        ).order_by("path")
        blank = [("", _("全部"))]
        self.fields["category"].choices = blank + list(Member.Category.choices)
        self.fields["status"].choices = blank + list(Member.Status.choices)
        self.fields["occupation"].choices = blank + [(o, o) for o in self.occupations]
        self.fields["q"].widget.attrs["placeholder"] = _("姓名、拼音或首字母,如 zs")


class PersonForm(BootstrapMixin, _NarrowedChoices, forms.ModelForm):
    strengths_text = forms.CharField(
        label=_("特长"), required=False, help_text=_("多个特长用顿号或逗号分隔"), max_length=200
    )

    class Meta:
        model = Person
        fields = [
            "name",
            "gender",
            "birth_date",
            "id_number",
            "mobile",
            "workplace",
            "residence",
            "occupation",
            "notes",
        ]
        widgets = {"birth_date": DateInput(), "notes": forms.Textarea(attrs={"rows": 3})}
        field_classes = {"workplace": NodeChoiceField, "residence": NodeChoiceField}

    def narrow_choices(self) -> None:
        self.fields["workplace"].queryset = Cell.objects.filter(kind__in=Cell.WORKPLACE_KINDS).order_by(
            "path"
        )
        self.fields["residence"].queryset = Cell.objects.filter(kind__in=Cell.RESIDENTIAL_KINDS).order_by(
            "path"
        )
        if self.instance.pk:
            self.fields["strengths_text"].initial = "、".join(s.name for s in self.instance.strengths.all())

    @property
    def strengths(self) -> list[str]:
        return strengths_from_text(self.cleaned_data.get("strengths_text", ""))


class MemberForm(BootstrapMixin, _NarrowedChoices, forms.ModelForm):
    class Meta:
        model = Member
        fields = ["organisation", "status", "category", "join_date", "badge_no"]
        widgets = {"join_date": DateInput()}
        field_classes = {"organisation": NodeChoiceField}

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)

    def narrow_choices(self) -> None:
        self.fields["organisation"].queryset = scope.editable_organisations(
            self.user,
            # The organisations that hold members (Organisation.can_hold_members): 党员服务社 too (seed 002).
            Organisation.objects.filter(
                kind__in=[
                    Organisation.Kind.BRANCH,
                    Organisation.Kind.GROUP,
                    Organisation.Kind.SERVICE_SOCIETY,
                ]
            ),
        ).order_by("path")
