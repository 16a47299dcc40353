"""Writes of the assessment engine: schemes and their versions, rounds and their states, scores, revisions.

Every write takes the acting user, checks who may do it through the scoping module, validates with messages
in Chinese that name the field, and is recorded in the audit trail in its transaction. Pages, the API and the
demo share these functions.

Who does what:
- the office (党委办公室) over an organisation edits its schemes, runs its rounds (open, close, publish,
  archive) and revises closed results;
- the organisation's part (组织评定) and paper forms of the masses (群众评议) are entered by the office or the
  secretary over the target — for a branch or group, by those above it, not by its own secretary;
- the supervisor's part by a supervisor over the target; self-assessment (自评) by the member themselves
  (for a branch or group: its own secretary).
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import BigIntegerField, F, OuterRef, Subquery, Value
from django.db.models.functions import Cast, Coalesce
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope as access
from vanguard.accounts.models import Role
from vanguard.audit import services as audit
from vanguard.org.models import Member, Organisation
from vanguard.zones.models import Zone

from . import compute, metrics
from .models import (
    Formula,
    Indicator,
    IndicatorResult,
    Purpose,
    Result,
    Revision,
    Round,
    Scheme,
    SchemeVersion,
    Score,
    Source,
    TargetKind,
)

Status = Round.Status

SCHEME_FIELDS = ("name", "target_kind", "period", "description")
WEIGHT_FIELDS = ("weight_self", "weight_masses", "weight_organisation", "weight_supervisor")
INDICATOR_FIELDS = (
    "name",
    "description",
    "order",
    "weight",
    "max_points",
    "kind",
    "metric",
    "formula",
    "parameter",
)


class Conflict(ValidationError):
    """Someone else changed the score since it was read: the second writer is told, nothing is lost."""

    def __init__(self, message: str):
        super().__init__(message, code="conflict")


def _office_over(actor, organisation: Organisation) -> None:
    if not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise PermissionDenied(_("只有党委办公室可以执行此操作。"))


# --- Schemes ---------------------------------------------------------------------------------------------


def _weights(values: Mapping[str, Any]) -> dict[str, Decimal]:
    errors: dict[str, str] = {}
    weights: dict[str, Decimal] = {}
    for name in WEIGHT_FIELDS:
        raw = values.get(name, 0)
        try:
            weight = Decimal(str(raw if raw not in (None, "") else 0))
        except InvalidOperation:
            errors[name] = _("请填写数字。")
            continue
        if weight < 0 or weight > 100:
            errors[name] = _("权重应在0到100之间。")
        weights[name] = weight
    if not errors and sum(weights.values()) <= 0:
        errors["weight_organisation"] = _("至少一个评分来源的权重须大于0。")
    if errors:
        raise ValidationError(errors)
    return weights


@transaction.atomic
def scheme_create(
    *,
    actor,
    organisation: Organisation,
    name: str,
    target_kind: str,
    period: str,
    description: str = "",
    weights: Mapping[str, Any] | None = None,
    purpose: str = Purpose.ASSESSMENT,
) -> Scheme:
    if not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise ValidationError({"organisation": _("所选党组织不存在或不在您的管理范围内。")})
    scheme = Scheme(
        organisation=organisation,
        name=(name or "").strip(),
        target_kind=target_kind,
        period=period,
        purpose=purpose,
        description=description,
    )
    scheme.full_clean(validate_constraints=False)
    _check_purpose(scheme)
    if Scheme.objects.filter(organisation=organisation, name=scheme.name).exists():
        raise ValidationError(
            {
                "name": _("%(org)s已有名为“%(name)s”的考核方案。")
                % {"org": organisation.name, "name": scheme.name}
            }
        )
    scheme.save()
    version = SchemeVersion(
        scheme=scheme, number=1, created_by=_user(actor), **_weights(weights or {"weight_organisation": 100})
    )
    version.save()
    audit.record_save(user=actor, obj=scheme, before=None, detail=_("版本1"))
    return scheme


# The kind of target each purpose scores.
_PURPOSE_TARGETS = {
    Purpose.STAR: (TargetKind.POST,),
    Purpose.STANDARD: (TargetKind.MEMBER,),
    Purpose.COMPETITION: (TargetKind.MEMBER,),
}


def _check_purpose(scheme: Scheme) -> None:
    allowed = _PURPOSE_TARGETS.get(scheme.purpose)
    if allowed is not None and scheme.target_kind not in allowed:
        raise ValidationError(
            {
                "target_kind": _("“%(purpose)s”方案的考核对象须为%(kinds)s。")
                % {
                    "purpose": Purpose(scheme.purpose).label,
                    "kinds": "、".join(str(TargetKind(k).label) for k in allowed),
                }
            }
        )
    if scheme.target_kind == TargetKind.POST and scheme.purpose != Purpose.STAR:
        raise ValidationError({"purpose": _("以示范岗为考核对象的方案,用途须为示范岗星级评定。")})


@transaction.atomic
def scheme_update(*, actor, scheme: Scheme, fields: Mapping[str, Any]) -> Scheme:
    """Rename or describe a scheme. Its target kind and period stay once a round has used it."""
    stored = Scheme.objects.select_for_update().select_related("organisation").get(pk=scheme.pk)
    _office_over(actor, stored.organisation)
    before = audit.snapshot(stored)
    used = Round.objects.filter(version__scheme=stored).exists()
    for name, value in fields.items():
        if name not in SCHEME_FIELDS:
            raise ValueError(name)
        if used and name in ("target_kind", "period") and value != getattr(stored, name):
            raise ValidationError({name: _("方案已用于考核,不能再修改考核对象或周期;请另建方案。")})
        setattr(stored, name, value.strip() if name == "name" else value)
    stored.full_clean(validate_constraints=False)
    if (
        Scheme.objects.filter(organisation=stored.organisation, name=stored.name)
        .exclude(pk=stored.pk)
        .exists()
    ):
        raise ValidationError(
            {
                "name": _("%(org)s已有名为“%(name)s”的考核方案。")
                % {"org": stored.organisation.name, "name": stored.name}
            }
        )
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


def latest_version(scheme: Scheme) -> SchemeVersion:
    return scheme.versions.order_by("-number").first()


def version_in_use(version: SchemeVersion) -> bool:
    return version.rounds.exclude(status=Status.DRAFT).exists()


def _editable_version(actor, scheme: Scheme, note: str = "") -> SchemeVersion:
    """The version an edit goes into: the latest if no round has started with it, else a copy of it as the
    next version (the rounds keep theirs)."""
    Scheme.objects.select_for_update().filter(pk=scheme.pk).first()
    _office_over(actor, scheme.organisation)
    current = latest_version(scheme)
    if not version_in_use(current):
        return current
    copy = SchemeVersion.objects.create(
        scheme=scheme,
        number=current.number + 1,
        note=note,
        created_by=_user(actor),
        **{name: getattr(current, name) for name in WEIGHT_FIELDS},
    )
    old_to_new: dict[int, Indicator] = {}
    for indicator in current.indicators.order_by("parent_id", "pk"):
        parent = old_to_new.get(indicator.parent_id) if indicator.parent_id else None
        clone = Indicator.objects.create(
            version=copy,
            parent=parent,
            key=indicator.key,
            share=indicator.share,
            **{name: getattr(indicator, name) for name in INDICATOR_FIELDS},
        )
        old_to_new[indicator.pk] = clone
    audit.record_save(
        user=actor, obj=copy, before=None, detail=_("由版本%(n)d复制而来") % {"n": current.number}
    )
    return copy


@transaction.atomic
def version_update(*, actor, scheme: Scheme, weights: Mapping[str, Any], note: str = "") -> SchemeVersion:
    version = _editable_version(actor, scheme, note)
    before = audit.snapshot(version)
    for name, value in _weights(weights).items():
        setattr(version, name, value)
    if note:
        version.note = note
    version.save()
    audit.record_save(user=actor, obj=version, before=before)
    return version


def _indicator_errors(indicator: Indicator, target_kind: str) -> dict[str, str]:
    errors: dict[str, str] = {}
    if indicator.kind == Indicator.Kind.DERIVED:
        if not indicator.metric:
            errors["metric"] = _("系统计算的指标须选择计算依据。")
        elif target_kind not in metrics.SUPPORTED.get(indicator.metric, ()):
            errors["metric"] = _("“%(metric)s”不适用于考核对象“%(kind)s”。") % {
                "metric": indicator.get_metric_display(),
                "kind": TargetKind(target_kind).label,
            }
        if not indicator.formula:
            errors["formula"] = _("系统计算的指标须选择计算公式。")
        elif indicator.formula == Formula.CAPPED and not indicator.parameter:
            errors["parameter"] = _("计数公式须填写满分次数N(大于0)。")
        elif (
            indicator.formula == Formula.RATIO
            and not indicator.parameter
            and indicator.metric
            and not metrics.has_expected(indicator.metric, target_kind)
        ):
            errors["parameter"] = _("该计算依据对此考核对象没有应完成数,请填写应完成数N,或改用计数公式。")
    else:
        indicator.metric = indicator.formula = ""
        indicator.parameter = None
    return errors


def _save_indicator(indicator: Indicator, scheme: Scheme) -> None:
    errors: dict[str, list[str]] = {}
    try:
        indicator.full_clean(exclude=["version", "key", "share"], validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    for key, message in _indicator_errors(indicator, scheme.target_kind).items():
        errors.setdefault(key, []).append(message)
    if indicator.parent_id and indicator.parent.kind == Indicator.Kind.DERIVED:
        errors.setdefault("parent", []).append(_("系统计算的指标下不能再设子指标。"))
    if errors:
        raise ValidationError(errors)
    indicator.save()


def refresh_shares(version: SchemeVersion) -> None:
    """Each indicator's share of the 100-point total: siblings split their parent's share by weight."""
    indicators = list(version.indicators.all())
    children: dict[int | None, list[Indicator]] = {}
    for indicator in indicators:
        children.setdefault(indicator.parent_id, []).append(indicator)

    def walk(parent_id: int | None, share: Decimal) -> None:
        siblings = children.get(parent_id, [])
        total = sum((i.weight for i in siblings), Decimal(0))
        for indicator in siblings:
            indicator.share = (
                (share * indicator.weight / total).quantize(Decimal("0.0001")) if total else Decimal(0)
            )
            walk(indicator.pk, indicator.share)

    walk(None, Decimal(100))
    Indicator.objects.bulk_update(indicators, ["share"])


def _find(version: SchemeVersion, key: int | None) -> Indicator | None:
    if key is None:
        return None
    found = version.indicators.filter(key=key).first()
    if found is None:
        raise ValidationError({"parent": _("所选上级指标不存在。")})
    return found


@transaction.atomic
def indicator_add(
    *, actor, scheme: Scheme, parent_key: int | None = None, fields: Mapping[str, Any]
) -> Indicator:
    version = _editable_version(actor, scheme)
    parent = _find(version, parent_key)
    next_key = (
        Indicator.objects.filter(version__scheme=scheme)
        .order_by("-key")
        .values_list("key", flat=True)
        .first()
        or 0
    ) + 1
    indicator = Indicator(version=version, parent=parent, key=next_key)
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS:
            raise ValueError(name)
        setattr(indicator, name, value)
    _save_indicator(indicator, scheme)
    refresh_shares(version)
    audit.record_save(
        user=actor,
        obj=indicator,
        before=None,
        detail=_("方案“%(s)s”版本%(n)d") % {"s": scheme.name, "n": version.number},
    )
    return indicator


@transaction.atomic
def indicator_update(*, actor, scheme: Scheme, key: int, fields: Mapping[str, Any]) -> Indicator:
    version = _editable_version(actor, scheme)
    indicator = version.indicators.filter(key=key).first()
    if indicator is None:
        raise ValidationError(_("该指标不在方案的当前版本中。"))
    before = audit.snapshot(indicator)
    for name, value in fields.items():
        if name not in INDICATOR_FIELDS:
            raise ValueError(name)
        setattr(indicator, name, value)
    if indicator.kind == Indicator.Kind.DERIVED and indicator.children.exists():
        raise ValidationError({"kind": _("有子指标的指标不能设为系统计算。")})
    _save_indicator(indicator, scheme)
    refresh_shares(version)
    audit.record_save(
        user=actor,
        obj=indicator,
        before=before,
        detail=_("方案“%(s)s”版本%(n)d") % {"s": scheme.name, "n": version.number},
    )
    return indicator


@transaction.atomic
def indicator_remove(*, actor, scheme: Scheme, key: int) -> None:
    version = _editable_version(actor, scheme)
    indicator = version.indicators.filter(key=key).first()
    if indicator is None:
        raise ValidationError(_("该指标不在方案的当前版本中。"))
    audit.record_delete(
        user=actor, obj=indicator, detail=_("方案“%(s)s”版本%(n)d") % {"s": scheme.name, "n": version.number}
    )
    indicator.delete()
    refresh_shares(version)


def leaves(version: SchemeVersion):
    return version.indicators.filter(children__isnull=True).order_by("order", "pk")


# --- Rounds ----------------------------------------------------------------------------------------------


@transaction.atomic
def round_create(
    *, actor, scheme: Scheme, organisation: Organisation, name: str, period_start, period_end
) -> Round:
    if not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise ValidationError({"organisation": _("所选党组织不存在或不在您的管理范围内。")})
    if not (
        organisation.path.startswith(scheme.organisation.path)
        or scheme.organisation.path.startswith(organisation.path)
    ):
        raise ValidationError(
            {"scheme": _("考核方案“%(s)s”不适用于%(org)s。") % {"s": scheme.name, "org": organisation.name}}
        )
    round_ = Round(
        version=latest_version(scheme),
        organisation=organisation,
        name=(name or "").strip(),
        period_start=period_start,
        period_end=period_end,
        created_by=_user(actor),
    )
    round_.full_clean(validate_constraints=False)
    if period_start and period_end and period_end < period_start:
        raise ValidationError({"period_end": _("考核期结束日期不能早于开始日期。")})
    round_.save()
    audit.record_save(user=actor, obj=round_, before=None)
    return round_


@transaction.atomic
def round_update(*, actor, round_: Round, fields: Mapping[str, Any]) -> Round:
    stored = _locked_round(actor, round_)
    if stored.status != Status.DRAFT:
        raise ValidationError(_("考核已开始,名称和考核期不能再修改。"))
    before = audit.snapshot(stored)
    for name, value in fields.items():
        if name not in ("name", "period_start", "period_end"):
            raise ValueError(name)
        setattr(stored, name, value)
    stored.full_clean(validate_constraints=False)
    if stored.period_end < stored.period_start:
        raise ValidationError({"period_end": _("考核期结束日期不能早于开始日期。")})
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


def _locked_round(actor, round_: Round) -> Round:
    stored = (
        Round.objects.select_for_update(of=("self",))
        .select_related("organisation", "version__scheme")
        .get(pk=round_.pk)
    )
    _office_over(actor, stored.organisation)
    return stored


_TRANSITIONS = {
    "open": ({Status.DRAFT}, Status.OPEN, "opened_at"),
    "close": ({Status.OPEN}, Status.CLOSED, "closed_at"),
    "reopen": ({Status.CLOSED}, Status.OPEN, None),
    "publish": ({Status.CLOSED}, Status.PUBLISHED, "published_at"),
    "archive": ({Status.PUBLISHED}, Status.ARCHIVED, "archived_at"),
}

_REFUSALS = {
    "open": gettext_lazy("只有草稿状态的考核可以开始评分。"),
    "close": gettext_lazy("只有评分中的考核可以结束。"),
    "reopen": gettext_lazy("只有已结束且未公布的考核可以重新开放评分;已公布的结果只能修订。"),
    "publish": gettext_lazy("只有已结束的考核可以公布。"),
    "archive": gettext_lazy("只有已公布的考核可以归档。"),
}


@transaction.atomic
def round_transition(*, actor, round_: Round, action: str) -> Round:
    """open, close, reopen, publish or archive a round. Opening creates its results (and fixes the scheme
    version it uses); closing computes totals and ranks."""
    if action not in _TRANSITIONS:
        raise ValueError(action)
    stored = _locked_round(actor, round_)
    allowed, to, stamp = _TRANSITIONS[action]
    if stored.status not in allowed:
        raise ValidationError(str(_REFUSALS[action]), code="transition")
    before = audit.snapshot(stored)
    if action == "open":
        stored.version = latest_version(stored.version.scheme)
        if not leaves(stored.version).exists():
            raise ValidationError(_("考核方案还没有指标,不能开始评分。"))
        if stored.version.scheme.purpose == Purpose.COMPETITION and stored.participants.count() < 2:
            raise ValidationError(_("岗位竞赛须至少选择两名参赛党员。"))
        stored.status = to
        stored.save(update_fields=["version", "status", "updated_at"])
        created = _create_results(stored)
    else:
        created = None
        stored.status = to
    if stamp:
        setattr(stored, stamp, timezone.now())
    stored.save()
    if action == "close":
        compute.compute(stored)
        stored.refresh_from_db()
    detail = _("考核对象%(n)d个") % {"n": created} if created is not None else ""
    audit.record_save(user=actor, obj=stored, before=before, detail=detail)
    return stored


def _targets(round_: Round):
    """The targets a round scores, as a queryset of rows (member, organisation, zone, post, unit, branch,
    name). Model posts are those on the wall (approved, not removed); members, those chosen as participants
    when the round has any (a post competition), else every member in scope."""
    kind = round_.version.scheme.target_kind
    org = round_.organisation
    null = Cast(Value(None), BigIntegerField())
    if kind == TargetKind.POST:
        from vanguard.posts.models import ModelPost

        parent_branch = Subquery(
            Organisation.objects.filter(
                path=_parent_path("organisation__path"), kind=Organisation.Kind.BRANCH
            ).values("pk")[:1]
        )
        rows = ModelPost.objects.filter(
            org.subtree_q("organisation__"), status=ModelPost.Status.APPROVED
        ).annotate(
            m=null,
            o=null,
            z=null,
            p=F("pk"),
            u=F("organisation_id"),
            b=Coalesce(parent_branch, F("organisation_id")),
            n=F("name"),
        )
        return rows.values_list("m", "o", "z", "p", "u", "b", "n")
    if kind == TargetKind.MEMBER:
        parent_branch = Subquery(
            Organisation.objects.filter(
                path=_parent_path("organisation__path"), kind=Organisation.Kind.BRANCH
            ).values("pk")[:1]
        )
        members = Member.objects.filter(org.subtree_q("organisation__"))
        if round_.participants.exists():
            members = members.filter(pk__in=round_.participants.values("pk"))
        rows = members.annotate(
            m=F("pk"),
            o=null,
            z=null,
            p=null,
            u=F("organisation_id"),
            b=Coalesce(parent_branch, F("organisation_id")),
            n=F("person__name"),
        )
        return rows.values_list("m", "o", "z", "p", "u", "b", "n")
    if kind in (TargetKind.GROUP, TargetKind.BRANCH):
        wanted = Organisation.Kind.GROUP if kind == TargetKind.GROUP else Organisation.Kind.BRANCH
        rows = Organisation.objects.filter(org.subtree_q(), kind=wanted)
        if kind == TargetKind.GROUP:
            branch = Subquery(Organisation.objects.filter(path=_parent_path("path")).values("pk")[:1])
        else:
            branch = F("pk")
        rows = rows.annotate(m=null, o=F("pk"), z=null, p=null, u=F("pk"), b=branch, n=F("name"))
        return rows.values_list("m", "o", "z", "p", "u", "b", "n")
    parent_branch = Subquery(
        Organisation.objects.filter(
            path=_parent_path("organisation__path"), kind=Organisation.Kind.BRANCH
        ).values("pk")[:1]
    )
    rows = Zone.objects.filter(org.subtree_q("organisation__"), year=round_.period_start.year).annotate(
        m=null,
        o=null,
        z=F("pk"),
        p=null,
        u=F("organisation_id"),
        b=Coalesce(parent_branch, F("organisation_id")),
        n=F("name"),
    )
    return rows.values_list("m", "o", "z", "p", "u", "b", "n")


def _parent_path(field: str):
    """The path of the parent of the node whose path is the outer row's `field` (steplen 4)."""
    from django.db.models.functions import Length, Substr

    return Substr(OuterRef(field), 1, Length(OuterRef(field)) - 4)


