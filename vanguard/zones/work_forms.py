"""Forms of the work pages: tasks, the work plan, activities and their filters.

They hold no rules: choices are narrowed to what the user may pick, and the services decide the rest (their
ValidationErrors come back onto the form's fields)."""

from __future__ import annotations

from decimal import Decimal
from typing import Any

from django import forms
from django.db.models import Q, QuerySet
from django.utils.translation import gettext_lazy as _

from vanguard.accounts import scope
from vanguard.core.forms import BootstrapMixin
from vanguard.org.forms import DateInput, NodeChoiceField
from vanguard.org.models import Member, Organisation, Person
from vanguard.org.validators import today

from .models import Task, WorkPlanEntry, Zone
from .work_services import Participation

# An activity's form lists the members of its organisation to tick; past this many, a smaller
# organisation has to be chosen (a committee's thousands of members are no list to tick).
MAX_CANDIDATES = 300


class MemberChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Member) -> str:
        return obj.person.name


class ZoneChoiceField(forms.ModelChoiceField):
    def label_from_instance(self, obj: Zone) -> str:
        return f"{obj.name}({obj.year})"


def _pick(queryset: QuerySet, raw: Any):
    """The object `raw` (an id from the request, or an object) names within `queryset`, or None."""
    if raw is None or raw == "":
        return None
    if hasattr(raw, "pk"):
        raw = raw.pk
    try:
        return queryset.filter(pk=int(raw)).first()
    except (TypeError, ValueError, OverflowError):
        return None


def _recent_zones(user, organisation: Organisation) -> QuerySet[Zone]:
    # This year's zones and last year's: a zone is divided anew each year, older ones are history.
    return (
        scope.visible_to(user, Zone.objects.filter(organisation.subtree_q("organisation__")))
        .filter(year__gte=today().year - 1)
        .order_by("-year", "name", "pk")
    )


def _only_root(units: QuerySet[Organisation]) -> Organisation | None:
    """The one organisation that holds all the others (a secretary's branch above its groups): chosen
    already, so a secretary goes straight to its zones and members."""
    nodes = list(units)
    if nodes and all(n.path.startswith(nodes[0].path) for n in nodes):
        return nodes[0]
    return None


def _branch_of(organisation: Organisation) -> Organisation:
    if organisation.kind == Organisation.Kind.GROUP:
        return Organisation.objects.get(path=organisation.path[: -Organisation.steplen])
    return organisation


def _members_of(user, organisation: Organisation) -> QuerySet[Member]:
    return (
        scope.visible_to(user, Member.objects.filter(organisation.subtree_q("organisation__")))
        .select_related("person")
        .order_by("person__name_pinyin", "pk")
    )


def _editable_units(user) -> QuerySet[Organisation]:
    return scope.editable_organisations(
        user, Organisation.objects.filter(kind__in=[Organisation.Kind.BRANCH, Organisation.Kind.GROUP])
    ).order_by("path")


# --- tasks -----------------------------------------------------------------------------------------------


class TaskForm(BootstrapMixin, forms.Form):
    """A new task (on a zone's page the zone is given) or a change to an open one. The branch chosen first
    narrows the zones and members offered."""

    organisation = NodeChoiceField(
        label=_("所属党支部"), queryset=Organisation.objects.none(), required=False, empty_label=_("请选择")
    )
    zone = ZoneChoiceField(
        label=_("责任区"), queryset=Zone.objects.none(), required=False, empty_label=_("(不指定)")
    )
    member = MemberChoiceField(
        label=_("党员"),
        queryset=Member.objects.none(),
        required=False,
        empty_label=_("(不指定)"),
        help_text=_("责任区和党员至少指定一项;都指定时是该党员在此责任区的任务。"),
    )
    category = forms.ChoiceField(label=_("类别"), choices=Task.Category.choices)
    title = forms.CharField(label=_("任务"), max_length=200)
    description = forms.CharField(
        label=_("说明"), required=False, widget=forms.Textarea(attrs={"rows": 3}), max_length=5000
    )
    due_date = forms.DateField(label=_("完成期限"), required=False, widget=DateInput())

    def __init__(self, *args, user, zone: Zone | None = None, task: Task | None = None, **kwargs):
        self.user = user
        self.fixed_zone = zone
        self.task = task
        if task is not None:
            kwargs.setdefault(
                "initial",
                {
                    "zone": task.zone_id,
                    "member": task.member_id,
                    "category": task.category,
                    "title": task.title,
                    "description": task.description,
                    "due_date": task.due_date,
                },
            )
        super().__init__(*args, **kwargs)
        self.narrow_choices()

    def narrow_choices(self) -> None:
        units = _editable_units(self.user)
        if self.fixed_zone is not None:
            # On a zone's page the zone is given: its branch's members are offered.
            del self.fields["organisation"]
            del self.fields["zone"]
            unit = self.fixed_zone.organisation
        elif self.task is not None:
            # A change stays within the task's branch.
            del self.fields["organisation"]
            unit = self.task.zone.organisation if self.task.zone_id else self.task.member.organisation
        else:
            self.fields["organisation"].queryset = units
            raw = self.data.get(self.add_prefix("organisation")) if self.is_bound else None
            unit = _pick(units, raw if self.is_bound else self.initial.get("organisation"))
            if unit is None and not self.is_bound:
                unit = _only_root(units)
            if unit is not None:
                self.initial["organisation"] = unit.pk
        self.unit = unit
        if unit is None:
            if "zone" in self.fields:
                self.fields["zone"].queryset = Zone.objects.none()
            self.fields["member"].queryset = Member.objects.none()
            return
        if "zone" in self.fields:
            self.fields["zone"].queryset = _recent_zones(self.user, _branch_of(unit))
        self.fields["member"].queryset = _members_of(self.user, _branch_of(unit))

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        fields = {
            "member": data["member"],
            "category": data["category"],
            "title": data["title"],
            "description": data["description"],
            "due_date": data["due_date"],
        }
        fields["zone"] = self.fixed_zone if self.fixed_zone is not None else data.get("zone")
        return fields


