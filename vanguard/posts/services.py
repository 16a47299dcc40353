"""Writes of model posts and their star cycle (seed 004), through the one assessment engine.

    applied ──approve (office, 挂牌)──▶ approved ──(a fail with no star left, a serious complaint upheld,
       │                               │  ▲        or a failed year-end review: 摘牌)──▶ removed
       └──reject (office, with reason)─┼──┘
                                       ▼
    monthly evaluation: pass → +1 star (at most five; reaching five offers naming, 授牌命名), fail → −1 star

A month's evaluation takes the total of the post's result in that month's star round (a round of a scheme
whose purpose is `star`), subtracts the rules' penalty for each complaint upheld that month, and passes at the
rules' pass mark. The rules are the office's PostRules, versioned: an evaluation keeps the version it used.
Every write is scoped, validated with messages in Chinese and recorded in the audit trail.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable, Mapping
from decimal import Decimal, InvalidOperation
from typing import Any

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope as access
from vanguard.accounts.models import Role
from vanguard.assessment.models import Purpose, Result, Round
from vanguard.audit import services as audit
from vanguard.org.models import Member, Organisation
from vanguard.org.validators import today

from . import signals
from .models import MAX_STARS, Evaluation, ModelPost, Opinion, PostMember, PostRules, StarEvent

Status = ModelPost.Status
Kind = StarEvent.Kind

RULE_FIELDS = ("pass_mark", "complaint_penalty", "serious_complaint_removes")
POST_FIELDS = ("name", "kind", "location", "description", "complaint_phone")


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _name(actor) -> str:
    if actor is None:
        return ""
    return str(getattr(actor, "display_name", "") or actor.get_username())


def _office_over(actor, organisation: Organisation, message: str) -> None:
    if not access.acts_as(actor, {Role.OFFICE}, organisation):
        raise PermissionDenied(message)


# --- Rules -----------------------------------------------------------------------------------------------


def rules_for(organisation: Organisation) -> PostRules:
    """The latest rules of the nearest organisation at or above `organisation` that has any; the root's
    defaults (version 1) are made on first use."""
    paths = [*organisation.ancestor_paths(), organisation.path]
    rules = (
        PostRules.objects.filter(organisation__path__in=paths)
        .order_by("-organisation__depth", "-number")
        .select_related("organisation")
        .first()
    )
    if rules is None:
        root = Organisation.objects.get(path=paths[0])
        rules = PostRules.objects.create(organisation=root, number=1, note=_("默认规则"))
    return rules


@transaction.atomic
def rules_update(
    *, actor, organisation: Organisation, fields: Mapping[str, Any], note: str = ""
) -> PostRules:
    """A new version of the office's rules (the evaluations made keep theirs)."""
    _office_over(actor, organisation, _("只有党委办公室可以修改示范岗评定规则。"))
    current = PostRules.objects.filter(organisation=organisation).order_by("-number").first()
    base = current or rules_for(organisation)
    rules = PostRules(
        organisation=organisation,
        number=(current.number + 1) if current else 1,
        note=(note or "").strip(),
        created_by=_user(actor),
        **{name: getattr(base, name) for name in RULE_FIELDS},
    )
    for name, value in fields.items():
        if name not in RULE_FIELDS:
            raise ValueError(name)
        setattr(rules, name, value)
    rules.full_clean(exclude=["organisation", "created_by"], validate_constraints=False)
    if PostRules.objects.filter(organisation=organisation, number=rules.number).exists():
        raise ValidationError(_("规则刚被他人修改,请刷新后重试。"))
    rules.save()
    audit.record_save(user=actor, obj=rules, before=None if current is None else audit.snapshot(current))
    return rules


# --- Posts -----------------------------------------------------------------------------------------------


def _event(post: ModelPost, kind: str, before: int, reason: str, actor, evaluation=None) -> StarEvent:
    return StarEvent.objects.create(
        post=post,
        kind=kind,
        evaluation=evaluation,
        stars_before=before,
        stars_after=post.stars,
        reason=reason,
        created_by=_user(actor),
        created_by_name=_name(actor),
    )


def _members_errors(organisation: Organisation, members: list[Mapping[str, Any]]) -> dict[str, list[str]]:
    errors: list[str] = []
    if not members:
        errors.append(_("示范岗至少要有一名党员。"))
    seen: set[int] = set()
    for entry in members:
        member: Member = entry["member"]
        if not member.organisation.path.startswith(organisation.path):
            errors.append(_("%(name)s不是本支部的党员。") % {"name": member.person.name})
        if member.pk in seen:
            errors.append(_("%(name)s重复列入。") % {"name": member.person.name})
        seen.add(member.pk)
        if not (entry.get("motto") or "").strip():
            errors.append(_("请填写%(name)s的格言式承诺。") % {"name": member.person.name})
    return {"members": errors} if errors else {}