def _create_results(round_: Round) -> int:
    """One Result per target, in one INSERT … SELECT."""
    sql, params = _targets(round_).query.sql_with_params()
    table = connection.ops.quote_name(Result._meta.db_table)
    with connection.cursor() as cursor:
        cursor.execute(
            f"INSERT INTO {table} (round_id, member_id, organisation_id, zone_id, post_id, unit_id, "
            f"branch_id, name, data_points, revision) SELECT %s, t.*, 0, 0 FROM ({sql}) t",
            [round_.pk, *params],
        )
        return cursor.rowcount


# --- Scores ----------------------------------------------------------------------------------------------


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _check_source(actor, result: Result, source: str) -> None:
    if source == Source.SELF:
        s = access.scope_of(actor)
        if s.superuser:
            return
        if result.member_id:
            if s.person_id is not None and s.person_id == result.member.person_id:
                return
            raise PermissionDenied(_("自评只能由党员本人填写。"))
        if result.post_id:
            if (
                s.person_id is not None
                and result.post.post_members.filter(member__person_id=s.person_id).exists()
            ):
                return
            raise PermissionDenied(_("示范岗的自评只能由该岗位的党员填写。"))
        target = result.organisation or result.unit
        if access.acts_as(actor, {Role.SECRETARY}, target) and not access.acts_as(
            actor, {Role.SECRETARY}, target, strictly_above=True
        ):
            return
        raise PermissionDenied(_("自评只能由本组织的书记填写。"))
    if source == Source.SUPERVISOR:
        if access.acts_as(actor, {Role.SUPERVISOR}, result.unit):
            return
        raise PermissionDenied(_("监督员评分只能由负责该单位的监督员填写。"))
    # The organisation's part and the masses' paper forms.
    above = result.organisation_id is not None
    if access.acts_as(actor, {Role.OFFICE, Role.SECRETARY}, result.unit, strictly_above=above):
        return
    if above:
        raise PermissionDenied(_("不能为本组织评定分数,须由上级组织评定。"))
    raise PermissionDenied(_("只有支部书记或党委办公室可以录入组织评定和群众评议分数。"))


