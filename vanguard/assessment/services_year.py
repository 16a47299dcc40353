"""Writes of the assessment's year: the office's settings, the annual roll-up and its recommendation
lists, the year-end branch review (听、看、谈、访) and rectification (限期改正). The democratic appraisal
(民主评议党员) is in services_appraisal.py.

Every write takes the acting user, checks who may do it through the scoping module, validates with a Chinese
message naming the field, and is recorded in the audit trail in its transaction. Pages, the API and the
demo share these functions.

Who does what:
- the office (党委办公室) over an organisation sets its rules (Settings), makes and computes its roll-ups and
  enters the year-end review of each branch below it;
- the branch's secretary (or the office above) sets a member's rectification, writes its follow-ups and
  marks it done."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, connection, transaction
from django.db.models import Q
from django.utils import timezone
from django.utils.translation import gettext as _
from django.utils.translation import gettext_lazy

from vanguard.accounts import scope as access
from vanguard.accounts.models import Role
from vanguard.audit import services as audit
from vanguard.org.models import Member, Organisation, Person

from .models import (
    BranchReview,
    Rectification,
    RectificationNote,
    Result,
    Rollup,
    RollupPart,
    RollupResult,
    Round,
    Settings,
    TargetKind,
)

OUT_OF_SCOPE = gettext_lazy("所选党组织不存在或不在您的管理范围内。")
TEXT_LIMIT = 5000
POINT_FIELDS = ("listen_points", "look_points", "talk_points", "visit_points")
NOTE_FIELDS = ("listen_notes", "look_notes", "talk_notes", "visit_notes")
MAX_REVIEW_POINTS = Decimal("100")
PAPER_FIELDS = ("paper_excellent", "paper_qualified", "paper_basic", "paper_unqualified")
LOCKED_ROUND = (Round.Status.CLOSED, Round.Status.PUBLISHED, Round.Status.ARCHIVED)


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _table(model) -> str:
    return connection.ops.quote_name(model._meta.db_table)


def _today() -> dt.date:
    return timezone.localdate()


def _validate_year(year: Any, field: str = "year") -> int:
    from vanguard.zones.models import validate_year

    try:
        value = int(year)
    except (TypeError, ValueError):
        raise ValidationError({field: _("请填写年度,如 2026。")}) from None
    try:
        validate_year(value)
    except ValidationError as exc:
        raise ValidationError({field: exc.messages}) from None
    return value


def _text(value: Any, field: str, *, required: str | None = None) -> str:
    text = (value or "").strip()
    if required and not text:
        raise ValidationError({field: required})
    if len(text) > TEXT_LIMIT:
        raise ValidationError({field: _("内容不能超过%(n)d字。") % {"n": TEXT_LIMIT}})
    return text


def _office_over(actor, organisation: Organisation) -> None:
    if not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise PermissionDenied(_("只有党委办公室可以执行此操作。"))


def _branch_editor(actor, organisation: Organisation, message: str) -> None:
    """The secretary of the branch (or of a branch above a group) or the office above it."""
    if not access.can_edit_under(actor, organisation):
        raise PermissionDenied(message)


def _branch(organisation: Organisation | None, field: str = "organisation") -> Organisation:
    if organisation is None:
        raise ValidationError({field: _("请选择党支部。")})
    if organisation.kind != Organisation.Kind.BRANCH:
        raise ValidationError(
            {
                field: _("请选择党支部:“%(name)s”是%(kind)s。")
                % {"name": organisation.name, "kind": organisation.get_kind_display()}
            }
        )
    return organisation


# --- Settings --------------------------------------------------------------------------------------------


def settings_for(organisation: Organisation) -> Settings | None:
    """The settings that apply to `organisation`: its own, else its nearest ancestor's (None: defaults)."""
    return (
        Settings.objects.filter(organisation__path__in=[*organisation.ancestor_paths(), organisation.path])
        .select_related("organisation")
        .order_by("-organisation__depth")
        .first()
    )


def bar_unregistered_applies(organisation: Organisation) -> bool:
    found = settings_for(organisation)
    return bool(found and found.bar_unregistered)


