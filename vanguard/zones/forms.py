"""Forms of the zone, responsibility and coverage pages. They narrow choices to what the user may pick; the
services decide the rest, and their ValidationErrors come back onto the fields."""

from __future__ import annotations

from django import forms
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import NodeChoiceField
from vanguard.org.models import Cell, Organisation, Person

from . import selectors
from .models import Zone, ZoneRoleKind

# The largest id a database integer column holds: a larger one names nothing (and overflows SQLite).
MAX_ID = 2**63 - 1


def year_choices(blank: str | None = None) -> list[tuple[str, str]]:
    this = selectors.this_year()
    years = [(str(y), _("%(year)d年") % {"year": y}) for y in range(this + 1, this - 10, -1)]
    return ([("", blank)] if blank is not None else []) + years


def holding_organisations(user):
    """The branches and groups the user may put zones and responsibilities into."""
    return scope.editable_organisations(
        user, Organisation.objects.filter(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.GROUP])
    ).order_by("path")


class ZoneFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("名称"), required=False, max_length=50)
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    year = forms.TypedChoiceField(label=_("年度"), required=False, coerce=int, empty_value=None)
    kind = forms.ChoiceField(label=_("类型"), required=False)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )
        self.fields["year"].choices = year_choices(_("全部"))
        self.fields["kind"].choices = [("", _("全部")), *Zone.Kind.choices]
        self.fields["q"].widget.attrs["placeholder"] = _("责任区名称")

    def filters(self) -> selectors.ZoneFilters:
        if not self.is_bound:
            # A first visit shows this year's zones.
            return selectors.ZoneFilters(year=selectors.this_year())
        if not self.is_valid():
            return selectors.ZoneFilters()
        data = self.cleaned_data
        return selectors.ZoneFilters(
            organisation=data["organisation"], year=data["year"], kind=data["kind"], q=data["q"]
        )


class CellsField(forms.ModelMultipleChoiceField):
    """The cells of a zone, labelled with their full path ("市公交公司/第一分公司/第一车队/1路")."""

    def __init__(self, *args, **kwargs):
        self.labeller = None
        super().__init__(*args, **kwargs)

    def label_from_instance(self, obj: Cell) -> str:
        return self.labeller(obj) if self.labeller is not None else obj.name


class ZoneForm(BootstrapMixin, forms.ModelForm):
    cells = CellsField(
        label=_("覆盖网格"),
        queryset=Cell.objects.none(),
        required=False,
        help_text=_("只能选择本支部(党小组)责任网格之内的网格;按住 Ctrl 可多选。"),
    )

    class Meta:
        model = Zone
        fields = ["name", "kind", "year", "scope", "commitment", "service_phone", "cells"]
        widgets = {
            "scope": forms.Textarea(attrs={"rows": 2}),
            "commitment": forms.Textarea(attrs={"rows": 3}),
            "year": forms.Select,
        }

    def __init__(self, *args, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.organisation = organisation
        roots = selectors.allowed_root_paths(organisation)
        field = self.fields["cells"]
        current = list(self.instance.cells.all()) if self.instance.pk else []
        field.queryset = selectors.cells_under(roots, keep=[c.pk for c in current])
        field.labeller = selectors.CellLabeller([*roots, *(c.path for c in current)])
        field.widget.attrs["size"] = 12
        self.fields["year"].widget.choices = year_choices()
        if not self.instance.pk:
            self.initial.setdefault("year", selectors.this_year())
        if not roots:
            field.help_text = _("该党组织尚未设置责任网格,请先在“责任网格”页添加。")

    def _post_clean(self):
        # The service validates the zone (and the responsibility rule) as a whole; the model form's own
        # instance validation would only repeat it without the organisation.
        pass


class ZoneRoleForm(BootstrapMixin, forms.Form):
    kind = forms.ModelChoiceField(label=_("角色"), queryset=ZoneRoleKind.objects.none(), empty_label=None)
    person = forms.ModelChoiceField(label=_("人员"), queryset=Person.objects.none())

    def __init__(self, *args, user, zone: Zone, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].queryset = selectors.role_kinds()
        self.fields["person"].queryset = selectors.role_candidates(user=user, zone=zone)
        self.fields["person"].label_from_instance = _person_label


def _person_label(person: Person) -> str:
    member = getattr(person, "member", None)
    return f"{person.name}({_('党员') if member is not None else _('入党积极分子')})"


class ResponsibilityForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(label=_("党组织"), queryset=Organisation.objects.none(), empty_label=None)
    cell = forms.CharField(
        label=_("网格"),
        max_length=500,
        help_text=_("网格的完整路径,各级名称用“/”分隔,如“东风街道/南园社区”或“市公交公司/第一分公司”。"),
    )

    def __init__(self, *args, user, organisation: Organisation, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = holding_organisations(user).filter(organisation.subtree_q())
        self.fields["cell"].widget.attrs["list"] = "cell-paths"

    def clean_cell(self) -> Cell:
        cell = selectors.cell_by_full_name(self.cleaned_data["cell"])
        if cell is None:
            raise forms.ValidationError(_("没有名为“%(path)s”的网格。") % {"path": self.cleaned_data["cell"]})
        return cell


class CopyYearForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(label=_("党组织"), queryset=Organisation.objects.none(), empty_label=None)
    from_year = forms.TypedChoiceField(label=_("沿用年度"), coerce=int)
    to_year = forms.TypedChoiceField(label=_("新年度"), coerce=int)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.editable_organisations(
            user, Organisation.objects.all()
        ).order_by("path")
        self.fields["from_year"].choices = year_choices()
        self.fields["to_year"].choices = year_choices()
        this = selectors.this_year()
        self.initial.setdefault("from_year", this - 1)
        self.initial.setdefault("to_year", this)


class CoverageForm(BootstrapMixin, forms.Form):
    organisation = NodeChoiceField(label=_("党组织"), queryset=Organisation.objects.none(), empty_label=None)
    year = forms.TypedChoiceField(label=_("年度"), coerce=int, required=False, empty_value=None)

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )
        self.fields["year"].choices = year_choices()


class FillForm(forms.Form):
    """One click on a suggestion: the cell, the member, and the zone to join (none: a new zone)."""

    organisation = forms.IntegerField(min_value=1, max_value=MAX_ID)
    cell = forms.IntegerField(min_value=1, max_value=MAX_ID)
    person = forms.IntegerField(min_value=1, max_value=MAX_ID)
    year = forms.IntegerField(min_value=2000, max_value=9999)
    zone = forms.IntegerField(min_value=1, max_value=MAX_ID, required=False)
