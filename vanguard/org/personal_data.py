"""A person's own data: everything Vanguard holds about them, exported for them, and anonymised where the
rules allow.

The legal basis is the 个人信息保护法 (PIPL):
- art. 45 (查阅、复制): a person may read and copy their personal information. `collect()` gathers it and
  `export_workbook()` writes it, in full, as their own copy; the export is recorded in the audit trail
  without the data.
- art. 47 (删除): personal information is deleted when its purpose is served, unless a law or other rules
  require it kept. Party records are kept under the party's own archive rules, so members and activists on
  the rolls, people holding an active role, a current zone's people and anyone with open business are
  refused (`anonymisation_refusal()`).
- art. 4 (匿名化): anonymised information is information processed so that it cannot identify a specific
  natural person and cannot be restored. `anonymise()` clears every identifying field of the person and
  the free text about them, keeps the rows themselves (other rows point at them, so counts and history
  stay), and records the event — never the data — in the audit trail.

What counts as "about the person" is found by walking the models' relations (`_meta`), two levels deep
from the person and their membership, activist and login records, so a new app's rows are included
without editing this module. Only secrets (password hashes, TOTP keys, API tokens, sessions) and the
audit trail itself are left out, by name.
"""

from __future__ import annotations

import contextlib
import datetime as dt
import io
import json
from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import Decimal
from typing import Any

from django.apps import apps
from django.core.exceptions import PermissionDenied, ValidationError
from django.db import models, transaction
from django.db.models import Model, Q, Sum
from django.db.models.fields.files import FieldFile
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.audit.models import Action
from vanguard.core import masking
from vanguard.dataio.exporters.base import ExportColumn, ExportSheet
from vanguard.dataio.exporters.xlsx import sheet_name, write_xlsx

from . import validators
from .models import Activist, Member, Person

# What the person's name becomes: no uniqueness rule on names, so one text for everyone.
ANONYMOUS = "已匿名"
# Models never exported or touched: the audit trail keeps events, and secrets are not personal data to
# hand out (a password hash, a second factor's key or an API token is a credential, not information).
SKIPPED_MODELS = frozenset(
    {
        "audit.auditrecord",
        "admin.logentry",  # Django admin's own log of its changes: an audit trail too
        "sessions.session",
        "authtoken.token",
        "authtoken.tokenproxy",
        "otp_totp.totpdevice",
        "otp_static.staticdevice",
        "otp_static.statictoken",
    }
)
# Credentials of a login, deleted when the person is anonymised (the login itself is kept, closed).
CREDENTIAL_MODELS = frozenset(
    {"authtoken.token", "otp_totp.totpdevice", "otp_static.staticdevice", "sessions.session"}
)
SECRET_FIELDS = frozenset({"password"})
# A row carrying a contact of its own (a resident's request, an opinion book entry) is the person's when
# its phone is their mobile number.
PHONE_FIELD = "phone"
# On a row of someone else's (a request a member handled, a comment on their standard) these name
# another person.
NAME_FIELD = "name"
# Rows whose relation to the person is the person's own account of themselves or their record's
# extension: the roots of the walk.
_IDENTITY_LABELS = ("org.person", "org.member", "org.activist")


@dataclass
class Section:
    """One kind of row held about the person: a sheet of the export."""

    label: str  # the model, "app.model"
    title: str  # the model's verbose_name_plural
    headers: list[str]
    rows: list[list[Any]] = field(default_factory=list)
    # Columns of text (CharField): written as text so that numbers (身份证号, 手机号) stay text in Excel.
    text_columns: frozenset[int] = frozenset()


@dataclass
class _Target:
    """A model whose rows are held about the person, with the filter that finds them."""

    model: type[Model]
    q: Q
    level: int  # 1: points at the person or one of their records; 2: at such a row
    shared: bool = False  # reached through a many-to-many (a team, a round): not walked below