@transaction.atomic
def settings_update(
    *, actor, organisation: Organisation, prior_weight: Any, bar_unregistered: bool
) -> Settings:
    """The office's rules under `organisation`: the prior weight of the fair rank (used by the rounds that
    close from now on) and whether an unregistered in-service member may be appraised 合格."""
    if organisation is None or not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise ValidationError({"organisation": str(OUT_OF_SCOPE)})
    try:
        weight = Decimal(str(prior_weight)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"prior_weight": _("请填写数字。")}) from None
    if not Decimal(0) <= weight <= Decimal(100):
        raise ValidationError({"prior_weight": _("拉向均值的强度应在0到100之间。")})
    stored = Settings.objects.select_for_update().filter(organisation=organisation).first()
    before = audit.snapshot(stored) if stored is not None else None
    if stored is None:
        stored = Settings(organisation=organisation)
    stored.prior_weight = weight
    stored.bar_unregistered = bool(bar_unregistered)
    stored.full_clean(validate_constraints=False, validate_unique=False)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


# --- Roll-ups --------------------------------------------------------------------------------------------


@dataclass(frozen=True)
class Part:
    """A round in a roll-up with its weight (weights are relative: 1, 1, 1, 1 is an equal mean)."""

    round: Round
    weight: Any = 1


def _weight(value: Any) -> Decimal:
    try:
        weight = Decimal(str(value if value not in (None, "") else 1)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"rounds": _("权重请填写数字。")}) from None
    if not Decimal(0) < weight <= Decimal(100):
        raise ValidationError({"rounds": _("每轮考核的权重应大于0且不超过100。")})
    return weight


def _check_parts(actor, rollup: Rollup, parts: Iterable[Part]) -> list[tuple[Round, Decimal]]:
    checked: list[tuple[Round, Decimal]] = []
    seen: set[int] = set()
    # The rounds as stored now (a page's copy may be stale), and only those the actor sees.
    stored = {
        r.pk: r
        for r in access.visible_to(
            actor, Round.objects.filter(pk__in=[p.round.pk for p in parts])
        ).select_related("version__scheme", "organisation")
    }
    for part in parts:
        round_ = stored.get(part.round.pk)
        if round_ is None:
            raise ValidationError({"rounds": _("所选考核轮次不存在或不在您的管理范围内。")})
        if round_.pk in seen:
            raise ValidationError({"rounds": _("“%(name)s”选了两次。") % {"name": round_.name}})
        seen.add(round_.pk)
        if round_.status not in LOCKED_ROUND:
            raise ValidationError(
                {"rounds": _("“%(name)s”尚未结束评分,结束后才能汇总。") % {"name": round_.name}}
            )
        if round_.period_start.year != rollup.year:
            raise ValidationError(
                {
                    "rounds": _("“%(name)s”不是%(year)d年度的考核。")
                    % {"name": round_.name, "year": rollup.year}
                }
            )
        if round_.version.scheme.target_kind != rollup.target_kind:
            raise ValidationError(
                {
                    "rounds": _("“%(name)s”考核的是%(kind)s,与汇总对象不同。")
                    % {"name": round_.name, "kind": round_.version.scheme.get_target_kind_display()}
                }
            )
        if not round_.organisation.path.startswith(rollup.organisation.path):
            raise ValidationError(
                {
                    "rounds": _("“%(name)s”的考核范围不在%(org)s之内。")
                    % {"name": round_.name, "org": rollup.organisation.name}
                }
            )
        checked.append((round_, _weight(part.weight)))
    if not checked:
        raise ValidationError({"rounds": _("请至少选择一轮已结束的考核。")})
    return checked


def _parts_detail(checked: list[tuple[Round, Decimal]]) -> str:
    return "、".join(f"{r.name}×{w.normalize():f}" for r, w in checked)


def _recommend_count(value: Any) -> int:
    try:
        count = int(value)
    except (TypeError, ValueError):
        raise ValidationError({"recommend_count": _("推荐名额请填写整数。")}) from None
    if not 0 <= count <= 10000:
        raise ValidationError({"recommend_count": _("推荐名额应在0到10000之间。")})
    return count


