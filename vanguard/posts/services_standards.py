"""Writes of post standards (seed 004: 党员提标准、群众议标准、组织定标准) and their benchmark records.

    proposed ──set (the branch: final text)──▶ set ──publish (公示)──▶ published
       ▲  │                                     │ ▲
       │  └─ the member edits; the masses comment └─┘ the branch corrects the text before publishing

A member proposes the standard of their post for a year (one a year) and may edit it while it is proposed;
the masses comment on it while it is proposed — on the public page (actor None) or from paper, entered by the
branch; the secretary of the member's branch or the office above sets the final text, then publishes it (the
定标公示卡). Benchmark records (对标记录卡) are dated entries against a set standard, written by the member or
the branch. Every write is scoped, validated with messages in Chinese naming the field, and audited.
"""

from __future__ import annotations

import datetime as dt

from django.core.exceptions import PermissionDenied, ValidationError
from django.db import IntegrityError, transaction
from django.utils import timezone
from django.utils.translation import gettext as _

from vanguard.accounts import scope
from vanguard.audit import services as audit
from vanguard.org.models import Member
from vanguard.org.validators import today

from .models import BenchmarkRecord, Standard, StandardComment

Status = Standard.Status

# A comment from the public is kept short: the page is open to anyone.
PUBLIC_COMMENT_LIMIT = 1000
TEXT_LIMIT = 5000


def _user(actor):
    return actor if getattr(actor, "pk", None) else None


def _is_self(actor, member: Member) -> bool:
    """The member's own login (the console's system actor and a superuser may act for anyone)."""
    s = scope.scope_of(actor)
    return s.superuser or (s.person_id is not None and s.person_id == member.person_id)


def _is_own_login(actor, member: Member) -> bool:
    user_id = member.person.user_id
    return user_id is not None and user_id == getattr(actor, "pk", None)


def _check_branch(actor, standard: Standard, message: str) -> None:
    if not scope.can_edit_under(actor, standard.member.organisation):
        raise PermissionDenied(message)


def _text(value: str | None) -> str:
    return (value or "").strip()


def _too_long(value: str, limit: int, field: str, label: str) -> None:
    if len(value) > limit:
        raise ValidationError({field: _("%(label)s不能超过%(n)d字。") % {"label": label, "n": limit}})


def _locked(standard: Standard) -> Standard:
    return (
        Standard.objects.select_for_update(of=("self",))
        .select_related("member__person", "member__organisation")
        .get(pk=standard.pk)
    )


def _text_errors(standard: Standard) -> dict[str, list[str]]:
    errors: dict[str, list[str]] = {}
    if not standard.post_title:
        errors["post_title"] = [_("请填写岗位。")]
    elif len(standard.post_title) > 100:
        errors["post_title"] = [_("岗位不能超过100字。")]
    if not standard.proposed_text:
        errors["proposed_text"] = [_("请填写您为本岗位提出的标准。")]
    elif len(standard.proposed_text) > TEXT_LIMIT:
        errors["proposed_text"] = [_("标准不能超过%(n)d字。") % {"n": TEXT_LIMIT}]
    return errors


def _duplicate(member: Member, year: int) -> ValidationError:
    return ValidationError(
        {
            "year": _("%(name)s%(year)d年度的岗位标准已经提出,请在原标准上修改。")
            % {"name": member.person.name, "year": year}
        }
    )


# --- 党员提标准 ---------------------------------------------------------------------------------------------


@transaction.atomic
def standard_propose(*, actor, member: Member, year: int, post_title: str, text: str) -> Standard:
    """The member proposes the standard of their post for a year: one standard a member and year."""
    if not _is_self(actor, member):
        raise PermissionDenied(_("岗位标准须由党员本人提出。"))
    standard = Standard(
        member=member,
        year=year,
        post_title=_text(post_title),
        proposed_text=_text(text),
        status=Status.PROPOSED,
    )
    errors: dict[str, list[str]] = {}
    try:
        standard.full_clean(
            exclude=["member", "set_by", "post_title", "proposed_text"], validate_constraints=False
        )
    except ValidationError as exc:
        errors.update(exc.message_dict)
    errors.update(_text_errors(standard))
    if errors:
        raise ValidationError(errors)
    if Standard.objects.filter(member=member, year=year).exists():
        raise _duplicate(member, year)
    try:
        with transaction.atomic():
            standard.save()
    except IntegrityError:
        raise _duplicate(member, year) from None
    audit.record_save(
        user=actor, obj=standard, before=None, detail=_("提出%(year)d年度岗位标准") % {"year": year}
    )
    return standard


@transaction.atomic
def standard_update(*, actor, standard: Standard, post_title: str, text: str) -> Standard:
    """The member edits their proposal while the organisation has not set it."""
    stored = _locked(standard)
    if not _is_self(actor, stored.member):
        raise PermissionDenied(_("岗位标准须由党员本人修改。"))
    if stored.status != Status.PROPOSED:
        raise ValidationError(
            _("组织已确定%(year)d年度的岗位标准,不能再修改。") % {"year": stored.year}, code="transition"
        )
    before = audit.snapshot(stored)
    stored.post_title, stored.proposed_text = _text(post_title), _text(text)
    errors = _text_errors(stored)
    if errors:
        raise ValidationError(errors)
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before, detail=_("修改岗位标准"))
    return stored


# --- 群众议标准 ---------------------------------------------------------------------------------------------