@transaction.atomic
def post_apply(
    *, actor, organisation: Organisation, fields: Mapping[str, Any], members: Iterable[Mapping[str, Any]]
) -> ModelPost:
    """A branch applies for a model post with its members, each with job, motto-commitment and photo."""
    if not access.can_edit_under(actor, organisation):
        raise ValidationError({"organisation": _("所选党组织不存在或不在您的管理范围内。")})
    members = list(members)
    post = ModelPost(organisation=organisation, status=Status.APPLIED)
    for name, value in fields.items():
        if name not in POST_FIELDS:
            raise ValueError(name)
        setattr(post, name, value.strip() if isinstance(value, str) else value)
    errors: dict[str, list[str]] = {}
    try:
        post.full_clean(validate_constraints=False)
    except ValidationError as exc:
        errors.update(exc.message_dict)
    if not organisation.can_hold_members:
        errors.setdefault("organisation", []).append(_("示范岗须由党支部或党小组申请。"))
    if post.name and ModelPost.objects.filter(organisation=organisation, name=post.name).exists():
        errors.setdefault("name", []).append(_("本支部已有名为“%(name)s”的示范岗。") % {"name": post.name})
    for key, messages in _members_errors(organisation, members).items():
        errors.setdefault(key, []).extend(messages)
    if errors:
        raise ValidationError(errors)
    post.save()
    for order, entry in enumerate(members):
        PostMember.objects.create(
            post=post,
            member=entry["member"],
            job=(entry.get("job") or "").strip(),
            motto=entry["motto"].strip(),
            photo=entry.get("photo") or "",
            order=order,
        )
    audit.record_save(
        user=actor,
        obj=post,
        before=None,
        detail=_("申请;党员:%(names)s") % {"names": "、".join(e["member"].person.name for e in members)},
    )
    return post


def _locked(post: ModelPost) -> ModelPost:
    return ModelPost.objects.select_for_update(of=("self",)).select_related("organisation").get(pk=post.pk)


@transaction.atomic
def post_decide(*, actor, post: ModelPost, approve: bool, reason: str = "") -> ModelPost:
    """The office approves a post (挂牌) or rejects it with a reason."""
    stored = _locked(post)
    _office_over(actor, stored.organisation, _("只有党委办公室可以审批示范岗(挂牌)。"))
    if stored.status != Status.APPLIED:
        raise ValidationError(
            _("该示范岗当前为“%(status)s”,不能再审批。") % {"status": stored.get_status_display()}
        )
    before = audit.snapshot(stored)
    reason = (reason or "").strip()
    stored.decided_at, stored.decided_by = timezone.now(), _user(actor)
    if approve:
        stored.status, stored.stars = Status.APPROVED, 0
        stored.save()
        _event(stored, Kind.APPROVED, 0, reason or _("党委批准挂牌。"), actor)
    else:
        if not reason:
            raise ValidationError({"reason": _("不予批准须说明理由。")})
        stored.status, stored.rejection_reason = Status.REJECTED, reason
        stored.save()
    audit.record_save(user=actor, obj=stored, before=before, detail=reason)
    return stored


def _remove_plaque(post: ModelPost, reason: str, actor, evaluation=None, kind: str = Kind.PLAQUE_REMOVED):
    before = post.stars
    post.status, post.stars = Status.REMOVED, 0
    post.removed_at, post.removal_reason = today(), reason
    post.save()
    return _event(post, kind, before, reason, actor, evaluation)


def _month_label(month: dt.date) -> str:
    return _("%(year)d年%(month)d月") % {"year": month.year, "month": month.month}


def _next_month(month: dt.date) -> dt.date:
    return (month + dt.timedelta(days=32)).replace(day=1)