@transaction.atomic
def rollup_create(
    *,
    actor,
    organisation: Organisation,
    year: Any,
    target_kind: str,
    name: str,
    recommend_count: Any = 3,
    parts: Iterable[Part],
) -> Rollup:
    """A roll-up of closed rounds of one year and kind of target under `organisation`."""
    if organisation is None or not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise ValidationError({"organisation": str(OUT_OF_SCOPE)})
    if target_kind not in TargetKind.values:
        raise ValidationError({"target_kind": _("请选择考核对象。")})
    rollup = Rollup(
        organisation=organisation,
        year=_validate_year(year),
        target_kind=target_kind,
        name=_text(name, "name", required=_("请填写名称。")),
        recommend_count=_recommend_count(recommend_count),
    )
    rollup.full_clean(validate_constraints=False)
    checked = _check_parts(actor, rollup, list(parts))
    rollup.save()
    RollupPart.objects.bulk_create(RollupPart(rollup=rollup, round=r, weight=w) for r, w in checked)
    audit.record_save(user=actor, obj=rollup, before=None, detail=_parts_detail(checked))
    return rollup


def _locked_rollup(actor, rollup: Rollup) -> Rollup:
    stored = Rollup.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=rollup.pk)
    _office_over(actor, stored.organisation)
    return stored


@transaction.atomic
def rollup_update(
    *, actor, rollup: Rollup, fields: Mapping[str, Any], parts: Iterable[Part] | None = None
) -> Rollup:
    """Rename, change the number recommended, or choose other rounds and weights. New rounds or weights
    discard the computed ranking (compute again); a new number of places re-marks the recommended."""
    stored = _locked_rollup(actor, rollup)
    before = audit.snapshot(stored)
    for name, value in fields.items():
        if name == "name":
            stored.name = _text(value, "name", required=_("请填写名称。"))
        elif name == "recommend_count":
            stored.recommend_count = _recommend_count(value)
        else:
            raise ValueError(name)
    stored.full_clean(validate_constraints=False)
    detail = ""
    if parts is not None:
        checked = _check_parts(actor, stored, list(parts))
        stored.parts.all().delete()
        RollupPart.objects.bulk_create(RollupPart(rollup=stored, round=r, weight=w) for r, w in checked)
        stored.results.all().delete()
        stored.computed_at = None
        detail = _parts_detail(checked)
    stored.save()
    if stored.computed_at is not None:
        _mark_recommended(stored)
    audit.record_save(user=actor, obj=stored, before=before, detail=detail)
    return stored


@transaction.atomic
def rollup_delete(*, actor, rollup: Rollup) -> None:
    stored = _locked_rollup(actor, rollup)
    audit.record_delete(user=actor, obj=stored)
    stored.delete()


@transaction.atomic
def rollup_compute(*, actor, rollup: Rollup) -> Rollup:
    """Write the roll-up's results in SQL, for all its targets at once:

        total = Σ weight × round total ÷ Σ weight     over the rounds the target appears in

    with the number of those rounds and the data points behind them summed; the unit and name are those of
    the target's latest round. Then RANK() by total, and the first `recommend_count` places (ties at the
    last place included) are recommended."""
    stored = _locked_rollup(actor, rollup)
    reopened = (
        Round.objects.filter(pk__in=stored.parts.values("round_id"))
        .exclude(status__in=LOCKED_ROUND)
        .values_list("name", flat=True)
        .first()
    )
    if reopened is not None:
        raise ValidationError(_("“%(name)s”已重新开放评分,结束后才能汇总。") % {"name": reopened})
    RollupResult.objects.filter(rollup=stored).delete()
    rr, result, part, round_ = _table(RollupResult), _table(Result), _table(RollupPart), _table(Round)
    with connection.cursor() as cursor:
        cursor.execute(
            f"""
            INSERT INTO {rr} (rollup_id, member_id, organisation_id, zone_id, unit_id, name, total, rounds,
                              data_points, rank, recommended)
            SELECT %s, t.member_id, t.organisation_id, t.zone_id, t.unit_id, t.name,
                   ROUND(t.weighted * 1.0 / t.weights, 2), t.counted, t.points, NULL, %s
            FROM (
                SELECT r.member_id, r.organisation_id, r.zone_id, r.unit_id, r.name,
                       SUM(p.weight * r.total) OVER target AS weighted,
                       SUM(p.weight) OVER target AS weights,
                       COUNT(*) OVER target AS counted,
                       SUM(r.data_points) OVER target AS points,
                       ROW_NUMBER() OVER (PARTITION BY r.member_id, r.organisation_id, r.zone_id
                                          ORDER BY o.period_end DESC, o.id DESC) AS latest
                FROM {result} r
                JOIN {part} p ON p.round_id = r.round_id
                JOIN {round_} o ON o.id = r.round_id
                WHERE p.rollup_id = %s AND r.total IS NOT NULL
                WINDOW target AS (PARTITION BY r.member_id, r.organisation_id, r.zone_id)
            ) t
            WHERE t.latest = 1
            """,
            [stored.pk, False, stored.pk],
        )
        count = cursor.rowcount
        cursor.execute(
            f"""
            UPDATE {rr} SET rank = ranked.position
            FROM (SELECT id, RANK() OVER (ORDER BY total DESC) AS position FROM {rr} WHERE rollup_id = %s)
                 AS ranked
            WHERE ranked.id = {rr}.id
            """,
            [stored.pk],
        )
    _mark_recommended(stored)
    stored.computed_at = timezone.now()
    stored.save(update_fields=["computed_at", "updated_at"])
    audit.record(
        action="update",
        user=actor,
        obj=stored,
        after={"computed_at": stored.computed_at, "results": count},
        detail=_("计算年度汇总:%(n)d个考核对象") % {"n": count},
    )
    return stored