def _points(value: Any, indicator: Indicator) -> Decimal:
    try:
        points = Decimal(str(value)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"points": _("请填写数字。")}) from None
    if points < 0:
        raise ValidationError({"points": _("得分不能为负数。")})
    if points > indicator.max_points:
        raise ValidationError(
            {
                "points": _("“%(name)s”满分%(max)s分,得分不能超过满分。")
                % {"name": indicator.name, "max": _num(indicator.max_points)}
            }
        )
    return points


def _num(value: Decimal) -> str:
    return format(value.normalize(), "f") if value == value.to_integral() else format(value, "f")


def _manual_indicator(round_: Round, indicator: Indicator) -> None:
    if indicator.version_id != round_.version_id:
        raise ValidationError({"indicator": _("该指标不属于本轮考核所用的方案版本。")})
    if indicator.kind != Indicator.Kind.MANUAL or indicator.children.exists():
        raise ValidationError(
            {"indicator": _("“%(name)s”由系统计算或为分类指标,不能手工评分。") % {"name": indicator.name}}
        )


@transaction.atomic
def score_enter(
    *,
    actor,
    result: Result,
    indicator: Indicator,
    source: str,
    points: Any,
    evidence: str = "",
    version: int,
) -> Score:
    """Enter or change one source's points. `version` is the score's version the writer saw (0 for a new
    score): if someone else has written since, the write is refused with a Conflict naming them."""
    locked = (
        Result.objects.select_for_update(of=("self",))
        .select_related("round__version", "member", "unit", "organisation")
        .get(pk=result.pk)
    )
    round_ = locked.round
    if round_.status != Status.OPEN:
        if round_.is_locked:
            raise ValidationError(_("本轮考核已结束,不能再评分;如需更正,请由党委办公室提交修订并说明原因。"))
        raise ValidationError(_("本轮考核尚未开始评分。"))
    if source not in Source.values:
        raise ValidationError({"source": _("未知的评分来源。")})
    if source not in round_.version.active_sources():
        raise ValidationError({"source": _("本方案不采用“%(source)s”。") % {"source": Source(source).label}})
    _manual_indicator(round_, indicator)
    _check_source(actor, locked, source)
    value = _points(points, indicator)
    existing = Score.objects.filter(result=locked, indicator=indicator, source=source).first()
    seen = existing.version if existing else 0
    if int(version) != seen:
        raise _conflict(existing)
    now = timezone.now()
    name = actor.get_username() if actor is not None else ""
    if existing is None:
        try:
            with transaction.atomic():
                score = Score.objects.create(
                    result=locked,
                    indicator=indicator,
                    source=source,
                    points=value,
                    evidence=evidence,
                    entered_by=_user(actor),
                    entered_by_name=_display(actor),
                    entered_at=now,
                )
        except IntegrityError:
            raise _conflict(
                Score.objects.filter(result=locked, indicator=indicator, source=source).first()
            ) from None
        audit.record_save(user=actor, obj=score, before=None, detail=name)
        return score
    before = audit.snapshot(existing)
    updated = Score.objects.filter(pk=existing.pk, version=seen).update(
        points=value,
        evidence=evidence,
        entered_by=_user(actor),
        entered_by_name=_display(actor),
        entered_at=now,
        version=F("version") + 1,
    )
    if updated != 1:
        raise _conflict(Score.objects.filter(pk=existing.pk).first())
    existing.refresh_from_db()
    audit.record_save(user=actor, obj=existing, before=before)
    return existing