def _label(model: type[Model]) -> str:
    return model._meta.label_lower


def _skipped(model: type[Model]) -> bool:
    return _label(model) in SKIPPED_MODELS


def _or(a: Q | None, b: Q) -> Q:
    return b if a is None else a | b


def _identities(person: Person) -> list[Model]:
    """The person and the records that extend them: membership, activist record, login."""
    found: list[Model] = [person]
    for attr in ("member", "activist"):
        with contextlib.suppress(Member.DoesNotExist, Activist.DoesNotExist):
            found.append(getattr(person, attr))
    if person.user_id:
        found.append(person.user)
    return found


def _reverse_relations(model: type[Model], *, hidden: bool):
    """The relations other models hold to `model`; `hidden`: also those named "+" (a row that mentions
    the model without the model naming it back, e.g. a complaint's member, a plan entry's person)."""
    for rel in model._meta.get_fields(include_hidden=hidden):
        if not (rel.auto_created and not rel.concrete and rel.is_relation):
            continue
        if rel.related_model._meta.auto_created:
            continue  # a many-to-many's own through table: the many-to-many relation covers it
        yield rel


def _targets(person: Person, identities: list[Model]) -> dict[type[Model], _Target]:
    """Every model holding rows about the person, each with one filter, in the order first found.

    Level 1: rows pointing at the person, their membership, activist record or login, and rows carrying the
    person's mobile as their own contact phone. Level 2: rows pointing at a level-1 row, found through the
    relations the models name (a relation named "+" marks a row that only mentions the person, e.g. a team
    they lead: its other rows are not theirs). The login's hidden relations are left out altogether: rows
    a user *entered* (reviews, scores, verifications) are their work on other people, not data about them."""
    identity_models = {type(obj) for obj in identities}
    targets: dict[type[Model], _Target] = {}
    walk_below: dict[type[Model], Q] = {}

    def add(model: type[Model], q: Q, level: int, *, shared: bool = False, walk: bool = True) -> None:
        target = targets.get(model)
        if target is None:
            targets[model] = _Target(model, q, level, shared)
        else:
            target.q |= q
            target.shared = target.shared or shared
        if walk and not shared:
            walk_below[model] = _or(walk_below.get(model), q)

    for obj in identities:
        is_login = _label(type(obj)) not in _IDENTITY_LABELS
        for rel in _reverse_relations(type(obj), hidden=not is_login):
            model = rel.related_model
            if _skipped(model) or model in identity_models:
                continue
            if rel.many_to_many:
                ids = model._base_manager.filter(**{rel.field.name: obj}).values("pk")
                add(model, Q(pk__in=ids), 1, shared=True)
            else:
                add(model, Q(**{rel.field.name: obj}), 1, walk=not rel.hidden)
    if person.mobile:
        for model in apps.get_models():
            if _skipped(model) or model in identity_models:
                continue
            if any(f.name == PHONE_FIELD for f in model._meta.concrete_fields):
                add(model, Q(**{PHONE_FIELD: person.mobile}), 1)
    for parent, parent_q in list(walk_below.items()):
        if targets[parent].shared:
            continue
        parent_ids = parent._base_manager.filter(parent_q).values("pk")
        for rel in _reverse_relations(parent, hidden=False):
            model = rel.related_model
            if rel.many_to_many or _skipped(model) or model in identity_models:
                continue
            q = Q(**{f"{rel.field.name}__in": parent_ids})
            if model in targets:
                targets[model].q |= q
            else:
                targets[model] = _Target(model, q, 2)
    return targets


# --- reading: collect() ------------------------------------------------------------------------------------