@transaction.atomic
def standard_comment(*, actor, standard: Standard, content: str, name: str = "") -> StandardComment:
    """A comment of the masses on a proposed standard: from the public page (actor None) or entered from
    paper by the member's branch. Once the organisation has set the standard, the discussion is over."""
    stored = _locked(standard)
    if actor is not None:
        _check_branch(actor, stored, _("只有党员所在支部的书记或党委办公室可以录入群众意见。"))
    if stored.status != Status.PROPOSED:
        raise ValidationError(_("该岗位标准已由组织确定,不再征求意见。"), code="transition")
    content, name = _text(content), _text(name)
    if not content:
        raise ValidationError({"content": _("请填写意见。")})
    if actor is None:
        _too_long(content, PUBLIC_COMMENT_LIMIT, "content", _("意见"))
    else:
        _too_long(content, TEXT_LIMIT, "content", _("意见"))
    _too_long(name, 50, "name", _("提意见人"))
    comment = StandardComment(
        standard=stored,
        name=name,
        content=content,
        channel=StandardComment.Channel.ONLINE if actor is None else StandardComment.Channel.PAPER,
        entered_by=_user(actor),
    )
    comment.full_clean(exclude=["standard", "entered_by"], validate_constraints=False)
    comment.save()
    audit.record_save(
        user=actor, obj=comment, before=None, detail=_("群众网上留言") if actor is None else _("录入纸质意见")
    )
    return comment


# --- 组织定标准 and 公示 ------------------------------------------------------------------------------------


@transaction.atomic
def standard_set(*, actor, standard: Standard, final_text: str) -> Standard:
    """The secretary of the member's branch (or the office above) sets the final text; it may be corrected
    until it is published. Nobody sets their own standard."""
    stored = _locked(standard)
    _check_branch(actor, stored, _("只有党员所在支部的书记或党委办公室可以确定岗位标准。"))
    if _is_own_login(actor, stored.member):
        raise PermissionDenied(_("不能确定自己的岗位标准,须由支部其他委员或党委办公室确定。"))
    if stored.status == Status.PUBLISHED:
        raise ValidationError(_("岗位标准已经公示,不能再修改。"), code="transition")
    final_text = _text(final_text)
    if not final_text:
        raise ValidationError({"final_text": _("请填写组织确定的标准。")})
    _too_long(final_text, TEXT_LIMIT, "final_text", _("组织确定的标准"))
    before = audit.snapshot(stored)
    first = stored.status == Status.PROPOSED
    stored.final_text, stored.status = final_text, Status.SET
    stored.set_by, stored.set_at = _user(actor), timezone.now()
    stored.save()
    audit.record_save(
        user=actor, obj=stored, before=before, detail=_("确定岗位标准") if first else _("修改组织确定的标准")
    )
    return stored


@transaction.atomic
def standard_publish(*, actor, standard: Standard) -> Standard:
    """The branch publishes the set standard (定标公示卡上墙公示)."""
    stored = _locked(standard)
    _check_branch(actor, stored, _("只有党员所在支部的书记或党委办公室可以公示岗位标准。"))
    if stored.status == Status.PUBLISHED:
        raise ValidationError(
            _("该岗位标准已于%(date)s公示。")
            % {"date": timezone.localtime(stored.published_at).strftime("%Y-%m-%d")},
            code="transition",
        )
    if stored.status != Status.SET:
        raise ValidationError(_("组织确定标准后才能公示。"), code="transition")
    before = audit.snapshot(stored)
    stored.status, stored.published_at = Status.PUBLISHED, timezone.now()
    stored.save()
    audit.record_save(user=actor, obj=stored, before=before, detail=_("公示岗位标准"))
    return stored


# --- 对标记录 -----------------------------------------------------------------------------------------------


@transaction.atomic
def benchmark_add(*, actor, standard: Standard, recorded_on: dt.date | None, content: str) -> BenchmarkRecord:
    """A dated record against a set standard, by the member or their branch: not in the future, within the
    standard's year."""
    stored = _locked(standard)
    if not (_is_self(actor, stored.member) or scope.can_edit_under(actor, stored.member.organisation)):
        raise PermissionDenied(_("对标记录由党员本人或所在支部填写。"))
    if stored.status == Status.PROPOSED:
        raise ValidationError(_("组织确定岗位标准后才能记录对标情况。"), code="transition")
    content = _text(content)
    errors: dict[str, list[str]] = {}
    if recorded_on is None:
        errors["recorded_on"] = [_("请填写日期。")]
    elif recorded_on > today():
        errors["recorded_on"] = [_("日期不能晚于今天。")]
    elif recorded_on.year != stored.year:
        errors["recorded_on"] = [_("日期须在%(year)d年内(岗位标准的年度)。") % {"year": stored.year}]
    if not content:
        errors["content"] = [_("请填写对标情况。")]
    elif len(content) > TEXT_LIMIT:
        errors["content"] = [_("对标情况不能超过%(n)d字。") % {"n": TEXT_LIMIT}]
    if errors:
        raise ValidationError(errors)
    record = BenchmarkRecord(
        standard=stored, recorded_on=recorded_on, content=content, created_by=_user(actor)
    )
    record.full_clean(exclude=["standard", "created_by"], validate_constraints=False)
    record.save()
    audit.record_save(
        user=actor,
        obj=record,
        before=None,
        detail=_("对标记录(%(date)s)") % {"date": recorded_on.isoformat()},
    )
    return record