def _display(actor) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "display_name", "") or actor.get_username())


def _conflict(score: Score | None) -> Conflict:
    if score is None:
        return Conflict(_("该评分已被删除,请刷新后重新填写。"))
    at = timezone.localtime(score.entered_at).strftime("%H:%M:%S")
    return Conflict(
        _("保存失败:%(who)s已于%(at)s把该项改为%(points)s分。请刷新页面查看最新得分后再修改。")
        % {"who": score.entered_by_name or _("他人"), "at": at, "points": _num(score.points)}
    )


# --- Revisions -------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Change:
    indicator: Indicator
    source: str
    points: Any


def _breakdown_rows(result: Result) -> list[dict[str, Any]]:
    return [
        {"indicator": key, "name": name, "score": str(score), "points": str(points)}
        for key, name, score, points in IndicatorResult.objects.filter(result=result)
        .order_by("indicator__order", "indicator_id")
        .values_list("indicator__key", "indicator__name", "score", "points")
    ]


@transaction.atomic
def revise(*, actor, result: Result, changes: Iterable[Change], reason: str) -> Revision:
    """Correct a closed or published result: change manual scores, with a reason. The result's total and the
    round's ranks are recomputed; the revision keeps the numbers before and after, and the ranks it moved."""
    locked = (
        Result.objects.select_for_update(of=("self",))
        .select_related("round__version", "round__organisation", "unit")
        .get(pk=result.pk)
    )
    round_ = locked.round
    _office_over(actor, round_.organisation)
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写修订原因。")})
    if round_.status == Status.ARCHIVED:
        raise ValidationError(_("已归档的考核不能再修订。"))
    if not round_.is_locked:
        raise ValidationError(_("评分中的考核直接修改评分即可,无需修订。"))
    changes = list(changes)
    if not changes:
        raise ValidationError({"changes": _("请至少修改一项评分。")})
    ranks_before = dict(Result.objects.filter(round=round_).values_list("pk", "rank"))
    total_before, rank_before = locked.total, locked.rank
    breakdown_before = _breakdown_rows(locked)
    recorded = []
    now = timezone.now()
    for change in changes:
        if change.source not in round_.version.active_sources():
            raise ValidationError(
                {"source": _("本方案不采用“%(source)s”。") % {"source": Source(change.source).label}}
            )
        _manual_indicator(round_, change.indicator)
        value = _points(change.points, change.indicator)
        score = Score.objects.filter(result=locked, indicator=change.indicator, source=change.source).first()
        old = score.points if score else None
        if score is None:
            score = Score.objects.create(
                result=locked,
                indicator=change.indicator,
                source=change.source,
                points=value,
                entered_by=_user(actor),
                entered_by_name=_display(actor),
                entered_at=now,
                evidence=_("修订:%(reason)s") % {"reason": reason},
            )
        else:
            Score.objects.filter(pk=score.pk).update(
                points=value,
                entered_by=_user(actor),
                entered_by_name=_display(actor),
                entered_at=now,
                version=F("version") + 1,
            )
        recorded.append(
            {
                "indicator": change.indicator.key,
                "name": change.indicator.name,
                "source": change.source,
                "before": None if old is None else str(old),
                "after": str(value),
            }
        )
    compute.recompute_result(round_, locked.pk)
    locked.refresh_from_db()
    ranks_after = dict(Result.objects.filter(round=round_).values_list("pk", "rank"))
    names = dict(
        Result.objects.filter(
            pk__in=[pk for pk in ranks_after if ranks_after[pk] != ranks_before.get(pk) and pk != locked.pk]
        ).values_list("pk", "name")
    )
    moved = [
        {"result": pk, "name": names[pk], "before": ranks_before.get(pk), "after": ranks_after[pk]}
        for pk in sorted(names)
    ]
    Result.objects.filter(pk=locked.pk).update(revision=F("revision") + 1)
    revision = Revision.objects.create(
        result=locked,
        number=locked.revision + 1,
        reason=reason,
        changes=recorded,
        total_before=total_before,
        total_after=locked.total,
        rank_before=rank_before,
        rank_after=locked.rank,
        breakdown_before=breakdown_before,
        ranks_changed=moved,
        created_by=_user(actor),
        created_by_name=_display(actor),
    )
    audit.record(
        action="update",
        user=actor,
        obj=locked,
        before={"total": total_before, "rank": rank_before},
        after={"total": locked.total, "rank": locked.rank, "changes": recorded},
        detail=_("修订%(n)d:%(reason)s") % {"n": revision.number, "reason": reason},
    )
    return revision