class TaskCompleteForm(BootstrapMixin, forms.Form):
    done_on = forms.DateField(label=_("完成日期"), required=False, widget=DateInput())

    def __init__(self, *args, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["done_on"].initial = today()
        self.fields["done_on"].widget.attrs["max"] = today().isoformat()


class TaskFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("搜索"), required=False, max_length=50)
    organisation = NodeChoiceField(
        label=_("党组织"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    category = forms.ChoiceField(label=_("类别"), required=False)
    status = forms.ChoiceField(label=_("状态"), required=False)
    overdue = forms.BooleanField(label=_("只看逾期"), required=False)

    def __init__(self, *args, user, **kwargs):
        self.user = user
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )
        blank = [("", _("全部"))]
        self.fields["category"].choices = blank + list(Task.Category.choices)
        self.fields["status"].choices = blank + list(Task.Status.choices)
        self.fields["q"].widget.attrs["placeholder"] = _("任务名称,或党员姓名、拼音首字母")


# --- the work plan ---------------------------------------------------------------------------------------


class PlanEntryForm(BootstrapMixin, forms.Form):
    title = forms.CharField(label=_("工作内容"), max_length=200)
    recurrence = forms.ChoiceField(label=_("频次"), choices=WorkPlanEntry.Recurrence.choices)
    starts_on = forms.DateField(
        label=_("日期"), widget=DateInput(), help_text=_("一次性工作的日期;按期重复的工作从这一天开始。")
    )
    ends_on = forms.DateField(
        label=_("截止日期"),
        required=False,
        widget=DateInput(),
        help_text=_("按期重复的工作到这一天为止;不填则一直重复。"),
    )
    person = forms.ModelChoiceField(
        label=_("负责人"), queryset=Person.objects.none(), required=False, empty_label=_("(不指定)")
    )
    notes = forms.CharField(
        label=_("备注"), required=False, widget=forms.Textarea(attrs={"rows": 2}), max_length=2000
    )

    def __init__(self, *args, user, zone: Zone, entry: WorkPlanEntry | None = None, **kwargs):
        if entry is not None:
            kwargs.setdefault(
                "initial",
                {
                    "title": entry.title,
                    "recurrence": entry.recurrence,
                    "starts_on": entry.starts_on,
                    "ends_on": entry.ends_on,
                    "person": entry.person_id,
                    "notes": entry.notes,
                },
            )
        super().__init__(*args, **kwargs)
        # The branch's members and whoever holds a role in the zone (a community's helper, a volunteer).
        branch = _branch_of(zone.organisation)
        people = Person.objects.filter(
            branch.subtree_q("member__organisation__") | Q(zone_roles__zone=zone)
        ).distinct()
        self.fields["person"].queryset = scope.visible_to(user, people).order_by("name_pinyin", "pk")

    def service_fields(self) -> dict[str, Any]:
        return dict(self.cleaned_data)


# --- activities ------------------------------------------------------------------------------------------


class ActivityForm(BootstrapMixin, forms.Form):
    """An activity and who took part: a row per member of the organisation, ticked, with their hours."""

    organisation = NodeChoiceField(
        label=_("组织单位"), queryset=Organisation.objects.none(), empty_label=_("请选择")
    )
    zone = ZoneChoiceField(
        label=_("责任区"), queryset=Zone.objects.none(), required=False, empty_label=_("(不指定)")
    )
    title = forms.CharField(label=_("活动名称"), max_length=200)
    held_on = forms.DateField(label=_("活动日期"), widget=DateInput())
    record = forms.CharField(
        label=_("活动记录"),
        required=False,
        widget=forms.Textarea(attrs={"rows": 4}),
        max_length=5000,
        help_text=_("简要记录活动内容和效果。"),
    )
    hours = forms.DecimalField(
        label=_("每人时长(小时)"),
        required=False,
        min_value=0,
        max_value=24,
        max_digits=3,
        decimal_places=1,
        help_text=_("勾选的人员未单独填写时长时按此计算。"),
    )

    def __init__(self, *args, user, activity=None, **kwargs):
        self.user = user
        self.activity = activity
        current: dict[int, Decimal] = {}
        if activity is not None:
            current = {a.person_id: a.hours for a in activity.attendance.all()}
            kwargs.setdefault(
                "initial",
                {
                    "organisation": activity.organisation_id,
                    "zone": activity.zone_id,
                    "title": activity.title,
                    "held_on": activity.held_on,
                    "record": activity.record,
                },
            )
        super().__init__(*args, **kwargs)
        units = scope.editable_organisations(user, Organisation.objects.all()).order_by("path")
        self.fields["held_on"].widget.attrs["max"] = today().isoformat()
        self.fields["organisation"].queryset = units
        raw = (
            self.data.get(self.add_prefix("organisation"))
            if self.is_bound
            else self.initial.get("organisation")
        )
        unit = _pick(units, raw)
        if unit is None and not self.is_bound:
            unit = _only_root(units)
            if unit is not None:
                self.initial["organisation"] = unit.pk
        self.unit = unit
        self.fields["zone"].queryset = _recent_zones(user, unit) if unit else Zone.objects.none()
        self.candidates, self.truncated = self._candidates(unit, set(current))
        self.rows = []
        for person in self.candidates:
            tick = forms.BooleanField(required=False, initial=person.pk in current)
            hours = forms.DecimalField(
                required=False,
                min_value=0,
                max_value=24,
                max_digits=3,
                decimal_places=1,
                initial=current.get(person.pk),
            )
            tick.widget.attrs["class"] = "form-check-input"
            hours.widget.attrs.update({"class": "form-control form-control-sm", "step": "0.5"})
            self.fields[f"p{person.pk}"] = tick
            self.fields[f"h{person.pk}"] = hours
            self.rows.append((person, f"p{person.pk}", f"h{person.pk}"))

    def _candidates(self, unit: Organisation | None, current: set[int]) -> tuple[list[Person], bool]:
        people: list[Person] = []
        truncated = False
        if unit is not None:
            members = list(_members_of(self.user, unit)[: MAX_CANDIDATES + 1])
            truncated = len(members) > MAX_CANDIDATES
            people = [m.person for m in members[:MAX_CANDIDATES]]
        # Whoever already took part stays on the list, a resident added through the API too.
        missing = current - {p.pk for p in people}
        if missing:
            people += list(Person.objects.filter(pk__in=missing).order_by("name_pinyin", "pk"))
        return people, truncated

    def bound_rows(self):
        return [(person, self[tick], self[hours]) for person, tick, hours in self.rows]

    def participations(self) -> list[Participation]:
        default = self.cleaned_data.get("hours")
        result = []
        for person, tick, hours in self.rows:
            if self.cleaned_data.get(tick):
                value = self.cleaned_data.get(hours)
                result.append(Participation(person, value if value is not None else (default or Decimal(0))))
        return result

    def service_fields(self) -> dict[str, Any]:
        data = self.cleaned_data
        return {k: data[k] for k in ("organisation", "zone", "title", "held_on", "record")}


class ActivityFilterForm(BootstrapMixin, forms.Form):
    q = forms.CharField(label=_("活动名称"), required=False, max_length=50)
    organisation = NodeChoiceField(
        label=_("组织单位"), queryset=Organisation.objects.none(), required=False, empty_label=_("全部")
    )
    held_from = forms.DateField(label=_("自"), required=False, widget=DateInput())
    held_to = forms.DateField(label=_("至"), required=False, widget=DateInput())

    def __init__(self, *args, user, **kwargs):
        super().__init__(*args, **kwargs)
        self.fields["organisation"].queryset = scope.visible_to(user, Organisation.objects.all()).order_by(
            "path"
        )