@transaction.atomic
def evaluate(
    *, actor, post: ModelPost, month: dt.date, total: Any, result: Result | None = None
) -> Evaluation:
    """One month's evaluation of one post: pass adds a star (at most five), fail takes one away, a fail with
    no star left removes the plaque. Only a post on the wall is evaluated, once a month."""
    stored = _locked(post)
    _office_over(actor, stored.organisation, _("只有党委办公室可以进行示范岗月度评定。"))
    if stored.status != Status.APPROVED:
        raise ValidationError(
            _("“%(name)s”当前为“%(status)s”,只有已挂牌的示范岗才能评定。")
            % {"name": stored.name, "status": stored.get_status_display()}
        )
    if month is None or month.day != 1:
        raise ValidationError({"month": _("月份须为该月的第一天。")})
    if month > today().replace(day=1):
        raise ValidationError({"month": _("不能评定未来的月份。")})
    if Evaluation.objects.filter(post=stored, month=month).exists():
        raise ValidationError(
            {
                "month": _("“%(name)s”%(month)s已经评定过。")
                % {"name": stored.name, "month": _month_label(month)}
            }
        )
    try:
        total = Decimal(str(total)).quantize(Decimal("0.01"))
    except (InvalidOperation, ValueError):
        raise ValidationError({"total": _("请填写数字。")}) from None
    if not Decimal(0) <= total <= Decimal(100):
        raise ValidationError({"total": _("评定总分应在0到100之间。")})
    rules = rules_for(stored.organisation)
    upheld = Opinion.objects.filter(
        post=stored,
        kind=Opinion.Kind.COMPLAINT,
        upheld=True,
        received_on__gte=month,
        received_on__lt=_next_month(month),
    )
    count = upheld.count()
    score = max(Decimal(0), total - rules.complaint_penalty * count)
    passed = score >= rules.pass_mark
    try:
        with transaction.atomic():
            evaluation = Evaluation.objects.create(
                post=stored,
                month=month,
                result=result,
                rules=rules,
                total=total,
                complaints_upheld=count,
                serious_upheld=upheld.filter(serious=True).exists(),
                score=score,
                passed=passed,
                created_by=_user(actor),
            )
    except IntegrityError:
        raise ValidationError(
            {
                "month": _("“%(name)s”%(month)s已经评定过。")
                % {"name": stored.name, "month": _month_label(month)}
            }
        ) from None
    label = _month_label(month)
    why = _("%(month)s评定%(score)s分(总分%(total)s,属实投诉%(count)d件),达标线%(mark)s分:") % {
        "month": label,
        "score": score,
        "total": total,
        "count": count,
        "mark": rules.pass_mark,
    }
    before = stored.stars
    if passed and stored.stars < MAX_STARS:
        stored.stars += 1
        stored.save(update_fields=["stars", "updated_at"])
        _event(stored, Kind.STAR_ADDED, before, why + _("达标,加一星。"), actor, evaluation)
        if stored.stars == MAX_STARS and stored.named_at is None:
            _event(
                stored, Kind.NAMING_OFFERED, MAX_STARS, _("达到五星,可由党委授牌命名。"), actor, evaluation
            )
    elif passed:
        _event(stored, Kind.STAR_KEPT, before, why + _("达标,保持五星。"), actor, evaluation)
    elif stored.stars > 0:
        stored.stars -= 1
        stored.save(update_fields=["stars", "updated_at"])
        _event(stored, Kind.STAR_REMOVED, before, why + _("未达标,减一星。"), actor, evaluation)
    else:
        _remove_plaque(stored, why + _("未达标且已无星,摘牌。"), actor, evaluation)
    audit.record(
        action="create",
        user=actor,
        obj=evaluation,
        after={"total": total, "score": score, "passed": passed, "stars": [before, stored.stars]},
        detail=why,
    )
    return evaluation


@transaction.atomic
def evaluate_round(*, actor, round_: Round) -> list[Evaluation]:
    """Evaluate every post of a closed (or published) monthly star round from its results."""
    if round_.version.scheme.purpose != Purpose.STAR:
        raise ValidationError(_("该考核轮次不是示范岗星级评定。"))
    if not round_.is_locked:
        raise ValidationError(_("考核轮次结束后才能据此评定星级。"))
    month = round_.period_start.replace(day=1)
    done = set(Evaluation.objects.filter(month=month, result__round=round_).values_list("post_id", flat=True))
    evaluations = []
    for result in round_.results.filter(post__isnull=False, post__status=Status.APPROVED).select_related(
        "post"
    ):
        if result.post_id in done:
            continue
        evaluations.append(
            evaluate(actor=actor, post=result.post, month=month, total=result.total, result=result)
        )
    return evaluations


@transaction.atomic
def post_name(*, actor, post: ModelPost, reason: str = "") -> ModelPost:
    """The office names a five-star post (授牌命名)."""
    stored = _locked(post)
    _office_over(actor, stored.organisation, _("只有党委办公室可以授牌命名。"))
    if stored.status != Status.APPROVED or stored.stars < MAX_STARS:
        raise ValidationError(_("只有已挂牌的五星示范岗才能授牌命名。"))
    if stored.named_at is not None:
        raise ValidationError(_("该示范岗已于%(date)s授牌命名。") % {"date": stored.named_at.isoformat()})
    before = audit.snapshot(stored)
    stored.named_at = today()
    stored.save(update_fields=["named_at", "updated_at"])
    _event(stored, Kind.NAMED, MAX_STARS, (reason or "").strip() or _("五星示范岗,党委授牌命名。"), actor)
    audit.record_save(user=actor, obj=stored, before=before, detail=_("授牌命名"))
    return stored


