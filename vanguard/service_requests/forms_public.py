"""The residents' forms: the intake (a request for help, an opinion, praise or a complaint), the rating of a
resolved request, and the lookup of a tracking code.

The intake's fields are not `required` here: the service validates them and names the field in its message
("请留下称呼…"), so a resident reads one message per mistake whichever layer finds it."""

from __future__ import annotations

from collections.abc import Iterable

from django import forms
from django.core.exceptions import ValidationError
from django.db.models import Q
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.core.forms import BootstrapMixin
from vanguard.core.photos import PHOTO_FORMATS, PhotoField, stored_photo
from vanguard.org.models import Cell

from . import challenge, services
from .models import Category, Kind

# What a resident may choose as the place of a request: never a household (户), which would name a family.
LOCATION_KINDS = (Cell.Kind.ESTATE, Cell.Kind.BUILDING, Cell.Kind.PUBLIC_AREA)
STEP = Cell.steplen


def location_choices(roots: Iterable[Cell], *, include_roots: bool) -> list:
    """Grouped choices of the 小区, 楼栋 and 公共区域 under `roots` (and the roots themselves when
    `include_roots`, e.g. the cells a zone covers), one group per 小区, then the rest."""
    roots = list(roots)
    if not roots:
        return []
    under = Q()
    for root in roots:
        under |= Q(path__startswith=root.path, depth__gt=root.depth)
    cells = list(Cell.objects.filter(under, kind__in=LOCATION_KINDS).order_by("path"))
    if include_roots:
        cells += [c for c in roots if c.kind != Cell.Kind.HOUSEHOLD]
    unique = {c.pk: c for c in cells}
    # The 小区 each cell lies in (itself, or one above it), read in one query.
    paths = {c.path[:i] for c in unique.values() for i in range(STEP, len(c.path) + 1, STEP)}
    estates = {
        path: name
        for path, name in Cell.objects.filter(path__in=paths, kind=Cell.Kind.ESTATE).values_list(
            "path", "name"
        )
    }
    groups: dict[str, list[tuple[int, str]]] = {}
    others: list[tuple[int, str]] = []
    for cell in sorted(unique.values(), key=lambda c: c.path):
        estate = next((p for p in sorted(estates, key=len, reverse=True) if cell.path.startswith(p)), None)
        if estate is None:
            others.append((cell.pk, cell.name))
        elif estate == cell.path:
            groups.setdefault(estate, []).insert(
                0, (cell.pk, _("%(name)s(小区内其他位置)") % {"name": cell.name})
            )
        else:
            groups.setdefault(estate, []).append((cell.pk, cell.name))
    choices: list = [(estates[path], options) for path, options in sorted(groups.items())]
    if others:
        choices.append((_("其他位置") if choices else _("位置"), others))
    return choices