def _mark_recommended(rollup: Rollup) -> None:
    results = RollupResult.objects.filter(rollup=rollup)
    results.update(recommended=False)
    results.filter(rank__lte=rollup.recommend_count).update(recommended=True)


# --- The year-end branch review ----------------------------------------------------------------------------


def branch_secretaries(branch: Organisation):
    """The people who are the branch's secretary: the users holding the secretary role on the branch itself,
    through the person their login belongs to."""
    return (
        Person.objects.filter(user__roles__role=Role.SECRETARY, user__roles__organisation=branch)
        .distinct()
        .order_by("name_pinyin", "pk")
    )


def secretary_choices(branch: Organisation):
    """Whom the review may name as the branch's secretary: its secretaries' people and its members."""
    return (
        Person.objects.filter(
            Q(pk__in=branch_secretaries(branch).values("pk"))
            | Q(pk__in=Member.objects.filter(branch.subtree_q("organisation__")).values("person_id"))
        )
        .distinct()
        .order_by("name_pinyin", "pk")
    )


def _review_points(values: Mapping[str, Any]) -> dict[str, Decimal]:
    errors: dict[str, str] = {}
    points: dict[str, Decimal] = {}
    for name in POINT_FIELDS:
        raw = values.get(name)
        try:
            value = Decimal(str(raw if raw not in (None, "") else 0)).quantize(Decimal("0.01"))
        except (InvalidOperation, ValueError):
            errors[name] = _("请填写数字。")
            continue
        if not Decimal(0) <= value <= MAX_REVIEW_POINTS:
            errors[name] = _("得分应在0到%(max)d之间。") % {"max": MAX_REVIEW_POINTS}
        points[name] = value
    if errors:
        raise ValidationError(errors)
    return points


def _apply_review(actor, review: BranchReview, secretary: Person | None, values: Mapping[str, Any]) -> None:
    for name in values:
        if name not in POINT_FIELDS + NOTE_FIELDS:
            raise ValueError(name)
    if secretary is None:
        secretary = branch_secretaries(review.organisation).first()
    elif not secretary_choices(review.organisation).filter(pk=secretary.pk).exists():
        raise ValidationError({"secretary": _("所选支部书记须是该支部的书记或党员。")})
    review.secretary = secretary
    for name, value in _review_points(values).items():
        setattr(review, name, value)
    for name in NOTE_FIELDS:
        setattr(review, name, _text(values.get(name), name))
    review.total = sum((getattr(review, name) for name in POINT_FIELDS), Decimal(0))
    review.reviewed_by = _user(actor)


@transaction.atomic
def branch_review_create(
    *,
    actor,
    organisation: Organisation,
    year: Any,
    secretary: Person | None = None,
    values: Mapping[str, Any],
) -> BranchReview:
    """The office's year-end review of a branch: points and notes for 听、看、谈、访; the total is their sum.
    Without a secretary chosen, the person of the branch's secretary login is named."""
    branch = _branch(organisation)
    if not access.acts_as(actor, {Role.OFFICE}, branch):
        raise ValidationError({"organisation": str(OUT_OF_SCOPE)})
    year = _validate_year(year)
    if BranchReview.objects.filter(organisation=branch, year=year).exists():
        raise ValidationError(
            {"year": _("%(name)s已有%(year)d年度的考评,请修改原考评。") % {"name": branch.name, "year": year}}
        )
    review = BranchReview(organisation=branch, year=year)
    _apply_review(actor, review, secretary, values)
    review.full_clean(validate_constraints=False)
    try:
        with transaction.atomic():
            review.save()
    except IntegrityError:
        raise ValidationError(
            {"year": _("%(name)s已有%(year)d年度的考评,请修改原考评。") % {"name": branch.name, "year": year}}
        ) from None
    audit.record_save(user=actor, obj=review, before=None)
    return review