@transaction.atomic
def year_end_review(*, actor, post: ModelPost, passed: bool, reason: str) -> ModelPost:
    """At year end a post below five stars is re-evaluated (复评): passed it stays on the wall with its stars,
    failed it loses its plaque."""
    stored = _locked(post)
    _office_over(actor, stored.organisation, _("只有党委办公室可以进行年终复评。"))
    reason = (reason or "").strip()
    if not reason:
        raise ValidationError({"reason": _("请填写复评意见。")})
    if stored.status != Status.APPROVED:
        raise ValidationError(_("只有已挂牌的示范岗才能复评。"))
    if stored.stars >= MAX_STARS:
        raise ValidationError(_("五星示范岗无需年终复评。"))
    before = audit.snapshot(stored)
    if passed:
        _event(stored, Kind.REVIEW_PASSED, stored.stars, reason, actor)
    else:
        _remove_plaque(stored, reason, actor, kind=Kind.REVIEW_FAILED)
    audit.record_save(user=actor, obj=stored, before=before, detail=_("年终复评:%(r)s") % {"r": reason})
    return stored


# --- The opinion book -------------------------------------------------------------------------------------


@transaction.atomic
def opinion_submit(
    *,
    actor,
    post: ModelPost,
    kind: str,
    content: str,
    name: str = "",
    phone: str = "",
    channel: str = Opinion.Channel.ONLINE,
    received_on: dt.date | None = None,
) -> Opinion:
    """An opinion, praise or complaint: from the public on the post's board (actor None), or entered by the
    branch from the paper book or the complaint line."""
    if actor is not None and not access.can_edit_under(actor, post.organisation):
        raise PermissionDenied(_("只有本支部书记或党委办公室可以录入意见簿。"))
    if actor is None and post.status != Status.APPROVED:
        raise ValidationError(_("该示范岗目前不在岗,不能留言。"))
    opinion = Opinion(
        post=post,
        kind=kind,
        content=(content or "").strip(),
        name=(name or "").strip(),
        phone=(phone or "").strip(),
        channel=channel if actor is not None else Opinion.Channel.ONLINE,
        received_on=received_on or today(),
        entered_by=_user(actor),
    )
    opinion.full_clean(exclude=["entered_by"], validate_constraints=False)
    if opinion.received_on > today():
        raise ValidationError({"received_on": _("收到日期不能晚于今天。")})
    opinion.save()
    audit.record_save(user=actor, obj=opinion, before=None, detail="" if actor else _("群众留言"))
    return opinion


@transaction.atomic
def opinion_answer(
    *, actor, opinion: Opinion, answer: str, upheld: bool | None = None, serious: bool = False
) -> Opinion:
    """The branch answers an entry; a complaint is marked upheld or not (and serious or not). A serious
    complaint upheld removes the plaque at once when the rules say so; every upheld complaint counts in the
    month's evaluation."""
    stored = (
        Opinion.objects.select_for_update(of=("self",))
        .select_related("post__organisation")
        .get(pk=opinion.pk)
    )
    if not access.can_edit_under(actor, stored.post.organisation):
        raise PermissionDenied(_("只有本支部书记或党委办公室可以答复意见簿。"))
    answer = (answer or "").strip()
    if not answer:
        raise ValidationError({"answer": _("请填写答复内容。")})
    is_complaint = stored.kind == Opinion.Kind.COMPLAINT
    if is_complaint and upheld is None:
        raise ValidationError({"upheld": _("请核实投诉是否属实。")})
    if stored.answered_at is not None and stored.upheld is not None and upheld != stored.upheld:
        raise ValidationError({"upheld": _("投诉核实结论已作出,不能更改。")})
    before = audit.snapshot(stored)
    stored.answer = answer
    stored.upheld = upheld if is_complaint else None
    stored.serious = bool(serious) if is_complaint else False
    stored.answered_by, stored.answered_at = _user(actor), timezone.now()
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before)
    post = _locked(stored.post)
    removes = is_complaint and upheld and stored.serious and post.status == Status.APPROVED
    if removes and rules_for(post.organisation).serious_complaint_removes:
        _remove_plaque(
            post,
            _("严重投诉经核实属实(%(date)s收到):%(content)s")
            % {
                "date": stored.received_on.isoformat(),
                "content": stored.content[:100],
            },
            actor,
        )
    signals.opinion_answered.send(sender=Opinion, opinion=stored)
    return stored