class IntakeForm(BootstrapMixin, forms.Form):
    kind = forms.ChoiceField(
        label=gettext_lazy("您要"),
        choices=Kind.choices,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择诉求类型。"),
            "invalid_choice": gettext_lazy("请选择诉求类型。"),
        },
    )
    category = forms.ChoiceField(
        label=gettext_lazy("求助类别"),
        choices=[("", gettext_lazy("请选择")), *Category.choices],
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请选择诉求类别。")},
    )
    urgent = forms.BooleanField(
        label=gettext_lazy("情况紧急(如漏水、断电、有人生病需要送医)"), required=False
    )
    cell = forms.ChoiceField(
        label=gettext_lazy("具体位置(可不选)"),
        required=False,
        error_messages={"invalid_choice": gettext_lazy("请从列表中选择具体位置。")},
    )
    description = forms.CharField(
        label=gettext_lazy("具体情况"),
        required=False,
        widget=forms.Textarea(
            attrs={
                "rows": 5,
                "maxlength": services.DESCRIPTION_LIMIT,
                "placeholder": gettext_lazy("请说明发生了什么、在哪里、需要什么帮助"),
            }
        ),
    )
    photo = PhotoField(
        label=gettext_lazy("照片(可不传)"),
        required=False,
        help_text=gettext_lazy("JPG或PNG,不超过5 MB;照片只给办理人员看,不会公开。"),
        error_messages={"invalid_image": gettext_lazy("所选文件不是照片或已损坏,请上传JPG或PNG格式的照片。")},
        widget=forms.FileInput(attrs={"accept": "image/jpeg,image/png"}),
    )
    name = forms.CharField(
        label=gettext_lazy("您的称呼"),
        required=False,
        widget=forms.TextInput(
            attrs={
                "maxlength": 50,
                "autocomplete": "name",
                "placeholder": gettext_lazy("例如:王阿姨、李先生"),
            }
        ),
    )
    phone = forms.CharField(
        label=gettext_lazy("联系电话"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "tel", "autocomplete": "tel", "maxlength": 20}),
    )
    consent = forms.BooleanField(label=services.CONSENT_TEXT, required=False)
    challenge = forms.CharField(widget=forms.HiddenInput, required=False)
    answer = forms.CharField(
        label=gettext_lazy("验证题"),
        required=False,
        widget=forms.TextInput(attrs={"inputmode": "numeric", "autocomplete": "off", "maxlength": 3}),
    )
    # A field people never see: a bot that fills every field fills this one too.
    website = forms.CharField(
        label=gettext_lazy("网址"),
        required=False,
        widget=forms.TextInput(attrs={"tabindex": "-1", "autocomplete": "off"}),
    )

    def __init__(self, *args, kinds: list[tuple[str, str]], locations: list, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["kind"].choices = kinds
        self.fields["kind"].widget.attrs["class"] = "btn-check"
        if len(kinds) == 1:
            self.fields["kind"].widget = forms.HiddenInput()
            self.fields["kind"].initial = kinds[0][0]
        if locations:
            self.fields["cell"].choices = [("", _("不确定/不选")), *locations]
        else:
            del self.fields["cell"]
        if Kind.REQUEST not in dict(kinds):
            del self.fields["category"]
            del self.fields["urgent"]
            self.fields["phone"].label = _("联系电话(可不填,只用于回访)")

    def clean_photo(self):
        upload = self.cleaned_data.get("photo")
        if not upload:
            return None
        if getattr(getattr(upload, "image", None), "format", None) not in PHOTO_FORMATS:
            raise ValidationError(_("照片须为JPG或PNG格式。"))
        return stored_photo(upload)

    def clean(self):
        data = super().clean()
        try:
            challenge.check(data.get("challenge", ""), data.get("answer", ""))
        except ValidationError as exc:
            self.add_error("answer", exc)
        return data

    def cell_id(self) -> int | None:
        value = self.cleaned_data.get("cell")
        return int(value) if value else None

    def submission(self) -> dict:
        """The keyword arguments of services.submit the form gives (the subject and the client are the
        view's)."""
        data = self.cleaned_data
        kind = data["kind"]
        return {
            "kind": kind,
            "category": (data.get("category") or "") if kind == Kind.REQUEST else Category.OTHER,
            "urgent": bool(data.get("urgent")) and kind == Kind.REQUEST,
            "description": data["description"],
            "name": data["name"],
            "phone": data["phone"],
            "consent": data["consent"],
            "photo": data.get("photo"),
        }


class RatingForm(BootstrapMixin, forms.Form):
    rating = forms.TypedChoiceField(
        label=gettext_lazy("满意度"),
        choices=[(n, "★" * n) for n in range(5, 0, -1)],
        coerce=int,
        widget=forms.RadioSelect,
        error_messages={
            "required": gettext_lazy("请选择1到5颗星。"),
            "invalid_choice": gettext_lazy("请选择1到5颗星。"),
        },
    )
    comment = forms.CharField(
        label=gettext_lazy("评价(可不填)"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 3, "maxlength": services.COMMENT_LIMIT}),
    )

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["rating"].widget.attrs["class"] = "btn-check"


class LookupForm(forms.Form):
    code = forms.CharField(
        label=gettext_lazy("查询码"),
        max_length=20,
        error_messages={"required": gettext_lazy("请输入查询码。")},
        widget=forms.TextInput(
            attrs={
                "class": "form-control form-control-lg text-uppercase",
                "autocomplete": "off",
                "autocapitalize": "characters",
                "spellcheck": "false",
            }
        ),
    )

    def clean_code(self) -> str:
        return "".join((self.cleaned_data["code"] or "").split()).upper()