@transaction.atomic
def branch_review_update(
    *, actor, review: BranchReview, secretary: Person | None = None, values: Mapping[str, Any]
) -> BranchReview:
    stored = (
        BranchReview.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=review.pk)
    )
    _office_over(actor, stored.organisation)
    before = audit.snapshot(stored)
    _apply_review(actor, stored, secretary, values)
    stored.full_clean(validate_constraints=False)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    return stored


# --- Rectification (限期改正) -------------------------------------------------------------------------------

_RECTIFIER = gettext_lazy("只有党员所在支部的书记或党委办公室可以提出和跟进整改。")


@transaction.atomic
def rectification_create(
    *,
    actor,
    member: Member,
    problem: str,
    requirement: str = "",
    deadline: dt.date | None,
    result: Result | None = None,
) -> Rectification:
    _branch_editor(actor, member.organisation, str(_RECTIFIER))
    problem = _text(problem, "problem", required=_("请填写存在的问题。"))
    requirement = _text(requirement, "requirement")
    if deadline is None:
        raise ValidationError({"deadline": _("请填写整改期限。")})
    if deadline < _today():
        raise ValidationError({"deadline": _("整改期限不能早于今天。")})
    if result is not None and not access.can(actor, access.VIEW, result):
        raise ValidationError({"result": _("所选考核结果不存在或不在您的可见范围内。")})
    if result is not None and result.member_id != member.pk:
        raise ValidationError({"result": _("所选考核结果不是%(name)s的。") % {"name": member.person.name}})
    rectification = Rectification(
        member=member,
        result=result,
        problem=problem,
        requirement=requirement,
        deadline=deadline,
        created_by=_user(actor),
    )
    rectification.full_clean(validate_constraints=False)
    rectification.save()
    audit.record_save(user=actor, obj=rectification, before=None)
    return rectification


def _locked_rectification(actor, rectification: Rectification) -> Rectification:
    stored = (
        Rectification.objects.select_for_update(of=("self",))
        .select_related("member__organisation", "member__person")
        .get(pk=rectification.pk)
    )
    _branch_editor(actor, stored.member.organisation, str(_RECTIFIER))
    if stored.status == Rectification.Status.DONE:
        raise ValidationError(
            _("该整改已于%(date)s完成,不能再修改。") % {"date": stored.done_on.isoformat()}, code="transition"
        )
    return stored


def _day(value: dt.date | None, rectification: Rectification, field: str) -> dt.date:
    day = value or _today()
    if day > _today():
        raise ValidationError({field: _("日期不能是将来。")})
    started = timezone.localtime(rectification.created_at).date()
    if day < started:
        raise ValidationError({field: _("日期不能早于提出整改的日期(%(d)s)。") % {"d": started.isoformat()}})
    return day


@transaction.atomic
def rectification_note_add(
    *, actor, rectification: Rectification, note: str, written_on: dt.date | None = None
) -> RectificationNote:
    """A follow-up (跟进情况) while the rectification is open."""
    stored = _locked_rectification(actor, rectification)
    entry = RectificationNote(
        rectification=stored,
        note=_text(note, "note", required=_("请填写跟进情况。")),
        written_on=_day(written_on, stored, "written_on"),
        written_by=_user(actor),
    )
    entry.save()
    audit.record_save(user=actor, obj=entry, before=None)
    return entry


@transaction.atomic
def rectification_done(
    *, actor, rectification: Rectification, done_on: dt.date | None = None, note: str = ""
) -> Rectification:
    """Open → done, on `done_on` (today by default; after the deadline it shows as done late)."""
    stored = _locked_rectification(actor, rectification)
    before = audit.snapshot(stored)
    stored.done_on = _day(done_on, stored, "done_on")
    stored.status = Rectification.Status.DONE
    text = _text(note, "note")
    stored.save()
    if text:
        RectificationNote.objects.create(
            rectification=stored, note=text, written_on=stored.done_on, written_by=_user(actor)
        )
    audit.record_save(user=actor, obj=stored, before=before, detail=text)
    return stored