def _columns(model: type[Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if f.name not in SECRET_FIELDS]


def _header(f: models.Field) -> str:
    return _("编号") if f.primary_key else str(f.verbose_name)


def _select_paths(model: type[Model]) -> list[str]:
    """The to-one relations of `model` and of those, for select_related: what a row's text (__str__)
    usually reads (a member's name is their person's), so naming a batch of rows takes one query."""
    paths: list[str] = []
    for f in model._meta.concrete_fields:
        if f.is_relation and f.related_model is not None and f.related_model is not model:
            paths.append(f.name)
            for g in f.related_model._meta.concrete_fields:
                if g.is_relation and g.related_model is not None and g.related_model is not f.related_model:
                    paths.append(f"{f.name}__{g.name}")
    return paths


class _Names:
    """The text of every row a foreign key points at: one query per model pointed at, not per row."""

    def __init__(self) -> None:
        # (model, the field a foreign key refers to — its primary key, as a rule) -> values wanted
        self.wanted: dict[tuple[type[Model], str], set[Any]] = {}
        self.names: dict[tuple[type[Model], str, Any], str] = {}

    @staticmethod
    def _key(f: models.Field) -> tuple[type[Model], str]:
        return f.related_model, f.target_field.attname

    def want(self, f: models.Field, value: Any) -> None:
        if value is not None:
            self.wanted.setdefault(self._key(f), set()).add(value)

    def load(self) -> None:
        for (model, target), values in self.wanted.items():
            rows = model._base_manager.filter(**{f"{target}__in": values})
            for obj in rows.select_related(*_select_paths(model)):
                self.names[(model, target, getattr(obj, target))] = str(obj)

    def get(self, f: models.Field, value: Any) -> str | None:
        if value is None:
            return None
        return self.names.get((*self._key(f), value), str(value))


def _plain(value: Any) -> Any:
    if isinstance(value, FieldFile):
        return value.name or ""
    if isinstance(value, dict | list):
        return json.dumps(value, ensure_ascii=False)
    if isinstance(value, str | int | float | bool | Decimal | dt.date | dt.datetime) or value is None:
        return value
    return str(value)


@dataclass
class _Owner:
    """What is the person's own, to tell it from someone else's in a row."""

    numbers: frozenset[str]
    objects: frozenset[tuple[type[Model], Any]]
    # Rows of these name a person: the person, a member, an activist, a login.
    identity_models: frozenset[type[Model]]

    def owns(self, model: type[Model], pk: Any) -> bool:
        return (model, pk) in self.objects


def _display_row(obj: Model, columns: list[models.Field], names: _Names, owner: _Owner, level: int) -> list:
    """A row's values as the person reads them: choices as their labels, relations by name.

    Someone else's identity in the row is masked: a number (身份证号, phone) that is not the person's own;
    the name on a row whose contact phone is someone else's (a request a member handled); and on rows two
    steps away (votes on the member, comments on their standard), the names of the other people."""
    phone = getattr(obj, PHONE_FIELD, None) if any(f.name == PHONE_FIELD for f in columns) else None
    someone_else = (phone is not None and phone not in owner.numbers) or level >= 2
    row: list[Any] = []
    for f in columns:
        if f.is_relation:
            pk = getattr(obj, f.attname)
            name = names.get(f, pk)
            identity = f.related_model in owner.identity_models
            if level >= 2 and name and identity and not owner.owns(f.related_model, pk):
                name = masking.mask_name(name)
            row.append(name)
            continue
        value = getattr(obj, f.attname)
        if f.choices and value not in (None, ""):
            value = str(dict(f.flatchoices).get(value, value))
        mask = getattr(f, "mask", None)
        if callable(mask) and value and value not in owner.numbers:
            value = mask(value)
        elif f.name == NAME_FIELD and someone_else and isinstance(value, str):
            value = masking.mask_name(value)
        row.append(_plain(value))
    return row


def collect(person: Person) -> list[Section]:
    """Everything Vanguard holds about `person`, as sections of rows (one per model), the person first.

    One query per model that holds rows about them, and one per model those rows point at: the count
    depends on the number of models, not of rows."""
    person = (
        Person.objects.select_related("member", "activist", "user", "workplace", "residence")
        .prefetch_related("strengths")
        .get(pk=person.pk)
    )
    identities = _identities(person)
    owner = _Owner(
        numbers=frozenset(n for n in (person.mobile, person.id_number) if n),
        objects=frozenset((type(obj), obj.pk) for obj in identities),
        identity_models=frozenset({Person, Member, Activist, Person._meta.get_field("user").related_model}),
    )
    names = _Names()
    fetched: list[tuple[type[Model], list[Model], int]] = []
    for obj in identities:
        fetched.append((type(obj), [obj], 0))
    for target in _targets(person, identities).values():
        rows = list(target.model._base_manager.filter(target.q).order_by("pk"))
        if rows:
            fetched.append((target.model, rows, target.level))
    for model, rows, _level in fetched:
        for f in _columns(model):
            if f.is_relation:
                for obj in rows:
                    names.want(f, getattr(obj, f.attname))
    names.load()

    sections: list[Section] = []
    for model, rows, level in fetched:
        columns = _columns(model)
        headers = [_header(f) for f in columns]
        text_columns = {i for i, f in enumerate(columns) if isinstance(f, models.CharField) and not f.choices}
        display = [_display_row(obj, columns, names, owner, level) for obj in rows]
        if model is Person:
            headers.append(str(Person._meta.get_field("strengths").verbose_name))
            display[0].append("、".join(s.name for s in person.strengths.all()))
        sections.append(
            Section(
                label=_label(model),
                title=str(model._meta.verbose_name_plural),
                headers=headers,
                rows=display,
                text_columns=frozenset(text_columns),
            )
        )
    return sections


# --- the person's copy: export_workbook() -----------------------------------------------------------------


def _object_repr(person: Person) -> str:
    # The trail names the person by number only: after anonymisation nothing in it names them.
    return _("人员 #%(id)d") % {"id": person.pk}


def _about_sheet(person: Person, sections: list[Section], *, user) -> ExportSheet:
    rows = [
        [_("说明"), _("本工作簿是先锋系统保存的您的个人信息副本(《个人信息保护法》第四十五条)。")],
        [_("人员编号"), str(person.pk)],
        [_("导出时间"), timezone.localtime(timezone.now()).strftime("%Y-%m-%d %H:%M")],
        [_("导出人"), str(user)],
        [
            _("内容"),
            "、".join(f"{s.title}({len(s.rows)})" for s in sections),
        ],
        [
            _("未包含"),
            _("审计记录、登录密码、双因素认证密钥、接口令牌和会话:前者另行保存,后者属于登录凭据。"),
        ],
        [
            _("遮盖"),
            _("记录中涉及他人的姓名和号码已遮盖(如您承办的诉求的诉求人、对您的评议投票人)。"),
        ],
    ]
    return ExportSheet(
        _("说明"),
        [ExportColumn(_("项目"), width=12), ExportColumn(_("内容"), width=100)],
        rows,
    )


def _sheets(person: Person, sections: list[Section], *, user) -> Iterable[ExportSheet]:
    used: set[str] = set()
    about = _about_sheet(person, sections, user=user)
    used.add(about.name)
    yield about
    for section in sections:
        name = sheet_name(section.title, fallback=section.label)
        candidate, n = name, 2
        while candidate in used:
            suffix = f"({n})"
            candidate = name[: 31 - len(suffix)] + suffix
            n += 1
        used.add(candidate)
        columns = [ExportColumn(h, text=i in section.text_columns) for i, h in enumerate(section.headers)]
        yield ExportSheet(candidate, columns, section.rows)


def export_workbook(person: Person, *, user, request=None) -> bytes:
    """The person's own copy of their data as an xlsx workbook: an explanation sheet, then one sheet per
    section, values in full (it is their copy). Recorded in the audit trail as an export of the person,
    with the number of rows and no data."""
    if not scope.exports_personal_data(user, person):
        raise PermissionDenied
    sections = collect(person)
    buffer = io.BytesIO()
    write_xlsx(_sheets(person, sections, user=user), buffer)
    rows = sum(len(s.rows) for s in sections)
    audit.record(
        action=Action.EXPORT,
        user=user,
        request=request,
        object_type=_label(Person),
        object_id=str(person.pk),
        object_repr=_object_repr(person),
        after={"kind": "personal_data", "count": rows},
        detail="person.export:"
        + _(
            "导出个人信息副本(《个人信息保护法》第四十五条):%(sections)d类、%(rows)d行,"
            "含完整身份证号和手机号。"
        )
        % {"sections": len(sections), "rows": rows},
    )
    return buffer.getvalue()


def export_filename(person: Person) -> str:
    return _("个人信息_%(id)d_%(date)s.xlsx") % {
        "id": person.pk,
        "date": timezone.localdate().strftime("%Y%m%d"),
    }


# --- the rules: anonymisation_refusal() --------------------------------------------------------------------


def _join(values: Iterable[str]) -> str:
    return "、".join(values)


def anonymisation_refusal(person: Person) -> str | None:
    """Why `person` may not be anonymised (every reason, in Chinese), or None when they may.

    Refused while: a member (正式 or 预备) or an activist on the rolls — party records are kept under the
    party's own archive rules; holding an active login with a role (or a superuser's); a person of a zone
    of the current year or later (负责人, 联络员 …); with open residents' requests by their mobile
    number; with hours in a time-bank account. Allowed otherwise: residents, the masses kept as contacts,
    household members, people whose membership ended (their member record removed) or whose activist
    record ended at admission without a membership now."""
    reasons: list[str] = []
    member = Member.objects.filter(person=person).select_related("organisation").first()
    if member is not None:
        reasons.append(
            _("此人是%(status)s(%(organisation)s),党员档案按党的档案管理规定保存,不能匿名化。")
            % {"status": member.get_status_display(), "organisation": member.organisation.name}
        )
    activist = (
        Activist.objects.filter(person=person)
        .exclude(stage=Activist.Stage.ADMITTED)
        .select_related("organisation")
        .first()
    )
    if activist is not None:
        reasons.append(
            _("此人是%(stage)s(%(organisation)s),入党材料按党的档案管理规定保存,不能匿名化。")
            % {"stage": activist.get_stage_display(), "organisation": activist.organisation.name}
        )
    user = person.user if person.user_id else None
    if user is not None and user.is_active:
        roles = sorted({a.get_role_display() for a in user.roles.all()})
        if user.is_superuser:
            roles.insert(0, _("超级管理员"))
        if roles:
            reasons.append(
                _("此人的登录账户“%(username)s”担任%(roles)s,须先撤销角色或停用账户。")
                % {"username": user.get_username(), "roles": _join(roles)}
            )
    # Other apps' models, looked up by name: org sits below them and does not import them.
    zone_role = apps.get_model("zones", "ZoneRole")
    current = (
        zone_role.objects.filter(person=person, zone__year__gte=validators.today().year)
        .select_related("zone", "kind")
        .order_by("zone__year", "pk")
    )
    if current:
        reasons.append(
            _("此人是现行责任区的%(roles)s,须先调整责任区分工。")
            % {"roles": _join(f"“{r.zone}”{r.kind}" for r in current)}
        )
    if person.mobile:
        from vanguard.service_requests.models import OPEN_STATUSES

        request_model = apps.get_model("service_requests", "ServiceRequest")
        open_requests = request_model.objects.filter(phone=person.mobile, status__in=OPEN_STATUSES)
        codes = list(open_requests.order_by("pk").values_list("tracking_code", flat=True)[:5])
        if codes:
            reasons.append(
                _("此人有未办结的群众诉求(查询码 %(codes)s),须办结或关闭后再匿名化。")
                % {"codes": _join(codes)}
            )
    entry = apps.get_model("timebank", "Entry")
    hours = entry.objects.filter(account__person=person).aggregate(total=Sum("hours"))["total"]
    if hours:
        reasons.append(
            _("此人的时间银行账户尚有%(hours)s小时余额,须先兑换或捐赠。") % {"hours": f"{hours:.1f}"}
        )
    return ";".join(reasons) if reasons else None


# --- anonymise() -------------------------------------------------------------------------------------------

# The person's own fields and what they become. The name keeps the row readable ("已匿名"); the search
# keys (pinyin, initials) are recomputed from it by save().
_PERSON_CLEARED: dict[str, Any] = {
    "name": ANONYMOUS,
    "gender": "",
    "birth_date": None,
    "id_number": "",
    "mobile": "",
    "workplace": None,
    "residence": None,
    "occupation": "",
    "notes": "",
}


@dataclass
class Clearing:
    """Rows of one model whose identifying text anonymisation clears."""

    model: type[Model]
    rows: list[Model]
    fields: list[models.Field]

    @property
    def title(self) -> str:
        return str(self.model._meta.verbose_name_plural)

    @property
    def field_names(self) -> str:
        return "、".join(str(f.verbose_name) for f in self.fields)


def _free_text(model: type[Model]) -> list[models.Field]:
    return [f for f in model._meta.concrete_fields if isinstance(f, models.TextField)]


def _clearings(person: Person) -> list[Clearing]:
    """The rows about the person that anonymisation clears, and which of their fields.

    - rows that point at the person (their contact assignments, pairings, time-bank account …) and rows
      that point at those (the talks, the visits): their free text (notes, what was said);
    - rows carrying the person's mobile as their contact (their requests, opinion book entries): the name,
      the phone, the free text and any photo, and the free text of the rows under them (the requests'
      timelines);
    - rows that point at the person's login (notifications): their free text."""
    found: dict[type[Model], tuple[Q, set[str]]] = {}

    def add(model: type[Model], q: Q, names: Iterable[str]) -> None:
        names = set(names)
        if not names:
            return
        previous = found.get(model)
        found[model] = (q, names) if previous is None else (previous[0] | q, previous[1] | names)

    direct: list[tuple[type[Model], Q]] = []
    roots: list[Model] = [person] + ([person.user] if person.user_id else [])
    for root in roots:
        for rel in _reverse_relations(type(root), hidden=False):
            model = rel.related_model
            if rel.many_to_many or _skipped(model) or model is Person:
                continue
            q = Q(**{rel.field.name: root})
            add(model, q, (f.name for f in _free_text(model)))
            if root is person:
                direct.append((model, q))
    if person.mobile:
        for model in apps.get_models():
            if _skipped(model) or model is Person:
                continue
            concrete = model._meta.concrete_fields
            if not any(f.name == PHONE_FIELD for f in concrete):
                continue
            q = Q(**{PHONE_FIELD: person.mobile})
            contact = {f.name for f in concrete if f.name in (PHONE_FIELD, NAME_FIELD, "client")}
            files = {f.name for f in concrete if isinstance(f, models.FileField)}
            add(model, q, contact | files | {f.name for f in _free_text(model)})
            direct.append((model, q))
    for parent, parent_q in direct:
        parent_ids = parent._base_manager.filter(parent_q).values("pk")
        for rel in _reverse_relations(parent, hidden=False):
            model = rel.related_model
            if rel.many_to_many or _skipped(model) or model is Person:
                continue
            add(model, Q(**{f"{rel.field.name}__in": parent_ids}), (f.name for f in _free_text(model)))
    clearings = []
    for model, (q, names) in found.items():
        rows = list(model._base_manager.filter(q).order_by("pk"))
        if rows:
            fields = [f for f in model._meta.concrete_fields if f.name in names]
            clearings.append(Clearing(model, rows, fields))
    return clearings


def anonymisation_preview(person: Person) -> list[Clearing]:
    """What anonymise() would clear beyond the person's own fields: for the confirmation page."""
    return [c for c in _clearings(person) if any(_has_value(obj, c.fields) for obj in c.rows)]


def _has_value(obj: Model, fields: list[models.Field]) -> bool:
    return any(getattr(obj, f.attname) not in ("", None) for f in fields)


def _blank(f: models.Field) -> Any:
    """What a cleared field holds: nothing where nothing is allowed, else the word for "anonymised"."""
    if isinstance(f, models.FileField):
        return ""
    if f.null:
        return None
    if f.blank:
        return ""
    return ANONYMOUS


def _close_login(user: Model) -> None:
    """The person's login, kept (other rows name it as who did what) but emptied and closed."""
    user.username = f"anonymised-{user.pk}"
    for name in ("first_name", "last_name", "email", "display_name"):
        if hasattr(user, name):
            setattr(user, name, "")
    user.is_active = False
    user.set_unusable_password()
    fields = ["username", "first_name", "last_name", "email", "is_active", "password"]
    if hasattr(user, "display_name"):
        fields.append("display_name")
    if hasattr(user, "password_changed_at"):
        user.password_changed_at = None
        fields.append("password_changed_at")
    user.save(update_fields=fields)
    for rel in _reverse_relations(type(user), hidden=False):
        if _label(rel.related_model) in CREDENTIAL_MODELS and not rel.many_to_many:
            rel.related_model._base_manager.filter(**{rel.field.name: user}).delete()


@transaction.atomic
def anonymise(person: Person, *, user, request=None) -> Person:
    """Anonymise `person` (PIPL art. 4, 47) in one transaction, or refuse with the reason and change
    nothing.

    Clears the person's identifying fields (name → "已匿名"), the free text about them in other rows,
    the contact details of their requests, and closes their login; keeps every row, so counts and
    history stay. One audit record (action "anonymise") holds the person's id and what kinds of rows were
    cleared — never a value."""
    person = Person.objects.select_for_update(of=("self",)).select_related("user").get(pk=person.pk)
    if not scope.handles_personal_data(user, person):
        raise PermissionDenied
    reason = anonymisation_refusal(person)
    if reason:
        raise ValidationError(reason)
    cleared_rows = 0
    kinds: list[str] = []
    for clearing in _clearings(person):
        touched = 0
        for obj in clearing.rows:
            changed = []
            for f in clearing.fields:
                if getattr(obj, f.attname) in ("", None):
                    continue
                if isinstance(f, models.FileField):
                    stored = getattr(obj, f.attname)
                    name, storage = stored.name, stored.storage
                    transaction.on_commit(lambda name=name, storage=storage: storage.delete(name))
                setattr(obj, f.attname, _blank(f))
                changed.append(f.name)
            if changed:
                if any(f.name == "updated_at" for f in clearing.model._meta.concrete_fields):
                    changed.append("updated_at")
                # save() rather than update(): the public pages' caches follow the models' signals.
                obj.save(update_fields=changed)
                touched += 1
        if touched:
            cleared_rows += touched
            kinds.append(f"{clearing.title}{touched}")
    for name, value in _PERSON_CLEARED.items():
        setattr(person, name, value)
    person.full_clean()
    person.save()
    person.strengths.clear()
    if person.user_id:
        _close_login(person.user)
        kinds.append(_("登录账户已停用"))
    audit.record(
        action=Action.ANONYMISE,
        user=user,
        request=request,
        object_type=_label(Person),
        object_id=str(person.pk),
        object_repr=_object_repr(person),
        detail=_(
            "按《个人信息保护法》第四条、第四十七条匿名化,清除了人员的身份信息"
            "及%(rows)d条相关记录中的文字(%(kinds)s)。"
        )
        % {"rows": cleared_rows, "kinds": "、".join(kinds) or _("无")},
    )
    return person
